#include "tasks.h"

#include <stdlib.h>
#include <string.h>

#include "matter.h"
#include "mattermsg.h"
#include "outbox.h"
#include "queries.h"
#include "text.h"
#include "wuding.h"

static const char *s_str(const char *s)
{
    return s ? s : "";
}

/* The calendar as it stands: loaded again when calendar_revision moved. */
static int s_calendar(delib_t *d, apperr_t *err)
{
    if (d->cal && calendar_refresh(d->cal, d->conn, -1) == 0)
        return 0;
    return apperr_fail(err, "DB_UNAVAILABLE", "the calendar could not be loaded",
                       "retry with the same message id", NULL);
}

/* Writes step `step` of ladder `ladder` of task `task`, whose span of `days`
 * working days started at `start_ms`, and arms it; past the last step there
 * is nothing to write. 0 or -1. */
static int s_write_step(delib_t *d, int64_t task, int ladder, int step, int64_t start_ms, int days,
                        apperr_t *err)
{
    if (!wuding_step(step))
        return 0;
    int64_t due = wuding_step_due(d->cal, start_ms, days, step);
    char b[4][24];
    const char *params[] = {delib_i64(b[0], task), delib_i64(b[1], ladder), delib_i64(b[2], step),
                            delib_i64(b[3], due)};
    PGresult *res = delib_exec(d, Q_TASK_STEP_INSERT, 4, params, err);
    if (!res)
        return -1;
    if (PQntuples(res) == 1)
        deadline_arm(d->task_due, delib_cell_i64(res, 0, 0), due);
    PQclear(res);
    return 0;
}

/* The bodies of community `community_id`, in `out` (party committee,
 * supervision, street office, residents' committee; "" when none). */
static int s_bodies(delib_t *d, int64_t community_id, char out[4][64], apperr_t *err)
{
    char ids[24];
    PGresult *res = delib_exec(d, Q_TASK_BODIES, 1, (const char *[]){delib_i64(ids, community_id)}, err);
    if (!res)
        return -1;
    for (int i = 0; i < 4; i++)
        snprintf(out[i], 64, "%s", PQgetvalue(res, 0, i));
    PQclear(res);
    return 0;
}

enum { BODY_PARTY, BODY_SUPERVISION, BODY_STREET, BODY_COMMITTEE };

/* Whom a task's event is for, besides the units it names. */
#define TELL_OWNER 1      /* the person named as owner */
#define TELL_OWNER_UNIT 2 /* the owner unit */

/* Writes TaskEvent `type` for task `task_id` of matter `matter_id`: the task
 * as it is now, telling `tell` and the non-empty `units`; `target` is the
 * unit a reminder or escalation goes to (NULL: none; "" the owner unit). */
static int s_tell(delib_t *d, int64_t matter_id, int64_t task_id, const char *type, int tell,
                  const char *const *units, size_t n_units, const char *target,
                  const Gov__Envelope *cause, apperr_t *err)
{
    mattermsg_t v;
    int rc = mattermsg_load(d, matter_id, &v, err);
    Gov__MatterTask *t = NULL;
    for (size_t i = 0; rc == 1 && i < v.msg.n_tasks; i++)
        if (v.msg.tasks[i]->id == task_id)
            t = v.msg.tasks[i];
    if (rc == 1 && !t)
        rc = apperr_fail(err, "INTERNAL", "the task is gone", NULL, "task %lld", (long long) task_id);
    if (rc != 1) {
        mattermsg_clear(&v);
        return rc == 0 ? apperr_fail(err, "NOT_FOUND", "no such matter", NULL, NULL) : -1;
    }
    Gov__TaskEvent ev = GOV__TASK_EVENT__INIT;
    char *people[1], *to[6];
    ev.item = t;
    ev.matter_id = matter_id;
    ev.title = v.msg.title;
    ev.community = v.msg.community;
    if ((tell & TELL_OWNER) && t->owner[0])
        people[ev.n_audience++] = t->owner;
    if ((tell & TELL_OWNER_UNIT) && t->owner_unit[0])
        to[ev.n_units++] = t->owner_unit;
    for (size_t i = 0; i < n_units && ev.n_units < 6; i++) {
        int seen = !units[i][0];
        for (size_t k = 0; k < ev.n_units && !seen; k++)
            seen = strcmp(to[k], units[i]) == 0;
        if (!seen)
            to[ev.n_units++] = (char *) units[i];
    }
    ev.audience = people;
    ev.units = to;
    ev.target_unit = (char *) (target ? (target[0] ? target : t->owner_unit) : "");
    rc = outbox_add(d->conn, DELIB_STREAM, type, cause ? cause->actor : NULL,
                    cause ? cause->trace_id : NULL, &ev.base)
             ? apperr_fail(err, "DB_UNAVAILABLE", "the event could not be written", NULL, NULL)
             : 0;
    mattermsg_clear(&v);
    return rc;
}

