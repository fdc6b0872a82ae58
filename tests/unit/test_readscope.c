/* routing's read scope: who sees which dispatches and whistles. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "readscope.h"

static readscope_t s_rule(const char *id, const char *role, const char *unit, const char *kind)
{
    Gov__Actor a = GOV__ACTOR__INIT;
    a.id = (char *) id;
    a.role = (char *) role;
    a.unit = (char *) unit;
    return readscope_rule(&a, kind);
}

static void test_a_unit_sees_its_own(void **state)
{
    (void) state;
    const char *kinds[] = {"department", "grid_team", "street_office", "community", "supervision"};
    for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++) {
        readscope_t s = s_rule("p.x", "head", "u.x", kinds[i]);
        assert_int_equal(s.kind, READSCOPE_UNIT);
        assert_string_equal(s.unit, "u.x");
    }
}

static void test_the_centre_and_the_leadership_see_all(void **state)
{
    (void) state;
    assert_int_equal(s_rule("p.c", "dispatcher", "centre", "dispatch_centre").kind, READSCOPE_ALL);
    assert_int_equal(s_rule("p.l", "head", "leader", "leadership").kind, READSCOPE_ALL);
}

static void test_a_person_without_a_unit_sees_none(void **state)
{
    (void) state;
    assert_int_equal(s_rule("r.1", "resident", "", "").kind, READSCOPE_NONE);
    assert_int_equal(s_rule("r.1", "", "", "").kind, READSCOPE_NONE);
    /* claiming a centre's kind without a unit changes nothing */
    assert_int_equal(s_rule("r.1", "resident", "", "dispatch_centre").kind, READSCOPE_NONE);
}

static void test_trusted_processes_and_the_operator_see_all(void **state)
{
    (void) state;
    assert_int_equal(readscope_rule(NULL, "").kind, READSCOPE_ALL);
    assert_int_equal(s_rule("", "", "", "").kind, READSCOPE_ALL);
    assert_int_equal(s_rule("operator:govctl", "operator", "", "").kind, READSCOPE_ALL);
    /* an operator acting for a department is that department */
    assert_int_equal(s_rule("p.x", "operator", "dept.x", "department").kind, READSCOPE_UNIT);
}

static void test_who_reads_a_reporter_in_full(void **state)
{
    (void) state;
    readscope_t centre = s_rule("p.c", "dispatcher", "centre", "dispatch_centre");
    readscope_t leader = s_rule("p.l", "head", "leader", "leadership");
    readscope_t dept = s_rule("p.x", "head", "dept.x", "department");
    readscope_t machine = readscope_rule(NULL, "");
    readscope_t op = s_rule("operator:govctl", "operator", "", "");
    readscope_t res = s_rule("r.1", "resident", "", "");
    /* those who call the reporter: the centre, the dispatch's own unit */
    assert_true(readscope_contact(&centre, "dept.x"));
    assert_true(readscope_contact(&dept, "dept.x"));
    assert_true(readscope_contact(&machine, "dept.x"));
    assert_true(readscope_contact(&op, "dept.x"));
    /* the leadership sees every dispatch, every reporter masked */
    assert_int_equal(leader.kind, READSCOPE_ALL);
    assert_false(readscope_contact(&leader, "dept.x"));
    /* another unit's dispatch, a unit whose code merely begins alike, nobody */
    assert_false(readscope_contact(&dept, "dept.y"));
    assert_false(readscope_contact(&dept, "dept.xx"));
    assert_false(readscope_contact(&dept, ""));
    assert_false(readscope_contact(&dept, NULL));
    assert_false(readscope_contact(&res, "dept.x"));
    assert_false(readscope_contact(NULL, "dept.x"));
}

static void test_which_events_refer_to_the_reporter(void **state)
{
    (void) state;
    const char *with[] = {"DispatchSent", "DeadlineReminder", "DeadlineEscalated", "WhistleBlown",
                          "EvaluationRequested"};
    for (size_t i = 0; i < sizeof with / sizeof *with; i++)
        assert_true(readscope_event_contact(with[i]));
    const char *without[] = {"DispatchSigned",  "DispatchArrived",  "DispatchProgress",
                             "DispatchResolved", "DispatchReturned", "DispatchReassigned",
                             "DispatchReleased", "WhistleClosed",   "CaseEvaluated",
                             "dispatchsent",    "",                 NULL};
    for (size_t i = 0; i < sizeof without / sizeof *without; i++)
        assert_false(readscope_event_contact(without[i]));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_unit_sees_its_own),
        cmocka_unit_test(test_the_centre_and_the_leadership_see_all),
        cmocka_unit_test(test_a_person_without_a_unit_sees_none),
        cmocka_unit_test(test_trusted_processes_and_the_operator_see_all),
        cmocka_unit_test(test_who_reads_a_reporter_in_full),
        cmocka_unit_test(test_which_events_refer_to_the_reporter),
    };
    return cmocka_run_group_tests_name("readscope", tests, NULL, NULL);
}
