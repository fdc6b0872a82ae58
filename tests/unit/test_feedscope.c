/* The gateway's live events: who sees which (feedscope), and the position
 * an event's id carries (feed_parse_id). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "deliberation.pb-c.h"
#include "feed.h"
#include "feedscope.h"
#include "intake.pb-c.h"
#include "routing.pb-c.h"

static feedscope_t s_unit(const char *code, const char *kind, const char *area)
{
    feedscope_t s;
    memset(&s, 0, sizeof s);
    snprintf(s.person, sizeof s.person, "p.x");
    s.nunits = 1;
    snprintf(s.units[0].code, sizeof s.units[0].code, "%s", code);
    snprintf(s.units[0].kind, sizeof s.units[0].kind, "%s", kind);
    snprintf(s.units[0].area, sizeof s.units[0].area, "%s", area);
    return s;
}

static void test_areas_are_related_by_whole_segments(void **state)
{
    (void) state;
    assert_true(feedscope_related("demo.s1", "demo.s1.c1.g1"));
    assert_true(feedscope_related("demo.s1.c1.g1", "demo.s1"));
    assert_true(feedscope_related("demo.s1", "demo.s1"));
    assert_false(feedscope_related("demo.s1", "demo.s10.c1"));
    assert_false(feedscope_related("demo.s1.c1", "demo.s1.c2"));
    assert_false(feedscope_related("", "demo"));
}

static void test_a_dispatch_event_goes_to_its_unit(void **state)
{
    (void) state;
    Gov__Dispatch d = GOV__DISPATCH__INIT;
    d.unit = "dept.chengguan";
    Gov__DispatchEvent e = GOV__DISPATCH_EVENT__INIT;
    e.item = &d;
    feedscope_t mine = s_unit("dept.chengguan", "department", "demo");
    feedscope_t other = s_unit("dept.shuiwu", "department", "demo");
    assert_true(feedscope_visible(&mine, "routing", &e.base));
    assert_false(feedscope_visible(&other, "routing", &e.base));
    other.all = 1; /* the centre */
    assert_true(feedscope_visible(&other, "routing", &e.base));
    Gov__DeadlineStep step = GOV__DEADLINE_STEP__INIT;
    step.item = &d;
    step.target_unit = "so.s1"; /* escalated to the supervisor */
    feedscope_t so = s_unit("so.s1", "street_office", "demo.s1");
    assert_true(feedscope_visible(&so, "routing", &step.base));
    assert_true(feedscope_visible(&mine, "routing", &step.base));
    feedscope_t none = s_unit("dept.gongan", "department", "demo");
    assert_false(feedscope_visible(&none, "routing", &step.base));
}

static void test_a_whistle_goes_to_its_caller_and_the_summoned(void **state)
{
    (void) state;
    Gov__Dispatch d = GOV__DISPATCH__INIT;
    d.unit = "dept.gongan";
    Gov__Dispatch *ds[] = {&d};
    Gov__Whistle w = GOV__WHISTLE__INIT;
    w.caller_unit = "so.s1";
    w.dispatches = ds;
    w.n_dispatches = 1;
    Gov__WhistleEvent e = GOV__WHISTLE_EVENT__INIT;
    e.item = &w;
    feedscope_t caller = s_unit("so.s1", "street_office", "demo.s1");
    feedscope_t summoned = s_unit("dept.gongan", "department", "demo");
    feedscope_t other = s_unit("so.s2", "street_office", "demo.s2");
    assert_true(feedscope_visible(&caller, "routing", &e.base));
    assert_true(feedscope_visible(&summoned, "routing", &e.base));
    assert_false(feedscope_visible(&other, "routing", &e.base));
}

