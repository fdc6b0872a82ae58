/* gov-notify: reach people where they are, exactly as often as they must be.
 *
 * The planner (planner.c, its own thread and connection) follows the
 * routing, intake and deliberation event streams (durable subscribers: the
 * deliveries an event makes commit with the position, so each event is
 * planned once) and decides who must hear what (plan.c): the members of the
 * unit a dispatch went to, the supervisor an escalation reached, the
 * reporter of a case, a meeting's roster, a matter's proposer and committee,
 * a community's volunteers, each by their own channels and the unit's robots, the
 * text from templates that are data (render.c), quiet hours kept (quiet.c).
 * The pump (pump.c) sends what is due on every channel at once (channel.h,
 * curluv.c), retries with backoff, rations robots and merges bursts into
 * digests (ratelimit.c, ration.c), settles each outcome (settle.c,
 * backoff.c), and records every attempt. One thing is asked of it
 * directly, on a ROUTER (GOV_NOTIFY_ENDPOINT, api.c): the gateway's login
 * codes, texted at once and answered when the SMS gateway took them, the
 * code masked in the record (codesms.c). /healthz and /metrics are on
 * GOV_NOTIFY_HTTP_PORT. */
#include <curl/curl.h>
#include <stdlib.h>

#include "db.h"
#include "log.h"
#include "api.h"
#include "config.h"
#include "planner.h"
#include "pump.h"
#include "svc.h"

typedef struct {
    svc_t svc;
    PGconn *outcomes;         /* the pump's, to write outcomes without waiting */
    planner_t *planner;
    pump_t *pump;
    notify_api_t api;
    rpcsrv_t *rpc;
    int failed;
    _Atomic uint64_t *m_codes_sent, *m_codes_failed, *m_key_refused;
    _Atomic uint64_t *m_planned, *m_sent, *m_retried, *m_dead, *m_rate, *m_digests, *m_unconfirmed,
        *m_inflight;
} service_t;

/* The planner committed deliveries: the pump looks for them. */
static void s_on_planned(void *arg)
{
    service_t *self = arg;
    pump_kick(self->pump);
}

/* The planner could not follow its streams: stop, and say so. */
static void s_on_failed(void *arg)
{
    service_t *self = arg;
    self->failed = 1;
    uv_stop(self->svc.loop);
}

static void s_on_tick(void *arg)
{
    service_t *self = arg;
    pump_stats_t s = pump_stats(self->pump);
    atomic_store(self->m_planned, planner_planned(self->planner));
    atomic_store(self->m_sent, s.sent);
    atomic_store(self->m_retried, s.retried);
    atomic_store(self->m_dead, s.dead);
    atomic_store(self->m_rate, s.rate_limited);
    atomic_store(self->m_digests, s.digests);
    atomic_store(self->m_unconfirmed, s.unconfirmed);
    atomic_store(self->m_inflight, s.inflight);
    uint64_t sent, failed;
    codesms_stats(self->api.codes, &sent, &failed);
    atomic_store(self->m_codes_sent, sent);
    atomic_store(self->m_codes_failed, failed);
    atomic_store(self->m_key_refused, self->api.key_refused);
}

static void s_on_batch(rpcsrv_t *srv, rpc_req_t **reqs, size_t n, void *arg)
{
    service_t *self = arg;
    for (size_t i = 0; i < n; i++)
        api_handle(&self->api, srv, reqs[i]);
}

