#include "joint.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "lists.h"
#include "log.h"
#include "outbox.h"
#include "queries.h"
#include "recur.h"
#include "text.h"
#include "who.h"

#define DAY_MS 86400000LL
#define BEIJING_MS (8 * 3600000LL)

int64_t joint_starts_ms(int32_t day, int minute)
{
    return (int64_t) day * DAY_MS - BEIJING_MS + (int64_t) minute * 60000;
}

static const char *s_str(const char *s)
{
    return s ? s : "";
}

/* --- the view ---------------------------------------------------------------- */

typedef struct {
    Gov__JointMeeting msg;
    Gov__JointAttendance *att, **att_ptrs;
    Gov__JointDecision *dec, **dec_ptrs;
    char **absent;
    char day[32];
    int64_t community_id;
    PGresult *res, *ares, *dres, *xres;
} jview_t;

static void s_view_clear(jview_t *v)
{
    free(v->att);
    free(v->att_ptrs);
    free(v->dec);
    free(v->dec_ptrs);
    free(v->absent);
    PQclear(v->res);
    PQclear(v->ares);
    PQclear(v->dres);
    PQclear(v->xres);
    memset(v, 0, sizeof *v);
}

/* Loads meeting `id`: 1, 0 when there is none, -1 with `err`. Call
 * s_view_clear in every case. */
static int s_view_load(delib_t *d, int64_t id, jview_t *v, apperr_t *err)
{
    memset(v, 0, sizeof *v);
    char ids[24], cid[24];
    const char *p1[] = {delib_i64(ids, id)};
    if (!(v->res = delib_exec(d, Q_JOINT_MEETING, 1, p1, err)))
        return -1;
    if (PQntuples(v->res) == 0)
        return 0;
    Gov__JointMeeting *m = &v->msg;
    gov__joint_meeting__init(m);
    m->id = id;
    m->schedule_id = delib_cell_i64(v->res, 0, 1);
    m->community = PQgetvalue(v->res, 0, 2);
    m->title = PQgetvalue(v->res, 0, 3);
    int y, mo, md;
    recur_date((int32_t) delib_cell_i64(v->res, 0, 4), &y, &mo, &md);
    snprintf(v->day, sizeof v->day, "%04d-%02d-%02d", y % 10000, mo, md);
    m->day = v->day;
    m->starts_ms = delib_cell_i64(v->res, 0, 5);
    m->state = PQgetvalue(v->res, 0, 6);
    m->closed_by = PQgetvalue(v->res, 0, 7);
    m->closed_ms = delib_cell_i64(v->res, 0, 8);
    v->community_id = delib_cell_i64(v->res, 0, 9);
    const char *p2[] = {ids, delib_i64(cid, v->community_id)};
    if (!(v->ares = delib_exec(d, Q_JOINT_ATTENDANCE, 1, p1, err)) ||
        !(v->dres = delib_exec(d, Q_JOINT_DECISIONS, 1, p1, err)) ||
        !(v->xres = delib_exec(d, Q_JOINT_ABSENT, 2, p2, err)))
        return -1;
    size_t na = (size_t) PQntuples(v->ares), nd = (size_t) PQntuples(v->dres),
           nx = (size_t) PQntuples(v->xres);
    v->att = calloc(na + 1, sizeof *v->att);
    v->att_ptrs = calloc(na + 1, sizeof *v->att_ptrs);
    v->dec = calloc(nd + 1, sizeof *v->dec);
    v->dec_ptrs = calloc(nd + 1, sizeof *v->dec_ptrs);
    v->absent = calloc(nx + 1, sizeof *v->absent);
    if (!v->att || !v->att_ptrs || !v->dec || !v->dec_ptrs || !v->absent)
        return apperr_fail(err, "OVERLOADED", "out of memory", NULL, NULL);
    for (size_t i = 0; i < na; i++) {
        Gov__JointAttendance *a = &v->att[i];
        gov__joint_attendance__init(a);
        a->unit = PQgetvalue(v->ares, (int) i, 0);
        a->unit_name = PQgetvalue(v->ares, (int) i, 1);
        a->person = PQgetvalue(v->ares, (int) i, 2);
        a->at_ms = delib_cell_i64(v->ares, (int) i, 3);
        v->att_ptrs[i] = a;
    }
    for (size_t i = 0; i < nd; i++) {
        Gov__JointDecision *x = &v->dec[i];
        gov__joint_decision__init(x);
        x->id = delib_cell_i64(v->dres, (int) i, 0);
        x->text = PQgetvalue(v->dres, (int) i, 1);
        x->unit = PQgetvalue(v->dres, (int) i, 2);
        x->decided_by = PQgetvalue(v->dres, (int) i, 3);
        x->at_ms = delib_cell_i64(v->dres, (int) i, 4);
        v->dec_ptrs[i] = x;
    }
    for (size_t i = 0; i < nx; i++)
        v->absent[i] = PQgetvalue(v->xres, (int) i, 0);
    m->attendance = v->att_ptrs;
    m->n_attendance = na;
    m->decisions = v->dec_ptrs;
    m->n_decisions = nd;
    m->absent = v->absent;
    m->n_absent = nx;
    return 1;
}

