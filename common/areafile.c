#include "areafile.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const s_levels[] = {"district", "street",   "community",
                                       "grid",     "building", "entrance"};

/* A position: [lon, lat] or [lon, lat, height], numbers, lon and lat in range. */
static int s_position_ok(json_t *pos)
{
    size_t n = json_array_size(pos);
    if (!json_is_array(pos) || n < 2 || n > 3)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!json_is_number(json_array_get(pos, i)))
            return 0;
    double lon = json_number_value(json_array_get(pos, 0));
    double lat = json_number_value(json_array_get(pos, 1));
    return lon >= -180 && lon <= 180 && lat >= -90 && lat <= 90;
}

static int s_same(json_t *a, json_t *b)
{
    return json_number_value(json_array_get(a, 0)) == json_number_value(json_array_get(b, 0)) &&
           json_number_value(json_array_get(a, 1)) == json_number_value(json_array_get(b, 1));
}

/* A polygon: an array of at least one ring. */
static const char *s_polygon(json_t *rings, size_t p, char *why, size_t whylen)
{
    if (!json_is_array(rings) || json_array_size(rings) == 0) {
        snprintf(why, whylen, "geometry's polygon %zu has no rings", p);
        return why;
    }
    for (size_t r = 0; r < json_array_size(rings); r++) {
        json_t *ring = json_array_get(rings, r);
        size_t n = json_array_size(ring);
        if (!json_is_array(ring) || n < 4) {
            snprintf(why, whylen, "geometry's polygon %zu ring %zu has fewer than 4 positions", p, r);
            return why;
        }
        for (size_t i = 0; i < n; i++)
            if (!s_position_ok(json_array_get(ring, i))) {
                snprintf(why, whylen,
                         "geometry's polygon %zu ring %zu position %zu is not [lon, lat] in WGS84",
                         p, r, i);
                return why;
            }
        if (!s_same(json_array_get(ring, 0), json_array_get(ring, n - 1))) {
            snprintf(why, whylen, "geometry's polygon %zu ring %zu is not closed", p, r);
            return why;
        }
    }
    return NULL;
}

const char *areafile_check(json_t *feature, areafile_area_t *a, char *why, size_t whylen)
{
    json_t *props = json_object_get(feature, "properties");
    a->code = json_string_value(json_object_get(props, "code"));
    a->name = json_string_value(json_object_get(props, "name"));
    a->level = json_string_value(json_object_get(props, "level"));
    a->parent = json_string_value(json_object_get(props, "parent"));
    a->geometry = json_object_get(feature, "geometry");
    const char *type = json_string_value(json_object_get(a->geometry, "type"));
    json_t *coords = json_object_get(a->geometry, "coordinates");
    if (!json_is_object(props))
        return "has no properties";
    if (!a->code || !a->code[0])
        return "has no properties.code";
    if (!a->name || !a->name[0])
        return "has no properties.name";
    int known = 0;
    for (size_t i = 0; a->level && i < sizeof s_levels / sizeof *s_levels; i++)
        known |= strcmp(a->level, s_levels[i]) == 0;
    if (!known)
        return "has no valid properties.level (district|street|community|grid|building|entrance)";
    int district = strcmp(a->level, "district") == 0;
    if ((a->parent == NULL) != district)
        return district ? "is a district and cannot have a parent" : "has no properties.parent";
    if (!type || (strcmp(type, "Polygon") && strcmp(type, "MultiPolygon")))
        return "geometry is not a Polygon or MultiPolygon";
    if (!json_is_array(coords) || json_array_size(coords) == 0)
        return "geometry has no coordinates";
    if (strcmp(type, "Polygon") == 0)
        return s_polygon(coords, 0, why, whylen);
    for (size_t p = 0; p < json_array_size(coords); p++) {
        const char *problem = s_polygon(json_array_get(coords, p), p, why, whylen);
        if (problem)
            return problem;
    }
    return NULL;
}

long areafile_read(json_t *doc, areafile_area_t **areas, char *why, size_t whylen)
{
    json_t *features = json_object_get(doc, "features");
    if (!json_is_array(features)) {
        snprintf(why, whylen, "not a GeoJSON FeatureCollection");
        return -1;
    }
    size_t n = json_array_size(features);
    areafile_area_t *all = calloc(n + 1, sizeof *all);
    if (!all) {
        snprintf(why, whylen, "out of memory");
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        char problem_buf[160];
        const char *problem =
            areafile_check(json_array_get(features, i), &all[i], problem_buf, sizeof problem_buf);
        if (problem) {
            snprintf(why, whylen, "feature %zu (%s) %s", i, all[i].code ? all[i].code : "no code",
                     problem);
            free(all);
            return -1;
        }
    }
    *areas = all;
    return (long) n;
}
