/* libFuzzer harness for `govctl areas import`'s checker (common/areafile.h):
 * the bytes as a GeoJSON document, every feature checked. Any crash, leak or
 * undefined behaviour is a bug, and so is an accepted file that breaks the
 * checker's promise: every area has a code, a name, a known level, a parent
 * unless it is a district, and a Polygon or MultiPolygon whose rings are
 * closed, of at least 4 positions, inside WGS84. */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "areafile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void s_ring_ok(json_t *ring)
{
    size_t n = json_array_size(ring);
    if (n < 4)
        abort();
    for (size_t i = 0; i < n; i++) {
        json_t *pos = json_array_get(ring, i);
        double lon = json_number_value(json_array_get(pos, 0));
        double lat = json_number_value(json_array_get(pos, 1));
        if (!(fabs(lon) <= 180 && fabs(lat) <= 90))
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_error_t jerr;
    json_t *doc = json_loadb((const char *) data, size, 0, &jerr);
    if (!doc)
        return 0;
    areafile_area_t *areas = NULL;
    char why[512];
    long n = areafile_read(doc, &areas, why, sizeof why);
    if (n < 0 && strlen(why) == 0)
        abort(); /* a refusal says why */
    for (long i = 0; i < n; i++) {
        const areafile_area_t *a = &areas[i];
        if (!a->code || !a->code[0] || !a->name || !a->name[0] || !a->level)
            abort();
        if ((a->parent == NULL) != (strcmp(a->level, "district") == 0))
            abort();
        const char *type = json_string_value(json_object_get(a->geometry, "type"));
        json_t *coords = json_object_get(a->geometry, "coordinates");
        if (!type)
            abort();
        if (strcmp(type, "Polygon") == 0) {
            for (size_t r = 0; r < json_array_size(coords); r++)
                s_ring_ok(json_array_get(coords, r));
        } else if (strcmp(type, "MultiPolygon") == 0) {
            for (size_t p = 0; p < json_array_size(coords); p++)
                for (size_t r = 0; r < json_array_size(json_array_get(coords, p)); r++)
                    s_ring_ok(json_array_get(json_array_get(coords, p), r));
        } else {
            abort();
        }
        /* what the import sends PostGIS */
        char *text = json_dumps(a->geometry, JSON_COMPACT);
        free(text);
    }
    free(areas);
    json_decref(doc);
    return 0;
}