/* Row `k` of a Q_JOINT_SCHEDULES result as a message (strings borrowed). */
static void s_schedule_row(PGresult *r, int k, Gov__JointSchedule *s)
{
    gov__joint_schedule__init(s);
    s->id = delib_cell_i64(r, k, 0);
    s->community = PQgetvalue(r, k, 1);
    s->title = PQgetvalue(r, k, 2);
    s->rule = PQgetvalue(r, k, 3);
    s->start_minute = (int32_t) delib_cell_i64(r, k, 4);
    s->lead_minutes = (int32_t) delib_cell_i64(r, k, 5);
    s->created_by = PQgetvalue(r, k, 6);
    s->created_ms = delib_cell_i64(r, k, 7);
    s->stopped_ms = delib_cell_i64(r, k, 8);
    if (!PQgetisnull(r, k, 10))
        s->next_starts_ms = joint_starts_ms((int32_t) delib_cell_i64(r, k, 10), s->start_minute);
}

/* --- events ---------------------------------------------------------------------- */

/* Writes event `type` for meeting `meeting` (0 none) or schedule `schedule`
 * (0 none) of `community`, telling its member units and party committee. */
static int s_tell(delib_t *d, const char *type, int64_t schedule, int64_t meeting, int64_t community,
                  const Gov__Actor *actor, const char *trace_id, apperr_t *err)
{
    Gov__JointEvent ev = GOV__JOINT_EVENT__INIT;
    Gov__JointSchedule s;
    jview_t v = {0};
    char b[24];
    int rc = -1;
    PGresult *sres = NULL, *told = NULL;
    if (meeting) {
        if (s_view_load(d, meeting, &v, err) != 1)
            goto done;
        ev.item = &v.msg;
    }
    if (schedule) {
        if (!(sres = delib_exec(d, Q_JOINT_SCHEDULE, 1, (const char *[]){delib_i64(b, schedule)}, err)))
            goto done;
        if (PQntuples(sres)) {
            s_schedule_row(sres, 0, &s);
            ev.schedule = &s;
        }
    }
    if (!(told = delib_exec(d, Q_JOINT_TOLD, 1, (const char *[]){delib_i64(b, community)}, err)))
        goto done;
    size_t n = (size_t) PQntuples(told);
    char **units = calloc(n + 1, sizeof *units);
    if (!units) {
        apperr_fail(err, "OVERLOADED", "out of memory", NULL, NULL);
        goto done;
    }
    for (size_t i = 0; i < n; i++)
        units[i] = PQgetvalue(told, (int) i, 0);
    ev.units = units;
    ev.n_units = n;
    rc = outbox_add(d->conn, DELIB_STREAM, type, actor, trace_id, &ev.base)
             ? apperr_fail(err, "DB_UNAVAILABLE", "the event could not be written", NULL, NULL)
             : 0;
    free(units);
done:
    PQclear(sres);
    PQclear(told);
    s_view_clear(&v);
    return rc;
}

