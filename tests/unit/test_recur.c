/* Recurring days (recur.h), on a calendar made by hand: seed 002's 三官一律
 * reception day (the first Wednesday of each month) across a month and a
 * year, moved off a holiday to the next working day (a make-up Saturday
 * counts), skipped or kept; seed 002's second Saturday; the last Friday;
 * weekly days; and the rules that are refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "recur.h"

static int32_t D(int y, int m, int d)
{
    return recur_day(y, m, d);
}

static recur_t R(const char *text)
{
    recur_t r;
    assert_int_equal(recur_parse(text, &r), 0);
    return r;
}

/* 2026's National Day as deploy/demo/calendar/cn-2026.csv has it
 * (国办发明电〔2025〕7号): 1–7 October off, Sunday 20 September and Saturday
 * 10 October make-up workdays. */
static calendar_t *s_national_day(void)
{
    calendar_t *cal = calendar_new();
    assert_non_null(cal);
    for (int d = 1; d <= 7; d++)
        assert_int_equal(calendar_set(cal, D(2026, 10, d), 0), 0);
    assert_int_equal(calendar_set(cal, D(2026, 9, 20), 1), 0);
    assert_int_equal(calendar_set(cal, D(2026, 10, 10), 1), 0);
    return cal;
}

static void test_days_and_dates(void **state)
{
    (void) state;
    assert_int_equal(D(1970, 1, 1), 0);
    assert_int_equal(D(2026, 1, 1), 20454); /* as calendar_day_of counts it (calendar.h) */
    int y, m, d;
    recur_date(D(2028, 2, 29), &y, &m, &d);
    assert_int_equal(y * 10000 + m * 100 + d, 20280229);
    int32_t wd;
    int weekday;
    assert_int_equal(calendar_parse_day("2026-12-02", &wd, &weekday), 0);
    assert_int_equal(wd, D(2026, 12, 2));
    assert_int_equal(weekday, 2); /* a Wednesday */
}

static void test_first_wednesday_across_a_month_and_a_year(void **state)
{
    (void) state;
    recur_t r = R("monthly 1 wed");
    assert_int_equal(r.holiday, RECUR_NEXT);
    /* 2026-12-02 is December's first Wednesday: from the day before, it; from it, January's. */
    assert_int_equal(recur_next(&r, NULL, D(2026, 12, 1)), D(2026, 12, 2));
    assert_int_equal(recur_next(&r, NULL, D(2026, 12, 2)), D(2027, 1, 6));
    assert_int_equal(recur_next(&r, NULL, D(2026, 12, 31)), D(2027, 1, 6));
    /* a month whose first day is a Wednesday */
    assert_int_equal(recur_next(&r, NULL, D(2026, 3, 31)), D(2026, 4, 1));
    assert_int_equal(recur_in_month(&r, 2026, 7), D(2026, 7, 1));
}

static void test_a_holiday_moves_it_to_the_next_working_day(void **state)
{
    (void) state;
    calendar_t *cal = s_national_day();
    recur_t r = R("monthly 1 wed next");
    /* October 2026's first Wednesday, the 7th, is National Day: held
     * Thursday the 8th */
    assert_int_equal(recur_in_month(&r, 2026, 10), D(2026, 10, 7));
    assert_int_equal(recur_next(&r, cal, D(2026, 9, 30)), D(2026, 10, 8));
    /* after the nominal day but before it is held: still ahead */
    assert_int_equal(recur_next(&r, cal, D(2026, 10, 7)), D(2026, 10, 8));
    assert_int_equal(recur_next(&r, cal, D(2026, 10, 8)), D(2026, 11, 4));
    /* skip: October has none */
    recur_t s = R("monthly 1 wed skip");
    assert_int_equal(recur_next(&s, cal, D(2026, 9, 30)), D(2026, 11, 4));
    /* keep: on the holiday itself */
    recur_t k = R("monthly 1 wed keep");
    assert_int_equal(recur_next(&k, cal, D(2026, 9, 30)), D(2026, 10, 7));
    /* without the calendar it is a plain Wednesday */
    assert_int_equal(recur_next(&r, NULL, D(2026, 9, 30)), D(2026, 10, 7));
    /* a Saturday moved off the holiday; the make-up Saturday is a working day */
    recur_t sat = R("weekly sat next");
    assert_int_equal(recur_next(&sat, cal, D(2026, 10, 2)), D(2026, 10, 8));
    assert_int_equal(recur_next(&sat, cal, D(2026, 10, 8)), D(2026, 10, 10));
    assert_int_equal(recur_next(&sat, cal, D(2026, 10, 10)), D(2026, 10, 19)); /* the 17th off: Monday */
    calendar_destroy(&cal);
}

