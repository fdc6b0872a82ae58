/* The powers of "1+3" and the 村务商议团 at their boundaries: who answers a
 * flag on which step, a council of 6, 7, 9 and 10, a dissatisfied majority
 * reopening once and exactly half not reopening. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "power.h"

static void test_flag_owner(void **state)
{
    (void) state;
    const char *party[] = {"accepted", "declined", "convened", "meeting_closed", "published",
                           "vote", "ballot", "notice_ended", "council_elected", "objection_answered",
                           NULL};
    for (int i = 0; party[i]; i++)
        assert_string_equal(power_flag_owner(party[i], ""), POWER_PARTY);
    const char *exec[] = {"acting", "progress", "work_done", "departments_summoned",
                          "departments_done", "reopened", NULL};
    for (int i = 0; exec[i]; i++)
        assert_string_equal(power_flag_owner(exec[i], ""), POWER_EXECUTOR);
    assert_string_equal(power_flag_owner("reviewed", "community"), POWER_EXECUTOR);
    assert_string_equal(power_flag_owner("reviewed", "party_committee"), POWER_PARTY);
    const char *none[] = {"flag", "flag_answered", "observation", "execution_rated", "", NULL};
    for (int i = 0; none[i]; i++)
        assert_null(power_flag_owner(none[i], ""));
    assert_null(power_flag_owner(NULL, NULL));
}

static void test_council_size(void **state)
{
    (void) state;
    assert_false(power_council_size_ok(0));
    assert_false(power_council_size_ok(6));
    assert_true(power_council_size_ok(7));
    assert_true(power_council_size_ok(8));
    assert_true(power_council_size_ok(9));
    assert_false(power_council_size_ok(10));
}

static void test_reopen(void **state)
{
    (void) state;
    assert_false(power_reopen(0, 0, 0, 0));  /* nobody evaluated */
    assert_true(power_reopen(0, 0, 1, 0));
    assert_true(power_reopen(1, 0, 2, 0));
    assert_false(power_reopen(1, 1, 2, 0));  /* exactly half is not a majority */
    assert_false(power_reopen(2, 0, 1, 0));
    assert_false(power_reopen(0, 0, 5, 1));  /* reopened once already */
}

static void test_window_of(void **state)
{
    (void) state;
    assert_string_equal(power_window_of("discussing"), "opinions");
    assert_string_equal(power_window_of("published"), "notice");
    assert_string_equal(power_window_of("evaluating"), "evaluation");
    assert_null(power_window_of("acting"));
    assert_null(power_window_of("convened"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_flag_owner),
        cmocka_unit_test(test_council_size),
        cmocka_unit_test(test_reopen),
        cmocka_unit_test(test_window_of),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
