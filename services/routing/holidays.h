/* holidays: the working-day calendar (calendar_days, common/calendar.h) as
 * the admin keeps it through routing: ImportCalendar takes the days of a
 * State Council notice, all or nothing, with the checks of govctl calendar
 * import (calendar_check_day); GetCalendar shows the stored days to anyone.
 *
 * A change moves calendar_revision (0013_admin.sql) by trigger, whoever
 * makes it; every routing replica compares the revision before it computes
 * a deadline and reloads the calendar when it moved (dispatch.c), so the
 * next dispatch anywhere uses the new calendar without a restart. Deadlines
 * already set stay as they were computed. The change commits a
 * CalendarChanged event on routing's stream. */
#ifndef ROUTING_HOLIDAYS_H
#define ROUTING_HOLIDAYS_H

#include "directory.pb-c.h"
#include "routing.h"

#define HOLIDAYS_MAX_DAYS 1000

/* The ImportCalendar in `msg`, in the caller's transaction, by the admin
 * (routing_admin). With `replace`, the stored days of the years the import
 * covers that it does not list are removed first. Returns 0 with
 * out->ids = {days imported, days removed, new revision}, or -1 with `err`
 * set (NOT_ADMIN, BAD_CALENDAR_DAY naming the day and what is wrong,
 * TOO_MANY_DAYS, MISSING_TEXT, TEXT_TOO_LONG, INVALID_TEXT); refused, it
 * changes nothing. */
int holidays_import(routing_t *r, const Gov__Envelope *env, const ProtobufCMessage *msg,
                    idem_answer_t *out, apperr_t *err);

/* The stored days of year q->year (0: all) and the revision, into *out
 * (free it with protobuf_c_message_free_unpacked). Returns 0, or -1 with
 * `err` set. */
int holidays_get(routing_t *r, const Gov__GetCalendar *q, Gov__GetCalendarReply **out,
                 apperr_t *err);

#endif
