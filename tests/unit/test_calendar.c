/* calendar: working-time arithmetic on the official 2026 arrangement
 * (国办发明电〔2025〕7号), built in memory from the same CSV the demo loads. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "calendar.h"

#define MIN 60000LL
#define DAY (1440 * MIN)

/* ms since the epoch of a Beijing wall-clock time. */
static int64_t s_local(int y, int mo, int d, int h, int mi)
{
    struct tm tm = {.tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h, .tm_min = mi};
    return ((int64_t) timegm(&tm) - 8 * 3600) * 1000;
}

static int32_t s_day(int y, int mo, int d)
{
    return calendar_day_of(s_local(y, mo, d, 12, 0));
}

/* Loads deploy/demo/calendar/cn-2026.csv the way the table would hold it. */
static int s_setup(void **state)
{
    calendar_t *cal = calendar_new();
    FILE *in = fopen("deploy/demo/calendar/cn-2026.csv", "r");
    if (!cal || !in)
        return -1;
    char line[1024];
    int y, m, d, n = 0;
    char kind[16];
    while (fgets(line, sizeof line, in))
        if (sscanf(line, "%4d-%2d-%2d,%15[a-z],", &y, &m, &d, kind) == 4) {
            calendar_set(cal, s_day(y, m, d), strcmp(kind, "workday") == 0);
            n++;
        }
    fclose(in);
    *state = cal;
    return n == 39 ? 0 : -1;
}

static int s_teardown(void **state)
{
    calendar_t *cal = *state;
    calendar_destroy(&cal);
    assert_null(cal);
    return 0;
}

static void test_which_days_are_working(void **state)
{
    calendar_t *cal = *state;
    assert_true(calendar_is_working(cal, s_day(2026, 11, 24)));   /* a Tuesday */
    assert_false(calendar_is_working(cal, s_day(2026, 11, 21)));  /* a Saturday */
    assert_false(calendar_is_working(cal, s_day(2026, 11, 22)));  /* a Sunday */
    assert_false(calendar_is_working(cal, s_day(2026, 10, 1)));   /* 国庆, a Thursday */
    assert_false(calendar_is_working(cal, s_day(2026, 10, 5)));   /* a Monday inside the block */
    assert_true(calendar_is_working(cal, s_day(2026, 10, 10)));   /* make-up Saturday */
    assert_true(calendar_is_working(cal, s_day(2026, 9, 20)));    /* make-up Sunday */
    assert_false(calendar_is_working(cal, s_day(2026, 9, 19)));   /* the Saturday before it */
    assert_true(calendar_is_working(cal, s_day(2026, 1, 4)));     /* 元旦's make-up Sunday */
}

static void test_beijing_days(void **state)
{
    (void) state;
    /* 2026-01-01 00:00 in Beijing is 2025-12-31 16:00 UTC: the new day. */
    assert_int_equal(calendar_day_of(s_local(2026, 1, 1, 0, 0)),
                     calendar_day_of(s_local(2025, 12, 31, 23, 59)) + 1);
    assert_int_equal(calendar_day_of(s_local(2026, 1, 1, 0, 0)), 20454);
    assert_int_equal(calendar_day_of(s_local(1970, 1, 1, 0, 0)), 0);
}

static void test_calendar_minutes_ignore_the_calendar(void **state)
{
    calendar_t *cal = *state;
    int64_t start = s_local(2026, 9, 30, 10, 0);
    assert_int_equal(calendar_add(cal, start, 0, 0), start);
    assert_int_equal(calendar_add(cal, start, 120, 0), start + 120 * MIN);
    assert_int_equal(calendar_add(cal, start, 7 * 1440, 0), s_local(2026, 10, 7, 10, 0));
    assert_int_equal(calendar_add(cal, start, 0, 1), start);
}

