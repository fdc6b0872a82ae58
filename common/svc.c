#include "svc.h"

#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <zmq.h>

#include "config.h"
#include "curve.h"
#include "db.h"
#include "log.h"
#include "rpcsrv.h"

svc_config_t svc_config(const char *http_var, int http_default, int *bad)
{
    svc_config_t c;
    c.db_url = config_str("GOV_DB_URL", CONFIG_DB_URL_DEFAULT);
    c.keys_dir = config_str("GOV_KEYS_DIR", NULL);
    c.http_port = (int) config_int(http_var, http_default, 1, 65535, bad);
    c.http_any = (int) config_int("GOV_HTTP_BIND_ANY", 0, 0, 1, bad);
    c.max_msg = config_int("GOV_MAX_MSG_SIZE", RPC_MAX_MSG_SIZE_DEFAULT, 1024, 64 << 20, bad);
    c.relay_ms = (int) config_int("GOV_RELAY_INTERVAL_MS", 200, 10, 60000, bad);
    c.silence_ms = (int) config_int("GOV_SUB_SILENCE_MS", 2000, 100, 600000, bad);
    c.ready_lag = config_int("GOV_SUB_READY_LAG", 100, 0, INT64_MAX / 2, bad);
    c.test_clock = (int) config_int("GOV_TEST_CLOCK", 0, 0, 1, bad);
    c.clock_ahead = config_int("GOV_TEST_CLOCK_AHEAD_MS", 0, 0, INT64_MAX / 2, bad);
    return c;
}

static void s_on_signal(uv_signal_t *signal, int signum)
{
    log_info("signal %d: stopping", signum);
    uv_stop(signal->loop);
}

static void s_on_tick(uv_timer_t *timer)
{
    svc_t *s = timer->data;
    if (s->rpc) {
        rpcsrv_stats_t stats = rpcsrv_stats(s->rpc);
        atomic_store(s->m_requests, stats.requests);
        atomic_store(s->m_errors, stats.errors);
        atomic_store(s->m_actor_refused, stats.actor_refused);
        atomic_store(s->m_busy, stats.busy);
        atomic_store(s->m_dropped, stats.dropped);
        atomic_store(s->m_peers, stats.peers);
    }
    zap_stats_t zap = zap_stats(s->zap);
    atomic_store(s->m_admitted, zap.admitted);
    atomic_store(s->m_refused, zap.refused);
    atomic_store(s->m_failed, zap_failed_handshakes());
    if (s->relay)
        atomic_store(s->m_published, relay_published(s->relay));
    if (s->deadlines) {
        deadline_stats_t stats = deadline_stats(s->deadlines);
        atomic_store(s->m_fired, stats.fired);
        atomic_store(s->m_late, stats.late);
        atomic_store(s->m_armed, stats.waiting);
    }
    db_stats_t db = db_stats();
    atomic_store(s->m_db_unavailable, db.unavailable);
    atomic_store(s->m_db_outages, db.outages);
    atomic_store(s->m_db_down, (uint64_t) db.down);
    if (s->on_tick)
        s->on_tick(s->tick_arg);
}

int svc_new(svc_t *s, const char *name, const svc_config_t *cfg)
{
    memset(s, 0, sizeof *s);
    s->config = cfg;
    s->loop = uv_default_loop();
    s->zctx = zmq_ctx_new();
    if (!s->zctx || health_new(cfg->http_port, cfg->http_any, name, &s->health))
        return -1;
    if (curve_init(cfg->keys_dir, name, 1) || zap_new(s->loop, s->zctx, &s->zap))
        return -1;
    if (!curve_on())
        log_warn("GOV_KEYS_DIR is not set: sockets are plain, open to any peer that reaches them");
    s->m_admitted = health_metric(s->health, "zap_admitted_total",
                                  "CURVE handshakes admitted (a key in the folder)", HEALTH_COUNTER);
    s->m_refused = health_metric(s->health, "zap_refused_total",
                                 "CURVE handshakes refused (a key not in the folder)", HEALTH_COUNTER);
    s->m_failed = health_metric(s->health, "handshakes_failed_total",
                                "handshakes failed on server sockets (no key, unknown key, wrong "
                                "mechanism)",
                                HEALTH_COUNTER);
    s->m_db_unavailable = health_metric(s->health, "db_unavailable_total",
                                        "queries failed because the database was unreachable",
                                        HEALTH_COUNTER);
    s->m_db_outages = health_metric(s->health, "db_outages_total",
                                    "times the database became unreachable", HEALTH_COUNTER);
    s->m_db_down = health_metric(s->health, "db_down", "1 while the database is unreachable",
                                 HEALTH_GAUGE);
    if (!(s->clock = svclock_new(cfg->test_clock)))
        return -1;
    if (cfg->clock_ahead && svclock_advance(s->clock, cfg->clock_ahead)) {
        log_error("GOV_TEST_CLOCK_AHEAD_MS needs GOV_TEST_CLOCK=1");
        return -1;
    }
    if (!(s->conn = db_connect(cfg->db_url, 10000)) || db_require_schema(s->conn, SCHEMA_VERSION) ||
        !(s->sql = pstmt_new(s->conn)))
        return -1;
    uv_timer_init(s->loop, &s->tick);
    s->tick.data = s;
    uv_signal_init(s->loop, &s->sigint);
    uv_signal_init(s->loop, &s->sigterm);
    s->handles = 1;
    return 0;
}