/* --- occurrences -------------------------------------------------------------------- */

/* The calendar as calendar_days has it now, or NULL with `err` set. */
static calendar_t *s_calendar(delib_t *d, apperr_t *err)
{
    calendar_t *cal = calendar_new();
    if (cal && calendar_load(cal, d->conn) == 0)
        return cal;
    calendar_destroy(&cal);
    apperr_fail(err, "DB_UNAVAILABLE", "the calendar could not be read", "retry later", NULL);
    return NULL;
}

/* Writes the row of schedule `schedule`'s occurrence after day `after`
 * (a meeting starting after `not_before`), due `lead` minutes before its
 * start, not before `now`; arms it. 0 (also when the rule holds no day in
 * ten years: no row), or -1 with `err`. */
static int s_next(delib_t *d, int64_t schedule, const recur_t *rule, int minute, int lead,
                  int32_t after, int64_t not_before, int64_t now, apperr_t *err)
{
    calendar_t *cal = s_calendar(d, err);
    if (!cal)
        return -1;
    int32_t day = recur_next(rule, cal, after);
    while (day != INT32_MIN && joint_starts_ms(day, minute) <= not_before)
        day = recur_next(rule, cal, day);
    calendar_destroy(&cal);
    if (day == INT32_MIN) {
        log_warn("deliberation: joint schedule %lld holds no day in ten years", (long long) schedule);
        return 0;
    }
    int64_t due = joint_starts_ms(day, minute) - (int64_t) lead * 60000;
    if (due < now)
        due = now;
    char b[3][24];
    const char *params[] = {delib_i64(b[0], schedule), delib_i64(b[1], day), delib_i64(b[2], due)};
    PGresult *res = delib_exec(d, Q_JOINT_INSERT_DEADLINE, 3, params, err);
    if (!res)
        return -1;
    deadline_arm(d->joint, delib_cell_i64(res, 0, 0), due);
    PQclear(res);
    return 0;
}

/* The engine's fire: makes each claimed row's meeting (once) and the row of
 * the schedule's next occurrence. */
static int s_fire(const deadline_batch_t *batch, void *arg)
{
    delib_t *d = arg;
    apperr_t err = {0};
    char now_s[24];
    const char *params[] = {batch->id_array, delib_i64(now_s, batch->now_ms)};
    PGresult *res = delib_exec(d, Q_JOINT_CLAIM, 2, params, &err);
    int n = res ? PQntuples(res) : -EIO;
    for (int i = 0; i < n; i++) {
        int64_t schedule = delib_cell_i64(res, i, 0);
        int32_t day = (int32_t) delib_cell_i64(res, i, 1);
        int minute = (int) delib_cell_i64(res, i, 3), lead = (int) delib_cell_i64(res, i, 4);
        recur_t rule;
        if (PQgetvalue(res, i, 5)[0] == 't')
            continue; /* stopped since */
        if (recur_parse(PQgetvalue(res, i, 2), &rule)) {
            log_error("deliberation: joint schedule %lld has a bad rule \"%s\"", (long long) schedule,
                      PQgetvalue(res, i, 2));
            continue;
        }
        char b[4][24];
        int64_t starts = joint_starts_ms(day, minute);
        const char *mp[] = {delib_i64(b[0], schedule), delib_i64(b[1], day), delib_i64(b[2], starts),
                            delib_i64(b[3], batch->now_ms)};
        PGresult *made = delib_exec(d, Q_JOINT_MAKE, 4, mp, &err);
        if (!made) {
            n = -EIO;
            break;
        }
        int64_t meeting = PQntuples(made) ? delib_cell_i64(made, 0, 0) : 0;
        PQclear(made);
        PGresult *c = delib_exec(d, Q_JOINT_SCHEDULE_COMMUNITY, 1, (const char *[]){b[0]}, &err);
        int64_t community = c && PQntuples(c) ? delib_cell_i64(c, 0, 0) : 0;
        PQclear(c);
        if (!c || (meeting && s_tell(d, "JointMeetingScheduled", schedule, meeting, community, NULL,
                                     "", &err)) ||
            s_next(d, schedule, &rule, minute, lead, day, starts, batch->now_ms, &err)) {
            n = -EIO;
            break;
        }
        if (meeting)
            log_info("deliberation: joint meeting %lld of schedule %lld made%s", (long long) meeting,
                     (long long) schedule, batch->late ? " (late)" : "");
    }
    if (n < 0)
        log_error("deliberation: %zu joint meetings not made: %s (%s)", batch->n,
                  err.message ? err.message : "no message", err.detail);
    PQclear(res);
    return n;
}

