/* calendar: working days, China's way.
 *
 * A day is a working day when it is Monday to Friday, unless the calendar
 * lists it as a holiday; a Saturday or Sunday is one only when listed as a
 * make-up workday (调休上班). Days are Beijing days (UTC+8, no daylight
 * saving). The exceptions come from the calendar_days table, loaded from the
 * State Council's yearly notice (deploy/demo/calendar/, `govctl calendar
 * import`).
 *
 * Working time counts every minute of a working day and none of any other
 * day: the 12345 hotline's deadlines are in 工作日 (working days), not office
 * hours. So "7 working days" is 7 × 1440 working minutes, and a start on a
 * holiday effectively starts at 00:00 of the next working day. */
#ifndef ROUTING_CALENDAR_H
#define ROUTING_CALENDAR_H

#include <libpq-fe.h>
#include <stdint.h>

typedef struct calendar calendar_t;

/* An empty calendar (the Monday–Friday rule only), or NULL when out of memory. */
calendar_t *calendar_new(void);

/* Marks Beijing day `day` (days since 1970-01-01) as working or not,
 * replacing an earlier mark. Returns 0 or -ENOMEM. */
int calendar_set(calendar_t *cal, int32_t day, int working);

/* Replaces every exception with the rows of calendar_days. Returns 0, or -1
 * after logging (the calendar is then unchanged). */
int calendar_load(calendar_t *cal, PGconn *conn);

/* 1 if Beijing day `day` is a working day. */
int calendar_is_working(const calendar_t *cal, int32_t day);

/* The Beijing day of instant `ms` (ms since the epoch). */
int32_t calendar_day_of(int64_t ms);

/* The instant `minutes` (>= 0) after `start_ms`: calendar minutes when
 * `working` is 0, else minutes of working time. */
int64_t calendar_add(const calendar_t *cal, int64_t start_ms, int64_t minutes, int working);

/* The minutes (calendar, or working when `working`) from `from_ms` to
 * `to_ms`; 0 when to_ms <= from_ms. The inverse of calendar_add. */
int64_t calendar_between(const calendar_t *cal, int64_t from_ms, int64_t to_ms, int working);

void calendar_destroy(calendar_t **self_p);

#endif
