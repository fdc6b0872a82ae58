/* 五定 (wuding.h): a task refused for each of the five it lacks, with its own
 * code; tasks only for a decided matter; report and check each from their
 * one state; a failed check reopens once, then fails; the ladder's four
 * steps and when they fall due on the working-day calendar (a weekend and a
 * holiday do not count). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "calendar.h"
#include "wuding.h"

#define HOUR 3600000LL

static void s_code(const char *want, const char *got)
{
    if (!want)
        assert_null(got);
    else {
        assert_non_null(got);
        assert_string_equal(want, got);
    }
}

static void test_assign_needs_all_five(void **state)
{
    (void) state;
    s_code(NULL, wuding_assign_refusal("renovation", "cm.s1.c1", "p.cm.s1.c1.head", "电梯验收合格", 5));
    s_code(NULL, wuding_assign_refusal("other", "u", "p", "s", 1));
    s_code(NULL, wuding_assign_refusal("civility", "u", "p", "s", WUDING_MAX_DAYS));
    /* 定类 */
    s_code("BAD_TASK_TYPE", wuding_assign_refusal("", "u", "p", "s", 5));
    s_code("BAD_TASK_TYPE", wuding_assign_refusal(NULL, "u", "p", "s", 5));
    s_code("BAD_TASK_TYPE", wuding_assign_refusal("renovat", "u", "p", "s", 5));
    s_code("BAD_TASK_TYPE", wuding_assign_refusal("renovation other", "u", "p", "s", 5));
    /* 定责: a unit and a person, both */
    s_code("TASK_NO_OWNER", wuding_assign_refusal("other", "", "p", "s", 5));
    s_code("TASK_NO_OWNER", wuding_assign_refusal("other", "u", NULL, "s", 5));
    /* 定标 */
    s_code("TASK_NO_STANDARD", wuding_assign_refusal("other", "u", "p", "", 5));
    /* 定时 */
    s_code("TASK_NO_DUE", wuding_assign_refusal("other", "u", "p", "s", 0));
    s_code("BAD_DUE", wuding_assign_refusal("other", "u", "p", "s", -1));
    s_code("BAD_DUE", wuding_assign_refusal("other", "u", "p", "s", WUDING_MAX_DAYS + 1));
}

static void test_only_a_decided_matter(void **state)
{
    (void) state;
    const char *no[] = {"proposed", "discussing", "discussed", "convened", "decided", "reviewing",
                        "published", "rejected", "undecided", "evaluating", "closed", "", NULL};
    assert_true(wuding_decided("approved"));
    assert_true(wuding_decided("acting"));
    for (size_t i = 0; i < sizeof no / sizeof *no; i++)
        assert_false(wuding_decided(no[i]));
}

static void test_report_and_check_from_their_state(void **state)
{
    (void) state;
    s_code(NULL, wuding_report_refusal("open"));
    s_code(NULL, wuding_check_refusal("reported"));
    const char *others[] = {"reported", "done", "failed"};
    for (size_t i = 0; i < 3; i++)
        s_code("TASK_NOT_OPEN", wuding_report_refusal(others[i]));
    const char *unchecked[] = {"open", "done", "failed"};
    for (size_t i = 0; i < 3; i++)
        s_code("TASK_NOT_REPORTED", wuding_check_refusal(unchecked[i]));
}

static void test_a_failed_check_reopens_once(void **state)
{
    (void) state;
    assert_string_equal("done", wuding_after_check(1, 0));
    assert_string_equal("done", wuding_after_check(1, 1));
    assert_string_equal("open", wuding_after_check(0, 0));
    assert_string_equal("failed", wuding_after_check(0, 1));
}

static void test_the_ladder(void **state)
{
    (void) state;
    assert_string_equal("TaskReminder", wuding_step(0)->event);
    assert_int_equal(50, wuding_step(0)->percent);
    assert_int_equal(80, wuding_step(1)->percent);
    assert_string_equal("owner", wuding_step(1)->target);
    assert_string_equal("TaskEscalated", wuding_step(2)->event);
    assert_string_equal("party", wuding_step(2)->target);
    assert_int_equal(100, wuding_step(2)->percent);
    assert_string_equal("street", wuding_step(3)->target);
    assert_int_equal(1, wuding_step(3)->after_days);
    assert_null(wuding_step(WUDING_STEPS));
    assert_null(wuding_step(-1));
}

/* The first instant of Beijing day `text` plus `hours`. */
static int64_t s_at(const char *text, int64_t hours)
{
    int32_t day;
    int weekday;
    assert_int_equal(0, calendar_parse_day(text, &day, &weekday));
    return (int64_t) day * 24 * HOUR - 8 * HOUR + hours * HOUR;
}

static void test_due_on_working_days(void **state)
{
    (void) state;
    calendar_t *cal = calendar_new();
    assert_non_null(cal);
    /* Monday 2 November 2026, 00:00; Tuesday made a holiday */
    int32_t tuesday;
    int weekday;
    assert_int_equal(0, calendar_parse_day("2026-11-03", &tuesday, &weekday));
    assert_int_equal(1, weekday);
    assert_int_equal(0, calendar_set(cal, tuesday, 0));
    int64_t monday = s_at("2026-11-02", 0);
    /* 2 working days: Monday and Wednesday, due as Thursday begins */
    assert_int_equal(s_at("2026-11-05", 0), wuding_due(cal, monday, 2));
    assert_int_equal(wuding_due(cal, monday, 2), wuding_step_due(cal, monday, 2, 2));
    /* half of it: Monday, ending at its midnight */
    assert_int_equal(s_at("2026-11-03", 0), wuding_step_due(cal, monday, 2, 0));
    /* 80 %: 1.6 working days, into Wednesday (Tuesday does not count) */
    assert_int_equal(s_at("2026-11-04", 0) + 1440LL * 60000 * 6 / 10, wuding_step_due(cal, monday, 2, 1));
    /* the street one working day after the due date: Friday begins */
    assert_int_equal(s_at("2026-11-06", 0), wuding_step_due(cal, monday, 2, 3));
    /* Friday noon, one working day: Monday noon, over the weekend */
    assert_int_equal(s_at("2026-11-09", 12), wuding_due(cal, s_at("2026-11-06", 12), 1));
    assert_int_equal(0, wuding_step_due(cal, monday, 2, WUDING_STEPS));
    calendar_destroy(&cal);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_assign_needs_all_five),
        cmocka_unit_test(test_only_a_decided_matter),
        cmocka_unit_test(test_report_and_check_from_their_state),
        cmocka_unit_test(test_a_failed_check_reopens_once),
        cmocka_unit_test(test_the_ladder),
        cmocka_unit_test(test_due_on_working_days),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