static const deadline_table_t s_table = {
    .name = "joint",
    .sql_load = Q_JOINT_LOAD,
    .sql_overdue = Q_JOINT_OVERDUE,
    .sql_last_id = Q_JOINT_LAST,
    .fire = s_fire,
};

int joint_deadlines_new(uv_loop_t *loop, delib_t *d, const deadline_config_t *config, deadline_t **out)
{
    return deadline_new(loop, d->conn, d->clock, d->relay, &s_table, d, config, out);
}

/* --- commands ------------------------------------------------------------------------- */

/* The actor, acting for community `community`'s party committee. */
static int s_party(delib_t *d, const Gov__Envelope *env, int64_t community, who_t *w, apperr_t *err)
{
    matter_ref_t ref = {.community_id = community};
    if (who_load(d, env->actor, w, err))
        return -1;
    return who_require_party(w, &ref, err);
}

int joint_schedule(delib_t *d, const Gov__Envelope *env, const ProtobufCMessage *msg,
                   delib_result_t *out, apperr_t *err)
{
    const Gov__ScheduleJointMeeting *p = (const Gov__ScheduleJointMeeting *) msg;
    who_t w;
    recur_t rule;
    int64_t community = lists_community(d, p->community, err);
    if (community < 0 || s_party(d, env, community, &w, err) ||
        text_check(p->title, TEXT_TITLE, 1, "title", err))
        return -1;
    if (recur_parse(p->rule, &rule))
        return apperr_fail(err, "BAD_RULE", "not a recurrence rule",
                           "monthly N WEEKDAY [next|keep|skip] (N 1..4 or last), or weekly WEEKDAY "
                           "[next|keep|skip]; WEEKDAY mon..sun",
                           "\"%.64s\"", s_str(p->rule));
    if (p->start_minute < 0 || p->start_minute > 1439 || p->lead_minutes < 0 || p->lead_minutes > 43200)
        return apperr_fail(err, "BAD_ARGUMENT", "a start in minutes of the day (0..1439) and a lead of 0..43200 minutes",
                           NULL, "start %d, lead %d", p->start_minute, p->lead_minutes);
    char canon[40], b[5][24];
    int64_t now = svclock_now_ms(d->clock);
    const char *params[] = {delib_i64(b[0], community), p->title, recur_format(&rule, canon, sizeof canon),
                            delib_i64(b[1], p->start_minute), delib_i64(b[2], p->lead_minutes),
                            env->actor->id, delib_i64(b[3], now)};
    PGresult *res = delib_exec(d, Q_JOINT_INSERT_SCHEDULE, 7, params, err);
    if (!res)
        return -1;
    int64_t id = delib_cell_i64(res, 0, 0);
    PQclear(res);
    /* the first occurrence from today on that has not started */
    if (s_next(d, id, &rule, p->start_minute, p->lead_minutes, calendar_day_of(now) - 1, now, now, err) ||
        s_tell(d, "JointScheduleSet", id, 0, community, env->actor, env->trace_id, err))
        return -1;
    out->item_id = id;
    out->community_id = community;
    return 0;
}

