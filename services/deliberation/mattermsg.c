#include "mattermsg.h"

#include <stdlib.h>
#include <string.h>

#include "outbox.h"
#include "queries.h"

static int s_i32(PGresult *res, int col)
{
    return (int) delib_cell_i64(res, 0, col);
}

/* Borrows the strings of a JSON array of strings into a NULL-terminated,
 * malloc'd list; the array stays owned by v->json. */
static char **s_strings(mattermsg_t *v, const char *text, size_t *n)
{
    json_t *arr = json_loads(text, 0, NULL);
    *n = 0;
    if (!json_is_array(arr)) {
        json_decref(arr);
        return NULL;
    }
    json_array_append_new(v->json, arr);
    char **out = calloc(json_array_size(arr) + 1, sizeof *out);
    for (size_t i = 0; out && i < json_array_size(arr); i++)
        if (json_is_string(json_array_get(arr, i)))
            out[(*n)++] = (char *) json_string_value(json_array_get(arr, i));
    return out;
}

static void s_meeting(mattermsg_t *v)
{
    PGresult *r = v->mres;
    Gov__Meeting *m = &v->meeting;
    gov__meeting__init(m);
    m->id = delib_cell_i64(r, 0, 0);
    m->roster_kind = PQgetvalue(r, 0, 1);
    m->ballot = PQgetvalue(r, 0, 2);
    m->allow_change = PQgetvalue(r, 0, 3)[0] == 't';
    m->motion = PQgetvalue(r, 0, 4);
    m->convened_ms = delib_cell_i64(r, 0, 5);
    m->starts_ms = delib_cell_i64(r, 0, 6);
    m->closed_ms = delib_cell_i64(r, 0, 7);
    Gov__Tally *t = &v->tally;
    gov__tally__init(t);
    t->roster_size = (int) delib_cell_i64(r, 0, 8);
    t->attended = (int) delib_cell_i64(r, 0, 9);
    t->yes = (int) delib_cell_i64(r, 0, 10);
    t->no = (int) delib_cell_i64(r, 0, 11);
    t->abstain = (int) delib_cell_i64(r, 0, 12);
    t->valid = PQgetvalue(r, 0, 13)[0] == 't';
    t->passed = PQgetvalue(r, 0, 14)[0] == 't';
    t->quorum = PQgetvalue(r, 0, 15);
    t->majority = PQgetvalue(r, 0, 16);
    t->receipts_hash = PQgetvalue(r, 0, 17);
    m->elect = s_strings(v, PQgetvalue(r, 0, 18), &m->n_elect);
    m->term_months = (int) delib_cell_i64(r, 0, 19);
    m->tally = t;
    v->msg.meeting = m;
}

static int s_tasks(mattermsg_t *v)
{
    size_t n = (size_t) PQntuples(v->tres);
    v->tasks = calloc(n + 1, sizeof *v->tasks);
    v->task_ptrs = calloc(n + 1, sizeof *v->task_ptrs);
    if (!v->tasks || !v->task_ptrs)
        return -1;
    for (size_t i = 0; i < n; i++) {
        Gov__MatterTask *t = &v->tasks[i];
        gov__matter_task__init(t);
        t->id = delib_cell_i64(v->tres, (int) i, 0);
        t->kind = PQgetvalue(v->tres, (int) i, 1);
        t->text = PQgetvalue(v->tres, (int) i, 2);
        t->units = s_strings(v, PQgetvalue(v->tres, (int) i, 3), &t->n_units);
        t->whistle_id = delib_cell_i64(v->tres, (int) i, 4);
        t->state = PQgetvalue(v->tres, (int) i, 5);
        int r = (int) i;
        t->type = PQgetvalue(v->tres, r, 6);
        t->owner_unit = PQgetvalue(v->tres, r, 7);
        t->owner = PQgetvalue(v->tres, r, 8);
        t->standard = PQgetvalue(v->tres, r, 9);
        t->due_days = (int32_t) delib_cell_i64(v->tres, r, 10);
        t->assigned_ms = delib_cell_i64(v->tres, r, 11);
        t->due_ms = delib_cell_i64(v->tres, r, 12);
        t->reported_ms = delib_cell_i64(v->tres, r, 13);
        t->report = PQgetvalue(v->tres, r, 14);
        t->check_verdict = PQgetvalue(v->tres, r, 15);
        t->checked_by = PQgetvalue(v->tres, r, 16);
        t->check_unit = PQgetvalue(v->tres, r, 17);
        t->check_note = PQgetvalue(v->tres, r, 18);
        t->reopens = (int32_t) delib_cell_i64(v->tres, r, 19);
        t->escalations = (int32_t) delib_cell_i64(v->tres, r, 20);
        t->reminders = (int32_t) delib_cell_i64(v->tres, r, 21);
        v->task_ptrs[i] = t;
    }
    v->msg.tasks = v->task_ptrs;
    v->msg.n_tasks = n;
    return 0;
}

