/* gov-deliberation: 由民做主 — residents propose, the grid discusses, the
 * meeting decides, the committee acts, residents evaluate, and the supervision
 * committee watches every step.
 *
 * Requests come on a ROUTER (GOV_DELIBERATION_ENDPOINT); each batch of
 * commands runs in one transaction, a savepoint each (api.c). A matter moves
 * through its steps (steps.c) and meetings (meeting.c) under each community's
 * rules (rule.c); every step is an entry in the matter's hash chain
 * (chain.c) and an event in the outbox, which the relay publishes on
 * GOV_DELIBERATION_EVENTS. Opinion windows, 公示 periods and evaluations close
 * on durable timers (windows.c). Decisions that summon departments become
 * whistles in routing, which follows this stream; this service follows
 * routing's stream back to see the work done. /healthz and /metrics are on
 * GOV_DELIBERATION_HTTP_PORT. */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>
#include <zmq.h>

#include "api.h"
#include "config.h"
#include "db.h"
#include "health.h"
#include "log.h"
#include "routing.pb-c.h"
#include "rpcsrv.h"
#include "steps.h"
#include "sub.h"
#include "windows.h"

typedef struct {
    delib_t d;
    rpcsrv_t *rpc;
    sub_t *routing;
    health_t *health;
    _Atomic uint64_t *m_requests, *m_errors, *m_windows, *m_published;
    uv_timer_t metrics;
    uv_signal_t sigint, sigterm;
} service_t;

static void s_on_batch(rpcsrv_t *srv, rpc_req_t **reqs, size_t n, void *arg)
{
    api_batch(&((service_t *) arg)->d, srv, reqs, n);
}

/* Routing's whistles that came from a matter ("matter:<id>"): the work a
 * decision became. Inside the subscriber's transaction. */
static int s_on_routing_event(PGconn *conn, const Gov__Envelope *event, void *arg)
{
    service_t *self = arg;
    (void) conn;
    int closed = strcmp(event->type, "WhistleClosed") == 0;
    if (!closed && strcmp(event->type, "WhistleBlown") != 0)
        return 0;
    Gov__WhistleEvent *ev =
        (Gov__WhistleEvent *) envelope_payload(event, &gov__whistle_event__descriptor);
    int rc = 0;
    if (ev && ev->item && ev->item->origin && strncmp(ev->item->origin, "matter:", 7) == 0) {
        apperr_t err;
        if ((rc = steps_whistle(&self->d, atoll(ev->item->origin + 7), ev->item->id, closed, &err)))
            log_error("deliberation: whistle %lld not recorded: %s (%s)",
                      (long long) ev->item->id, err.message, err.detail);
    }
    if (ev)
        gov__whistle_event__free_unpacked(ev, NULL);
    return rc;
}

static void s_on_metrics(uv_timer_t *timer)
{
    service_t *self = timer->data;
    rpcsrv_stats_t stats = rpcsrv_stats(self->rpc);
    atomic_store(self->m_requests, stats.requests);
    atomic_store(self->m_errors, stats.errors);
    atomic_store(self->m_windows, windows_fired(self->d.windows));
    atomic_store(self->m_published, relay_published(self->d.relay));
}

static void s_on_signal(uv_signal_t *signal, int signum)
{
    log_info("signal %d: stopping", signum);
    uv_stop(signal->loop);
}

