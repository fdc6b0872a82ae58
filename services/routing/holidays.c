#include "holidays.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "db.h"
#include "log.h"
#include "outbox.h"
#include "queries.h"
#include "text.h"

/* Checks every day; fills day numbers. */
static int s_check(Gov__CalendarDay **days, size_t n, int32_t *nums, apperr_t *err)
{
    if (n == 0)
        return apperr_code(err, "BAD_CALENDAR_DAY", "no days to import");
    if (n > HOLIDAYS_MAX_DAYS)
        return apperr_code(err, "TOO_MANY_DAYS", "%zu days", n);
    for (size_t i = 0; i < n; i++) {
        const Gov__CalendarDay *d = days[i];
        const char *problem = calendar_check_day(d->day, d->kind, d->name, d->source, &nums[i]);
        if (problem)
            return apperr_code(err, "BAD_CALENDAR_DAY", "days[%zu] (%.16s): %s", i, d->day, problem);
        if (text_check(d->name, TEXT_NAME, 1, "name", err) ||
            text_check(d->source, TEXT_TITLE, 1, "source", err))
            return -1;
        for (size_t k = 0; k < i; k++)
            if (nums[k] == nums[i])
                return apperr_code(err, "BAD_CALENDAR_DAY", "days[%zu] (%s): listed already as days[%zu]",
                                   i, d->day, k);
    }
    return 0;
}

/* The years of the days as an int[] literal, in `out` (n * 6 + 3 bytes). */
static void s_years(Gov__CalendarDay **days, size_t n, char *out, size_t len)
{
    size_t used = (size_t) snprintf(out, len, "{");
    for (size_t i = 0; i < n; i++) {
        int year = atoi(days[i]->day), seen = 0;
        for (size_t k = 0; k < i && !seen; k++)
            seen = atoi(days[k]->day) == year;
        if (!seen)
            used += (size_t) snprintf(out + used, len - used, "%s%d", used > 1 ? "," : "", year);
    }
    snprintf(out + used, len - used, "}");
}

int holidays_import(routing_t *r, const Gov__Envelope *env, const ProtobufCMessage *msg,
                    idem_answer_t *out, apperr_t *err)
{
    const Gov__ImportCalendar *m = (const Gov__ImportCalendar *) msg;
    size_t n = m->n_days;
    int32_t *nums = calloc(n + 1, sizeof *nums);
    char **col[4] = {calloc(n + 1, sizeof(char *)), calloc(n + 1, sizeof(char *)),
                     calloc(n + 1, sizeof(char *)), calloc(n + 1, sizeof(char *))};
    char *arrays[4] = {0}, *years = malloc(n * 6 + 3), sqlstate[6];
    int rc = -1;
    long long removed = 0;
    if (!nums || !years || !col[0] || !col[1] || !col[2] || !col[3]) {
        apperr_code(err, "OVERLOADED", "out of memory");
        goto done;
    }
    if (routing_admin(r, env->actor, err) || s_check(m->days, n, nums, err))
        goto done;
    for (size_t i = 0; i < n; i++) {
        col[0][i] = m->days[i]->day;
        col[1][i] = m->days[i]->kind;
        col[2][i] = m->days[i]->name;
        col[3][i] = m->days[i]->source;
    }
    for (int i = 0; i < 4; i++)
        if (!(arrays[i] = db_text_array(col[i], n))) {
            apperr_code(err, "OVERLOADED", "out of memory");
            goto done;
        }
    s_years(m->days, n, years, n * 6 + 3);
    if (m->replace) {
        const char *cp[] = {years, arrays[0]};
        PGresult *res = pstmt_exec(r->sql, Q_CALENDAR_CLEAR, 2, cp, sqlstate);
        if (!res) {
            apperr_db(err, sqlstate);
            goto done;
        }
        removed = PQntuples(res);
        PQclear(res);
    }
    PGresult *res = pstmt_exec(r->sql, Q_CALENDAR_UPSERT, 4, (const char *const *) arrays, sqlstate);
    if (!res) {
        apperr_db(err, sqlstate);
        goto done;
    }
    PQclear(res);
    if (!(res = pstmt_exec(r->sql, Q_CALENDAR_REVISION, 0, NULL, sqlstate))) {
        apperr_db(err, sqlstate);
        goto done;
    }
    out->ids[0] = (int64_t) n;
    out->ids[1] = removed;
    out->ids[2] = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
    PQclear(res);
    Gov__DirectoryEvent ev = GOV__DIRECTORY_EVENT__INIT;
    ev.calendar_revision = out->ids[2];
    ev.days = (int32_t) n;
    if (outbox_add(r->conn, ROUTING_STREAM, "CalendarChanged", env->actor, env->trace_id,
                   &ev.base)) {
        apperr_fail(err, "DB_UNAVAILABLE", "the event could not be stored", "retry later", NULL);
        goto done;
    }
    log_info("calendar: %zu days imported (%s), %lld removed, by %s; revision %lld", n, years,
             removed, env->actor->id, (long long) out->ids[2]);
    rc = 0;
done:
    for (int i = 0; i < 4; i++) {
        free(arrays[i]);
        free(col[i]);
    }
    free(nums);
    free(years);
    return rc;
}

int holidays_get(routing_t *r, const Gov__GetCalendar *q, Gov__GetCalendarReply **out,
                 apperr_t *err)
{
    *out = NULL;
    if (q->year < 0 || q->year > 9999)
        return apperr_code(err, "BAD_ARGUMENT", "year %d", q->year);
    char b[24], sqlstate[6];
    const char *params[] = {routing_i64(b, q->year)};
    PGresult *res = pstmt_exec(r->sql, Q_CALENDAR, 1, params, sqlstate), *rev = NULL;
    if (!res || !(rev = pstmt_exec(r->sql, Q_CALENDAR_REVISION, 0, NULL, sqlstate))) {
        PQclear(res);
        return apperr_db(err, sqlstate);
    }
    size_t n = (size_t) PQntuples(res);
    Gov__GetCalendarReply *reply = malloc(sizeof *reply);
    int ok = 0;
    if (!reply)
        goto done;
    gov__get_calendar_reply__init(reply);
    reply->revision = strtoll(PQgetvalue(rev, 0, 0), NULL, 10);
    reply->days = n ? calloc(n, sizeof *reply->days) : NULL;
    if (n && !reply->days)
        goto done;
    for (; reply->n_days < n; reply->n_days++) {
        Gov__CalendarDay *d = malloc(sizeof *d);
        if (!d)
            goto done;
        gov__calendar_day__init(d);
        reply->days[reply->n_days] = d;
        int row = (int) reply->n_days;
        char **f[] = {&d->day, &d->kind, &d->name, &d->source};
        for (int i = 0; i < 4; i++)
            if (!(*f[i] = strdup(PQgetvalue(res, row, i)))) {
                reply->n_days++;
                goto done;
            }
    }
    ok = 1;
done:
    PQclear(res);
    PQclear(rev);
    if (!ok) {
        if (reply)
            protobuf_c_message_free_unpacked(&reply->base, NULL);
        return apperr_code(err, "OVERLOADED", "out of memory");
    }
    *out = reply;
    return 0;
}