/* The task of matter `m`, locked: its state, owner unit, owner, reopens and
 * days. -1 with UNKNOWN_TASK when the matter has no such 五定 task. */
typedef struct {
    char state[12], owner_unit[64], owner[64];
    int reopens, days;
} task_ref_t;

static int s_lock_task(delib_t *d, int64_t matter_id, int64_t task_id, task_ref_t *t, apperr_t *err)
{
    char b[2][24];
    const char *params[] = {delib_i64(b[0], matter_id), delib_i64(b[1], task_id)};
    PGresult *res = delib_exec(d, Q_TASK_LOCK, 2, params, err);
    if (!res)
        return -1;
    if (PQntuples(res) != 1) {
        PQclear(res);
        return apperr_fail(err, "UNKNOWN_TASK", "the matter has no such 五定 task", NULL,
                           "task %lld of matter %lld", (long long) task_id, (long long) matter_id);
    }
    snprintf(t->state, sizeof t->state, "%s", PQgetvalue(res, 0, 0));
    snprintf(t->owner_unit, sizeof t->owner_unit, "%s", PQgetvalue(res, 0, 1));
    snprintf(t->owner, sizeof t->owner, "%s", PQgetvalue(res, 0, 2));
    t->reopens = (int) delib_cell_i64(res, 0, 3);
    t->days = (int) delib_cell_i64(res, 0, 4);
    PQclear(res);
    return 0;
}

int tasks_assign(delib_t *d, const Gov__Envelope *env, const ProtobufCMessage *msg,
                 delib_result_t *out, apperr_t *err)
{
    const Gov__AssignTask *p = (const Gov__AssignTask *) msg;
    who_t w;
    matter_ref_t m;
    out->matter_id = p->matter_id;
    if (who_load(d, env->actor, &w, err) || matter_lock(d, p->matter_id, &m, err) ||
        who_require_committee(&w, &m, err))
        return -1;
    if (!wuding_decided(m.step))
        return apperr_code(err, "MATTER_NOT_DECIDED", "matter %lld is %s", (long long) m.id, m.step);
    const char *refusal = wuding_assign_refusal(p->type, p->owner_unit, p->owner, p->standard,
                                                p->due_days);
    if (refusal)
        return apperr_code(err, refusal, "type \"%.40s\", owner %.64s of %.64s, due in %d working days",
                           s_str(p->type), s_str(p->owner), s_str(p->owner_unit), p->due_days);
    if (text_check(p->text, TEXT_BODY, 1, "the task", err) ||
        text_check(p->standard, TEXT_BODY, 1, "the standard", err) ||
        text_check(p->owner_unit, TEXT_NAME, 1, "the owner unit", err) ||
        text_check(p->owner, TEXT_NAME, 1, "the owner", err))
        return -1;
    PGresult *res = delib_exec(d, Q_TASK_OWNER, 2, (const char *[]){p->owner_unit, p->owner}, err);
    if (!res)
        return -1;
    int no_unit = PQgetisnull(res, 0, 0), no_person = PQgetisnull(res, 0, 1);
    int member = PQgetvalue(res, 0, 2)[0] == 't';
    int64_t unit_id = delib_cell_i64(res, 0, 0), owner_id = delib_cell_i64(res, 0, 1);
    PQclear(res);
    if (no_unit)
        return apperr_code(err, "UNKNOWN_UNIT", "\"%.64s\"", p->owner_unit);
    if (no_person)
        return apperr_code(err, "UNKNOWN_PERSON", "\"%.64s\"", p->owner);
    if (!member)
        return apperr_code(err, "OWNER_NOT_MEMBER", "%.64s is not a member of %.64s", p->owner,
                           p->owner_unit);
    if (s_calendar(d, err))
        return -1;
    int64_t now = svclock_now_ms(d->clock), due = wuding_due(d->cal, now, p->due_days);
    /* The execution begins with its first task. */
    if (strcmp(m.step, "approved") == 0 && matter_move(d, m.id, "acting", NULL, 0, err))
        return -1;
    char b[6][24];
    const char *params[] = {delib_i64(b[0], m.id), p->type, delib_i64(b[1], unit_id),
                            delib_i64(b[2], owner_id), p->text, p->standard,
                            delib_i64(b[3], p->due_days), delib_i64(b[4], now), delib_i64(b[5], due)};
    if (!(res = delib_exec(d, Q_ASSIGN_TASK, 9, params, err)))
        return -1;
    int64_t id = delib_cell_i64(res, 0, 0);
    PQclear(res);
    out->item_id = id;
    if (s_write_step(d, id, 0, 0, now, p->due_days, err) ||
        matter_record(d, m.id, "task_assigned", w.code,
                      json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:i, s:I}", "task_id", (json_int_t) id,
                                "type", p->type, "owner_unit", p->owner_unit, "owner", p->owner,
                                "text", p->text, "standard", p->standard, "due_days", p->due_days,
                                "due_ms", (json_int_t) due),
                      NULL, NULL, NULL, 0, err))
        return -1;
    return s_tell(d, m.id, id, "TaskAssigned", TELL_OWNER | TELL_OWNER_UNIT, NULL, 0, NULL, env, err);
}

