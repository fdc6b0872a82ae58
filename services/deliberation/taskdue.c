#include "taskdue.h"

#include <errno.h>

#include "log.h"
#include "queries.h"
#include "tasks.h"

/* Claims the steps of `batch` still pending and runs each, inside the
 * engine's transaction. Returns how many it claimed, or -EIO. */
static int s_fire(const deadline_batch_t *batch, void *arg)
{
    delib_t *d = arg;
    apperr_t err = {0};
    char now_s[24];
    const char *params[] = {batch->id_array, delib_i64(now_s, batch->now_ms)};
    PGresult *res = delib_exec(d, Q_TASK_DUE_CLAIM, 2, params, &err);
    int n = res ? PQntuples(res) : -EIO;
    for (int i = 0; i < n; i++)
        if (tasks_step(d, delib_cell_i64(res, i, 0), delib_cell_i64(res, i, 1),
                       (int) delib_cell_i64(res, i, 2), (int) delib_cell_i64(res, i, 3),
                       batch->now_ms, &err)) {
            n = -EIO;
            break;
        }
    if (n < 0)
        log_error("deliberation: %zu task steps not fired: %s (%s)", batch->n,
                  err.message ? err.message : "no message", err.detail);
    PQclear(res);
    return n;
}

static const deadline_table_t s_task_due = {
    .name = "task_due",
    .sql_load = Q_TASK_DUE_LOAD,
    .sql_overdue = Q_TASK_DUE_OVERDUE,
    .sql_last_id = Q_TASK_DUE_LAST,
    .fire = s_fire,
};

int taskdue_new(uv_loop_t *loop, delib_t *d, const deadline_config_t *config, deadline_t **out)
{
    return deadline_new(loop, d->conn, d->clock, d->relay, &s_task_due, d, config, out);
}
