/* msgtypes: the table generated from proto/ names every type a service
 * answers or publishes, aliases included, and nothing it should not. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "deliberation.pb-c.h"
#include "intake.pb-c.h"
#include "msgtypes.h"
#include "routing.pb-c.h"

static void test_own_names(void **state)
{
    (void) state;
    assert_ptr_equal(msgtypes_find("SubmitCase"), &gov__submit_case__descriptor);
    assert_ptr_equal(msgtypes_find("BlowWhistle"), &gov__blow_whistle__descriptor);
    assert_ptr_equal(msgtypes_find("CastVote"), &gov__cast_vote__descriptor);
    assert_ptr_equal(msgtypes_find("RankKpiReply"), &gov__rank_kpi_reply__descriptor);
}

/* The names a message travels under besides its own ("// types:" in proto/). */
static void test_aliases(void **state)
{
    (void) state;
    const char *dispatch[] = {"DispatchSent", "DispatchSigned", "DispatchContacted",
                              "DispatchArrived", "DispatchProgress", "DispatchResolved",
                              "DispatchReturned", "DispatchReassigned", "DispatchReleased"};
    for (size_t i = 0; i < sizeof dispatch / sizeof *dispatch; i++)
        assert_ptr_equal(msgtypes_find(dispatch[i]), &gov__dispatch_event__descriptor);
    assert_ptr_equal(msgtypes_find("GetDispatchReply"), &gov__dispatch_reply__descriptor);
    assert_ptr_equal(msgtypes_find("DeadlineEscalated"), &gov__deadline_step__descriptor);
    assert_ptr_equal(msgtypes_find("WhistleClosed"), &gov__whistle_event__descriptor);
    assert_ptr_equal(msgtypes_find("CaseEvaluated"), &gov__case_evaluation__descriptor);
    assert_ptr_equal(msgtypes_find("CloseMeeting"), &gov__matter_id__descriptor);
    assert_ptr_equal(msgtypes_find("MatterActing"), &gov__matter_event__descriptor);
    assert_ptr_equal(msgtypes_find("ProjectDone"), &gov__lists_event__descriptor);
    assert_ptr_equal(msgtypes_find("ServiceOrderPosted"), &gov__order_event__descriptor);
    assert_ptr_equal(msgtypes_find("TaskEscalated"), &gov__task_event__descriptor);
}

static void test_unknown(void **state)
{
    (void) state;
    assert_null(msgtypes_find("FrobnicateCase"));
    assert_null(msgtypes_find(""));
    assert_null(msgtypes_find(NULL));
    assert_null(msgtypes_find("submitcase"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_own_names),
        cmocka_unit_test(test_aliases),
        cmocka_unit_test(test_unknown),
    };
    return cmocka_run_group_tests_name("msgtypes", tests, NULL, NULL);
}
