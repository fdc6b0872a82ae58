#include "deadline.h"

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "db.h"
#include "log.h"
#include "pgarray.h"
#include "timerq.h"

#define DEADLINE_RETRY_MS 1000
#define DEADLINE_LATE_BATCH 1000

struct deadline {
    uv_timer_t refill;     /* first: the close callback frees through it */
    PGconn *conn;
    svclock_t *clock;
    relay_t *relay;
    const deadline_table_t *table;
    void *arg;
    deadline_config_t config;
    timerq_t *q;
    int64_t armed_until;   /* every pending row due before this has been armed */
    int64_t seen_id;       /* every row with a higher id is new to us */
    deadline_stats_t stats;
};

deadline_span_t deadline_plan(int64_t now, int64_t armed_until, int64_t horizon_ms,
                              int64_t sweep_ms)
{
    int64_t until = now + horizon_ms;
    return (deadline_span_t){.from = armed_until,
                             .until = until > armed_until ? until : armed_until,
                             .swept_before = now - sweep_ms};
}

int deadline_arms_now(int64_t due_ms, int64_t armed_until)
{
    return due_ms < armed_until;
}

static const char *s_i64(char buf[24], int64_t v)
{
    snprintf(buf, 24, "%lld", (long long) v);
    return buf;
}

static int64_t s_cell(const PGresult *res, int row, int col)
{
    return strtoll(PQgetvalue(res, row, col), NULL, 10);
}

static int64_t s_now(void *arg)
{
    return svclock_now_ms(((deadline_t *) arg)->clock);
}

/* Claims and acts on `ids` in one transaction. Returns how many were
 * claimed, or a negative error code (rolled back). */
static int s_fire_tx(deadline_t *self, const int64_t *ids, size_t n, int late)
{
    pgarray_t *array = pgarray_new();
    for (size_t i = 0; array && i < n; i++)
        pgarray_add_int(array, ids[i]);
    deadline_batch_t batch = {.ids = ids, .n = n, .id_array = array ? pgarray_text(array) : NULL,
                              .now_ms = svclock_now_ms(self->clock), .late = late};
    int claimed = -ENOMEM;
    if (!batch.id_array)
        goto done;
    claimed = -EIO;
    if (db_run(self->conn, "BEGIN", 0, NULL))
        goto done;
    if ((claimed = self->table->fire(&batch, self->arg)) < 0) {
        db_run(self->conn, "ROLLBACK", 0, NULL);
        goto done;
    }
    assert((size_t) claimed <= n);
    if (db_run(self->conn, "COMMIT", 0, NULL)) {
        claimed = -EIO;
        goto done;
    }
    self->stats.fired += (uint64_t) claimed;
    self->stats.stale += n - (size_t) claimed;
    if (late)
        self->stats.late += (uint64_t) claimed;
    if (claimed && self->relay)
        relay_kick(self->relay);
done:
    pgarray_destroy(&array);
    return claimed;
}

/* Fires `ids`: all in one transaction, or, when that fails on a working
 * connection, one a transaction. Re-arms what failed a retry later when
 * `retry`, else leaves it. Returns how many were claimed, and sets
 * `*failed` to how many could not be fired. */
static int s_fire(deadline_t *self, const int64_t *ids, size_t n, int late, int retry,
                  size_t *failed)
{
    *failed = 0;
    int claimed = s_fire_tx(self, ids, n, late);
    if (claimed >= 0)
        return claimed;
    int split = n > 1 && PQstatus(self->conn) == CONNECTION_OK;
    int total = 0;
    for (size_t i = 0; i < n; i++) {
        int one = split ? s_fire_tx(self, &ids[i], 1, late) : -EIO;
        if (one >= 0) {
            total += one;
            continue;
        }
        (*failed)++;
        if (retry)
            timerq_arm(self->q, ids[i], svclock_now_ms(self->clock) + DEADLINE_RETRY_MS);
    }
    log_warn("%s: %zu of %zu could not fire%s", self->table->name, *failed, n,
             retry ? "; retrying in a second" : "");
    return total;
}

static void s_on_due(timerq_t *q, const timerq_item_t *due, size_t n, void *arg)
{
    deadline_t *self = arg;
    int64_t *ids = malloc(n * sizeof *ids);
    if (!ids) {
        log_warn("%s: out of memory; %zu retried in a second", self->table->name, n);
        for (size_t i = 0; i < n; i++)
            timerq_arm(q, due[i].id, svclock_now_ms(self->clock) + DEADLINE_RETRY_MS);
        return;
    }
    for (size_t i = 0; i < n; i++)
        ids[i] = due[i].id;
    size_t failed;
    s_fire(self, ids, n, 0, 1, &failed);
    free(ids);
}

/* Fires, late, every pending row due at start. A row that cannot fire stops
 * this (the same rows would come back): the first refill arms it and the
 * rest. Returns 0, or -EIO when the rows could not be read. */