int tasks_report(delib_t *d, const Gov__Envelope *env, const ProtobufCMessage *msg,
                 delib_result_t *out, apperr_t *err)
{
    const Gov__ReportTask *p = (const Gov__ReportTask *) msg;
    who_t w;
    matter_ref_t m;
    task_ref_t t;
    out->matter_id = p->matter_id;
    out->item_id = p->task_id;
    if (who_load(d, env->actor, &w, err) || matter_lock(d, p->matter_id, &m, err) ||
        s_lock_task(d, m.id, p->task_id, &t, err))
        return -1;
    /* who_load checked that the actor is a member of the unit it names */
    const char *unit = env->actor->unit ? env->actor->unit : "";
    if (strcmp(w.code, t.owner) != 0 && strcmp(unit, t.owner_unit) != 0)
        return apperr_code(err, "NOT_TASK_OWNER", "the task is %s's, of %s", t.owner, t.owner_unit);
    const char *refusal = wuding_report_refusal(t.state);
    if (refusal)
        return apperr_code(err, refusal, "task %lld is %s", (long long) p->task_id, t.state);
    if (text_check(p->text, TEXT_BODY, 1, "the report", err))
        return -1;
    char b[2][24];
    const char *params[] = {delib_i64(b[0], p->task_id), delib_i64(b[1], svclock_now_ms(d->clock)),
                            p->text};
    char bodies[4][64];
    if (delib_run(d, Q_TASK_REPORT, 3, params, err) || delib_run(d, Q_TASK_SETTLE, 2, params, err) ||
        s_bodies(d, m.community_id, bodies, err) ||
        matter_record(d, m.id, "task_reported", w.code,
                      json_pack("{s:I, s:s}", "task_id", (json_int_t) p->task_id, "text", p->text),
                      NULL, NULL, NULL, 0, err))
        return -1;
    const char *checkers[] = {bodies[BODY_PARTY], bodies[BODY_SUPERVISION]};
    return s_tell(d, m.id, p->task_id, "TaskReported", 0, checkers, 2, NULL, env, err);
}

