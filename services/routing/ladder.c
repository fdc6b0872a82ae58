#include "ladder.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "dispatch.h"
#include "dview.h"
#include "log.h"
#include "outbox.h"
#include "queries.h"
#include "timerq.h"

#define LADDER_RETRY_MS 1000
#define LADDER_OVERDUE_BATCH 1000

struct ladder {
    routing_t *r;
    ladder_config_t config;
    timerq_t *q;
    uv_timer_t refill;
    int64_t armed_until;   /* every pending step due before this has been armed */
    int64_t max_seen_id;   /* every step with a higher id is new to us */
    ladder_stats_t stats;
};

static int64_t s_now(void *arg)
{
    return svclock_now_ms(((ladder_t *) arg)->r->clock);
}

/* Writes the log line and the event for one claimed step (row `i` of Q_CLAIM_STEPS). */
static int s_announce(ladder_t *self, const PGresult *claimed, int i, int64_t now, int late)
{
    routing_t *r = self->r;
    int64_t dispatch_id = strtoll(PQgetvalue(claimed, i, 1), NULL, 10);
    const char *deadline = PQgetvalue(claimed, i, 2), *action = PQgetvalue(claimed, i, 4);
    dview_t view;
    PGresult *row = NULL, *target = NULL;
    char sqlstate[6], unit[24], ids[24], text[160];
    apperr_t err;
    int rc = -1;
    if (dview_load(r, dispatch_id, 0, &view, &row, sqlstate) <= 0)
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
    dview_clear(&view);
    PQclear(row);
    PQclear(target);
    return rc;
}

/* Claims and announces steps `ids` in one transaction. Returns how many
 * fired, or -1 (rolled back; the caller re-arms). */
static int s_fire(ladder_t *self, const int64_t *ids, size_t n, int late)
{
    PGconn *conn = self->r->conn;
    size_t cap = 2 + n * 21;
    char *array = malloc(cap), now_s[24], sqlstate[6];
    if (!array)
        return -1;
    size_t len = 0;
    array[len++] = '{';
    for (size_t i = 0; i < n; i++)
        len += (size_t) snprintf(array + len, cap - len, "%s%lld", i ? "," : "",
                                 (long long) ids[i]);
    snprintf(array + len, cap - len, "}");
    int64_t now = svclock_now_ms(self->r->clock);
    const char *params[] = {routing_i64(now_s, now), array, late ? "true" : "false"};
    int fired = -1;
    PGresult *claimed = NULL;
    if (db_run(conn, "BEGIN", 0, NULL))
        goto done;
    if (!(claimed = pstmt_exec(self->r->sql, Q_CLAIM_STEPS, 3, params, sqlstate)))
        goto rollback;
    for (int i = 0; i < PQntuples(claimed); i++)
        if (s_announce(self, claimed, i, now, late))
            goto rollback;
    if (db_run(conn, "COMMIT", 0, NULL))
        goto done;
    fired = PQntuples(claimed);
    self->stats.fired += (uint64_t) fired;
    self->stats.stale += n - (size_t) fired;
    if (late)
        self->stats.late += (uint64_t) fired;
    if (fired && self->r->relay)
        relay_kick(self->r->relay);
    goto done;
rollback:
    db_run(conn, "ROLLBACK", 0, NULL);
done:
    PQclear(claimed);
    free(array);
    return fired;
}

static void s_on_due(timerq_t *q, const timerq_item_t *due, size_t n, void *arg)
{
    ladder_t *self = arg;
    int64_t *ids = malloc(n * sizeof *ids);
    if (ids) {
        for (size_t i = 0; i < n; i++)
            ids[i] = due[i].id;
        if (s_fire(self, ids, n, 0) >= 0) {
            free(ids);
            return;
        }
        free(ids);
    }
    log_warn("ladder: %zu steps could not fire; retrying in %d ms", n, LADDER_RETRY_MS);
    int64_t retry = svclock_now_ms(self->r->clock) + LADDER_RETRY_MS;
    for (size_t i = 0; i < n; i++)
        timerq_arm(q, due[i].id, retry);
}

