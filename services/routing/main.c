/* gov-routing: every case gets an owner at once, and silence climbs the ladder.
 *
 * Cases come in as intake's CaseCreated events (a durable subscriber: its
 * position is stored with the dispatches it makes) and go to their owner by
 * the rules (rules.c), with deadlines from the SLA policy on the working-day
 * calendar (dispatch.c, calendar.c). Units answer on a ROUTER
 * (GOV_ROUTING_ENDPOINT): sign, arrive, progress, resolve, return, and the
 * centre reassigns (lifecycle.c); street offices blow whistles (whistle.c);
 * reporters evaluate (evaluate.c); anyone asks for the 三率 (kpi.c);
 * community decisions that summon departments become whistles (decisions.c,
 * following deliberation's stream). The
 * escalation ladder's steps are rows armed as timers (ladder.c). Every change
 * and its events commit together; the relay publishes them on
 * GOV_ROUTING_EVENTS. /healthz and /metrics are on GOV_ROUTING_HTTP_PORT. */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>
#include <zmq.h>

#include "api.h"
#include "config.h"
#include "decisions.h"
#include "db.h"
#include "health.h"
#include "intake.pb-c.h"
#include "ladder.h"
#include "log.h"
#include "rpcsrv.h"
#include "rules.h"
#include "sub.h"

typedef struct {
    routing_t r;
    rpcsrv_t *rpc;
    sub_t *cases;
    sub_t *decisions;
    health_t *health;
    _Atomic uint64_t *m_requests, *m_errors, *m_routed, *m_fired, *m_late, *m_published;
    uv_timer_t metrics;
    uv_signal_t sigint, sigterm;
} service_t;

static void s_on_batch(rpcsrv_t *srv, rpc_req_t **reqs, size_t n, void *arg)
{
    service_t *self = arg;
    for (size_t i = 0; i < n; i++)
        api_handle(&self->r, srv, reqs[i]);
}

/* One intake event, inside the subscriber's transaction. */
static int s_on_case_event(PGconn *conn, const Gov__Envelope *event, void *arg)
{
    service_t *self = arg;
    (void) conn;
    if (strcmp(event->type, "CaseCreated") != 0)
        return 0;
    Gov__CaseCreated *ev =
        (Gov__CaseCreated *) envelope_payload(event, &gov__case_created__descriptor);
    if (!ev || !ev->item) {
        log_error("routing: undecodable CaseCreated at seq %llu", (unsigned long long) event->seq);
        if (ev)
            gov__case_created__free_unpacked(ev, NULL);
        return -1;
    }
    apperr_t err;
    int rc = rules_route_case(&self->r, ev->item, event->trace_id, &err);
    if (rc)
        log_error("routing: case %lld not routed: %s (%s)", (long long) ev->item->id,
                  err.message, err.detail);
    else
        atomic_fetch_add(self->m_routed, 1);
    gov__case_created__free_unpacked(ev, NULL);
    return rc;
}

/* One deliberation event: decisions that summon departments. */
static int s_on_matter_event(PGconn *conn, const Gov__Envelope *event, void *arg)
{
    (void) conn;
    return decisions_apply(&((service_t *) arg)->r, event);
}

static void s_on_metrics(uv_timer_t *timer)
{
    service_t *self = timer->data;
    rpcsrv_stats_t stats = rpcsrv_stats(self->rpc);
    ladder_stats_t ladder = ladder_stats(self->r.ladder);
    atomic_store(self->m_requests, stats.requests);
    atomic_store(self->m_errors, stats.errors);
    atomic_store(self->m_fired, ladder.fired);
    atomic_store(self->m_late, ladder.late);
    atomic_store(self->m_published, relay_published(self->r.relay));
}

static void s_on_signal(uv_signal_t *signal, int signum)
{
    log_info("signal %d: stopping", signum);
    uv_stop(signal->loop);
}

