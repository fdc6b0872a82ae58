#include "windows.h"

#include <errno.h>
#include <stdio.h>

#include "log.h"
#include "queries.h"
#include "steps.h"

/* Claims the windows of `batch` still open and moves their matters on,
 * inside the engine's transaction. Returns how many it claimed, or -EIO. */
static int s_fire(const deadline_batch_t *batch, void *arg)
{
    delib_t *d = arg;
    apperr_t err = {0};
    char now_s[24];
    const char *params[] = {batch->id_array, delib_i64(now_s, batch->now_ms)};
    PGresult *res = delib_exec(d, Q_WINDOW_CLAIM, 2, params, &err);
    int n = res ? PQntuples(res) : -EIO;
    for (int i = 0; i < n; i++) {
        char kind[16];
        snprintf(kind, sizeof kind, "%s", PQgetvalue(res, i, 1));
        if (steps_window_closed(d, delib_cell_i64(res, i, 0), kind, &err)) {
            n = -EIO;
            break;
        }
    }
    if (n < 0)
        log_error("deliberation: %zu windows not closed: %s (%s)", batch->n,
                  err.message ? err.message : "no message", err.detail);
    PQclear(res);
    return n;
}

static const deadline_table_t s_windows = {
    .name = "windows",
    .sql_load = Q_WINDOWS_LOAD,
    .sql_overdue = Q_WINDOWS_OVERDUE,
    .sql_last_id = Q_WINDOWS_LAST,
    .fire = s_fire,
};

int windows_new(uv_loop_t *loop, delib_t *d, const deadline_config_t *config, deadline_t **out)
{
    return deadline_new(loop, d->conn, d->clock, d->relay, &s_windows, d, config, out);
}