static void test_seven_working_days_across_the_national_day_block(void **state)
{
    calendar_t *cal = *state;
    /* From Wed 30 Sep 10:00: the rest of 30 Sep, then Oct 8, 9, 10 (make-up
     * Saturday), 12, 13, 14 are six more working days; 7 × 24 h of working
     * time ends on Thu 15 Oct at 10:00. Oct 1–7 and Sun 11 do not count. */
    int64_t start = s_local(2026, 9, 30, 10, 0);
    assert_int_equal(calendar_add(cal, start, 7 * 1440, 1), s_local(2026, 10, 15, 10, 0));
    assert_int_equal(calendar_between(cal, start, s_local(2026, 10, 15, 10, 0), 1), 7 * 1440);
    /* Half of it (the ladder's 50% reminder): 3.5 working days = 84 h: 14 h
     * on 30 Sep, 24 h on each of Oct 8 and 9, and 22 h of Oct 10 → 22:00 on
     * the make-up Saturday. */
    assert_int_equal(calendar_add(cal, start, 7 * 1440 / 2, 1), s_local(2026, 10, 10, 22, 0));
}

static void test_a_make_up_saturday_counts(void **state)
{
    calendar_t *cal = *state;
    /* Fri 13 Feb 10:00 + 1 working day: Sat 14 Feb is a make-up workday. */
    assert_int_equal(calendar_add(cal, s_local(2026, 2, 13, 10, 0), 1440, 1),
                     s_local(2026, 2, 14, 10, 0));
    /* Sat 14 Feb 10:00 + 1 working day: the Spring Festival (15–23 Feb)
     * follows; the remaining 10 h come from Tue 24 Feb. */
    assert_int_equal(calendar_add(cal, s_local(2026, 2, 14, 10, 0), 1440, 1),
                     s_local(2026, 2, 24, 10, 0));
}

static void test_a_start_on_a_day_off_starts_next_working_morning(void **state)
{
    calendar_t *cal = *state;
    /* During the Spring Festival: the clock starts Tue 24 Feb 00:00. */
    assert_int_equal(calendar_add(cal, s_local(2026, 2, 21, 10, 0), 60, 1),
                     s_local(2026, 2, 24, 1, 0));
    /* An ordinary weekend: Sat 21 Nov 10:00 + 1 working day = end of Monday. */
    assert_int_equal(calendar_add(cal, s_local(2026, 11, 21, 10, 0), 1440, 1),
                     s_local(2026, 11, 24, 0, 0));
    /* Exactly at midnight of a working day. */
    assert_int_equal(calendar_add(cal, s_local(2026, 11, 23, 0, 0), 1440, 1),
                     s_local(2026, 11, 24, 0, 0));
    /* Even zero working minutes from a day off end when working time starts. */
    assert_int_equal(calendar_add(cal, s_local(2026, 11, 21, 10, 0), 0, 1),
                     s_local(2026, 11, 23, 0, 0));
}

static void test_between_is_the_inverse_of_add(void **state)
{
    calendar_t *cal = *state;
    int64_t start = s_local(2026, 9, 18, 17, 30);   /* a Friday before the make-up Sunday */
    for (int64_t m = 0; m < 30 * 1440; m += 577) {
        int64_t end = calendar_add(cal, start, m, 1);
        assert_int_equal(calendar_between(cal, start, end, 1), m);
    }
    assert_int_equal(calendar_between(cal, start, start - MIN, 1), 0);
    /* A whole holiday week holds no working time. */
    assert_int_equal(calendar_between(cal, s_local(2026, 10, 1, 0, 0), s_local(2026, 10, 8, 0, 0), 1), 0);
}

static void test_marks_can_be_replaced(void **state)
{
    (void) state;
    calendar_t *cal = calendar_new();
    int32_t mon = s_day(2026, 11, 23);
    assert_true(calendar_is_working(cal, mon));
    assert_int_equal(calendar_set(cal, mon, 0), 0);
    assert_false(calendar_is_working(cal, mon));
    assert_int_equal(calendar_set(cal, mon, 1), 0);
    assert_true(calendar_is_working(cal, mon));
    calendar_destroy(&cal);
    calendar_destroy(&cal);  /* safe on NULL */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_which_days_are_working),
        cmocka_unit_test(test_beijing_days),
        cmocka_unit_test(test_calendar_minutes_ignore_the_calendar),
        cmocka_unit_test(test_seven_working_days_across_the_national_day_block),
        cmocka_unit_test(test_a_make_up_saturday_counts),
        cmocka_unit_test(test_a_start_on_a_day_off_starts_next_working_morning),
        cmocka_unit_test(test_between_is_the_inverse_of_add),
        cmocka_unit_test(test_marks_can_be_replaced),
    };
    return cmocka_run_group_tests_name("calendar", tests, s_setup, s_teardown);
}