static int s_flags(mattermsg_t *v)
{
    PGresult *r = v->fres;
    size_t n = (size_t) PQntuples(r);
    v->flags = calloc(n + 1, sizeof *v->flags);
    v->flag_ptrs = calloc(n + 1, sizeof *v->flag_ptrs);
    if (!v->flags || !v->flag_ptrs)
        return -1;
    for (size_t i = 0; i < n; i++) {
        Gov__MatterFlag *f = &v->flags[i];
        int row = (int) i;
        gov__matter_flag__init(f);
        f->id = delib_cell_i64(r, row, 0);
        f->record_n = (int) delib_cell_i64(r, row, 1);
        f->record_kind = PQgetvalue(r, row, 2);
        f->owner = PQgetvalue(r, row, 3);
        f->text = PQgetvalue(r, row, 4);
        f->flagged_by = PQgetvalue(r, row, 5);
        f->at_ms = delib_cell_i64(r, row, 6);
        f->answer = PQgetvalue(r, row, 7);
        f->answered_by = PQgetvalue(r, row, 8);
        f->answered_ms = delib_cell_i64(r, row, 9);
        v->flag_ptrs[i] = f;
    }
    v->msg.flags = v->flag_ptrs;
    v->msg.n_flags = n;
    return 0;
}

int mattermsg_load(delib_t *d, int64_t id, mattermsg_t *v, apperr_t *err)
{
    memset(v, 0, sizeof *v);
    char ids[24];
    const char *params[] = {delib_i64(ids, id)};
    if (!(v->res = delib_exec(d, Q_VIEW, 1, params, err)))
        return -1;
    if (PQntuples(v->res) == 0)
        return 0;
    if (!(v->mres = delib_exec(d, Q_VIEW_MEETING, 1, params, err)) ||
        !(v->tres = delib_exec(d, Q_VIEW_TASKS, 1, params, err)) ||
        !(v->fres = delib_exec(d, Q_VIEW_FLAGS, 1, params, err)))
        return -1;
    if (!(v->json = json_array()))
        return apperr_fail(err, "INTERNAL", "out of memory", NULL, NULL);
    PGresult *r = v->res;
    Gov__Matter *m = &v->msg;
    gov__matter__init(m);
    m->id = id;
    m->scope = PQgetvalue(r, 0, 1);
    m->area = PQgetvalue(r, 0, 2);
    m->community = PQgetvalue(r, 0, 3);
    m->title = PQgetvalue(r, 0, 4);
    m->body = PQgetvalue(r, 0, 5);
    v->attachments = s_strings(v, PQgetvalue(r, 0, 6), &m->n_attachments);
    m->attachments = v->attachments;
    m->proposer = PQgetvalue(r, 0, 7);
    m->step = PQgetvalue(r, 0, 8);
    m->cosigners = s_i32(r, 9);
    m->convene_required = PQgetvalue(r, 0, 10)[0] == 't';
    m->decline_reason = PQgetvalue(r, 0, 11);
    m->window_until_ms = delib_cell_i64(r, 0, 12);
    m->opinions_for = s_i32(r, 13);
    m->opinions_against = s_i32(r, 14);
    m->opinions_neutral = s_i32(r, 15);
    m->decision_head = PQgetvalue(r, 0, 16);
    m->objections = s_i32(r, 17);
    m->rated_satisfied = s_i32(r, 18);
    m->rated_basic = s_i32(r, 19);
    m->rated_dissatisfied = s_i32(r, 20);
    m->observations = s_i32(r, 21);
    m->records = s_i32(r, 22);
    m->head_hash = PQgetvalue(r, 0, 23);
    m->created_ms = delib_cell_i64(r, 0, 24);
    m->objections_open = s_i32(r, 25);
    m->reopened = PQgetvalue(r, 0, 26)[0] == 't';
    m->round = s_i32(r, 27);
    m->execution_rating = PQgetvalue(r, 0, 28);
    m->decision = PQgetvalue(r, 0, 29);
    if (PQntuples(v->mres))
        s_meeting(v);
    if (s_tasks(v) || s_flags(v))
        return apperr_fail(err, "INTERNAL", "out of memory", NULL, NULL);
    return 1;
}

void mattermsg_clear(mattermsg_t *v)
{
    for (size_t i = 0; v->tasks && i < v->msg.n_tasks; i++)
        free(v->tasks[i].units);
    free(v->tasks);
    free(v->task_ptrs);
    free(v->attachments);
    free(v->meeting.elect);
    free(v->flags);
    free(v->flag_ptrs);
    json_decref(v->json);
    PQclear(v->fres);
    PQclear(v->res);
    PQclear(v->mres);
    PQclear(v->tres);
    memset(v, 0, sizeof *v);
}

int mattermsg_announce(delib_t *d, int64_t id, const char *type, const Gov__Envelope *cause,
                   const Gov__MatterRecord *rec, char **audience, size_t n_audience,
                   apperr_t *err)
{
    mattermsg_t v;
    int rc = mattermsg_load(d, id, &v, err);
    if (rc == 1) {
        Gov__MatterEvent ev = GOV__MATTER_EVENT__INIT;
        ev.item = &v.msg;
        ev.record = (Gov__MatterRecord *) rec;
        ev.audience = audience;
        ev.n_audience = n_audience;
        rc = outbox_add(d->conn, DELIB_STREAM, type, cause ? cause->actor : NULL,
                        cause ? cause->trace_id : NULL, &ev.base)
                 ? apperr_fail(err, "DB_UNAVAILABLE", "the event could not be written", NULL, NULL)
                 : 0;
    } else if (rc == 0) {
        rc = apperr_fail(err, "NOT_FOUND", "no such matter", NULL, NULL);
    }
    mattermsg_clear(&v);
    return rc;
}
