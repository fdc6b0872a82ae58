/* gov-routing: every case gets an owner at once, and silence climbs the ladder.
 *
 * Cases come in as intake's CaseCreated events (a durable subscriber: its
 * position is stored with the dispatches it makes), a batch at a time
 * (newcases.c), and go to their owner by the rules (match.c, rules.c), with
 * deadlines from the SLA policy on the working-day calendar (dispatch.c,
 * calendar.c). Units answer on a ROUTER
 * (GOV_ROUTING_ENDPOINT): sign, arrive, progress, resolve, return, and the
 * centre reassigns (lifecycle.c); street offices blow whistles (whistle.c);
 * reporters evaluate (evaluate.c); anyone asks for the 三率 (kpi.c);
 * community decisions that summon departments become whistles (decisions.c,
 * following deliberation's stream). The
 * escalation ladder's steps are rows armed as timers (ladder.c). Every change
 * and its events commit together; the relay publishes them on
 * GOV_ROUTING_EVENTS. /healthz and /metrics are on GOV_ROUTING_HTTP_PORT. */
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "config.h"
#include "decisions.h"
#include "erase.h"
#include "kpigauge.h"
#include "ladder.h"
#include "log.h"
#include "newcases.h"
#include "retention.h"
#include "rpcsrv.h"
#include "rules.h"
#include "sub.h"
#include "svc.h"

typedef struct {
    svc_t svc;
    routing_t r;
    retention_t *retention; /* erases closed cases' reporters (erase.h) */
    rpcsrv_t *rpc;
    sub_t *cases;
    sub_t *decisions;
    newcases_t *cases_batch; /* intake's new cases of the batch under way */
    uv_timer_t committed;    /* the next pass of the loop, after a batch's COMMIT */
    kpigauge_t *kpi;         /* the month's 三率 counts on /metrics */
    _Atomic uint64_t *m_routed, *m_unrouted;
} service_t;

static void s_on_batch(rpcsrv_t *srv, rpc_req_t **reqs, size_t n, void *arg)
{
    service_t *self = arg;
    for (size_t i = 0; i < n; i++)
        api_handle(&self->r, srv, reqs[i]);
}

/* A batch of intake's events begins, in the subscriber's transaction:
 * forget what a batch rolled back gathered. */
static int s_on_cases_begin(PGconn *conn, void *arg)
{
    (void) conn;
    newcases_reset(((service_t *) arg)->cases_batch);
    return 0;
}

/* A batch that dispatched cases has committed (the subscriber commits right
 * after s_on_cases_end returns, on this pass of the loop): its events go out
 * now rather than at the relay's next look. */
static void s_on_committed(uv_timer_t *timer)
{
    relay_kick(((service_t *) timer->data)->r.relay);
}

/* Routes what the batch gathered (newcases.c); the position follows in the
 * same transaction. */
static int s_on_cases_end(PGconn *conn, void *arg)
{
    service_t *self = arg;
    (void) conn;
    newcases_stats_t stats = {0};
    if (newcases_route(self->cases_batch, &self->r, &stats))
        return -1;
    atomic_fetch_add(self->m_routed, stats.routed);
    atomic_fetch_add(self->m_unrouted, stats.unrouted);
    if (stats.routed)
        uv_timer_start(&self->committed, s_on_committed, 0, 0);
    return 0;
}

/* One intake event: a new case joins the batch, which is routed when full. */
static int s_on_case_event(PGconn *conn, const Gov__Envelope *event, void *arg)
{
    service_t *self = arg;
    int n = newcases_add(self->cases_batch, event);
    if (n < 0)
        return -1;
    return n == NEWCASES_MAX ? s_on_cases_end(conn, arg) : 0;
}

/* One deliberation event: decisions that summon departments. */
static int s_on_matter_event(PGconn *conn, const Gov__Envelope *event, void *arg)
{
    (void) conn;
    return decisions_apply(&((service_t *) arg)->r, event);
}