/* Fires, late, every step that fell due while nobody was watching. */
static int s_fire_overdue(ladder_t *self)
{
    for (;;) {
        char now_s[24], limit[24], sqlstate[6];
        const char *params[] = {routing_i64(now_s, svclock_now_ms(self->r->clock)),
                                routing_i64(limit, LADDER_OVERDUE_BATCH)};
        PGresult *res = db_exec(self->r->conn, Q_OVERDUE_STEPS, 2, params, sqlstate);
        if (!res)
            return -1;
        int n = PQntuples(res);
        int64_t *ids = malloc((size_t) (n ? n : 1) * sizeof *ids);
        for (int i = 0; ids && i < n; i++)
            ids[i] = strtoll(PQgetvalue(res, i, 0), NULL, 10);
        PQclear(res);
        int fired = ids && n ? s_fire(self, ids, (size_t) n, 1) : 0;
        free(ids);
        if (fired < 0 || !ids)
            return -1;
        if (fired)
            log_info("ladder: fired %d steps late (due while routing was down)", fired);
        if (n < LADDER_OVERDUE_BATCH)
            return 0;
    }
}

static int s_refill(ladder_t *self)
{
    int64_t now = svclock_now_ms(self->r->clock);
    int64_t until = now + self->config.horizon_ms;
    char sqlstate[6], b[4][24];
    PGresult *max = db_exec(self->r->conn, "SELECT coalesce(max(id), 0) FROM deadlines", 0, NULL,
                            sqlstate);
    if (!max)
        return -1;
    int64_t max_id = strtoll(PQgetvalue(max, 0, 0), NULL, 10);
    PQclear(max);
    const char *params[] = {routing_i64(b[0], until), routing_i64(b[1], self->armed_until),
                            routing_i64(b[2], self->max_seen_id),
                            routing_i64(b[3], now - self->config.sweep_ms)};
    PGresult *res = db_exec(self->r->conn, Q_REFILL_STEPS, 4, params, sqlstate);
    if (!res)
        return -1;
    for (int i = 0; i < PQntuples(res); i++)
        timerq_arm(self->q, strtoll(PQgetvalue(res, i, 0), NULL, 10),
                   strtoll(PQgetvalue(res, i, 1), NULL, 10));
    self->stats.armed += (uint64_t) PQntuples(res);
    PQclear(res);
    self->armed_until = until;
    if (max_id > self->max_seen_id)
        self->max_seen_id = max_id;
    return 0;
}

static void s_on_refill(uv_timer_t *timer)
{
    ladder_t *self = timer->data;
    if (s_refill(self))
        log_warn("ladder: refill failed; trying again in %d ms", self->config.refill_ms);
    /* The wall clock may have jumped (a VM paused and resumed, NTP stepped
     * it) while the timer counted on the loop's own clock: a due step then
     * waits at most one refill period. */
    timerq_reschedule(self->q);
}

int ladder_new(uv_loop_t *loop, routing_t *r, const ladder_config_t *config, ladder_t **out)
{
    ladder_t *self = calloc(1, sizeof *self);
    if (!self)
        return -1;
    self->r = r;
    self->config = *config;
    if (timerq_new(loop, s_now, self, s_on_due, self, &self->q)) {
        free(self);
        return -1;
    }
    uv_timer_init(loop, &self->refill);
    self->refill.data = self;
    if (s_fire_overdue(self) || s_refill(self)) {
        log_error("ladder: cannot load the deadlines");
        ladder_destroy(&self);
        return -1;
    }
    uv_timer_start(&self->refill, s_on_refill, (uint64_t) config->refill_ms,
                   (uint64_t) config->refill_ms);
    log_info("ladder: %zu steps armed within %lld s", timerq_size(self->q),
             (long long) (config->horizon_ms / 1000));
    *out = self;
    return 0;
}

void ladder_arm(ladder_t *ladder, int64_t id, int64_t due_ms)
{
    if (ladder && due_ms < ladder->armed_until && timerq_arm(ladder->q, id, due_ms) == 0)
        ladder->stats.armed++;
}

void ladder_clock_jumped(ladder_t *ladder)
{
    if (s_refill(ladder))
        log_warn("ladder: refill after the clock jumped failed");
    timerq_reschedule(ladder->q);
}

ladder_stats_t ladder_stats(const ladder_t *ladder)
{
    return ladder->stats;
}

static void s_on_close(uv_handle_t *handle)
{
    free(handle->data);
}

void ladder_destroy(ladder_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    ladder_t *self = *self_p;
    timerq_destroy(&self->q);
    uv_timer_stop(&self->refill);
    uv_close((uv_handle_t *) &self->refill, s_on_close);
    *self_p = NULL;
}
