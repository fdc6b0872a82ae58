/* calendar: working-time arithmetic on the official 2025 and 2026
 * arrangements, built in memory with calendar_set (no database), and a check
 * that the CSV files the demo loads say the same as the notices.
 *
 * Expected instants are worked out by hand in the comments: a working day is
 * 1440 working minutes, from 00:00 to 24:00 Beijing time. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "calendar.h"

#define MIN 60000LL
#define DAY (1440 * MIN)

/* The notices, as blocks of days. */
typedef struct {
    const char *from, *to;   /* YYYY-MM-DD, inclusive */
    int working;             /* 1: make-up workday (调休上班), 0: day off */
    const char *name;
} block_t;

static const char *s_source_2025 =
    "国务院办公厅关于2025年部分节假日安排的通知（国办发明电〔2024〕12号）";
static const char *s_source_2026 =
    "国务院办公厅关于2026年部分节假日安排的通知（国办发明电〔2025〕7号）";

/* 国办发明电〔2024〕12号, 2024-11-12. */
static const block_t s_2025[] = {
    {"2025-01-01", "2025-01-01", 0, "元旦"},
    {"2025-01-26", "2025-01-26", 1, "春节调休上班"},   /* Sunday */
    {"2025-01-28", "2025-02-04", 0, "春节"},
    {"2025-02-08", "2025-02-08", 1, "春节调休上班"},   /* Saturday */
    {"2025-04-04", "2025-04-06", 0, "清明节"},
    {"2025-04-27", "2025-04-27", 1, "劳动节调休上班"}, /* Sunday */
    {"2025-05-01", "2025-05-05", 0, "劳动节"},
    {"2025-05-31", "2025-06-02", 0, "端午节"},
    {"2025-09-28", "2025-09-28", 1, "国庆节、中秋节调休上班"}, /* Sunday */
    {"2025-10-01", "2025-10-08", 0, "国庆节、中秋节"},
    {"2025-10-11", "2025-10-11", 1, "国庆节、中秋节调休上班"}, /* Saturday */
};

/* 国办发明电〔2025〕7号, 2025-11-04. */
static const block_t s_2026[] = {
    {"2026-01-01", "2026-01-03", 0, "元旦"},
    {"2026-01-04", "2026-01-04", 1, "元旦调休上班"},   /* Sunday */
    {"2026-02-14", "2026-02-14", 1, "春节调休上班"},   /* Saturday */
    {"2026-02-15", "2026-02-23", 0, "春节"},
    {"2026-02-28", "2026-02-28", 1, "春节调休上班"},   /* Saturday */
    {"2026-04-04", "2026-04-06", 0, "清明节"},
    {"2026-05-01", "2026-05-05", 0, "劳动节"},
    {"2026-05-09", "2026-05-09", 1, "劳动节调休上班"}, /* Saturday */
    {"2026-06-19", "2026-06-21", 0, "端午节"},
    {"2026-09-20", "2026-09-20", 1, "国庆节调休上班"}, /* Sunday */
    {"2026-09-25", "2026-09-27", 0, "中秋节"},
    {"2026-10-01", "2026-10-07", 0, "国庆节"},
    {"2026-10-10", "2026-10-10", 1, "国庆节调休上班"}, /* Saturday */
};

#define NBLOCKS(a) (sizeof(a) / sizeof *(a))

/* Days since 1970-01-01 of a civil date (proleptic Gregorian), computed
 * independently of the code under test. */
