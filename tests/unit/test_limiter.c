/* The gateway's rate limit: a token bucket per key in a fixed table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#include <cmocka.h>

#include "limiter.h"

static void test_a_burst_then_the_rate(void **state)
{
    (void) state;
    limiter_t *l = limiter_new(2.0, 3.0, 64);
    assert_non_null(l);
    for (int i = 0; i < 3; i++)
        assert_int_equal(limiter_take(l, "1.2.3.4", 1000), 0);
    assert_int_equal(limiter_take(l, "1.2.3.4", 1000), 1); /* empty: half a second to wait, said as 1 */
    assert_int_equal(limiter_take(l, "1.2.3.4", 1500), 0); /* one token back after 500 ms at 2/s */
    assert_true(limiter_take(l, "1.2.3.4", 1500) >= 1);
    assert_int_equal(limiter_take(l, "1.2.3.4", 60000), 0); /* refilled, */
    assert_int_equal(limiter_take(l, "1.2.3.4", 60000), 0);
    assert_int_equal(limiter_take(l, "1.2.3.4", 60000), 0);
    assert_true(limiter_take(l, "1.2.3.4", 60000) >= 1); /* but never past the burst */
    limiter_destroy(&l);
    assert_null(l);
}

static void test_keys_do_not_share_a_bucket(void **state)
{
    (void) state;
    limiter_t *l = limiter_new(1.0, 1.0, 4096);
    assert_int_equal(limiter_take(l, "a", 0), 0);
    assert_true(limiter_take(l, "a", 0) >= 1);
    assert_int_equal(limiter_take(l, "b", 0), 0);
    limiter_destroy(&l);
}

static void test_the_wait_is_what_refills_a_token(void **state)
{
    (void) state;
    limiter_t *l = limiter_new(10.0 / 60.0, 10.0, 16); /* ten a minute */
    for (int i = 0; i < 10; i++)
        assert_int_equal(limiter_take(l, "login", 0), 0);
    assert_int_equal(limiter_take(l, "login", 0), 6);
    limiter_destroy(&l);
}

static void test_memory_is_fixed_whatever_the_keys(void **state)
{
    (void) state;
    limiter_t *l = limiter_new(1.0, 1.0, 8);
    char key[32];
    for (int i = 0; i < 100000; i++) {
        snprintf(key, sizeof key, "10.0.%d.%d", i / 256, i % 256);
        limiter_take(l, key, 0); /* 100,000 addresses in 8 buckets: no growth, no crash */
    }
    limiter_destroy(&l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_burst_then_the_rate),
        cmocka_unit_test(test_keys_do_not_share_a_bucket),
        cmocka_unit_test(test_the_wait_is_what_refills_a_token),
        cmocka_unit_test(test_memory_is_fixed_whatever_the_keys),
    };
    return cmocka_run_group_tests_name("limiter", tests, NULL, NULL);
}