int joint_stop(delib_t *d, const Gov__Envelope *env, const ProtobufCMessage *msg,
               delib_result_t *out, apperr_t *err)
{
    const Gov__StopJointSchedule *p = (const Gov__StopJointSchedule *) msg;
    char b[2][24];
    const char *p1[] = {delib_i64(b[0], p->schedule_id)};
    PGresult *res = delib_exec(d, Q_JOINT_SCHEDULE_COMMUNITY, 1, p1, err);
    if (!res)
        return -1;
    int64_t community = PQntuples(res) ? delib_cell_i64(res, 0, 0) : 0;
    PQclear(res);
    who_t w;
    if (!community)
        return apperr_fail(err, "NOT_FOUND", "no such schedule", NULL, "schedule %lld",
                           (long long) p->schedule_id);
    if (s_party(d, env, community, &w, err))
        return -1;
    const char *p2[] = {b[0], delib_i64(b[1], svclock_now_ms(d->clock))};
    if (!(res = delib_exec(d, Q_JOINT_STOP, 2, p2, err)))
        return -1;
    int stopped = PQntuples(res) == 1;
    PQclear(res);
    if (!stopped)
        return apperr_fail(err, "SCHEDULE_STOPPED", "the schedule is stopped already", NULL, NULL);
    if (delib_run(d, Q_JOINT_SETTLE, 2, p2, err) ||
        s_tell(d, "JointScheduleStopped", p->schedule_id, 0, community, env->actor, env->trace_id, err))
        return -1;
    out->item_id = p->schedule_id;
    out->community_id = community;
    return 0;
}

/* Locks meeting `id`, open now: its community, or -1 with NOT_FOUND,
 * MEETING_NOT_STARTED or MEETING_CLOSED. */
static int64_t s_open(delib_t *d, int64_t id, apperr_t *err)
{
    char b[24];
    PGresult *res = delib_exec(d, Q_JOINT_LOCK, 1, (const char *[]){delib_i64(b, id)}, err);
    if (!res)
        return -1;
    int found = PQntuples(res) == 1;
    int64_t community = found ? delib_cell_i64(res, 0, 0) : 0;
    int held = found && strcmp(PQgetvalue(res, 0, 1), "held") == 0;
    int64_t starts = found ? delib_cell_i64(res, 0, 2) : 0;
    PQclear(res);
    if (!found)
        return apperr_fail(err, "NOT_FOUND", "no such joint meeting", NULL, "meeting %lld", (long long) id);
    if (held)
        return apperr_fail(err, "MEETING_CLOSED", "the joint meeting is closed", NULL, NULL);
    if (svclock_now_ms(d->clock) < starts)
        return apperr_fail(err, "MEETING_NOT_STARTED", "the joint meeting has not started",
                           "attend and record from its start", NULL);
    return community;
}

/* Unit `code`'s id when it sits on community `community`'s joint meeting;
 * else -1 with UNKNOWN_UNIT or NOT_MEMBER_UNIT. */
static int64_t s_sits(delib_t *d, const char *code, int64_t community, apperr_t *err)
{
    char b[24];
    PGresult *res = delib_exec(d, Q_JOINT_SITS, 2, (const char *[]){s_str(code), delib_i64(b, community)}, err);
    if (!res)
        return -1;
    int found = PQntuples(res) == 1, sits = found && PQgetvalue(res, 0, 1)[0] == 't';
    int64_t id = found ? delib_cell_i64(res, 0, 0) : 0;
    PQclear(res);
    if (!found)
        return apperr_code(err, "UNKNOWN_UNIT", "\"%.64s\"", s_str(code));
    if (!sits)
        return apperr_fail(err, "NOT_MEMBER_UNIT",
                           "the unit is not a member unit (委员单位) of the community's joint party committee",
                           "see govctl pairing list --community C: kind member", "\"%.64s\"", code);
    return id;
}