int main(void)
{
    log_init("deliberation");
    int bad = 0;
    service_t self = {0};
    const char *db_url = config_str("GOV_DB_URL", CONFIG_DB_URL_DEFAULT);
    const char *endpoint =
        config_str("GOV_DELIBERATION_ENDPOINT", CONFIG_DELIBERATION_ENDPOINT_DEFAULT);
    const char *events = config_str("GOV_DELIBERATION_EVENTS", CONFIG_DELIBERATION_EVENTS_DEFAULT);
    const char *routing_events = config_str("GOV_ROUTING_EVENTS", CONFIG_ROUTING_EVENTS_DEFAULT);
    int http_port = (int) config_int("GOV_DELIBERATION_HTTP_PORT", 7303, 1, 65535, &bad);
    int http_any = (int) config_int("GOV_HTTP_BIND_ANY", 0, 0, 1, &bad);
    int64_t max_msg = config_int("GOV_MAX_MSG_SIZE", RPC_MAX_MSG_SIZE_DEFAULT, 1024, 64 << 20, &bad);
    int relay_ms = (int) config_int("GOV_RELAY_INTERVAL_MS", 200, 10, 60000, &bad);
    int silence_ms = (int) config_int("GOV_SUB_SILENCE_MS", 2000, 100, 600000, &bad);
    int test_clock = (int) config_int("GOV_TEST_CLOCK", 0, 0, 1, &bad);
    int64_t clock_ahead = config_int("GOV_TEST_CLOCK_AHEAD_MS", 0, 0, INT64_MAX / 2, &bad);
    windows_config_t windows = {
        .horizon_ms = config_int("GOV_WINDOWS_HORIZON_S", 3600, 10, 86400 * 30, &bad) * 1000,
        .refill_ms = (int) config_int("GOV_WINDOWS_REFILL_MS", 5000, 100, 3600000, &bad)};
    if (bad)
        return 2;

    uv_loop_t *loop = uv_default_loop();
    void *zctx = zmq_ctx_new();
    int rc = 1;
    if (health_new(http_port, http_any, "deliberation", &self.health))
        goto done;
    self.m_requests = health_metric(self.health, "requests_total", "requests received", HEALTH_COUNTER);
    self.m_errors = health_metric(self.health, "errors_total", "error replies", HEALTH_COUNTER);
    self.m_windows = health_metric(self.health, "windows_closed_total", "windows closed by the clock", HEALTH_COUNTER);
    self.m_published = health_metric(self.health, "events_published_total", "events published", HEALTH_COUNTER);

    if (!(self.d.clock = svclock_new(test_clock)))
        goto done;
    if (clock_ahead && svclock_advance(self.d.clock, clock_ahead)) {
        log_error("GOV_TEST_CLOCK_AHEAD_MS needs GOV_TEST_CLOCK=1");
        goto done;
    }
    if (!(self.d.conn = db_connect(db_url, 10000)) || db_require_schema(self.d.conn, SCHEMA_VERSION) ||
        !(self.d.sql = pstmt_new(self.d.conn)))
        goto done;
    if (relay_new(zctx, db_url, DELIB_STREAM, events, relay_ms, &self.d.relay))
        goto done;
    if (windows_new(loop, &self.d, &windows, &self.d.windows))
        goto done;
    if (sub_new(loop, zctx, self.d.conn, "deliberation", "routing", routing_events, silence_ms,
                s_on_routing_event, &self, &self.routing))
        goto done;
    if (rpcsrv_new(loop, zctx, endpoint, 256, max_msg, s_on_batch, &self, &self.rpc)) {
        log_error("cannot bind %s", endpoint);
        goto done;
    }
    uv_timer_init(loop, &self.metrics);
    self.metrics.data = &self;
    uv_timer_start(&self.metrics, s_on_metrics, 0, 1000);
    uv_signal_init(loop, &self.sigint);
    uv_signal_init(loop, &self.sigterm);
    uv_signal_start(&self.sigint, s_on_signal, SIGINT);
    uv_signal_start(&self.sigterm, s_on_signal, SIGTERM);
    health_set_ready(self.health, 1);
    log_info("deliberation ready: requests on %s, events on %s, whistles from %s, health on :%d%s",
             endpoint, events, routing_events, http_port, test_clock ? ", test clock" : "");

    uv_run(loop, UV_RUN_DEFAULT);
    rc = 0;
    uv_close((uv_handle_t *) &self.metrics, NULL);
    uv_close((uv_handle_t *) &self.sigint, NULL);
    uv_close((uv_handle_t *) &self.sigterm, NULL);
done:
    rpcsrv_destroy(&self.rpc);
    sub_destroy(&self.routing);
    windows_destroy(&self.d.windows);
    relay_destroy(&self.d.relay);
    uv_run(loop, UV_RUN_NOWAIT);
    pstmt_destroy(&self.d.sql);
    PQfinish(self.d.conn);
    svclock_destroy(&self.d.clock);
    health_destroy(&self.health);
    zmq_ctx_term(zctx);
    uv_loop_close(loop);
    return rc;
}
