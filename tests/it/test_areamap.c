/* Intake's copy of the map and its distances agree with PostGIS, the truth:
 * on points near and exactly on borders and corners, on a map with a hole
 * and a second polygon, and after the areas change. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "areamap.h"
#include "harness.h"
#include "spheroid.h"

/* What PostGIS places the point on: the same rule the lookup used before
 * the map moved into intake, with the id as the last tie-break. */
static int64_t s_postgis_place(PGconn *conn, double lon, double lat)
{
    char x[32], y[32];
    snprintf(x, sizeof x, "%.17g", lon);
    snprintf(y, sizeof y, "%.17g", lat);
    const char *params[] = {x, y};
    int64_t id = harness_int(conn,
                             "SELECT coalesce((SELECT a.id FROM areas a"
                             " WHERE ST_Covers(a.geom, ST_SetSRID(ST_MakePoint($1::float8, $2::float8), 4326))"
                             " ORDER BY cardinality(a.path) DESC, ST_Area(a.geom), a.id LIMIT 1), 0)",
                             2, params);
    return id;
}

static int64_t s_place(const areamap_t *map, double lon, double lat)
{
    const areamap_area_t *a = areamap_place(map, lon, lat);
    return a ? a->id : 0;
}

/* Points on, just inside and just outside every vertex and edge midpoint of
 * every area, and random points over the map. Returns how many disagree. */
static int s_compare(PGconn *conn, const areamap_t *map, int *checked)
{
    PGresult *res = PQexec(conn, "SELECT ST_X(g), ST_Y(g) FROM ("
                                 "  SELECT (ST_DumpPoints(geom)).geom AS g FROM areas"
                                 "  UNION ALL SELECT ST_LineInterpolatePoint(ST_ExteriorRing((ST_Dump(geom)).geom), 0.37)"
                                 "  FROM areas) p");
    assert_int_equal(PQresultStatus(res), PGRES_TUPLES_OK);
    static const double nudges[] = {0, 1e-12, -1e-12, 1e-9, -1e-9, 1e-7, -1e-7};
    const size_t nn = sizeof nudges / sizeof *nudges;
    int bad = 0;
    for (int r = 0; r < PQntuples(res); r++) {
        double x = strtod(PQgetvalue(res, r, 0), NULL), y = strtod(PQgetvalue(res, r, 1), NULL);
        for (size_t i = 0; i < nn; i++)
            for (size_t j = 0; j < nn; j++) {
                double lon = x + nudges[i], lat = y + nudges[j];
                int64_t want = s_postgis_place(conn, lon, lat), got = s_place(map, lon, lat);
                if (want != got) {
                    print_message("# %.17g %.17g: PostGIS %lld, map %lld\n", lon, lat,
                                  (long long) want, (long long) got);
                    bad++;
                }
                (*checked)++;
            }
    }
    PQclear(res);
    unsigned seed = 12345;
    for (int k = 0; k < 2000; k++) {
        double lon = 116.295 + (rand_r(&seed) % 400000) / 1e7, lat = 39.895 + (rand_r(&seed) % 400000) / 1e7;
        if (s_postgis_place(conn, lon, lat) != s_place(map, lon, lat))
            bad++;
        (*checked)++;
    }
    return bad;
}

static void test_map_places_points_as_postgis_does(void **state)
{
    (void) state;
    char url[256];
    assert_int_equal(harness_db_new("test_areamap", url), 0);
    PGconn *conn = harness_db_connect(url);
    areamap_t *map = NULL;
    assert_int_equal(areamap_load(conn, &map), 0);
    assert_true(areamap_size(map) > 0);
    int checked = 0;
    assert_int_equal(s_compare(conn, map, &checked), 0);
    assert_true(checked > 5000);
    /* Outside every area, and the grid a known point is in. */
    assert_null(areamap_place(map, 121.4737, 31.2304));
    const areamap_area_t *g = areamap_place(map, 116.3025, 39.9025);
    assert_non_null(g);
    assert_int_equal(g->path.n, 4);
    assert_string_equal(g->path.ptrs[3]->level, "grid");
    int64_t version = areamap_version(map);
    areamap_destroy(&map);
    assert_null(map);

    /* A grid with a hole, and a second polygon away from the first, inside
     * the district: the version moves, and the map agrees again. */
    harness_exec(conn,
                 "INSERT INTO areas (code, name, level, parent_id, geom)"
                 " SELECT 'holed', 'holed', 'grid', c.id, ST_Multi(ST_Union("
                 "   ST_GeomFromText('POLYGON((116.3201 39.9201, 116.3239 39.9201, 116.3239 39.9239,"
                 "     116.3201 39.9239, 116.3201 39.9201), (116.321 39.921, 116.322 39.921,"
                 "     116.322 39.922, 116.321 39.922, 116.321 39.921))', 4326),"
                 "   ST_GeomFromText('POLYGON((116.3290 39.9290, 116.3295 39.9290, 116.3292 39.9296,"
                 "     116.3290 39.9290))', 4326)))"
                 " FROM areas c WHERE c.level = 'community' ORDER BY c.id LIMIT 1");
    assert_int_equal(areamap_load(conn, &map), 0);
    assert_true(areamap_version(map) > version);
    checked = 0;
    assert_int_equal(s_compare(conn, map, &checked), 0);
    areamap_destroy(&map);
    PQfinish(conn);
}

static void test_distances_agree_with_postgis(void **state)
{
    (void) state;
    char url[256];
    assert_int_equal(harness_db_new("test_spheroid", url), 0);
    PGconn *conn = harness_db_connect(url);
    unsigned seed = 777;
    for (int k = 0; k < 300; k++) {
        double lat1 = -80 + (rand_r(&seed) % 1600000) / 1e4, lon1 = -179 + (rand_r(&seed) % 3580000) / 1e4;
        double d = (rand_r(&seed) % 3000) / 1e5; /* up to ~330 m */
        double lat2 = lat1 + d * ((rand_r(&seed) % 3) - 1), lon2 = lon1 + d * ((rand_r(&seed) % 3) - 1);
        char a[32], b[32], c[32], e[32];
        snprintf(a, sizeof a, "%.17g", lon1);
        snprintf(b, sizeof b, "%.17g", lat1);
        snprintf(c, sizeof c, "%.17g", lon2);
        snprintf(e, sizeof e, "%.17g", lat2);
        const char *params[] = {a, b, c, e};
        /* micrometres, to compare as integers */
        int64_t want = harness_int(conn,
                                   "SELECT round(1e6 * ST_Distance("
                                   " ST_SetSRID(ST_MakePoint($1::float8, $2::float8), 4326)::geography,"
                                   " ST_SetSRID(ST_MakePoint($3::float8, $4::float8), 4326)::geography))::bigint",
                                   4, params);
        double got = spheroid_distance_m(lat1, lon1, lat2, lon2);
        assert_true(fabs(got * 1e6 - (double) want) < 1000); /* under a millimetre */
        /* The probe box holds the whole merge circle. */
        double dlat, dlon;
        spheroid_box(lat1, lon1, got, &dlat, &dlon);
        assert_true(fabs(lat2 - lat1) <= dlat);
        assert_true(dlon == 360 || fabs(lon2 - lon1) <= dlon);
    }
    assert_true(spheroid_distance_m(39.9, 116.3, 39.9, 116.3) == 0);
    PQfinish(conn);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_map_places_points_as_postgis_does),
        cmocka_unit_test(test_distances_agree_with_postgis),
    };
    return cmocka_run_group_tests_name("areamap", tests, NULL, NULL);
}