int joint_attend(delib_t *d, const Gov__Envelope *env, const ProtobufCMessage *msg,
                 delib_result_t *out, apperr_t *err)
{
    const Gov__AttendJointMeeting *p = (const Gov__AttendJointMeeting *) msg;
    who_t w;
    if (who_load(d, env->actor, &w, err))
        return -1;
    if (!env->actor->unit || !env->actor->unit[0])
        return apperr_fail(err, "NOT_MEMBER_UNIT", "a unit attends a joint meeting",
                           "act for your unit (--unit)", NULL);
    int64_t community = s_open(d, p->meeting_id, err), unit;
    if (community < 0 || (unit = s_sits(d, env->actor->unit, community, err)) < 0)
        return -1;
    char b[4][24];
    const char *params[] = {delib_i64(b[0], p->meeting_id), delib_i64(b[1], unit), delib_i64(b[2], w.person_id),
                            delib_i64(b[3], svclock_now_ms(d->clock))};
    PGresult *res = delib_exec(d, Q_JOINT_ATTEND, 4, params, err);
    if (!res)
        return -1;
    int fresh = PQntuples(res) == 1;
    PQclear(res);
    if (!fresh)
        return apperr_fail(err, "ALREADY_ATTENDED", "the unit's attendance is recorded already", NULL, NULL);
    out->item_id = p->meeting_id;
    return s_tell(d, "JointMeetingAttended", 0, p->meeting_id, community, env->actor, env->trace_id, err);
}

int joint_decide(delib_t *d, const Gov__Envelope *env, const ProtobufCMessage *msg,
                 delib_result_t *out, apperr_t *err)
{
    const Gov__DecideJointMeeting *p = (const Gov__DecideJointMeeting *) msg;
    who_t w;
    int64_t community = s_open(d, p->meeting_id, err), unit = 0;
    if (community < 0 || s_party(d, env, community, &w, err) ||
        text_check(p->text, TEXT_BODY, 1, "text", err))
        return -1;
    if (p->unit && p->unit[0] && (unit = s_sits(d, p->unit, community, err)) < 0)
        return -1;
    char b[3][24];
    const char *params[] = {delib_i64(b[0], p->meeting_id), p->text, delib_i64(b[1], unit), env->actor->id,
                            delib_i64(b[2], svclock_now_ms(d->clock))};
    if (delib_run(d, Q_JOINT_DECIDE, 5, params, err))
        return -1;
    out->item_id = p->meeting_id;
    return s_tell(d, "JointMeetingDecided", 0, p->meeting_id, community, env->actor, env->trace_id, err);
}

int joint_close(delib_t *d, const Gov__Envelope *env, const ProtobufCMessage *msg,
                delib_result_t *out, apperr_t *err)
{
    const Gov__CloseJointMeeting *p = (const Gov__CloseJointMeeting *) msg;
    who_t w;
    int64_t community = s_open(d, p->meeting_id, err);
    if (community < 0 || s_party(d, env, community, &w, err))
        return -1;
    char b[2][24];
    const char *params[] = {delib_i64(b[0], p->meeting_id), env->actor->id,
                            delib_i64(b[1], svclock_now_ms(d->clock))};
    if (delib_run(d, Q_JOINT_CLOSE, 3, params, err))
        return -1;
    out->item_id = p->meeting_id;
    return s_tell(d, "JointMeetingHeld", 0, p->meeting_id, community, env->actor, env->trace_id, err);
}

/* --- reads ---------------------------------------------------------------------------- */