int main(void)
{
    log_init("notify");
    int bad = 0;
    service_t self = {0};
    svc_config_t cfg = svc_config("GOV_NOTIFY_HTTP_PORT", 7403, &bad);
    const char *endpoint = config_str("GOV_NOTIFY_ENDPOINT", CONFIG_NOTIFY_ENDPOINT_DEFAULT);
    const char *routing_events = config_str("GOV_ROUTING_EVENTS", CONFIG_ROUTING_EVENTS_DEFAULT);
    const char *intake_events = config_str("GOV_INTAKE_EVENTS", CONFIG_INTAKE_EVENTS_DEFAULT);
    const char *intake = config_str("GOV_INTAKE_ENDPOINT", CONFIG_INTAKE_ENDPOINT_DEFAULT);
    const char *matter_events =
        config_str("GOV_DELIBERATION_EVENTS", CONFIG_DELIBERATION_EVENTS_DEFAULT);
    channel_config_t ch = {
        .smtp_url = config_str("GOV_NOTIFY_SMTP_URL", "smtp://127.0.0.1:2525"),
        .mail_from = config_str("GOV_NOTIFY_MAIL_FROM", "notify@gov.demo.example"),
        .sms_url = config_str("GOV_NOTIFY_SMS_URL", ""),
        .sms_body = config_str("GOV_NOTIFY_SMS_BODY", "{\"phone\":\"{{phone}}\",\"text\":\"{{text}}\"}"),
        .timeout_ms = config_int("GOV_NOTIFY_TIMEOUT_MS", 10000, 100, 600000, &bad)};
    pump_config_t pc = {
        .concurrency = (int) config_int("GOV_NOTIFY_CONCURRENCY", 32, 1, 1024, &bad),
        .claim_batch = (int) config_int("GOV_NOTIFY_CLAIM_BATCH", 500, 1, 1000, &bad),
        .lease_ms = config_int("GOV_NOTIFY_LEASE_MS", 60000, 1000, 86400000, &bad),
        .max_attempts = (int) config_int("GOV_NOTIFY_MAX_ATTEMPTS", 6, 1, 100, &bad),
        .retry_base_ms = config_int("GOV_NOTIFY_RETRY_BASE_MS", 5000, 10, 86400000, &bad),
        .retry_max_ms = config_int("GOV_NOTIFY_RETRY_MAX_MS", 3600000, 10, 86400000, &bad),
        .robot_limit = (int) config_int("GOV_NOTIFY_ROBOT_RATE", 20, 1, 10000, &bad),
        .robot_window_ms = config_int("GOV_NOTIFY_ROBOT_WINDOW_MS", 60000, 100, 3600000, &bad),
        .sweep_ms = config_int("GOV_NOTIFY_SWEEP_MS", 1000, 50, 600000, &bad)};
    if (!bad && pc.lease_ms <= ch.timeout_ms) {
        log_error("GOV_NOTIFY_LEASE_MS must be more than GOV_NOTIFY_TIMEOUT_MS");
        bad = 1;
    }
    if (bad)
        return 2;

    int rc = 1;
    svc_t *svc = &self.svc;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    if (svc_new(svc, "notify", &cfg))
        goto done;
    health_t *h = svc->health;
    self.m_planned = health_metric(h, "deliveries_planned_total", "deliveries planned", HEALTH_COUNTER);
    self.m_sent = health_metric(h, "deliveries_sent_total", "deliveries confirmed", HEALTH_COUNTER);
    self.m_retried = health_metric(h, "delivery_retries_total", "attempts to retry", HEALTH_COUNTER);
    self.m_dead = health_metric(h, "deliveries_dead_total", "deliveries given up", HEALTH_COUNTER);
    self.m_rate = health_metric(h, "delivery_rate_limited_total", "rate-limit answers", HEALTH_COUNTER);
    self.m_digests = health_metric(h, "digests_total", "digests made", HEALTH_COUNTER);
    self.m_unconfirmed = health_metric(h, "deliveries_unconfirmed_total", "sent again after a lost sender", HEALTH_COUNTER);
    self.m_inflight = health_metric(h, "deliveries_inflight", "requests under way", HEALTH_GAUGE);
    self.m_codes_sent = health_metric(h, "login_codes_sent_total", "login codes the SMS gateway took", HEALTH_COUNTER);
    self.m_codes_failed = health_metric(h, "login_codes_failed_total", "login codes not sent", HEALTH_COUNTER);
    self.m_key_refused = health_metric(h, "key_not_allowed_total", "requests from a key the request is not for", HEALTH_COUNTER);
    planner_config_t plc = {.db_url = cfg.db_url, .routing = routing_events, .intake = intake_events,
                            .intake_endpoint = intake, .deliberation = matter_events, .silence_ms = cfg.silence_ms,
                            .clock = svc->clock, .health = svc->health,
                            .ready_lag = cfg.ready_lag};
    if (!(self.outcomes = db_connect(cfg.db_url, 10000)))
        goto done;
    if (pump_new(svc->loop, svc->conn, self.outcomes, svc->clock, &ch, &pc, &self.pump))
        goto done;
    if (planner_start(svc->loop, svc->zctx, &plc, s_on_planned, s_on_failed, &self, &self.planner))
        goto done;
    if (codesms_new(svc->loop, cfg.db_url, svc->clock, &ch, &self.api.codes))
        goto done;
    if (rpcsrv_new(svc->loop, svc->zctx, endpoint, 64, cfg.max_msg, s_on_batch, &self, &self.rpc)) {
        log_error("cannot bind %s", endpoint);
        goto done;
    }
    svc_watch(svc, self.rpc, NULL);
    svc_on_tick(svc, s_on_tick, &self);
    log_info("notify ready: requests on %s, following %s, %s and %s, mail via %s, health on :%d%s",
             endpoint, routing_events, intake_events, matter_events, ch.smtp_url, cfg.http_port,
             cfg.test_clock ? ", test clock" : "");
    rc = svc_run(svc) || self.failed;
done:
    codesms_destroy(&self.api.codes); /* before the ROUTER its requests answer on */
    rpcsrv_destroy(&self.rpc);
    planner_stop(&self.planner);
    pump_destroy(&self.pump);
    svc_destroy(svc);
    PQfinish(self.outcomes);
    curl_global_cleanup();
    return rc;
}
