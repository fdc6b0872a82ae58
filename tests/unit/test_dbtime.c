/* dbtime: a statement's kind is its first keyword, whatever comes before it
 * (blanks, parentheses, comments) and in any case; anything else, and a
 * keyword that only begins like one, is "other". Observing counts into the
 * kind's histogram, and the family prints once, with every kind that
 * counted and none that did not. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dbtime.h"

static void test_the_first_keyword_is_the_kind(void **state)
{
    (void) state;
    assert_int_equal(dbtime_kind("SELECT 1"), DBTIME_SELECT);
    assert_int_equal(dbtime_kind("  insert INTO cases VALUES ($1)"), DBTIME_INSERT);
    assert_int_equal(dbtime_kind("\n\tUpdate deadlines SET fired_at = now()"), DBTIME_UPDATE);
    assert_int_equal(dbtime_kind("DELETE FROM x"), DBTIME_DELETE);
    assert_int_equal(dbtime_kind("WITH c AS (SELECT 1) INSERT INTO x SELECT * FROM c"), DBTIME_WITH);
    assert_int_equal(dbtime_kind("BEGIN"), DBTIME_BEGIN);
    assert_int_equal(dbtime_kind("START TRANSACTION ISOLATION LEVEL SERIALIZABLE"), DBTIME_BEGIN);
    assert_int_equal(dbtime_kind("COMMIT"), DBTIME_COMMIT);
    assert_int_equal(dbtime_kind("end"), DBTIME_COMMIT);
    assert_int_equal(dbtime_kind("ROLLBACK"), DBTIME_ROLLBACK);
    assert_string_equal(dbtime_name(DBTIME_WITH), "with");
    assert_string_equal(dbtime_name(DBTIME_PIPELINE), "pipeline");
}

static void test_what_comes_before_the_keyword_is_skipped(void **state)
{
    (void) state;
    assert_int_equal(dbtime_kind("(SELECT 1) UNION (SELECT 2)"), DBTIME_SELECT);
    assert_int_equal(dbtime_kind("-- the ladder's claim\nUPDATE ladder SET x = 1"), DBTIME_UPDATE);
    assert_int_equal(dbtime_kind("/* a note */ /* another */ delete FROM y"), DBTIME_DELETE);
    assert_int_equal(dbtime_kind("-- only a comment"), DBTIME_OTHER);
    assert_int_equal(dbtime_kind("/* never closed SELECT"), DBTIME_OTHER);
}

static void test_anything_else_is_other(void **state)
{
    (void) state;
    assert_int_equal(dbtime_kind(NULL), DBTIME_OTHER);
    assert_int_equal(dbtime_kind(""), DBTIME_OTHER);
    assert_int_equal(dbtime_kind("LISTEN gateway_cache"), DBTIME_OTHER);
    assert_int_equal(dbtime_kind("SELECTED"), DBTIME_OTHER);  /* a longer word */
    assert_int_equal(dbtime_kind("SELEC"), DBTIME_OTHER);     /* a shorter one */
    assert_int_equal(dbtime_kind("ending"), DBTIME_OTHER);
    assert_string_equal(dbtime_name((dbtime_kind_t) 99), "other");
}

static void test_observed_kinds_print_once_and_others_not(void **state)
{
    (void) state;
    size_t cap = DBTIME_FORMAT_MAX, n = 0;
    char *out = malloc(cap);
    assert_non_null(out);
    dbtime_format("intake", out, &n, cap);
    assert_int_equal(n, 0); /* nothing counted: nothing printed */
    uint64_t before = dbtime_count(DBTIME_UPDATE);
    dbtime_observe(DBTIME_UPDATE, dbtime_now_ns());
    dbtime_observe(DBTIME_UPDATE, dbtime_now_ns() - 3000000); /* 3 ms ago */
    dbtime_observe(DBTIME_PIPELINE, dbtime_now_ns() + 1000); /* a start after now counts as 0 */
    dbtime_observe((dbtime_kind_t) 99, dbtime_now_ns());     /* out of range: other */
    assert_int_equal(dbtime_count(DBTIME_UPDATE), before + 2);
    assert_int_equal(dbtime_count(DBTIME_OTHER), 1);
    dbtime_format("intake", out, &n, cap);
    out[n < cap ? n : cap - 1] = '\0';
    const char *type = "# TYPE gov_db_duration_seconds histogram\n";
    assert_non_null(strstr(out, type));
    assert_null(strstr(strstr(out, type) + 1, type)); /* the family told once */
    assert_non_null(strstr(out, "gov_db_duration_seconds_count{service=\"intake\",kind=\"update\"} 2\n"));
    assert_non_null(strstr(out, "gov_db_duration_seconds_bucket{service=\"intake\",kind=\"update\",le=\"0.0025\"} 1\n"));
    assert_non_null(strstr(out, "gov_db_duration_seconds_bucket{service=\"intake\",kind=\"update\",le=\"0.005\"} 2\n"));
    assert_non_null(strstr(out, "gov_db_duration_seconds_bucket{service=\"intake\",kind=\"pipeline\",le=\"0.0005\"} 1\n"));
    assert_non_null(strstr(out, "kind=\"other\""));
    assert_null(strstr(out, "kind=\"select\"")); /* never counted */
    size_t small = 0;
    char tiny[64];
    dbtime_format("intake", tiny, &small, sizeof tiny); /* bounded by cap */
    assert_true(small <= sizeof tiny);
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_the_first_keyword_is_the_kind),
        cmocka_unit_test(test_what_comes_before_the_keyword_is_skipped),
        cmocka_unit_test(test_anything_else_is_other),
        cmocka_unit_test(test_observed_kinds_print_once_and_others_not),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