static int s_fire_late(deadline_t *self)
{
    int total = 0;
    for (;;) {
        char now_s[24], limit[24];
        const char *params[] = {s_i64(now_s, svclock_now_ms(self->clock)),
                                s_i64(limit, DEADLINE_LATE_BATCH)};
        PGresult *res = db_exec(self->conn, self->table->sql_overdue, 2, params, NULL);
        if (!res)
            return -EIO;
        size_t n = (size_t) PQntuples(res);
        int64_t *ids = malloc((n ? n : 1) * sizeof *ids);
        for (size_t i = 0; ids && i < n; i++)
            ids[i] = s_cell(res, (int) i, 0);
        PQclear(res);
        if (!ids)
            return -ENOMEM;
        size_t failed = 0;
        int claimed = n ? s_fire(self, ids, n, 1, 0, &failed) : 0;
        total += claimed;
        free(ids);
        /* A batch that claimed nothing would come back the same. Firing
         * may have written rows that are due already (routing's next ladder
         * step): look again until none is left. */
        if (failed || claimed == 0)
            break;
    }
    if (total)
        log_info("%s: fired %d late (due while the service was down)", self->table->name, total);
    return 0;
}

/* Moves the horizon on: arms the rows of the next span, the new ones and the
 * dropped ones. Returns 0 or -EIO. */
static int s_refill(deadline_t *self)
{
    deadline_span_t span = deadline_plan(svclock_now_ms(self->clock), self->armed_until,
                                         self->config.horizon_ms, self->config.sweep_ms);
    /* The highest id before the rows: a row that commits in between is
     * above it, and the next refill sees it. */
    PGresult *last = db_exec(self->conn, self->table->sql_last_id, 0, NULL, NULL);
    if (!last)
        return -EIO;
    int64_t last_id = s_cell(last, 0, 0);
    PQclear(last);
    char b[4][24];
    const char *params[] = {s_i64(b[0], span.from), s_i64(b[1], span.until),
                            s_i64(b[2], self->seen_id), s_i64(b[3], span.swept_before)};
    PGresult *res = db_exec(self->conn, self->table->sql_load, 4, params, NULL);
    if (!res)
        return -EIO;
    for (int i = 0; i < PQntuples(res); i++)
        if (timerq_arm(self->q, s_cell(res, i, 0), s_cell(res, i, 1)) == 0)
            self->stats.armed++;
    PQclear(res);
    self->armed_until = span.until;
    if (last_id > self->seen_id)
        self->seen_id = last_id;
    return 0;
}

static void s_on_refill(uv_timer_t *timer)
{
    deadline_t *self = timer->data;
    if (s_refill(self))
        log_warn("%s: refill failed; trying again in %d ms", self->table->name,
                 self->config.refill_ms);
    /* The wall clock may have jumped while the timer counted on the loop's
     * own clock: re-read it. */
    timerq_reschedule(self->q);
}

int deadline_new(uv_loop_t *loop, PGconn *conn, svclock_t *clock, relay_t *relay,
                 const deadline_table_t *table, void *arg, const deadline_config_t *config,
                 deadline_t **out)
{
    deadline_t *self = calloc(1, sizeof *self);
    if (!self)
        return -ENOMEM;
    self->conn = conn;
    self->clock = clock;
    self->relay = relay;
    self->table = table;
    self->arg = arg;
    self->config = *config;
    int rc = timerq_new(loop, s_now, self, s_on_due, self, &self->q);
    if (rc) {
        free(self);
        return rc;
    }
    uv_timer_init(loop, &self->refill);
    self->refill.data = self;
    if ((rc = s_fire_late(self)) || (rc = s_refill(self)))
        goto fail;
    uv_timer_start(&self->refill, s_on_refill, (uint64_t) config->refill_ms,
                   (uint64_t) config->refill_ms);
    *out = self;
    return 0;
fail:
    log_error("%s: cannot load the deadlines", table->name);
    deadline_destroy(&self);
    return rc;
}

void deadline_arm(deadline_t *self, int64_t id, int64_t due_ms)
{
    if (self && deadline_arms_now(due_ms, self->armed_until) && timerq_arm(self->q, id, due_ms) == 0)
        self->stats.armed++;
}

int deadline_clock_jumped(deadline_t *self)
{
    if (!self)
        return 0;
    int rc = s_refill(self);
    if (rc)
        log_warn("%s: refill after the clock jumped failed", self->table->name);
    timerq_reschedule(self->q);
    return rc;
}

deadline_stats_t deadline_stats(const deadline_t *self)
{
    if (!self)
        return (deadline_stats_t){0};
    deadline_stats_t stats = self->stats;
    stats.waiting = timerq_size(self->q);
    return stats;
}

static void s_on_close(uv_handle_t *handle)
{
    free(handle);  /* the refill timer is the first member: this frees the engine */
}

void deadline_destroy(deadline_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    deadline_t *self = *self_p;
    *self_p = NULL;
    timerq_destroy(&self->q);
    uv_timer_stop(&self->refill);
    uv_close((uv_handle_t *) &self->refill, s_on_close);
}
