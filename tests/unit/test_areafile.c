/* govctl areas import's checker (common/areafile.h): what a file must hold,
 * and the refusal of each way it can fail, before anything is written. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "areafile.h"

#define RING "[[116.30,39.90],[116.31,39.90],[116.31,39.91],[116.30,39.90]]"

/* Reads a collection of one feature with `props` and `geometry`; returns the
 * count or -1, the refusal in `why`. */
static long s_read(const char *props, const char *geometry, char why[512])
{
    char text[2048];
    snprintf(text, sizeof text,
             "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\","
             "\"properties\":%s,\"geometry\":%s}]}",
             props, geometry);
    json_error_t jerr;
    json_t *doc = json_loads(text, 0, &jerr);
    assert_non_null(doc);
    areafile_area_t *areas = NULL;
    why[0] = '\0';
    long n = areafile_read(doc, &areas, why, 512);
    if (n == 1) {
        assert_non_null(areas[0].code);
        assert_non_null(areas[0].geometry);
    }
    free(areas);
    json_decref(doc);
    return n;
}

#define GRID "{\"code\":\"g1\",\"name\":\"网格\",\"level\":\"grid\",\"parent\":\"c1\"}"

static void test_a_good_file_is_read(void **state)
{
    (void) state;
    char why[512];
    assert_int_equal(s_read(GRID, "{\"type\":\"Polygon\",\"coordinates\":[" RING "]}", why), 1);
    assert_int_equal(s_read("{\"code\":\"d\",\"name\":\"区\",\"level\":\"district\"}",
                            "{\"type\":\"MultiPolygon\",\"coordinates\":[[" RING "],[" RING "]]}", why),
                     1);
    /* a height is allowed */
    assert_int_equal(s_read(GRID, "{\"type\":\"Polygon\",\"coordinates\":[[[116.30,39.90,5],"
                                  "[116.31,39.90,5],[116.31,39.91,5],[116.30,39.90,5]]]}",
                            why),
                     1);
}

static void test_each_fault_is_named(void **state)
{
    (void) state;
    char why[512];
    const char *poly = "{\"type\":\"Polygon\",\"coordinates\":[" RING "]}";
    struct {
        const char *props, *geometry, *says;
    } bad[] = {
        {"{\"name\":\"n\",\"level\":\"grid\",\"parent\":\"c\"}", poly, "feature 0 (no code) has no properties.code"},
        {"{\"code\":\"g\",\"level\":\"grid\",\"parent\":\"c\"}", poly, "has no properties.name"},
        {"{\"code\":\"g\",\"name\":\"n\",\"level\":\"village\",\"parent\":\"c\"}", poly, "no valid properties.level"},
        {"{\"code\":\"g\",\"name\":\"n\",\"level\":\"grid\"}", poly, "has no properties.parent"},
        {"{\"code\":\"d\",\"name\":\"n\",\"level\":\"district\",\"parent\":\"x\"}", poly, "cannot have a parent"},
        {GRID, "{\"type\":\"Point\",\"coordinates\":[116.3,39.9]}", "not a Polygon or MultiPolygon"},
        {GRID, "{\"type\":\"Polygon\"}", "has no coordinates"},
        {GRID, "{\"type\":\"Polygon\",\"coordinates\":[[[116.3,39.9],[116.31,39.9],[116.3,39.9]]]}",
         "ring 0 has fewer than 4 positions"},
        {GRID, "{\"type\":\"Polygon\",\"coordinates\":[[[116.3,39.9],[116.31,39.9],[116.31,39.91],[116.3,39.95]]]}",
         "ring 0 is not closed"},
        {GRID, "{\"type\":\"Polygon\",\"coordinates\":[[[116.3,39.9],[116.31,91],[116.31,39.91],[116.3,39.9]]]}",
         "position 1 is not [lon, lat] in WGS84"},
        {GRID, "{\"type\":\"Polygon\",\"coordinates\":[[[116.3,39.9],[\"116.31\",39.9],[116.31,39.91],[116.3,39.9]]]}",
         "position 1 is not [lon, lat]"},
        {GRID, "{\"type\":\"MultiPolygon\",\"coordinates\":[[" RING "],[]]}", "polygon 1 has no rings"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        assert_int_equal(s_read(bad[i].props, bad[i].geometry, why), -1);
        if (!strstr(why, bad[i].says))
            fail_msg("case %zu: \"%s\" does not say \"%s\"", i, why, bad[i].says);
    }
}

static void test_not_a_collection(void **state)
{
    (void) state;
    char why[512];
    json_t *doc = json_loads("{\"type\":\"Feature\"}", 0, NULL);
    areafile_area_t *areas = NULL;
    assert_int_equal(areafile_read(doc, &areas, why, sizeof why), -1);
    assert_string_equal(why, "not a GeoJSON FeatureCollection");
    json_decref(doc);
    doc = json_loads("{\"type\":\"FeatureCollection\",\"features\":[]}", 0, NULL);
    assert_int_equal(areafile_read(doc, &areas, why, sizeof why), 0);
    free(areas);
    json_decref(doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_good_file_is_read),
        cmocka_unit_test(test_each_fault_is_named),
        cmocka_unit_test(test_not_a_collection),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