int main(void)
{
    log_init("routing");
    int bad = 0;
    service_t self = {0};
    svc_config_t cfg = svc_config("GOV_ROUTING_HTTP_PORT", 7203, &bad);
    const char *endpoint = config_str("GOV_ROUTING_ENDPOINT", CONFIG_ROUTING_ENDPOINT_DEFAULT);
    const char *events = config_str("GOV_ROUTING_EVENTS", CONFIG_ROUTING_EVENTS_DEFAULT);
    const char *intake_events = config_str("GOV_INTAKE_EVENTS", CONFIG_INTAKE_EVENTS_DEFAULT);
    const char *intake = config_str("GOV_INTAKE_ENDPOINT", CONFIG_INTAKE_ENDPOINT_DEFAULT);
    const char *matter_events =
        config_str("GOV_DELIBERATION_EVENTS", CONFIG_DELIBERATION_EVENTS_DEFAULT);
    deadline_config_t ladder = {
        .horizon_ms = config_int("GOV_LADDER_HORIZON_S", 3600, 10, 86400 * 30, &bad) * 1000,
        .refill_ms = (int) config_int("GOV_LADDER_REFILL_MS", 5000, 100, 3600000, &bad),
        .sweep_ms = config_int("GOV_LADDER_SWEEP_MS", 30000, 1000, 3600000, &bad)};
    int kpi_ms = (int) config_int("GOV_KPI_METRICS_S", 60, 1, 86400, &bad) * 1000;
    retention_config_t retention = retention_config(&bad);
    if (bad)
        return 2;

    int rc = 1;
    svc_t *svc = &self.svc;
    if (svc_new(svc, "routing", &cfg))
        goto done;
    uv_timer_init(svc->loop, &self.committed);
    self.committed.data = &self;
    self.r.conn = svc->conn;
    self.r.sql = svc->sql;
    self.r.clock = svc->clock;
    self.m_routed = health_metric(svc->health, "cases_routed_total", "cases routed", HEALTH_COUNTER);
    self.m_unrouted = health_metric(svc->health, "cases_unrouted_total",
                                    "new cases that could not be routed (see the log)",
                                    HEALTH_COUNTER);
    if (!(self.cases_batch = newcases_new()) ||
        contactcli_new(svc->zctx, intake, &self.r.contacts)) /* reporters read in full (reporters.h) */
        goto done;
    /* and again whenever calendar_revision moves (dispatch.c) */
    if (!(self.r.cal = calendar_new()) || routing_calendar_refresh(&self.r))
        goto done;
    if (idem_new("routing_requests", &self.r.idem) ||
        relay_new(svc->zctx, cfg.db_url, ROUTING_STREAM, events, cfg.relay_ms, &self.r.relay) ||
        ladder_new(svc->loop, &self.r, &ladder, &self.r.ladder))
        goto done;
    if (sub_new_batched(svc->loop, svc->zctx, self.r.conn, "routing", "intake", intake_events,
                        cfg.silence_ms, s_on_case_event, s_on_cases_begin, s_on_cases_end, NULL,
                        &self, &self.cases) ||
        sub_new(svc->loop, svc->zctx, self.r.conn, "routing", "deliberation", matter_events,
                cfg.silence_ms, s_on_matter_event, &self, &self.decisions))
        goto done;
    if (rpcsrv_new(svc->loop, svc->zctx, endpoint, 64, cfg.max_msg, s_on_batch, &self, &self.rpc)) {
        log_error("cannot bind %s", endpoint);
        goto done;
    }
    if (!(self.retention =
              retention_new(svc->loop, svc->clock, &retention, "routing", erase_sweep, &self.r)))
        goto done;
    svc_watch(svc, self.rpc, self.r.relay);
    if (svc_watch_sub(svc, self.cases) || svc_watch_sub(svc, self.decisions))
        goto done;
    svc_watch_deadlines(svc, self.r.ladder, "ladder_steps");
    if (kpigauge_new(svc->loop, &self.r, cfg.db_url, svc->health, kpi_ms, &self.kpi))
        goto done;
    log_info("routing ready: requests on %s, events on %s, cases from %s, health on :%d%s",
             endpoint, events, intake_events, cfg.http_port, cfg.test_clock ? ", test clock" : "");
    rc = svc_run(svc);
done:
    kpigauge_destroy(&self.kpi);
    retention_destroy(&self.retention);
    rpcsrv_destroy(&self.rpc);
    sub_destroy(&self.cases);
    sub_destroy(&self.decisions);
    newcases_destroy(&self.cases_batch);
    if (self.committed.data)
        uv_close((uv_handle_t *) &self.committed, NULL);
    deadline_destroy(&self.r.ladder);
    relay_destroy(&self.r.relay);
    idem_destroy(&self.r.idem);
    contactcli_destroy(&self.r.contacts);
    svc_destroy(svc);
    calendar_destroy(&self.r.cal);
    return rc;
}