void joint_reply_meeting(delib_t *d, rpcsrv_t *srv, rpc_req_t *req, int64_t id)
{
    jview_t v;
    apperr_t err;
    int found = s_view_load(d, id, &v, &err);
    if (found < 0) {
        rpcsrv_fail_err(srv, req, &err);
    } else if (found == 0) {
        rpcsrv_fail(srv, req, "NOT_FOUND", "no such joint meeting", NULL, NULL, NULL);
    } else {
        Gov__JointMeetingReply reply = GOV__JOINT_MEETING_REPLY__INIT;
        reply.item = &v.msg;
        rpcsrv_reply(srv, req, "JointMeetingReply", &reply.base);
    }
    s_view_clear(&v);
}

void joint_reply_schedule(delib_t *d, rpcsrv_t *srv, rpc_req_t *req, int64_t id)
{
    char b[24];
    apperr_t err;
    PGresult *res = delib_exec(d, Q_JOINT_SCHEDULE, 1, (const char *[]){delib_i64(b, id)}, &err);
    if (!res) {
        rpcsrv_fail_err(srv, req, &err);
    } else if (PQntuples(res) == 0) {
        rpcsrv_fail(srv, req, "NOT_FOUND", "no such schedule", NULL, NULL, NULL);
    } else {
        Gov__JointSchedule s;
        s_schedule_row(res, 0, &s);
        Gov__JointScheduleReply reply = GOV__JOINT_SCHEDULE_REPLY__INIT;
        reply.item = &s;
        rpcsrv_reply(srv, req, "JointScheduleReply", &reply.base);
    }
    PQclear(res);
}

void joint_list(delib_t *d, rpcsrv_t *srv, rpc_req_t *req, const Gov__ListJointMeetings *m)
{
    apperr_t err;
    char b[24];
    int64_t community = lists_community(d, m->community, &err);
    if (community < 0) {
        rpcsrv_fail_err(srv, req, &err);
        return;
    }
    const char *params[] = {delib_i64(b, community)};
    PGresult *sres = delib_exec(d, Q_JOINT_SCHEDULES_OF, 1, params, &err), *mres = NULL;
    if (!sres || !(mres = delib_exec(d, Q_JOINT_MEETINGS_OF, 1, params, &err))) {
        rpcsrv_fail_err(srv, req, &err);
        PQclear(sres);
        return;
    }
    size_t ns = (size_t) PQntuples(sres), nm = (size_t) PQntuples(mres), ok = 0;
    Gov__JointSchedule *s = calloc(ns + 1, sizeof *s), **sp = calloc(ns + 1, sizeof *sp);
    jview_t *v = calloc(nm + 1, sizeof *v);
    Gov__JointMeeting **mp = calloc(nm + 1, sizeof *mp);
    if (!s || !sp || !v || !mp) {
        rpcsrv_fail(srv, req, "OVERLOADED", "out of memory", NULL, NULL, NULL);
        goto done;
    }
    for (size_t i = 0; i < ns; i++) {
        s_schedule_row(sres, (int) i, &s[i]);
        sp[i] = &s[i];
    }
    while (ok < nm && s_view_load(d, delib_cell_i64(mres, (int) ok, 0), &v[ok], &err) == 1) {
        mp[ok] = &v[ok].msg;
        ok++;
    }
    if (ok < nm) {
        rpcsrv_fail(srv, req, "DB_UNAVAILABLE", "the joint meetings could not be read", NULL, NULL, NULL);
        ok++; /* that one is cleared too */
    } else {
        Gov__ListJointMeetingsReply reply = GOV__LIST_JOINT_MEETINGS_REPLY__INIT;
        reply.schedules = sp;
        reply.n_schedules = ns;
        reply.items = mp;
        reply.n_items = nm;
        rpcsrv_reply(srv, req, "ListJointMeetingsReply", &reply.base);
    }
done:
    for (size_t i = 0; v && i < ok && i < nm; i++)
        s_view_clear(&v[i]);
    free(s);
    free(sp);
    free(v);
    free(mp);
    PQclear(sres);
    PQclear(mres);
}
