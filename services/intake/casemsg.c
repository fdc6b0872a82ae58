#include "casemsg.h"

#include <stdlib.h>
#include <string.h>

/* Parses a JSON array of strings into a char* array borrowing from `*json`. */
static int s_strings(const char *text, json_t **json, char ***out, size_t *n)
{
    *json = json_loads(text, 0, NULL);
    *n = json_array_size(*json);
    *out = calloc(*n ? *n : 1, sizeof **out);
    if (!json_is_array(*json) || !*out)
        return -1;
    for (size_t i = 0; i < *n; i++)
        (*out)[i] = (char *) json_string_value(json_array_get(*json, i));
    return 0;
}

static char *s_text(const PGresult *res, int row, int col)
{
    return PQgetvalue(res, row, col);
}

int casemsg_from_row(casemsg_t *view, const PGresult *res, int row)
{
    memset(view, 0, sizeof *view);
    Gov__Case *c = &view->msg;
    gov__case__init(c);
    gov__location__init(&view->location);
    gov__point__init(&view->point);
    gov__reporter__init(&view->reporter);
    c->id = strtoll(s_text(res, row, 0), NULL, 10);
    c->status = s_text(res, row, 1);
    c->channel = s_text(res, row, 2);
    c->category = s_text(res, row, 3);
    c->description = s_text(res, row, 4);
    c->urgency = s_text(res, row, 5);
    if (!PQgetisnull(res, row, 6)) {
        view->point.lat = strtod(s_text(res, row, 6), NULL);
        view->point.lon = strtod(s_text(res, row, 7), NULL);
        view->location.point = &view->point;
    }
    view->location.address = s_text(res, row, 8);
    c->location = &view->location;
    if (areapath_parse(&view->path, s_text(res, row, 9)))
        return -1;
    c->area_path = view->path.ptrs;
    c->n_area_path = view->path.n;
    view->reporter.name = s_text(res, row, 10);
    view->reporter.phone = s_text(res, row, 11);
    c->reporter = &view->reporter;
    if (s_strings(s_text(res, row, 12), &view->media, &view->media_ptrs, &c->n_media_urls))
        return -1;
    c->media_urls = view->media_ptrs;
    c->caller_count = atoi(s_text(res, row, 13));
    c->created_ms = strtoll(s_text(res, row, 14), NULL, 10);
    c->updated_ms = strtoll(s_text(res, row, 15), NULL, 10);
    return 0;
}

int casemsg_add_callers(casemsg_t *view, const PGresult *res)
{
    size_t n = (size_t) PQntuples(res);
    view->callers = calloc(n + 1, sizeof *view->callers);
    view->caller_ptrs = calloc(n + 1, sizeof *view->caller_ptrs);
    view->caller_reporters = calloc(n + 1, sizeof *view->caller_reporters);
    view->caller_media = calloc(n + 1, sizeof *view->caller_media);
    view->caller_media_ptrs = calloc(n + 1, sizeof *view->caller_media_ptrs);
    if (!view->callers || !view->caller_ptrs || !view->caller_reporters || !view->caller_media ||
        !view->caller_media_ptrs)
        return -1;
    view->msg.callers = view->caller_ptrs;
    view->msg.n_callers = n;
    for (size_t i = 0; i < n; i++) {
        Gov__Caller *caller = &view->callers[i];
        Gov__Reporter *reporter = &view->caller_reporters[i];
        gov__caller__init(caller);
        gov__reporter__init(reporter);
        int row = (int) i;
        caller->channel = s_text(res, row, 0);
        reporter->name = s_text(res, row, 1);
        reporter->phone = s_text(res, row, 2);
        caller->reporter = reporter;
        caller->description = s_text(res, row, 3);
        if (s_strings(s_text(res, row, 4), &view->caller_media[i], &view->caller_media_ptrs[i],
                      &caller->n_media_urls))
            return -1;
        caller->media_urls = view->caller_media_ptrs[i];
        caller->created_ms = strtoll(s_text(res, row, 5), NULL, 10);
        view->caller_ptrs[i] = caller;
    }
    return 0;
}

void casemsg_clear(casemsg_t *view)
{
    areapath_clear(&view->path);
    json_decref(view->media);
    free(view->media_ptrs);
    for (size_t i = 0; view->caller_media && i < view->msg.n_callers + 1; i++) {
        json_decref(view->caller_media[i]);
        free(view->caller_media_ptrs[i]);
    }
    free(view->callers);
    free(view->caller_ptrs);
    free(view->caller_reporters);
    free(view->caller_media);
    free(view->caller_media_ptrs);
    free(view->masked);
    memset(view, 0, sizeof *view);
}
