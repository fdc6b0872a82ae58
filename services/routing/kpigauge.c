#include "kpigauge.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db.h"
#include "log.h"
#include "pgasync.h"
#include "queries.h"

#define NFIGURES 6

/* The city's totals of Q_KPI's counts: $1 '' (every unit), $2 month, $3 ''
 * (every kind). Columns in the order of s_names. */
static const char s_city_sql[] =
    "SELECT coalesce(sum(k.dispatched), 0), coalesce(sum(k.signed), 0),"
    " coalesce(sum(k.resolved), 0), coalesce(sum(k.passed_up), 0),"
    " coalesce(sum(k.evaluated), 0), coalesce(sum(k.satisfied), 0) FROM (" Q_KPI ") k";

static const char *const s_names[NFIGURES] = {
    "kpi_month_dispatched", "kpi_month_signed_in_time", "kpi_month_resolved",
    "kpi_month_passed_up",  "kpi_month_evaluated",      "kpi_month_satisfied"};
static const char *const s_help[NFIGURES] = {
    "dispatches sent this month (Beijing time), every unit",
    "of those, signed by their sign-by (the response rate's numerator)",
    "of those, resolved and not sent back dissatisfied (the resolution rate's numerator)",
    "of those, passed up by a grid team (left out of the resolution rate)",
    "evaluations of this month's dispatches (the satisfaction rate's denominator)",
    "of those, satisfied or basically satisfied (the satisfaction rate's numerator)"};

struct kpigauge {
    uv_timer_t timer;
    uv_loop_t *loop;
    routing_t *r;         /* its clock */
    char *url;            /* the database, owned */
    PGconn *conn;         /* the gauge's own: a long read never holds routing's */
    pgasync_t *pa;        /* the read under way on conn */
    _Atomic uint64_t *m[NFIGURES];
};

void kpigauge_month(int64_t ms, char out[8])
{
    time_t t = (time_t) (ms / 1000) + 8 * 3600;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 8, "%Y-%m", &tm); /* years past 9999 do not fit, and do not come */
}

static void s_got(PGresult *res, void *arg)
{
    kpigauge_t *g = arg;
    if (res && PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1)
        for (int i = 0; i < NFIGURES; i++)
            atomic_store(g->m[i], strtoull(PQgetvalue(res, 0, i), NULL, 10));
    PQclear(res);
}

/* Drops a broken connection, to be made again at the next read. */
static void s_drop(kpigauge_t *g)
{
    pgasync_destroy(&g->pa);
    PQfinish(g->conn);
    g->conn = NULL;
}

static void s_read(uv_timer_t *timer)
{
    kpigauge_t *g = timer->data;
    if (g->pa && pgasync_busy(g->pa))
        return; /* the last read is still under way */
    if (g->conn && PQstatus(g->conn) != CONNECTION_OK)
        s_drop(g);
    if (!g->conn) {
        if (!(g->conn = db_connect(g->url, 0)))
            return; /* logged; tried again at the next read */
        if (pgasync_new(g->loop, g->conn, &g->pa)) {
            s_drop(g);
            return;
        }
    }
    char month[8];
    kpigauge_month(svclock_now_ms(g->r->clock), month);
    const char *params[3] = {"", month, ""};
    if (pgasync_send(g->pa, s_city_sql, 0, 3, params, s_got, g))
        s_drop(g);
}

int kpigauge_new(uv_loop_t *loop, routing_t *r, const char *db_url, health_t *health,
                 int interval_ms, kpigauge_t **out)
{
    kpigauge_t *g = calloc(1, sizeof *g);
    if (!g || !(g->url = strdup(db_url))) {
        free(g);
        return -1;
    }
    g->loop = loop;
    g->r = r;
    for (int i = 0; i < NFIGURES; i++)
        if (!(g->m[i] = health_metric(health, s_names[i], s_help[i], HEALTH_GAUGE))) {
            log_error("the 三率 gauges cannot be published: too many metrics");
            free(g->url);
            free(g);
            return -1;
        }
    uv_timer_init(loop, &g->timer);
    g->timer.data = g;
    uv_timer_start(&g->timer, s_read, 0, (uint64_t) interval_ms);
    *out = g;
    return 0;
}

static void s_on_close(uv_handle_t *handle)
{
    kpigauge_t *g = handle->data;
    s_drop(g); /* a read under way is waited for, its answer dropped */
    free(g->url);
    free(g);
}

void kpigauge_destroy(kpigauge_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    kpigauge_t *g = *self_p;
    *self_p = NULL;
    uv_timer_stop(&g->timer);
    uv_close((uv_handle_t *) &g->timer, s_on_close);
}
