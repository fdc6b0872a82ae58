#include "ladder.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dispatch.h"
#include "dispatchmsg.h"
#include "log.h"
#include "outbox.h"
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

/* Claims the steps of `batch` still pending and announces each, inside the
 * engine's transaction. Returns how many it claimed, or -EIO. */
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