int main(void)
{
    log_init("routing");
    int bad = 0;
    service_t self = {0};
    const char *db_url = config_str("GOV_DB_URL", CONFIG_DB_URL_DEFAULT);
    const char *endpoint = config_str("GOV_ROUTING_ENDPOINT", CONFIG_ROUTING_ENDPOINT_DEFAULT);
    const char *events = config_str("GOV_ROUTING_EVENTS", CONFIG_ROUTING_EVENTS_DEFAULT);
    const char *intake_events = config_str("GOV_INTAKE_EVENTS", CONFIG_INTAKE_EVENTS_DEFAULT);
    const char *matter_events =
        config_str("GOV_DELIBERATION_EVENTS", CONFIG_DELIBERATION_EVENTS_DEFAULT);
    int http_port = (int) config_int("GOV_ROUTING_HTTP_PORT", 7203, 1, 65535, &bad);
    int http_any = (int) config_int("GOV_HTTP_BIND_ANY", 0, 0, 1, &bad);
    int64_t max_msg = config_int("GOV_MAX_MSG_SIZE", RPC_MAX_MSG_SIZE_DEFAULT, 1024, 64 << 20, &bad);
    int relay_ms = (int) config_int("GOV_RELAY_INTERVAL_MS", 200, 10, 60000, &bad);
    int silence_ms = (int) config_int("GOV_SUB_SILENCE_MS", 2000, 100, 600000, &bad);
    int test_clock = (int) config_int("GOV_TEST_CLOCK", 0, 0, 1, &bad);
    int64_t clock_ahead = config_int("GOV_TEST_CLOCK_AHEAD_MS", 0, 0, INT64_MAX / 2, &bad);
    ladder_config_t ladder = {
        .horizon_ms = config_int("GOV_LADDER_HORIZON_S", 3600, 10, 86400 * 30, &bad) * 1000,
        .refill_ms = (int) config_int("GOV_LADDER_REFILL_MS", 5000, 100, 3600000, &bad),
        .sweep_ms = config_int("GOV_LADDER_SWEEP_MS", 30000, 1000, 3600000, &bad)};
    if (bad)
        return 2;

    uv_loop_t *loop = uv_default_loop();
    void *zctx = zmq_ctx_new();
    int rc = 1;
    if (health_new(http_port, http_any, "routing", &self.health))
        goto done;
    self.m_requests = health_metric(self.health, "requests_total", "requests received", HEALTH_COUNTER);
    self.m_errors = health_metric(self.health, "errors_total", "error replies", HEALTH_COUNTER);
    self.m_routed = health_metric(self.health, "cases_routed_total", "cases routed", HEALTH_COUNTER);
    self.m_fired = health_metric(self.health, "ladder_steps_fired_total", "ladder steps fired", HEALTH_COUNTER);
    self.m_late = health_metric(self.health, "ladder_steps_late_total", "ladder steps fired late", HEALTH_COUNTER);
    self.m_published = health_metric(self.health, "events_published_total", "events published", HEALTH_COUNTER);

    if (!(self.r.clock = svclock_new(test_clock)) || !(self.r.cal = calendar_new()))
        goto done;
    if (clock_ahead && svclock_advance(self.r.clock, clock_ahead)) {
        log_error("GOV_TEST_CLOCK_AHEAD_MS needs GOV_TEST_CLOCK=1");
        goto done;
    }
    if (!(self.r.conn = db_connect(db_url, 10000)) || db_require_schema(self.r.conn, SCHEMA_VERSION) ||
        !(self.r.sql = pstmt_new(self.r.conn)))
        goto done;
    if (calendar_load(self.r.cal, self.r.conn))
        goto done;
    if (relay_new(zctx, db_url, ROUTING_STREAM, events, relay_ms, &self.r.relay))
        goto done;
    if (ladder_new(loop, &self.r, &ladder, &self.r.ladder))
        goto done;
    if (sub_new(loop, zctx, self.r.conn, "routing", "intake", intake_events, silence_ms,
                s_on_case_event, &self, &self.cases))
        goto done;
    if (sub_new(loop, zctx, self.r.conn, "routing", "deliberation", matter_events, silence_ms,
                s_on_matter_event, &self, &self.decisions))
        goto done;
    if (rpcsrv_new(loop, zctx, endpoint, 64, max_msg, s_on_batch, &self, &self.rpc)) {
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
    log_info("routing ready: requests on %s, events on %s, cases from %s, health on :%d%s",
             endpoint, events, intake_events, http_port, test_clock ? ", test clock" : "");

    uv_run(loop, UV_RUN_DEFAULT);
    rc = 0;
    uv_close((uv_handle_t *) &self.metrics, NULL);
    uv_close((uv_handle_t *) &self.sigint, NULL);
    uv_close((uv_handle_t *) &self.sigterm, NULL);
done:
    rpcsrv_destroy(&self.rpc);
    sub_destroy(&self.cases);
    sub_destroy(&self.decisions);
    ladder_destroy(&self.r.ladder);
    relay_destroy(&self.r.relay);
    uv_run(loop, UV_RUN_NOWAIT); /* let close callbacks run */
    pstmt_destroy(&self.r.sql);
    PQfinish(self.r.conn);
    calendar_destroy(&self.r.cal);
    svclock_destroy(&self.r.clock);
    health_destroy(&self.health);
    zmq_ctx_term(zctx);
    uv_loop_close(loop);
    return rc;
}