void svc_watch(svc_t *s, rpcsrv_t *rpc, relay_t *relay)
{
    if ((s->rpc = rpc)) {
        s->m_requests = health_metric(s->health, "requests_total", "requests received", HEALTH_COUNTER);
        s->m_errors = health_metric(s->health, "errors_total", "error replies", HEALTH_COUNTER);
        s->m_actor_refused = health_metric(s->health, "actor_not_allowed_total",
                                           "requests naming an actor from a key that may not",
                                           HEALTH_COUNTER);
        s->m_busy = health_metric(s->health, "requests_over_inflight_total",
                                  "requests refused OVERLOADED: their client had too many in flight",
                                  HEALTH_COUNTER);
        s->m_dropped = health_metric(s->health, "requests_dropped_total",
                                     "requests not served: their client was gone or not reading",
                                     HEALTH_COUNTER);
        s->m_peers = health_metric(s->health, "clients", "clients the request socket knows now",
                                   HEALTH_GAUGE);
        hist_t *latency = health_histogram(s->health, "request_duration_seconds",
                                           "from a request's arrival to its answer's sending");
        if (latency)
            rpcsrv_observe(rpc, latency);
    }
    if ((s->relay = relay))
        s->m_published = health_metric(s->health, "events_published_total", "events published",
                                       HEALTH_COUNTER);
}

int svc_watch_sub(svc_t *s, sub_t *sub)
{
    return sub_watch(sub, s->health, s->config->ready_lag);
}

void svc_watch_deadlines(svc_t *s, deadline_t *d, const char *what)
{
    char(*names)[64] = s->deadline_metrics;
    s->deadlines = d;
    snprintf(names[0], sizeof names[0], "%s_fired_total", what);
    s->m_fired = health_metric(s->health, names[0], "deadlines fired", HEALTH_COUNTER);
    snprintf(names[1], sizeof names[1], "%s_late_total", what);
    s->m_late = health_metric(s->health, names[1], "deadlines fired late (after downtime)",
                              HEALTH_COUNTER);
    snprintf(names[2], sizeof names[2], "%s_armed", what);
    s->m_armed = health_metric(s->health, names[2],
                               "deadlines armed on timers now (due within the horizon)",
                               HEALTH_GAUGE);
}

void svc_on_tick(svc_t *s, void (*fn)(void *arg), void *arg)
{
    s->on_tick = fn;
    s->tick_arg = arg;
}

int svc_run(svc_t *s)
{
    uv_timer_start(&s->tick, s_on_tick, 0, 1000);
    uv_signal_start(&s->sigint, s_on_signal, SIGINT);
    uv_signal_start(&s->sigterm, s_on_signal, SIGTERM);
    health_set_ready(s->health, 1);
    uv_run(s->loop, UV_RUN_DEFAULT);
    return 0;
}

void svc_destroy(svc_t *s)
{
    if (s->handles) {
        uv_close((uv_handle_t *) &s->tick, NULL);
        uv_close((uv_handle_t *) &s->sigint, NULL);
        uv_close((uv_handle_t *) &s->sigterm, NULL);
        s->handles = 0;
    }
    zap_destroy(&s->zap);
    if (s->loop)
        uv_run(s->loop, UV_RUN_NOWAIT); /* let close callbacks run */
    pstmt_destroy(&s->sql);
    PQfinish(s->conn);
    s->conn = NULL;
    svclock_destroy(&s->clock);
    health_destroy(&s->health);
    if (s->zctx)
        zmq_ctx_term(s->zctx);
    s->zctx = NULL;
    if (s->loop)
        uv_loop_close(s->loop);
    s->loop = NULL;
}