static int32_t s_civil(int y, int m, int d)
{
    y -= m <= 2;
    int era = (y >= 0 ? y : y - 399) / 400;
    int yoe = y - era * 400;
    int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int32_t s_parse_day(const char *text)
{
    int y, m, d;
    assert_int_equal(sscanf(text, "%4d-%2d-%2d", &y, &m, &d), 3);
    return s_civil(y, m, d);
}

/* ms since the epoch of a Beijing wall-clock time. */
static int64_t s_at(int y, int mo, int d, int h, int mi)
{
    return s_civil(y, mo, d) * DAY + (h * 60 + mi) * MIN - 8 * 60 * MIN;
}

static void s_mark(calendar_t *cal, const block_t *blocks, size_t n)
{
    for (size_t i = 0; i < n; i++)
        for (int32_t day = s_parse_day(blocks[i].from); day <= s_parse_day(blocks[i].to); day++)
            assert_int_equal(calendar_set(cal, day, blocks[i].working), 0);
}

static int s_setup(void **state)
{
    calendar_t *cal = calendar_new();
    if (!cal)
        return -1;
    s_mark(cal, s_2026, NBLOCKS(s_2026));   /* out of order on purpose */
    s_mark(cal, s_2025, NBLOCKS(s_2025));
    *state = cal;
    return 0;
}

static int s_teardown(void **state)
{
    calendar_t *cal = *state;
    calendar_destroy(&cal);
    return cal == NULL ? 0 : -1;
}

static void test_an_empty_calendar_knows_monday_to_friday(void **state)
{
    (void) state;
    calendar_t *cal = calendar_new();
    assert_non_null(cal);
    for (int d = 23; d <= 27; d++)   /* Mon 23 .. Fri 27 November 2026 */
        assert_true(calendar_is_working(cal, s_civil(2026, 11, d)));
    assert_false(calendar_is_working(cal, s_civil(2026, 11, 28)));   /* Saturday */
    assert_false(calendar_is_working(cal, s_civil(2026, 11, 29)));   /* Sunday */
    /* Without the notice, 国庆 is an ordinary Thursday. */
    assert_true(calendar_is_working(cal, s_civil(2026, 10, 1)));
    assert_true(calendar_is_working(cal, 0));                         /* Thu 1970-01-01 */
    assert_false(calendar_is_working(cal, 2));                        /* Sat 1970-01-03 */
    assert_true(calendar_is_working(cal, -1));                        /* Wed 1969-12-31 */
    assert_false(calendar_is_working(cal, -4));                       /* Sun 1969-12-28 */
    calendar_destroy(&cal);
    assert_null(cal);
    calendar_destroy(&cal);   /* harmless on NULL */
    calendar_destroy(NULL);
}

static void test_marks_replace_and_stay_sorted(void **state)
{
    (void) state;
    calendar_t *cal = calendar_new();
    int32_t mon = s_civil(2026, 11, 23), sat = s_civil(2026, 11, 28);
    assert_int_equal(calendar_set(cal, mon, 0), 0);
    assert_false(calendar_is_working(cal, mon));
    assert_int_equal(calendar_set(cal, mon, 1), 0);   /* a corrected mark replaces */
    assert_true(calendar_is_working(cal, mon));
    assert_int_equal(calendar_set(cal, sat, 7), 0);   /* any non-zero means working */
    assert_true(calendar_is_working(cal, sat));
    /* Beyond the first allocation (64), in scrambled order: every third day
     * of 1000 from 2030 on is marked off, whatever its weekday. */
    int32_t base = s_civil(2030, 1, 1);
    for (int i = 0; i < 1000; i++)
        assert_int_equal(calendar_set(cal, base + (i * 337) % 1000, (i * 337) % 1000 % 3 != 0), 0);
    for (int32_t d = base; d < base + 1000; d++)
        assert_int_equal(calendar_is_working(cal, d), (d - base) % 3 != 0);
    assert_true(calendar_is_working(cal, mon));       /* untouched by the rest */
    calendar_destroy(&cal);
}

static void test_the_2026_arrangement(void **state)
{
    calendar_t *cal = *state;
    assert_true(calendar_is_working(cal, s_civil(2026, 11, 24)));   /* a Tuesday */
    assert_false(calendar_is_working(cal, s_civil(2026, 11, 21)));  /* a Saturday */
    assert_false(calendar_is_working(cal, s_civil(2026, 11, 22)));  /* a Sunday */
    assert_false(calendar_is_working(cal, s_civil(2026, 10, 1)));   /* 国庆, a Thursday */
    assert_false(calendar_is_working(cal, s_civil(2026, 10, 3)));   /* a Saturday inside the block */
    assert_false(calendar_is_working(cal, s_civil(2026, 10, 5)));   /* a Monday inside the block */
    assert_true(calendar_is_working(cal, s_civil(2026, 10, 8)));    /* back to work, Thursday */
    assert_true(calendar_is_working(cal, s_civil(2026, 10, 10)));   /* make-up Saturday */
    assert_false(calendar_is_working(cal, s_civil(2026, 10, 11)));  /* the Sunday after it */
    assert_true(calendar_is_working(cal, s_civil(2026, 9, 20)));    /* make-up Sunday */
    assert_false(calendar_is_working(cal, s_civil(2026, 9, 19)));   /* the Saturday before it */
    assert_true(calendar_is_working(cal, s_civil(2026, 1, 4)));     /* 元旦's make-up Sunday */
    assert_false(calendar_is_working(cal, s_civil(2026, 2, 23)));   /* last day of 春节, a Monday */
    assert_true(calendar_is_working(cal, s_civil(2026, 2, 24)));
}

static void test_beijing_days(void **state)
{
    (void) state;
    /* 2026-01-01 00:00 in Beijing is 2025-12-31 16:00 UTC; 56 years of which
     * 14 leap years after 1970: 56 × 365 + 14 = 20454. */
    assert_int_equal(calendar_day_of(s_at(2026, 1, 1, 0, 0)), 20454);
    assert_int_equal(calendar_day_of(s_at(2026, 1, 1, 0, 0) - 1), 20453);
    assert_int_equal(calendar_day_of(s_at(2026, 1, 1, 23, 59)), 20454);
    /* The epoch itself is 08:00 in Beijing, day 0; day 0 began 8 h earlier. */
    assert_int_equal(calendar_day_of(0), 0);
    assert_int_equal(calendar_day_of(-8 * 60 * MIN), 0);
    assert_int_equal(calendar_day_of(-8 * 60 * MIN - 1), -1);
    assert_int_equal(calendar_day_of(16 * 60 * MIN - 1), 0);
    assert_int_equal(calendar_day_of(16 * 60 * MIN), 1);
}

static void test_calendar_minutes_ignore_the_calendar(void **state)
{
    calendar_t *cal = *state;
    /* From the first day of 国庆, calendar minutes run on as if no holiday. */
    int64_t start = s_at(2026, 10, 1, 0, 0);
    assert_int_equal(calendar_add(cal, start, 0, 0), start);
    assert_int_equal(calendar_add(cal, start, 120, 0), s_at(2026, 10, 1, 2, 0));
    assert_int_equal(calendar_add(cal, start, 1440, 0), s_at(2026, 10, 2, 0, 0));
    assert_int_equal(calendar_add(cal, start, 7 * 1440, 0), s_at(2026, 10, 8, 0, 0));
    assert_int_equal(calendar_between(cal, start, s_at(2026, 10, 8, 0, 0), 0), 7 * 1440);
    assert_int_equal(calendar_between(cal, start, start + 90 * 1000, 0), 1);   /* whole minutes */
    assert_int_equal(calendar_between(cal, start, start - MIN, 0), 0);
}

static void test_adding_zero(void **state)
{
    calendar_t *cal = *state;
    /* From working time: the start itself. */
    int64_t tue = s_at(2026, 11, 24, 10, 17);
    assert_int_equal(calendar_add(cal, tue, 0, 1), tue);
    assert_int_equal(calendar_add(cal, s_at(2026, 11, 24, 0, 0), 0, 1), s_at(2026, 11, 24, 0, 0));
    /* From a make-up Saturday: working time, so the start itself. */
    assert_int_equal(calendar_add(cal, s_at(2026, 2, 14, 9, 0), 0, 1), s_at(2026, 2, 14, 9, 0));
    /* From a day off: where working time starts again. Sat 21 Nov 2026 →
     * Mon 23 Nov 00:00; 国庆 (Sat 3 Oct) → Thu 8 Oct 00:00. */
    assert_int_equal(calendar_add(cal, s_at(2026, 11, 21, 10, 0), 0, 1), s_at(2026, 11, 23, 0, 0));
    assert_int_equal(calendar_add(cal, s_at(2026, 10, 3, 10, 0), 0, 1), s_at(2026, 10, 8, 0, 0));
}

static void test_a_start_exactly_at_midnight(void **state)
{
    calendar_t *cal = *state;
    /* Mon 23 Nov 00:00 + 1 working day: all of Monday → Tue 00:00. */
    assert_int_equal(calendar_add(cal, s_at(2026, 11, 23, 0, 0), 1440, 1), s_at(2026, 11, 24, 0, 0));
    /* Fri 27 Nov 00:00 + 1 working day: all of Friday; time runs out at
     * 24:00 Friday, which is Sat 28 Nov 00:00 (not Monday: the deadline is
     * the end of Friday). One more minute lands on Monday 00:01. */
    assert_int_equal(calendar_add(cal, s_at(2026, 11, 27, 0, 0), 1440, 1), s_at(2026, 11, 28, 0, 0));
    assert_int_equal(calendar_add(cal, s_at(2026, 11, 27, 0, 0), 1441, 1), s_at(2026, 11, 30, 0, 1));
    /* Midnight that begins a day off (Thu 1 Oct 2026 00:00) + 1 minute:
     * the clock starts on Thu 8 Oct → 00:01. */
    assert_int_equal(calendar_add(cal, s_at(2026, 10, 1, 0, 0), 1, 1), s_at(2026, 10, 8, 0, 1));
}

static void test_a_start_on_a_holiday(void **state)
{
    calendar_t *cal = *state;
    /* Sat 21 Feb 2026 is inside 春节 (15–23 Feb): the clock starts Tue 24 Feb
     * 00:00, so 60 minutes end at 01:00. */
    assert_int_equal(calendar_add(cal, s_at(2026, 2, 21, 10, 0), 60, 1), s_at(2026, 2, 24, 1, 0));
    /* Thu 1 Oct 2026 (国庆) + 1 working day: Thu 8 Oct is the whole day →
     * Fri 9 Oct 00:00. */
    assert_int_equal(calendar_add(cal, s_at(2026, 10, 1, 15, 0), 1440, 1), s_at(2026, 10, 9, 0, 0));
}

static void test_seven_working_days_across_the_national_day_block(void **state)
{
    calendar_t *cal = *state;
    /* Wed 30 Sep 2026 00:00 + 7 working days: 30 Sep (1), [1–7 Oct off],
     * 8 Oct (2), 9 (3), Sat 10 make-up (4), [Sun 11 off], 12 (5), 13 (6),
     * 14 (7) → time runs out at the end of Wed 14 Oct = Thu 15 Oct 00:00. */
    assert_int_equal(calendar_add(cal, s_at(2026, 9, 30, 0, 0), 7 * 1440, 1), s_at(2026, 10, 15, 0, 0));
    /* From 10:00: 14 h on 30 Sep, six whole days (8, 9, 10, 12, 13, 14 Oct),
     * and the last 10 h on Thu 15 Oct → 10:00. */
    int64_t start = s_at(2026, 9, 30, 10, 0);
    assert_int_equal(calendar_add(cal, start, 7 * 1440, 1), s_at(2026, 10, 15, 10, 0));
    assert_int_equal(calendar_between(cal, start, s_at(2026, 10, 15, 10, 0), 1), 7 * 1440);
    /* Half of it (the ladder's 50 % reminder): 84 h = 14 h on 30 Sep, 24 h on
     * each of 8 and 9 Oct, and 22 h of Sat 10 Oct → 22:00 on the make-up day. */
    assert_int_equal(calendar_add(cal, start, 7 * 1440 / 2, 1), s_at(2026, 10, 10, 22, 0));
}

static void test_the_eight_day_block_of_2025(void **state)
{
    calendar_t *cal = *state;
    /* 2025: 国庆 + 中秋, 1–8 Oct off, make-up Sun 28 Sep and Sat 11 Oct.
     * Fri 26 Sep 10:00 + 1 working day: 14 h on Friday, [Sat 27 off], 10 h of
     * the make-up Sunday → Sun 28 Sep 10:00. */
    assert_int_equal(calendar_add(cal, s_at(2025, 9, 26, 10, 0), 1440, 1), s_at(2025, 9, 28, 10, 0));
    /* Tue 30 Sep 00:00 + 7: 30 Sep (1), [1–8 Oct], 9 (2), 10 (3), Sat 11
     * make-up (4), [Sun 12], 13 (5), 14 (6), 15 (7) → Thu 16 Oct 00:00. */
    assert_int_equal(calendar_add(cal, s_at(2025, 9, 30, 0, 0), 7 * 1440, 1), s_at(2025, 10, 16, 0, 0));
    assert_int_equal(calendar_between(cal, s_at(2025, 10, 1, 0, 0), s_at(2025, 10, 9, 0, 0), 1), 0);
}

static void test_make_up_days_count(void **state)
{
    calendar_t *cal = *state;
    /* Fri 13 Feb 2026 10:00 + 1 working day: Sat 14 Feb is a make-up day,
     * so 14 h on Friday and 10 h on Saturday → Sat 14 Feb 10:00. */
    assert_int_equal(calendar_add(cal, s_at(2026, 2, 13, 10, 0), 1440, 1), s_at(2026, 2, 14, 10, 0));
    /* Fri 13 Feb 00:00 + 2 working days: Friday and the make-up Saturday →
     * Sun 15 Feb 00:00 (the first day of 春节). */
    assert_int_equal(calendar_add(cal, s_at(2026, 2, 13, 0, 0), 2 * 1440, 1), s_at(2026, 2, 15, 0, 0));
    /* Sat 14 Feb 10:00 + 1 working day: 14 h left on Saturday, then 春节
     * (15–23 Feb); the other 10 h come from Tue 24 Feb → 10:00. */
    assert_int_equal(calendar_add(cal, s_at(2026, 2, 14, 10, 0), 1440, 1), s_at(2026, 2, 24, 10, 0));
    /* Fri 27 Feb 10:00 + 1: Sat 28 Feb is the second make-up day → 10:00. */
    assert_int_equal(calendar_add(cal, s_at(2026, 2, 27, 10, 0), 1440, 1), s_at(2026, 2, 28, 10, 0));
    /* Fri 18 Sep 12:00 + 1: 12 h on Friday, [Sat 19 off], 12 h of the
     * make-up Sun 20 Sep → 12:00. */
    assert_int_equal(calendar_add(cal, s_at(2026, 9, 18, 12, 0), 1440, 1), s_at(2026, 9, 20, 12, 0));
}

static void test_an_ordinary_weekend_does_not_count(void **state)
{
    calendar_t *cal = *state;
    /* Fri 20 Nov 2026 10:00 + 1 working day: 14 h on Friday, [21, 22 off],
     * 10 h on Monday → Mon 23 Nov 10:00. */
    assert_int_equal(calendar_add(cal, s_at(2026, 11, 20, 10, 0), 1440, 1), s_at(2026, 11, 23, 10, 0));
    /* Sat 21 Nov 10:00 + 1 working day: all of Monday → Tue 24 Nov 00:00. */
    assert_int_equal(calendar_add(cal, s_at(2026, 11, 21, 10, 0), 1440, 1), s_at(2026, 11, 24, 0, 0));
    assert_int_equal(calendar_between(cal, s_at(2026, 11, 21, 0, 0), s_at(2026, 11, 23, 0, 0), 1), 0);
}

static void test_across_the_new_year(void **state)
{
    calendar_t *cal = *state;
    /* Wed 31 Dec 2025 12:00 + 1 working day: 12 h on 31 Dec, [1–3 Jan 2026
     * 元旦], 12 h of the make-up Sun 4 Jan → 12:00. Needs both years. */
    assert_int_equal(calendar_add(cal, s_at(2025, 12, 31, 12, 0), 1440, 1), s_at(2026, 1, 4, 12, 0));
}

static void test_fifteen_working_days(void **state)
{
    calendar_t *cal = *state;
    /* Fri 18 Sep 2026 00:00 + 15 working days (the complex-matter deadline):
     * 18 (1), [Sat 19], Sun 20 make-up (2), 21–24 (3–6), [25–27 中秋],
     * 28–30 (7–9), [1–7 Oct 国庆], 8, 9 (10, 11), Sat 10 make-up (12),
     * [Sun 11], 12–14 (13–15) → Thu 15 Oct 00:00. */
    int64_t start = s_at(2026, 9, 18, 0, 0);
    assert_int_equal(calendar_add(cal, start, 15 * 1440, 1), s_at(2026, 10, 15, 0, 0));
    assert_int_equal(calendar_between(cal, start, s_at(2026, 10, 15, 0, 0), 1), 15 * 1440);
    /* Many times over, as the routing service would when arming a burst. */
    for (int i = 0; i < 100000; i++)
        assert_int_equal(calendar_add(cal, start + (i % 60) * MIN, 15 * 1440, 1),
                         s_at(2026, 10, 15, 0, 0) + (i % 60) * MIN);
}

static void test_a_year_holds_248_working_days(void **state)
{
    calendar_t *cal = *state;
    /* Since 2025 there are 13 statutory days off (元旦 1, 春节 4, 清明 1,
     * 劳动节 2, 端午 1, 中秋 1, 国庆 3); make-up days only move rest days
     * around. 2025 and 2026 each have 365 days and 52 whole weekends (both
     * start and end on a weekday), so each holds 365 − 104 − 13 = 248. */
    int64_t y2025 = s_at(2025, 1, 1, 0, 0), y2026 = s_at(2026, 1, 1, 0, 0);
    int64_t y2027 = s_at(2027, 1, 1, 0, 0);
    assert_int_equal(calendar_between(cal, y2025, y2026, 1), 248 * 1440);
    assert_int_equal(calendar_between(cal, y2026, y2027, 1), 248 * 1440);
    /* Thu 31 Dec 2026 is a working day, so 248 days from 1 Jan run out at
     * its end. */
    assert_int_equal(calendar_add(cal, y2026, 248 * 1440, 1), y2027);
}

static void test_between_is_the_inverse_of_add(void **state)
{
    calendar_t *cal = *state;
    /* Starts at midnights, on days off, on make-up days, mid-minute. */
    const int64_t starts[] = {
        s_at(2026, 9, 18, 17, 30), s_at(2026, 9, 19, 0, 0),  s_at(2026, 9, 20, 23, 59),
        s_at(2026, 10, 1, 0, 0),   s_at(2026, 10, 7, 23, 0), s_at(2026, 2, 14, 0, 0),
        s_at(2025, 12, 31, 8, 0),  s_at(2026, 11, 24, 10, 0) + 12345,
    };
    for (size_t i = 0; i < sizeof starts / sizeof *starts; i++) {
        for (int64_t m = 0; m < 40 * 1440; m += 577) {
            int64_t end = calendar_add(cal, starts[i], m, 1);
            assert_int_equal(calendar_between(cal, starts[i], end, 1), m);
            assert_true(end >= starts[i] + m * MIN);   /* working time never outruns the clock */
            assert_int_equal(calendar_between(cal, starts[i], calendar_add(cal, starts[i], m, 0), 0), m);
        }
    }
    /* The other way round holds when the end falls in working time. */
    int64_t t = s_at(2026, 9, 30, 10, 0), u = s_at(2026, 10, 12, 9, 0);
    assert_int_equal(calendar_add(cal, t, calendar_between(cal, t, u, 1), 1), u);
    /* An end inside a holiday block: the working time ran out when the block
     * began (end of 30 Sep), so adding it back gives 1 Oct 00:00. */
    assert_int_equal(calendar_add(cal, t, calendar_between(cal, t, s_at(2026, 10, 4, 9, 0), 1), 1),
                     s_at(2026, 10, 1, 0, 0));
    assert_int_equal(calendar_between(cal, t, t, 1), 0);
    assert_int_equal(calendar_between(cal, t, t - MIN, 1), 0);
    /* A whole holiday week holds no working time. */
    assert_int_equal(calendar_between(cal, s_at(2026, 10, 1, 0, 0), s_at(2026, 10, 8, 0, 0), 1), 0);
}

/* Checks one shipped CSV row by row against the notice's blocks. */
static void s_check_csv(const char *path, const block_t *blocks, size_t nblocks, const char *source)
{
    FILE *in = fopen(path, "r");
    if (!in)
        fail_msg("cannot open %s (run the test from the repository root)", path);
    char line[1024];
    assert_non_null(fgets(line, sizeof line, in));
    assert_string_equal(line, "day,kind,name,source\n");
    size_t b = 0;
    int32_t want = s_parse_day(blocks[0].from);
    int rows = 0;
    while (fgets(line, sizeof line, in)) {
        char day[16], kind[16], name[256], src[512];
        if (sscanf(line, "%15[^,],%15[^,],%255[^,],%511[^\n]", day, kind, name, src) != 4)
            fail_msg("%s:%d: not day,kind,name,source", path, rows + 2);
        if (b == nblocks)
            fail_msg("%s:%d: a row the notice does not have (%s)", path, rows + 2, day);
        assert_int_equal(s_parse_day(day), want);
        assert_string_equal(kind, blocks[b].working ? "workday" : "holiday");
        assert_string_equal(name, blocks[b].name);
        assert_string_equal(src, source);
        if (blocks[b].working) {   /* a make-up day is a Saturday or Sunday */
            int weekday = (int) ((want % 7 + 7 + 3) % 7);
            assert_true(weekday >= 5);
        }
        rows++;
        if (want == s_parse_day(blocks[b].to) && ++b < nblocks)
            want = s_parse_day(blocks[b].from);
        else
            want++;
    }
    fclose(in);
    assert_int_equal(b, nblocks);   /* no day of the notice is missing */
}

static void test_the_shipped_csv_files_are_the_notices(void **state)
{
    (void) state;
    s_check_csv("deploy/demo/calendar/cn-2025.csv", s_2025, NBLOCKS(s_2025), s_source_2025);
    s_check_csv("deploy/demo/calendar/cn-2026.csv", s_2026, NBLOCKS(s_2026), s_source_2026);
}

/* The one check of an exception day, govctl's import and routing's alike. */
static void test_check_day(void **state)
{
    (void) state;
    int32_t day = -1;
    int weekday = -1;
    assert_null(calendar_check_day("2026-10-01", "holiday", "国庆节", "notice", &day));
    assert_int_equal(day, calendar_day_of(1790784000000LL)); /* 2026-10-01 00:00 Beijing */
    assert_null(calendar_check_day("2026-09-20", "workday", "调休", "notice", &day)); /* Sunday */
    assert_non_null(calendar_check_day("2026-09-21", "workday", "调休", "notice", &day)); /* Monday */
    assert_non_null(calendar_check_day("2027-02-30", "holiday", "x", "notice", &day));
    assert_non_null(calendar_check_day("1969-12-31", "holiday", "x", "notice", &day));
    assert_non_null(calendar_check_day("2026-1-01", "holiday", "x", "notice", &day));
    assert_non_null(calendar_check_day("2026-10-01", "day off", "x", "notice", &day));
    assert_non_null(calendar_check_day("2026-10-01", "holiday", "", "notice", &day));
    assert_non_null(calendar_check_day("2026-10-01", "holiday", "x", "", &day));
    assert_non_null(calendar_check_day(NULL, "holiday", "x", "notice", &day));
    assert_int_equal(calendar_parse_day("2026-12-03", &day, &weekday), 0);
    assert_int_equal(weekday, 3); /* a Thursday */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_an_empty_calendar_knows_monday_to_friday),
        cmocka_unit_test(test_marks_replace_and_stay_sorted),
        cmocka_unit_test(test_the_2026_arrangement),
        cmocka_unit_test(test_beijing_days),
        cmocka_unit_test(test_calendar_minutes_ignore_the_calendar),
        cmocka_unit_test(test_adding_zero),
        cmocka_unit_test(test_a_start_exactly_at_midnight),
        cmocka_unit_test(test_a_start_on_a_holiday),
        cmocka_unit_test(test_seven_working_days_across_the_national_day_block),
        cmocka_unit_test(test_the_eight_day_block_of_2025),
        cmocka_unit_test(test_make_up_days_count),
        cmocka_unit_test(test_an_ordinary_weekend_does_not_count),
        cmocka_unit_test(test_across_the_new_year),
        cmocka_unit_test(test_fifteen_working_days),
        cmocka_unit_test(test_a_year_holds_248_working_days),
        cmocka_unit_test(test_between_is_the_inverse_of_add),
        cmocka_unit_test(test_the_shipped_csv_files_are_the_notices),
        cmocka_unit_test(test_check_day),
    };
    return cmocka_run_group_tests_name("calendar", tests, s_setup, s_teardown);
}
