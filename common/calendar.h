/* calendar: working days, China's way (调休).
 *
 * A day is a working day when it is Monday to Friday, unless the calendar
 * lists it as a holiday; a Saturday or Sunday is one only when the calendar
 * lists it as a make-up workday (调休上班). Days are Beijing days: local time
 * is fixed UTC+8, with no daylight saving, so a day is exactly 1440 minutes.
 *
 * Working time counts every minute of a working day and none of any other
 * day. The 12345 hotline's deadlines are in 工作日 (working days), not office
 * hours, so "7 working days" is 7 × 1440 working minutes, and a start on a
 * day off effectively starts at 00:00 of the next working day.
 *
 * The exceptions are the rows of the calendar_days table (migration 0003),
 * which `govctl calendar import` fills from the State Council's yearly
 * notice. deploy/demo/calendar/ ships one file a year, and its README says
 * how to add the next:
 *   cn-2025.csv  国务院办公厅关于2025年部分节假日安排的通知（国办发明电〔2024〕12号）
 *   cn-2026.csv  国务院办公厅关于2026年部分节假日安排的通知（国办发明电〔2025〕7号）
 * A day outside every loaded year follows the plain Monday–Friday rule.
 *
 * Instants are milliseconds since the epoch (UTC); days are numbered from
 * 1970-01-01 (Beijing) = 0. Days before 1970 are not needed, but negative day
 * numbers work. A calendar is used by one thread at a time. */
#ifndef GOV_CALENDAR_H
#define GOV_CALENDAR_H

#include <libpq-fe.h>
#include <stdint.h>

typedef struct calendar calendar_t;

/* An empty calendar, knowing only the Monday–Friday rule, or NULL when out of
 * memory. The caller destroys it with calendar_destroy. */
calendar_t *calendar_new(void);

/* Keeps `cal` as the database has it, the one way every service does
 * (routing's dispatches and ladder, deliberation's 五定 tasks): when
 * `revision` — calendar_revision's value as the caller read it, or -1 to have
 * it read here — differs from the revision the calendar was last loaded at
 * (none before the first load), loads calendar_days again (calendar_load) and
 * remembers the revision. calendar_revision moves by trigger on every change
 * of calendar_days (0013_admin.sql), so an import on any replica reaches the
 * next deadline everywhere with no restart. Returns 0, or -1 after logging
 * (the calendar is then as it was). */
int calendar_refresh(calendar_t *cal, PGconn *conn, int64_t revision);

/* The calendar_revision the calendar was last loaded at by calendar_refresh,
 * or -1 (never, or since loaded by calendar_load alone). */
int64_t calendar_revision(const calendar_t *cal);

/* Marks Beijing day `day` as working (`working` non-zero) or not, replacing an
 * earlier mark of that day. Marking a day the way the weekday rule already
 * treats it is allowed and harmless. Returns 0, or -ENOMEM (the calendar is
 * then unchanged). */
int calendar_set(calendar_t *cal, int32_t day, int working);

/* Replaces every mark with the rows of calendar_days: a `workday` row marks
 * its day working, a `holiday` row not. Returns 0, or -1 after logging why
 * (the database refused, or out of memory); the calendar is then unchanged. */
int calendar_load(calendar_t *cal, PGconn *conn);

/* Reads `text`, a date YYYY-MM-DD of 1970 or later, into its day number
 * (as calendar_day_of counts them) and its weekday (0 = Monday .. 6 =
 * Sunday). Returns 0, or -1 when `text` is not such a date (2027-02-30 is
 * not). */
int calendar_parse_day(const char *text, int32_t *day, int *weekday);

/* What is wrong with one exception day as it would go into calendar_days —
 * the one check of govctl calendar import and routing's ImportCalendar:
 * `day` a date as calendar_parse_day reads it, `kind` holiday or workday, a
 * workday on a Saturday or Sunday only, `name` and `source` not empty.
 * Returns NULL (with the day number in *day_out) or a constant sentence. */
const char *calendar_check_day(const char *day, const char *kind, const char *name,
                               const char *source, int32_t *day_out);

/* 1 if Beijing day `day` is a working day, else 0. */
int calendar_is_working(const calendar_t *cal, int32_t day);

/* The Beijing day of instant `ms`: 2026-01-01 00:00 Beijing, which is
 * 2025-12-31 16:00 UTC, is the first instant of day 20454. */
int32_t calendar_day_of(int64_t ms);

/* The instant `minutes` (>= 0) after `start_ms`.
 *
 * When `working` is 0 these are plain calendar minutes and the calendar is
 * not consulted: start_ms + minutes × 60 000.
 *
 * Otherwise they are minutes of working time: time on non-working days does
 * not count, so a start on a day off starts at 00:00 of the next working day.
 * The result is the first instant at which that much working time has passed:
 *  - 0 minutes from a working instant is `start_ms` itself; from a day off it
 *    is 00:00 of the next working day;
 *  - time running out exactly at the end of a working day gives the midnight
 *    that ends it (24:00 of that day), even when the next day is off: 1
 *    working day from Friday 00:00 is Saturday 00:00, not Monday 00:00.
 * One step per day passed: fine for deadlines of days or months, not meant
 * for centuries. */
int64_t calendar_add(const calendar_t *cal, int64_t start_ms, int64_t minutes, int working);

/* The whole minutes from `from_ms` to `to_ms`: calendar minutes when `working`
 * is 0, else the working minutes in between (as calendar_add counts them, for
 * percent-of-span computations). 0 when to_ms <= from_ms.
 *
 * It inverts calendar_add: calendar_between(cal, t, calendar_add(cal, t, m, w),
 * w) == m for every t, m >= 0 and w. The other way round,
 * calendar_add(cal, t, calendar_between(cal, t, u, w), w) == u holds only when
 * `u` falls in working time, a whole number of minutes after `t`. */
int64_t calendar_between(const calendar_t *cal, int64_t from_ms, int64_t to_ms, int working);

/* Frees the calendar and sets *self_p to NULL; does nothing when either is
 * NULL. */
void calendar_destroy(calendar_t **self_p);

#endif