static void test_a_new_case_goes_to_the_territorial_units_that_hold_it(void **state)
{
    (void) state;
    Gov__AreaRef district = GOV__AREA_REF__INIT, grid = GOV__AREA_REF__INIT;
    district.code = "demo";
    grid.code = "demo.s1.c1.g1";
    Gov__AreaRef *path[] = {&district, &grid};
    Gov__Case c = GOV__CASE__INIT;
    c.area_path = path;
    c.n_area_path = 2;
    Gov__CaseCreated e = GOV__CASE_CREATED__INIT;
    e.item = &c;
    feedscope_t team = s_unit("gt.s1.c1.g1", "grid_team", "demo.s1.c1.g1");
    feedscope_t street = s_unit("so.s1", "street_office", "demo.s1");
    feedscope_t other_grid = s_unit("gt.s1.c1.g2", "grid_team", "demo.s1.c1.g2");
    feedscope_t dept = s_unit("dept.chengguan", "department", "demo");
    assert_true(feedscope_visible(&team, "intake", &e.base));
    assert_true(feedscope_visible(&street, "intake", &e.base));
    assert_false(feedscope_visible(&other_grid, "intake", &e.base));
    assert_false(feedscope_visible(&dept, "intake", &e.base)); /* departments hear of dispatches */
    feedscope_t resident;
    memset(&resident, 0, sizeof resident);
    snprintf(resident.home, sizeof resident.home, "demo.s1.c1.g1");
    assert_false(feedscope_visible(&resident, "intake", &e.base)); /* neighbours' reports are not theirs */
}

static void test_a_matter_goes_to_its_community_and_those_named(void **state)
{
    (void) state;
    Gov__Matter m = GOV__MATTER__INIT;
    m.community = "demo.s1.c1";
    Gov__MatterEvent e = GOV__MATTER_EVENT__INIT;
    e.item = &m;
    feedscope_t resident;
    memset(&resident, 0, sizeof resident);
    snprintf(resident.person, sizeof resident.person, "r.s2.c1.g1.1.1");
    snprintf(resident.home, sizeof resident.home, "demo.s1.c1.g3");
    assert_true(feedscope_visible(&resident, "deliberation", &e.base));
    snprintf(resident.home, sizeof resident.home, "demo.s2.c1.g1");
    assert_false(feedscope_visible(&resident, "deliberation", &e.base));
    char *audience[] = {"r.s2.c1.g1.1.1"};
    e.audience = audience;
    e.n_audience = 1;
    assert_true(feedscope_visible(&resident, "deliberation", &e.base));
    feedscope_t committee = s_unit("cm.s1.c1", "community", "demo.s1.c1");
    assert_true(feedscope_visible(&committee, "deliberation", &e.base));
    feedscope_t dept = s_unit("dept.chengguan", "department", "demo");
    assert_false(feedscope_visible(&dept, "deliberation", &e.base));
}

/* A 五定 task's event: its community, and the department that owns it (named
 * in its units), not another department. */
static void test_a_task_goes_to_its_owner_unit_and_community(void **state)
{
    (void) state;
    Gov__TaskEvent e = GOV__TASK_EVENT__INIT;
    e.community = "demo.s1.c1";
    char *units[] = {"dept.zhujian"};
    e.units = units;
    e.n_units = 1;
    feedscope_t owner = s_unit("dept.zhujian", "department", "demo");
    assert_true(feedscope_visible(&owner, "deliberation", &e.base));
    feedscope_t other = s_unit("dept.chengguan", "department", "demo");
    assert_false(feedscope_visible(&other, "deliberation", &e.base));
    feedscope_t committee = s_unit("cm.s1.c1", "community", "demo.s1.c1");
    assert_true(feedscope_visible(&committee, "deliberation", &e.base));
    feedscope_t elsewhere = s_unit("cm.s1.c2", "community", "demo.s1.c2");
    assert_false(feedscope_visible(&elsewhere, "deliberation", &e.base));
}

