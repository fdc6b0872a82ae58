#include "takeby.h"

#include <errno.h>

#include "log.h"
#include "orders.h"
#include "queries.h"

/* Claims the deadlines of `batch` still pending and lapses their orders,
 * inside the engine's transaction. Returns how many it claimed, or -EIO. */
static int s_fire(const deadline_batch_t *batch, void *arg)
{
    delib_t *d = arg;
    apperr_t err = {0};
    char now_s[24];
    const char *params[] = {batch->id_array, delib_i64(now_s, batch->now_ms)};
    PGresult *res = delib_exec(d, Q_TAKE_BY_CLAIM, 2, params, &err);
    int n = res ? PQntuples(res) : -EIO;
    for (int i = 0; i < n; i++)
        if (orders_lapse(d, delib_cell_i64(res, i, 0), delib_cell_i64(res, i, 1), batch->now_ms, &err)) {
            n = -EIO;
            break;
        }
    if (n < 0)
        log_error("deliberation: %zu take-by deadlines not fired: %s (%s)", batch->n,
                  err.message ? err.message : "no message", err.detail);
    PQclear(res);
    return n;
}

static const deadline_table_t s_take_by = {
    .name = "take_by",
    .sql_load = Q_TAKE_BY_LOAD,
    .sql_overdue = Q_TAKE_BY_OVERDUE,
    .sql_last_id = Q_TAKE_BY_LAST,
    .fire = s_fire,
};

int takeby_new(uv_loop_t *loop, delib_t *d, const deadline_config_t *config, deadline_t **out)
{
    return deadline_new(loop, d->conn, d->clock, d->relay, &s_take_by, d, config, out);
}
