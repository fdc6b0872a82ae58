#include "windows.h"

#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "log.h"
#include "queries.h"
#include "steps.h"
#include "timerq.h"

#define WINDOWS_RETRY_MS 1000
#define WINDOWS_OVERDUE_MS 30000

struct windows {
    delib_t *d;
    windows_config_t config;
    timerq_t *q;
    uv_timer_t refill;
    int64_t armed_until; /* every unfired window due before this has been armed */
    uint64_t fired;
};

static int64_t s_now(void *arg)
{
    return svclock_now_ms(((windows_t *) arg)->d->clock);
}

/* Claims window `id` and moves its matter on, in one transaction. Returns 0
 * (fired, or somebody else had), or -1 (rolled back; the caller re-arms). */
static int s_fire_one(windows_t *self, int64_t id)
{
    delib_t *d = self->d;
    apperr_t err = {0};
    char b[2][24];
    if (db_run(d->conn, "BEGIN", 0, NULL))
        return -1;
    const char *params[] = {delib_i64(b[0], id), delib_i64(b[1], svclock_now_ms(d->clock))};
    PGresult *res = delib_exec(d, Q_WINDOW_CLAIM, 2, params, &err);
    int rc = res ? 0 : -1;
    if (res && PQntuples(res) == 1) {
        char kind[16];
        snprintf(kind, sizeof kind, "%s", PQgetvalue(res, 0, 1));
        rc = steps_window_closed(d, delib_cell_i64(res, 0, 0), kind, &err);
        if (rc == 0)
            self->fired++;
    }
    PQclear(res);
    if (rc == 0 && db_run(d->conn, "COMMIT", 0, NULL) == 0) {
        if (d->relay)
            relay_kick(d->relay);
        return 0;
    }
    log_error("deliberation: window %lld not closed: %s (%s)", (long long) id,
              err.message ? err.message : "commit failed", err.detail);
    db_run(d->conn, "ROLLBACK", 0, NULL);
    return -1;
}

static void s_on_due(timerq_t *q, const timerq_item_t *due, size_t n, void *arg)
{
    windows_t *self = arg;
    for (size_t i = 0; i < n; i++)
        if (s_fire_one(self, due[i].id))
            timerq_arm(q, due[i].id, svclock_now_ms(self->d->clock) + WINDOWS_RETRY_MS);
}

/* Arms the unfired windows due within the horizon not armed yet, and any
 * overdue ones that nobody fired. */
static int s_refill(windows_t *self)
{
    int64_t now = svclock_now_ms(self->d->clock), until = now + self->config.horizon_ms;
    char b[3][24];
    apperr_t err;
    const char *params[] = {delib_i64(b[0], until), delib_i64(b[1], self->armed_until),
                            delib_i64(b[2], now - WINDOWS_OVERDUE_MS)};
    PGresult *res = delib_exec(self->d, Q_WINDOWS_DUE, 3, params, &err);
    if (!res) {
        log_error("deliberation: windows not refilled: %s", err.message);
        return -1;
    }
    for (int i = 0; i < PQntuples(res); i++)
        timerq_arm(self->q, delib_cell_i64(res, i, 0), delib_cell_i64(res, i, 1));
    PQclear(res);
    self->armed_until = until;
    return 0;
}

static void s_on_refill(uv_timer_t *timer)
{
    s_refill(timer->data);
}

int windows_new(uv_loop_t *loop, delib_t *d, const windows_config_t *cfg, windows_t **out)
{
    windows_t *self = calloc(1, sizeof *self);
    if (!self)
        return -1;
    self->d = d;
    self->config = *cfg;
    self->armed_until = 0;
    if (timerq_new(loop, s_now, self, s_on_due, self, &self->q)) {
        free(self);
        return -1;
    }
    /* At start everything unfired that is due by the horizon is armed,
     * overdue windows included: they fire on the first loop iteration. */
    self->armed_until = -1;
    if (s_refill(self)) {
        timerq_destroy(&self->q);
        free(self);
        return -1;
    }
    uv_timer_init(loop, &self->refill);
    self->refill.data = self;
    uv_timer_start(&self->refill, s_on_refill, (uint64_t) cfg->refill_ms, (uint64_t) cfg->refill_ms);
    d->windows = self;
    *out = self;
    return 0;
}

void windows_arm(windows_t *w, int64_t id, int64_t due_ms)
{
    if (due_ms <= w->armed_until)
        timerq_arm(w->q, id, due_ms);
}

void windows_clock_jumped(windows_t *w)
{
    s_refill(w);
    timerq_reschedule(w->q);
}

uint64_t windows_fired(const windows_t *w)
{
    return w->fired;
}

static void s_on_close(uv_handle_t *handle)
{
    free(handle->data);
}

void windows_destroy(windows_t **self_p)
{
    windows_t *self = *self_p;
    if (!self)
        return;
    *self_p = NULL;
    self->d->windows = NULL;
    timerq_destroy(&self->q);
    uv_timer_stop(&self->refill);
    self->refill.data = self;
    uv_close((uv_handle_t *) &self->refill, s_on_close);
}