static void test_an_event_id_is_three_positions(void **state)
{
    (void) state;
    long long seq[3];
    assert_int_equal(feed_parse_id("i12.r345.d7", seq), 0);
    assert_true(seq[0] == 12 && seq[1] == 345 && seq[2] == 7);
    assert_int_equal(feed_parse_id("i0.r0.d0", seq), 0);
    const char *bad[] = {"", "42", "i1.r2", "i1.r2.d3.", "r1.i2.d3", "i-1.r2.d3", "i1.r2.dx",
                         "i1.r2.d3 ", "i1.r2.d1234567890123456789"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        assert_int_equal(feed_parse_id(bad[i], seq), -1);
}

/* A whistle's dispatch goes to the unit that blew the whistle too, once the
 * stream has learnt who did; only a street office or a community asks. */
static void test_a_whistles_dispatch_goes_to_its_caller(void **state)
{
    (void) state;
    Gov__Dispatch d = GOV__DISPATCH__INIT;
    d.unit = "dept.gongan";
    d.whistle_id = 7;
    Gov__DispatchEvent e = GOV__DISPATCH_EVENT__INIT;
    e.item = &d;
    feedscope_t so = s_unit("so.s1", "street_office", "demo.s1");
    feedscope_t other = s_unit("so.s2", "street_office", "demo.s2");
    feedscope_t dept = s_unit("dept.shuiwu", "department", "demo");
    feedscope_t mine = s_unit("dept.gongan", "department", "demo");
    assert_int_equal(feedscope_whistle_wanted(&so, "routing", &e.base), 7);
    assert_false(feedscope_visible(&so, "routing", &e.base)); /* not learnt yet */
    assert_int_equal(feedscope_whistle_wanted(&dept, "routing", &e.base), 0); /* never blows */
    assert_int_equal(feedscope_whistle_wanted(&mine, "routing", &e.base), 0); /* sees it anyway */
    feedscope_learn_whistle(&so, 7, "so.s1");
    feedscope_learn_whistle(&other, 7, "so.s1");
    assert_int_equal(feedscope_whistle_wanted(&so, "routing", &e.base), 0);
    assert_int_equal(feedscope_whistle_wanted(&other, "routing", &e.base), 0);
    assert_true(feedscope_visible(&so, "routing", &e.base));
    assert_false(feedscope_visible(&other, "routing", &e.base));
    Gov__DeadlineStep step = GOV__DEADLINE_STEP__INIT; /* a silent department's escalation */
    step.item = &d;
    step.target_unit = "centre";
    assert_true(feedscope_visible(&so, "routing", &step.base));
    assert_false(feedscope_visible(&other, "routing", &step.base));
    d.whistle_id = 0; /* a case's dispatch: nothing to learn */
    assert_int_equal(feedscope_whistle_wanted(&other, "routing", &e.base), 0);
    assert_false(feedscope_visible(&so, "routing", &e.base));
    /* The ring forgets the oldest: whistle 7 is asked for again. */
    d.whistle_id = 7;
    for (int i = 100; i < 100 + FEEDSCOPE_WHISTLES; i++)
        feedscope_learn_whistle(&so, i, "so.s1");
    assert_int_equal(feedscope_whistle_wanted(&so, "routing", &e.base), 7);
    assert_false(feedscope_visible(&so, "routing", &e.base));
}

static void test_a_joint_meeting_goes_to_its_member_units_and_community(void **state)
{
    (void) state;
    Gov__JointMeeting m = GOV__JOINT_MEETING__INIT;
    m.community = "demo.s1.c1";
    char *units[] = {"dept.chengguan", "pc.s1.c1"};
    Gov__JointEvent e = GOV__JOINT_EVENT__INIT;
    e.item = &m;
    e.units = units;
    e.n_units = 2;
    feedscope_t member = s_unit("dept.chengguan", "department", "demo");
    feedscope_t paired = s_unit("dept.gongan", "department", "demo"); /* paired, not a member */
    feedscope_t committee = s_unit("cm.s1.c1", "community", "demo.s1.c1");
    feedscope_t elsewhere = s_unit("cm.s1.c2", "community", "demo.s1.c2");
    assert_true(feedscope_visible(&member, "deliberation", &e.base));
    assert_false(feedscope_visible(&paired, "deliberation", &e.base));
    assert_true(feedscope_visible(&committee, "deliberation", &e.base));
    assert_false(feedscope_visible(&elsewhere, "deliberation", &e.base));
    Gov__JointSchedule sch = GOV__JOINT_SCHEDULE__INIT; /* a schedule's event, no meeting */
    sch.community = "demo.s1.c1";
    e.item = NULL;
    e.schedule = &sch;
    assert_true(feedscope_visible(&committee, "deliberation", &e.base));
    assert_false(feedscope_visible(&elsewhere, "deliberation", &e.base));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_areas_are_related_by_whole_segments),
        cmocka_unit_test(test_a_dispatch_event_goes_to_its_unit),
        cmocka_unit_test(test_a_whistle_goes_to_its_caller_and_the_summoned),
        cmocka_unit_test(test_a_whistles_dispatch_goes_to_its_caller),
        cmocka_unit_test(test_a_joint_meeting_goes_to_its_member_units_and_community),
        cmocka_unit_test(test_a_new_case_goes_to_the_territorial_units_that_hold_it),
        cmocka_unit_test(test_a_matter_goes_to_its_community_and_those_named),
        cmocka_unit_test(test_a_task_goes_to_its_owner_unit_and_community),
        cmocka_unit_test(test_an_event_id_is_three_positions),
    };
    return cmocka_run_group_tests_name("feedscope", tests, NULL, NULL);
}
