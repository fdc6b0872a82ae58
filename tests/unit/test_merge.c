/* merge: which open case a submission joins, without a database. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "merge.h"

/* ~0.00001° of latitude is 1.1 m: points a few metres apart around 39.9 N. */
#define LAT 39.9025
#define LON 116.3025

typedef struct {
    double lat[4], lon[4];
    int counts[4];
    size_t n;
} s_batch_t;

static int s_point(void *arg, size_t j, double *lat, double *lon)
{
    const s_batch_t *b = arg;
    if (j >= b->n || !b->counts[j])
        return 0;
    *lat = b->lat[j];
    *lon = b->lon[j];
    return 1;
}

static merge_kind_t s_pick(const char *stored_list, const s_batch_t *b, merge_candidate_t *c,
                           size_t *j)
{
    return merge_nearest(LAT, LON, stored_list, b ? b->n : 0, s_point, (void *) b, 50.0, c, j);
}

static void test_candidates_parse(void **state)
{
    (void) state;
    const char *text = "12 116.3025 39.9026 3 dispatched 77;13 116.3 39.9 1 open 0";
    merge_candidate_t c;
    assert_int_equal(merge_next_candidate(&text, &c), 0);
    assert_int_equal(c.id, 12);
    assert_int_equal(c.callers, 3);
    assert_string_equal(c.status, "dispatched");
    assert_int_equal(c.area_id, 77);
    assert_int_equal(merge_next_candidate(&text, &c), 0);
    assert_int_equal(c.id, 13);
    assert_string_equal(c.status, "open");
    assert_int_equal(merge_next_candidate(&text, &c), -1);
    const char *bad = "12 116.3 39.9 1 open 5x";
    assert_int_equal(merge_next_candidate(&bad, &c), -1);
    const char *none = NULL;
    assert_int_equal(merge_next_candidate(&none, &c), -1);
}

static void test_nothing_near_is_new(void **state)
{
    (void) state;
    merge_candidate_t c;
    size_t j;
    assert_int_equal(s_pick(NULL, NULL, &c, &j), MERGE_NEW);
    assert_int_equal(s_pick("", NULL, &c, &j), MERGE_NEW);
    /* ~111 m north: beyond 50 m. */
    assert_int_equal(s_pick("5 116.3025 39.9035 1 open 0", NULL, &c, &j), MERGE_NEW);
}

static void test_nearest_stored_wins_ties_to_lower_id(void **state)
{
    (void) state;
    merge_candidate_t c;
    size_t j;
    /* 9 is ~22 m away, 7 and 8 ~11 m at one point: the nearer, and of those the lower id. */
    assert_int_equal(s_pick("9 116.3025 39.9027 1 open 0;8 116.3025 39.9026 2 open 0;"
                            "7 116.3025 39.9026 4 dispatched 3",
                            NULL, &c, &j),
                     MERGE_STORED);
    assert_int_equal(c.id, 7);
    assert_int_equal(c.callers, 4);
}

static void test_batch_case_only_when_strictly_nearer(void **state)
{
    (void) state;
    merge_candidate_t c;
    size_t j = 99;
    s_batch_t b = {{LAT + 0.0001, LAT + 0.00005, LAT}, {LON, LON, LON}, {1, 1, 0}, 3};
    /* Stored at ~11 m; batch items at ~11 m and ~5.5 m; item 2 does not count. */
    assert_int_equal(s_pick("7 116.3025 39.9026 1 open 0", &b, &c, &j), MERGE_BATCH);
    assert_int_equal(j, 1);
    /* At the same distance as the stored case, the stored case wins. */
    b.counts[1] = 0;
    assert_int_equal(s_pick("7 116.3025 39.9026 1 open 0", &b, &c, &j), MERGE_STORED);
    assert_int_equal(c.id, 7);
    /* No stored case: the batch's. */
    assert_int_equal(s_pick(NULL, &b, &c, &j), MERGE_BATCH);
    assert_int_equal(j, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_candidates_parse),
        cmocka_unit_test(test_nothing_near_is_new),
        cmocka_unit_test(test_nearest_stored_wins_ties_to_lower_id),
        cmocka_unit_test(test_batch_case_only_when_strictly_nearer),
    };
    return cmocka_run_group_tests_name("merge", tests, NULL, NULL);
}
