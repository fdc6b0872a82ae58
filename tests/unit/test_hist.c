/* hist: a duration lands in the first bucket whose bound it does not exceed
 * (a bound is inclusive, as Prometheus's `le`), past the last in +Inf; the
 * text is cumulative, its +Inf bucket equal to the count, its sum in seconds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "hist.h"

static void test_buckets_by_bound(void **state)
{
    (void) state;
    assert_int_equal(hist_bucket(0), 0);
    assert_int_equal(hist_bucket(500000), 0);     /* 0.5 ms: le="0.0005" */
    assert_int_equal(hist_bucket(500001), 1);
    assert_int_equal(hist_bucket(1000000000), 10); /* 1 s: le="1" */
    assert_int_equal(hist_bucket(10000000000ull), HIST_NBOUNDS - 1);
    assert_int_equal(hist_bucket(10000000001ull), HIST_NBOUNDS); /* +Inf */
    assert_int_equal(hist_bucket(UINT64_MAX), HIST_NBOUNDS);
}

static void test_text_is_cumulative(void **state)
{
    (void) state;
    static hist_t h;
    hist_observe_ns(&h, 300000);      /* 0.3 ms */
    hist_observe_ns(&h, 2000000);     /* 2 ms */
    hist_observe_ns(&h, 20000000000); /* 20 s */
    char out[4096];
    size_t n = 0;
    hist_format(&h, "x_seconds", "service=\"t\"", out, &n, sizeof out);
    assert_int_equal(n, strlen(out));
    assert_non_null(strstr(out, "gov_x_seconds_bucket{service=\"t\",le=\"0.0005\"} 1\n"));
    assert_non_null(strstr(out, "gov_x_seconds_bucket{service=\"t\",le=\"0.001\"} 1\n"));
    assert_non_null(strstr(out, "gov_x_seconds_bucket{service=\"t\",le=\"0.0025\"} 2\n"));
    assert_non_null(strstr(out, "gov_x_seconds_bucket{service=\"t\",le=\"10\"} 2\n"));
    assert_non_null(strstr(out, "gov_x_seconds_bucket{service=\"t\",le=\"+Inf\"} 3\n"));
    assert_non_null(strstr(out, "gov_x_seconds_sum{service=\"t\"} 20.002300\n"));
    assert_non_null(strstr(out, "gov_x_seconds_count{service=\"t\"} 3\n"));
}

static void test_a_small_buffer_is_cut_not_overrun(void **state)
{
    (void) state;
    static hist_t h;
    hist_observe_ns(&h, 1);
    char out[64 + 8];
    memset(out, 'Z', sizeof out);
    size_t n = 0;
    hist_format(&h, "x", "service=\"t\"", out, &n, 64);
    assert_true(n <= 64);
    assert_int_equal(out[64], 'Z');
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_buckets_by_bound),
        cmocka_unit_test(test_text_is_cumulative),
        cmocka_unit_test(test_a_small_buffer_is_cut_not_overrun),
    };
    return cmocka_run_group_tests_name("hist", tests, NULL, NULL);
}
