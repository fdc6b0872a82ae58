/* recur: when a recurring day falls — a community's joint meeting (联席会议,
 * seed 001), seed 002's 三官一律 reception day ("每个月第一个星期的星期三"),
 * its volunteer day ("每个月的第二个星期六"), seed 004's weekly activities —
 * as a pure function of a rule, a date and the working-day calendar
 * (common/calendar.h), tested apart from the deadlines that act on it
 * (joint.c).
 *
 * A rule is text, the form it is stored in and typed:
 *   "monthly N WEEKDAY [HOLIDAY]"  the Nth WEEKDAY of every month, N 1..4 or
 *                                  "last";
 *   "weekly WEEKDAY [HOLIDAY]"     every WEEKDAY;
 * WEEKDAY is mon tue wed thu fri sat sun; HOLIDAY says what happens when the
 * day is not a working day on the calendar: "next" (the default: the next
 * working day, as a reception day moves off a public holiday), "keep" (it is
 * held anyway: a volunteer Saturday) or "skip" (not held that time).
 * A fifth weekday is not a rule: most months have none.
 *
 * Days are Beijing day numbers as calendar_day_of counts them. */
#ifndef DELIB_RECUR_H
#define DELIB_RECUR_H

#include <stddef.h>
#include <stdint.h>

#include "calendar.h"

typedef enum { RECUR_MONTHLY, RECUR_WEEKLY } recur_freq_t;
typedef enum { RECUR_NEXT, RECUR_KEEP, RECUR_SKIP } recur_holiday_t;

typedef struct {
    recur_freq_t freq;
    int nth;                  /* monthly: 1..4, or -1 for the last; weekly: 0 */
    int weekday;              /* 0 = Monday .. 6 = Sunday */
    recur_holiday_t holiday;
} recur_t;

/* Reads `text` into `out`. Returns 0, or -1 when it is not a rule as above
 * (NULL, empty, an unknown word, a count out of range, words left over);
 * `out` is then unchanged. */
int recur_parse(const char *text, recur_t *out);

/* The canonical text of `rule` ("monthly 1 wed next") in `buf` (at least
 * 32 bytes); returns buf. recur_parse of it gives `rule` back. */
const char *recur_format(const recur_t *rule, char *buf, size_t size);

/* The first day after `after_day` (strictly) on which `rule` holds its day,
 * on calendar `cal` (borrowed; NULL: Monday to Friday are working days).
 * A day moved by RECUR_NEXT counts where it lands: an occurrence moved past
 * `after_day` by a holiday is still ahead. Two occurrences that land on the
 * same day are one. Looks at most ten years ahead; returns INT32_MIN when
 * nothing is held in that time (every day a holiday and the rule skips). */
int32_t recur_next(const recur_t *rule, const calendar_t *cal, int32_t after_day);

/* The nominal day of `rule` in month `month` (1..12) of `year` (before any
 * holiday moves it), or INT32_MIN for a weekly rule. */
int32_t recur_in_month(const recur_t *rule, int year, int month);

/* Day number of the date y-m-d (proleptic Gregorian, Beijing) and back. */
int32_t recur_day(int year, int month, int day);
void recur_date(int32_t day, int *year, int *month, int *mday);

#endif
