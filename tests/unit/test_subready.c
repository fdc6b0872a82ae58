/* subready: a subscription is ready only linked to its publisher and at most
 * max_lag events behind its head; an unknown head is not ready; a position
 * past the head (a head read before the last batch) is no lag. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "subready.h"

static void test_linked_and_within_the_bound_is_ready(void **state)
{
    (void) state;
    assert_int_equal(subready_judge(1, 0, 0, 100), SUBREADY_OK);
    assert_int_equal(subready_judge(1, 500, 400, 100), SUBREADY_OK);  /* exactly the bound */
    assert_int_equal(subready_judge(1, 500, 399, 100), SUBREADY_BEHIND);
    assert_int_equal(subready_judge(2, 7, 7, 0), SUBREADY_OK);
    assert_int_equal(subready_judge(1, 8, 7, 0), SUBREADY_BEHIND);
}

static void test_no_link_is_not_ready_however_caught_up(void **state)
{
    (void) state;
    assert_int_equal(subready_judge(0, 7, 7, 100), SUBREADY_NOT_CONNECTED);
    assert_int_equal(subready_judge(0, -1, 7, 100), SUBREADY_NOT_CONNECTED);
    assert_string_equal(subready_name(SUBREADY_NOT_CONNECTED), "not connected");
}

static void test_an_unknown_head_is_not_ready(void **state)
{
    (void) state;
    assert_int_equal(subready_judge(1, -1, 0, 100), SUBREADY_HEAD_UNKNOWN);
    assert_int_equal(subready_lag(-1, 5), 0);
}

static void test_lag_is_head_less_position_never_negative(void **state)
{
    (void) state;
    assert_int_equal(subready_lag(10, 3), 7);
    assert_int_equal(subready_lag(3, 10), 0); /* applied past a head read earlier */
    assert_int_equal(subready_judge(1, 3, 10, 0), SUBREADY_OK);
    assert_int_equal(subready_judge(1, 10, 3, -5), SUBREADY_BEHIND); /* a negative bound is 0 */
    assert_string_equal(subready_name(SUBREADY_BEHIND), "behind");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_linked_and_within_the_bound_is_ready),
        cmocka_unit_test(test_no_link_is_not_ready_however_caught_up),
        cmocka_unit_test(test_an_unknown_head_is_not_ready),
        cmocka_unit_test(test_lag_is_head_less_position_never_negative),
    };
    return cmocka_run_group_tests_name("subready", tests, NULL, NULL);
}
