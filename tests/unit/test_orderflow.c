/* The steps of a service order (orderflow.h): each move from its one state,
 * the refusal every other state gets (a second take, a second rating, a
 * second publication are their own codes), and escalation on the second
 * lapse only, once. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "orderflow.h"

static const char *s_states[] = {"ordered", "dispatched", "taken", "done", "confirmed", "published"};

static const char *s_want(orderflow_move_t move, int state)
{
    /* rows: moves; columns: the states above */
    static const char *table[][6] = {
        [ORDERFLOW_DISPATCH] = {NULL, "WRONG_STEP", "WRONG_STEP", "WRONG_STEP", "WRONG_STEP", "WRONG_STEP"},
        [ORDERFLOW_TAKE] = {"NOT_DISPATCHED", NULL, "ALREADY_TAKEN", "ALREADY_TAKEN", "ALREADY_TAKEN",
                            "ALREADY_TAKEN"},
        [ORDERFLOW_COMPLETE] = {"WRONG_STEP", "WRONG_STEP", NULL, "WRONG_STEP", "WRONG_STEP", "WRONG_STEP"},
        [ORDERFLOW_CONFIRM] = {"WRONG_STEP", "WRONG_STEP", "WRONG_STEP", NULL, "ALREADY_RATED",
                               "ALREADY_RATED"},
        [ORDERFLOW_PUBLISH] = {"WRONG_STEP", "WRONG_STEP", "WRONG_STEP", "WRONG_STEP", NULL,
                               "ALREADY_PUBLISHED"},
    };
    return table[move][state];
}

static void test_every_move_in_every_state(void **state)
{
    (void) state;
    for (int m = ORDERFLOW_DISPATCH; m <= ORDERFLOW_PUBLISH; m++)
        for (int s = 0; s < 6; s++) {
            const char *got = orderflow_refusal((orderflow_move_t) m, s_states[s]);
            const char *want = s_want((orderflow_move_t) m, s);
            if (!want)
                assert_null(got);
            else
                assert_string_equal(got, want);
        }
    assert_string_equal(orderflow_refusal(ORDERFLOW_TAKE, "posted"), "NOT_DISPATCHED");
    assert_string_equal(orderflow_refusal(ORDERFLOW_DISPATCH, NULL), "WRONG_STEP");
}

static void test_next(void **state)
{
    (void) state;
    assert_string_equal(orderflow_next(ORDERFLOW_DISPATCH), "dispatched");
    assert_string_equal(orderflow_next(ORDERFLOW_TAKE), "taken");
    assert_string_equal(orderflow_next(ORDERFLOW_COMPLETE), "done");
    assert_string_equal(orderflow_next(ORDERFLOW_CONFIRM), "confirmed");
    assert_string_equal(orderflow_next(ORDERFLOW_PUBLISH), "published");
}

static void test_escalates_on_the_second_lapse_once(void **state)
{
    (void) state;
    assert_int_equal(orderflow_escalates(0, 0), 0); /* the first lapse: back to the station */
    assert_int_equal(orderflow_escalates(1, 0), 1); /* the second: escalated */
    assert_int_equal(orderflow_escalates(2, 1), 0); /* later ones: never again */
    assert_int_equal(orderflow_escalates(7, 1), 0);
    assert_int_equal(orderflow_escalates(3, 0), 1); /* never escalated (a row from before 0015) */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_move_in_every_state),
        cmocka_unit_test(test_next),
        cmocka_unit_test(test_escalates_on_the_second_lapse_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