static void test_second_saturday_last_friday_weekly(void **state)
{
    (void) state;
    recur_t sat = R("monthly 2 sat keep"); /* seed 002: 每个月的第二个星期六 */
    assert_int_equal(recur_next(&sat, NULL, D(2026, 12, 3)), D(2026, 12, 12));
    assert_int_equal(recur_next(&sat, NULL, D(2026, 12, 12)), D(2027, 1, 9));
    recur_t fri = R("monthly last fri");
    assert_int_equal(recur_next(&fri, NULL, D(2027, 1, 1)), D(2027, 1, 29));
    assert_int_equal(recur_next(&fri, NULL, D(2027, 1, 29)), D(2027, 2, 26));
    recur_t wk = R("weekly thu");
    assert_int_equal(recur_next(&wk, NULL, D(2026, 12, 3)), D(2026, 12, 10));
    assert_int_equal(recur_next(&wk, NULL, D(2026, 12, 2)), D(2026, 12, 3));
    /* two nominal Wednesdays moved onto one working day are one meeting */
    calendar_t *cal = s_national_day();
    recur_t thu = R("weekly thu"); /* 1 October moves onto the 8th, which is a Thursday too */
    assert_int_equal(recur_next(&thu, cal, D(2026, 9, 30)), D(2026, 10, 8));
    assert_int_equal(recur_next(&thu, cal, D(2026, 10, 8)), D(2026, 10, 15));
    calendar_destroy(&cal);
}

static void test_text_round_trip_and_refusals(void **state)
{
    (void) state;
    const char *good[] = {"monthly 1 wed next", "monthly last fri keep", "weekly sun skip", "monthly 4 mon next"};
    for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
        recur_t r = R(good[i]);
        char buf[32];
        assert_string_equal(recur_format(&r, buf, sizeof buf), good[i]);
    }
    const char *bad[] = {NULL, "", "monthly", "monthly 5 wed", "monthly 0 wed", "monthly 1 wednesday",
                         "monthly 1 wed later", "monthly 1 wed next extra", "weekly", "daily mon",
                         "yearly 1 wed", "monthly -1 fri", "weekly 1 mon"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        recur_t r = {.freq = RECUR_WEEKLY, .weekday = 6};
        assert_int_equal(recur_parse(bad[i], &r), -1);
        assert_int_equal(r.weekday, 6); /* unchanged */
    }
}

static void test_every_day_off_and_skipped_is_never(void **state)
{
    (void) state;
    calendar_t *cal = calendar_new();
    assert_non_null(cal);
    recur_t r = R("weekly sat skip");
    assert_int_equal(recur_next(&r, cal, D(2026, 12, 3)), INT32_MIN);
    calendar_destroy(&cal);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_days_and_dates),
        cmocka_unit_test(test_first_wednesday_across_a_month_and_a_year),
        cmocka_unit_test(test_a_holiday_moves_it_to_the_next_working_day),
        cmocka_unit_test(test_second_saturday_last_friday_weekly),
        cmocka_unit_test(test_text_round_trip_and_refusals),
        cmocka_unit_test(test_every_day_off_and_skipped_is_never),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