int tasks_check(delib_t *d, const Gov__Envelope *env, const ProtobufCMessage *msg,
                delib_result_t *out, apperr_t *err)
{
    const Gov__CheckTask *p = (const Gov__CheckTask *) msg;
    who_t w;
    matter_ref_t m;
    task_ref_t t;
    out->matter_id = p->matter_id;
    out->item_id = p->task_id;
    if (who_load(d, env->actor, &w, err) || matter_lock(d, p->matter_id, &m, err))
        return -1;
    if (!who_party(&w, &m) && !who_supervisor(&w, &m))
        return apperr_code(err, "NOT_CHECKER", "%s acts for %s", w.code,
                           w.unit_kind[0] ? w.unit_kind : "no unit");
    const char *verdict = s_str(p->verdict);
    int passed = strcmp(verdict, "passed") == 0;
    if (!passed && strcmp(verdict, "failed") != 0)
        return apperr_code(err, "BAD_VERDICT", "got \"%.20s\"", verdict);
    if (s_lock_task(d, m.id, p->task_id, &t, err))
        return -1;
    const char *refusal = wuding_check_refusal(t.state);
    if (refusal)
        return apperr_code(err, refusal, "task %lld is %s", (long long) p->task_id, t.state);
    if (text_check(p->note, TEXT_BODY, 1, "the note", err))
        return -1;
    const char *next = wuding_after_check(passed, t.reopens);
    int reopen = strcmp(next, "open") == 0;
    int64_t now = svclock_now_ms(d->clock), due = 0;
    if (reopen) {
        if (s_calendar(d, err))
            return -1;
        due = wuding_due(d->cal, now, t.days);
    }
    char b[4][24];
    const char *params[] = {delib_i64(b[0], p->task_id), next, verdict, delib_i64(b[1], w.person_id),
                            s_str(env->actor->unit), p->note, delib_i64(b[2], now),
                            reopen ? delib_i64(b[3], due) : NULL};
    char bodies[4][64];
    if (delib_run(d, Q_TASK_CHECK, 8, params, err) ||
        (reopen && s_write_step(d, p->task_id, t.reopens + 1, 0, now, t.days, err)) ||
        s_bodies(d, m.community_id, bodies, err) ||
        matter_record(d, m.id, "task_checked", w.code,
                      json_pack("{s:I, s:s, s:s, s:s, s:s}", "task_id", (json_int_t) p->task_id,
                                "verdict", verdict, "note", p->note, "unit", s_str(env->actor->unit),
                                "next", next),
                      NULL, NULL, NULL, 0, err))
        return -1;
    const char *type = passed ? "TaskPassed" : reopen ? "TaskReopened" : "TaskFailed";
    const char *units[] = {bodies[BODY_COMMITTEE], bodies[BODY_PARTY]};
    return s_tell(d, m.id, p->task_id, type, TELL_OWNER | TELL_OWNER_UNIT, units, passed ? 1 : 2,
                  NULL, env, err);
}

int tasks_step(delib_t *d, int64_t deadline_id, int64_t task_id, int ladder, int step,
               int64_t now_ms, apperr_t *err)
{
    const wuding_step_t *s = wuding_step(step);
    char b[3][24];
    const char *key[] = {delib_i64(b[0], task_id)};
    /* The matter first, as the commands lock it, then the task. */
    PGresult *res = delib_exec(d, Q_TASK_MATTER, 1, key, err);
    if (!res)
        return -1;
    int64_t matter_id = PQntuples(res) ? delib_cell_i64(res, 0, 0) : 0;
    PQclear(res);
    matter_ref_t m;
    if (!s || !matter_id || matter_lock(d, matter_id, &m, err) ||
        !(res = delib_exec(d, Q_TASK_FOR_STEP, 1, key, err)))
        return !s || !matter_id ? 0 : -1;
    int live = strcmp(PQgetvalue(res, 0, 1), "open") == 0 && delib_cell_i64(res, 0, 2) == ladder;
    int64_t start = delib_cell_i64(res, 0, 3);
    int days = (int) delib_cell_i64(res, 0, 4);
    PQclear(res);
    if (!live)
        return 0; /* reported, checked or reopened since: nothing to say */
    int escalation = strcmp(s->target, "owner") != 0;
    char bodies[4][64];
    if (s_bodies(d, m.community_id, bodies, err) || s_calendar(d, err))
        return -1;
    const char *target = !escalation ? "" : strcmp(s->target, "party") == 0 ? bodies[BODY_PARTY]
                                                                            : bodies[BODY_STREET];
    const char *acted[] = {delib_i64(b[1], deadline_id), key[0], escalation ? "t" : "f"};
    if (delib_run(d, Q_TASK_STEP_ACTED, 3, acted, err) ||
        matter_record(d, matter_id, escalation ? "task_escalated" : "task_reminder",
                      "system:deliberation",
                      json_pack("{s:I, s:i, s:s, s:s, s:I}", "task_id", (json_int_t) task_id, "step",
                                step, "to", s->target, "unit", target, "at_ms", (json_int_t) now_ms),
                      NULL, NULL, NULL, 0, err) ||
        s_tell(d, matter_id, task_id, s->event, escalation ? 0 : TELL_OWNER | TELL_OWNER_UNIT,
               escalation ? &target : NULL, escalation ? 1 : 0, target, NULL, err))
        return -1;
    return s_write_step(d, task_id, ladder, step + 1, start, days, err);
}

int tasks_require_settled(delib_t *d, int64_t matter_id, apperr_t *err)
{
    char ids[24];
    PGresult *res = delib_exec(d, Q_TASKS_UNSETTLED, 1, (const char *[]){delib_i64(ids, matter_id)}, err);
    if (!res)
        return -1;
    int64_t open = delib_cell_i64(res, 0, 0);
    PQclear(res);
    return open ? apperr_code(err, "TASKS_OPEN", "%lld 五定 tasks are neither done nor failed",
                              (long long) open)
                : 0;
}
