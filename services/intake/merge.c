#include "merge.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "spheroid.h"

int merge_next_candidate(const char **text, merge_candidate_t *c)
{
    const char *p = *text;
    if (!p || !*p)
        return -1;
    char *end;
    c->id = strtoll(p, &end, 10);
    c->lon = strtod(end, &end);
    c->lat = strtod(end, &end);
    c->callers = (int) strtol(end, &end, 10);
    while (*end == ' ')
        end++;
    c->status = strncmp(end, "dispatched", 10) == 0 ? "dispatched" : "open";
    end += strcspn(end, " ;");
    c->area_id = strtoll(end, &end, 10);
    if (*end != ';' && *end != '\0')
        return -1;
    *text = *end ? end + 1 : end;
    return 0;
}

merge_kind_t merge_nearest(double lat, double lon, const char *candidates, size_t nbatch,
                           merge_batch_fn batch_point, void *arg, double merge_m,
                           merge_candidate_t *stored, size_t *batch)
{
    double best = INFINITY;
    merge_candidate_t found = {0}, c;
    for (const char *text = candidates; merge_next_candidate(&text, &c) == 0;) {
        double d = spheroid_distance_m(lat, lon, c.lat, c.lon);
        if (d <= merge_m && (d < best || (d == best && c.id < found.id))) {
            best = d;
            found = c;
        }
    }
    int in_batch = 0;
    for (size_t j = 0; j < nbatch; j++) {
        double blat, blon;
        if (!batch_point(arg, j, &blat, &blon))
            continue;
        double d = spheroid_distance_m(lat, lon, blat, blon);
        if (d <= merge_m && d < best) {
            best = d;
            *batch = j;
            in_batch = 1;
        }
    }
    if (in_batch)
        return MERGE_BATCH;
    if (!isfinite(best))
        return MERGE_NEW;
    *stored = found;
    return MERGE_STORED;
}
