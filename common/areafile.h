/* areafile: a map's areas as a GeoJSON FeatureCollection (`govctl areas
 * import`), checked before anything is written. Each feature has properties
 * code, name, level (district|street|community|grid|building|entrance) and
 * parent (none for a district), and a Polygon or MultiPolygon geometry in
 * WGS84: every ring an array of at least 4 positions, each [lon, lat] (a
 * third number, a height, is allowed) within -180..180 and -90..90, the last
 * the same as the first. What only PostGIS can judge (a ring that crosses
 * itself) and what only the database knows (the parent exists) are left to
 * the import. Pure: no I/O, so it is unit tested and fuzzed
 * (tests/unit/test_areafile.c, tests/fuzz/fuzz_areafile.c). */
#ifndef GOV_AREAFILE_H
#define GOV_AREAFILE_H

#include <jansson.h>
#include <stddef.h>

/* One feature's fields, borrowed from the document. parent is NULL for a
 * district. */
typedef struct {
    const char *code, *name, *level, *parent;
    json_t *geometry;
} areafile_area_t;

/* Checks feature `feature` and fills `a`. Returns NULL, or what is wrong with
 * it ("has no properties.name"; a static string, or `why` when it names a
 * place in the geometry; `why` has `whylen` bytes, at least 96). */
const char *areafile_check(json_t *feature, areafile_area_t *a, char *why, size_t whylen);

/* Checks every feature of `doc` (borrowed). Returns the number of features
 * (0 is allowed) with `(*areas)[i]` borrowing from `doc` (the caller frees
 * the array), or -1 with `why` saying what is wrong: "not a GeoJSON
 * FeatureCollection", or "feature I (CODE) PROBLEM". */
long areafile_read(json_t *doc, areafile_area_t **areas, char *why, size_t whylen);

#endif
