#include "ladder.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dispatch.h"
#include "dispatchmsg.h"
#include "log.h"
#include "outbox.h"
#include "pgarray.h"
#include "queries.h"

/* Writes the log line and the event for one claimed step (row `i` of Q_CLAIM_STEPS). */
static int s_announce(routing_t *r, const PGresult *claimed, int i, int64_t now, int late)
{
    int64_t dispatch_id = strtoll(PQgetvalue(claimed, i, 1), NULL, 10);
    const char *deadline = PQgetvalue(claimed, i, 2), *action = PQgetvalue(claimed, i, 4);
    dispatchmsg_t view;
    PGresult *row = NULL, *target = NULL;
    char sqlstate[6], unit[24], ids[24], text[160];
    apperr_t err;
    int rc = -1;
    if (dispatchmsg_load(r, dispatch_id, 0, &view, &row, sqlstate) <= 0)
        goto done;
    const char *tp[] = {routing_i64(unit, view.unit_id), action, routing_i64(ids, dispatch_id)};
    if (!(target = pstmt_exec(r->sql, Q_STEP_TARGET, 3, tp, sqlstate)))
        goto done;
    if (PQntuples(target) != 1) {
        /* Nobody to reach: said once, and the step is spent (trying again
         * would stop every step due with it). */
        log_error("routing: dispatch %lld's %s step %s reaches no unit: no dispatch centre",
                  (long long) dispatch_id, deadline, action);
        rc = 0;
        goto done;
    }
    Gov__DeadlineStep ev = GOV__DEADLINE_STEP__INIT;
    dispatchmsg_for_event(&view, 1); /* DeadlineReminder, DeadlineEscalated (readscope.h) */
    ev.item = &view.msg;
    ev.deadline = (char *) deadline;
    ev.step = atoi(PQgetvalue(claimed, i, 3));
    ev.action = (char *) action;
    ev.target_unit = PQgetvalue(target, 0, 0);
    ev.due_ms = strtoll(PQgetvalue(claimed, i, 5), NULL, 10);
    ev.fired_ms = now;
    ev.late = late;
    int remind = strcmp(action, "remind") == 0;
    snprintf(text, sizeof text, "%s deadline, step %d: %s %s%s", deadline, ev.step, action,
             ev.target_unit, late ? " (late)" : "");
    if (dispatch_log(r, dispatch_id, now, remind ? "reminded" : "escalated", "system:routing",
                     text, NULL, 0, &err) ||
        outbox_add(r->conn, ROUTING_STREAM, remind ? "DeadlineReminder" : "DeadlineEscalated",
                   NULL, NULL, &ev.base))
        goto done;
    rc = 0;
done:
    dispatchmsg_clear(&view);
    PQclear(row);
    PQclear(target);
    return rc;
}

/* Writes the next step of each fired step's ladder (columns 6-12 of
 * Q_CLAIM_STEPS), due on the calendar as it stands, and arms them. Returns 0
 * or -1. */
static int s_write_next(routing_t *r, const PGresult *claimed)
{
    int n = PQntuples(claimed), rc = -1, any = 0;
    for (int i = 0; i < n && !any; i++)
        any = !PQgetisnull(claimed, i, 6) && strtoll(PQgetvalue(claimed, i, 10), NULL, 10) > 0;
    if (!any)
        return 0;
    if (routing_calendar_refresh(r))
        return -1;
    pgarray_t *col[5] = {0};
    PGresult *res = NULL;
    char sqlstate[6];
    const char *values[5];
    for (int k = 0; k < 5; k++)
        if (!(col[k] = pgarray_new()))
            goto done;
    for (int i = 0; i < n; i++) {
        int64_t minutes = strtoll(PQgetvalue(claimed, i, 10), NULL, 10);
        if (PQgetisnull(claimed, i, 6) || minutes <= 0)
            continue; /* the last step, or the policy has no such deadline now */
        int64_t due = dispatch_step_due(r->cal, strtoll(PQgetvalue(claimed, i, 12), NULL, 10),
                                        minutes, PQgetvalue(claimed, i, 11)[0] == 't',
                                        strtoll(PQgetvalue(claimed, i, 7), NULL, 10),
                                        strtoll(PQgetvalue(claimed, i, 8), NULL, 10));
        pgarray_add_int(col[0], strtoll(PQgetvalue(claimed, i, 1), NULL, 10));
        pgarray_add_text(col[1], PQgetvalue(claimed, i, 2));
        pgarray_add_int(col[2], strtoll(PQgetvalue(claimed, i, 6), NULL, 10));
        pgarray_add_text(col[3], PQgetvalue(claimed, i, 9));
        pgarray_add_int(col[4], due);
    }
    for (int k = 0; k < 5; k++)
        if (!(values[k] = pgarray_text(col[k])))
            goto done;
    if (!(res = pstmt_exec(r->sql, Q_INSERT_NEXT_STEPS, 5, values, sqlstate)))
        goto done;
    for (int i = 0; i < PQntuples(res); i++)
        deadline_arm(r->ladder, strtoll(PQgetvalue(res, i, 0), NULL, 10),
                     strtoll(PQgetvalue(res, i, 1), NULL, 10));
    rc = 0;
done:
    if (rc)
        log_error("routing: the ladder's next steps could not be written");
    PQclear(res);
    for (int k = 0; k < 5; k++)
        pgarray_destroy(&col[k]);
    return rc;
}

/* Claims the steps of `batch` still pending, announces each and writes the
 * step after it, inside the engine's transaction. Returns how many it
 * claimed, or -EIO. */
static int s_fire(const deadline_batch_t *batch, void *arg)
{
    routing_t *r = arg;
    char now_s[24], sqlstate[6];
    const char *params[] = {routing_i64(now_s, batch->now_ms), batch->id_array,
                            batch->late ? "true" : "false"};
    PGresult *claimed = pstmt_exec(r->sql, Q_CLAIM_STEPS, 3, params, sqlstate);
    if (!claimed)
        return -EIO;
    int n = PQntuples(claimed);
    for (int i = 0; i < n; i++)
        if (s_announce(r, claimed, i, batch->now_ms, batch->late)) {
            n = -EIO;
            break;
        }
    if (n > 0 && s_write_next(r, claimed))
        n = -EIO;
    PQclear(claimed);
    return n;
}

static const deadline_table_t s_steps = {
    .name = "ladder",
    .sql_load = Q_LOAD_STEPS,
    .sql_overdue = Q_OVERDUE_STEPS,
    .sql_last_id = Q_LAST_STEP,
    .fire = s_fire,
};

int ladder_new(uv_loop_t *loop, routing_t *r, const deadline_config_t *config, deadline_t **out)
{
    int rc = deadline_new(loop, r->conn, r->clock, r->relay, &s_steps, r, config, out);
    if (rc == 0)
        log_info("ladder: %llu steps armed within %lld s",
                 (unsigned long long) deadline_stats(*out).armed,
                 (long long) (config->horizon_ms / 1000));
    return rc;
}
