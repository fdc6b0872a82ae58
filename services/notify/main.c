/* gov-notify: reach people where they are, exactly as often as they must be.
 *
 * Follows the routing and intake event streams (durable subscribers: the
 * deliveries an event makes commit with the position, so each event is
 * planned once) and decides who must hear what (plan.c): the members of the
 * unit a dispatch went to, the supervisor an escalation reached, the
 * reporter of a case, each by their own channels and the unit's robots, the
 * text from templates that are data (render.c), quiet hours kept (quiet.c).
 * The pump (pump.c) sends what is due on every channel at once (channel.h,
 * curluv.c), retries with backoff, rations robots and merges bursts into
 * digests (ratelimit.c), and records every attempt. /healthz and /metrics
 * are on GOV_NOTIFY_HTTP_PORT. */
#include <signal.h>
#include <stdlib.h>
#include <uv.h>
#include <zmq.h>

#include "config.h"
#include "db.h"
#include "health.h"
#include "log.h"
#include "plan.h"
#include "pump.h"
#include "sub.h"
#include "svclock.h"

typedef struct {
    PGconn *conn;
    PGconn *outcomes;         /* the pump's, to write outcomes without waiting */
    svclock_t *clock;
    plan_t *plan;
    pump_t *pump;
    sub_t *routing, *intake;
    health_t *health;
    _Atomic uint64_t *m_planned, *m_sent, *m_retried, *m_dead, *m_rate, *m_digests, *m_unconfirmed,
        *m_inflight;
    uint64_t planned;
    uv_timer_t metrics;
    uv_signal_t sigint, sigterm;
} service_t;

/* A batch of events begins, inside the subscriber's transaction. */
static int s_on_begin(PGconn *conn, void *arg)
{
    (void) conn;
    service_t *self = arg;
    plan_begin(self->plan);
    return 0;
}

/* One event, inside the subscriber's transaction: its deliveries are
 * gathered, and written with the rest of the batch in s_on_end. */
static int s_on_event(PGconn *conn, const Gov__Envelope *event, void *arg)
{
    service_t *self = arg;
    int n = plan_event(self->plan, conn, event, svclock_now_ms(self->clock));
    if (n < 0)
        return -1;
    if (n) {
        self->planned += (uint64_t) n;
        pump_kick(self->pump);  /* runs after the subscriber commits */
    }
    return 0;
}

/* The batch's deliveries commit with its position. */
static int s_on_end(PGconn *conn, void *arg)
{
    service_t *self = arg;
    return plan_write(self->plan, conn);
}

static void s_on_metrics(uv_timer_t *timer)
{
    service_t *self = timer->data;
    pump_stats_t s = pump_stats(self->pump);
    atomic_store(self->m_planned, self->planned);
    atomic_store(self->m_sent, s.sent);
    atomic_store(self->m_retried, s.retried);
    atomic_store(self->m_dead, s.dead);
    atomic_store(self->m_rate, s.rate_limited);
    atomic_store(self->m_digests, s.digests);
    atomic_store(self->m_unconfirmed, s.unconfirmed);
    atomic_store(self->m_inflight, s.inflight);
}

static void s_on_signal(uv_signal_t *signal, int signum)
{
    log_info("signal %d: stopping", signum);
    uv_stop(signal->loop);
}

int main(void)
{
    log_init("notify");
    int bad = 0;
    service_t self = {0};
    const char *db_url = config_str("GOV_DB_URL", CONFIG_DB_URL_DEFAULT);
    const char *routing_events = config_str("GOV_ROUTING_EVENTS", CONFIG_ROUTING_EVENTS_DEFAULT);
    const char *intake_events = config_str("GOV_INTAKE_EVENTS", CONFIG_INTAKE_EVENTS_DEFAULT);
    int http_port = (int) config_int("GOV_NOTIFY_HTTP_PORT", 7403, 1, 65535, &bad);
    int http_any = (int) config_int("GOV_HTTP_BIND_ANY", 0, 0, 1, &bad);
    int silence_ms = (int) config_int("GOV_SUB_SILENCE_MS", 2000, 100, 600000, &bad);
    int test_clock = (int) config_int("GOV_TEST_CLOCK", 0, 0, 1, &bad);
    int64_t clock_ahead = config_int("GOV_TEST_CLOCK_AHEAD_MS", 0, 0, INT64_MAX / 2, &bad);
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

    uv_loop_t *loop = uv_default_loop();
    void *zctx = zmq_ctx_new();
    int rc = 1;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    if (health_new(http_port, http_any, "notify", &self.health))
        goto done;
    self.m_planned = health_metric(self.health, "deliveries_planned_total", "deliveries planned", HEALTH_COUNTER);
    self.m_sent = health_metric(self.health, "deliveries_sent_total", "deliveries confirmed", HEALTH_COUNTER);
    self.m_retried = health_metric(self.health, "delivery_retries_total", "attempts to retry", HEALTH_COUNTER);
    self.m_dead = health_metric(self.health, "deliveries_dead_total", "deliveries given up", HEALTH_COUNTER);
    self.m_rate = health_metric(self.health, "delivery_rate_limited_total", "rate-limit answers", HEALTH_COUNTER);
    self.m_digests = health_metric(self.health, "digests_total", "digests made", HEALTH_COUNTER);
    self.m_unconfirmed = health_metric(self.health, "deliveries_unconfirmed_total", "sent again after a lost sender", HEALTH_COUNTER);
    self.m_inflight = health_metric(self.health, "deliveries_inflight", "requests under way", HEALTH_GAUGE);

    if (!(self.clock = svclock_new(test_clock)))
        goto done;
    if (clock_ahead && svclock_advance(self.clock, clock_ahead)) {
        log_error("GOV_TEST_CLOCK_AHEAD_MS needs GOV_TEST_CLOCK=1");
        goto done;
    }
    if (!(self.conn = db_connect(db_url, 10000)) || db_require_schema(self.conn, SCHEMA_VERSION))
        goto done;
    if (!(self.plan = plan_new()))
        goto done;
    if (!(self.outcomes = db_connect(db_url, 10000)))
        goto done;
    if (pump_new(loop, self.conn, self.outcomes, self.clock, &ch, &pc, &self.pump))
        goto done;
    if (sub_new_batched(loop, zctx, self.conn, "notify", "routing", routing_events, silence_ms,
                        s_on_event, s_on_begin, s_on_end, &self, &self.routing) ||
        sub_new_batched(loop, zctx, self.conn, "notify", "intake", intake_events, silence_ms,
                        s_on_event, s_on_begin, s_on_end, &self, &self.intake))
        goto done;
    uv_timer_init(loop, &self.metrics);
    self.metrics.data = &self;
    uv_timer_start(&self.metrics, s_on_metrics, 0, 1000);
    uv_signal_init(loop, &self.sigint);
    uv_signal_init(loop, &self.sigterm);
    uv_signal_start(&self.sigint, s_on_signal, SIGINT);
    uv_signal_start(&self.sigterm, s_on_signal, SIGTERM);
    health_set_ready(self.health, 1);
    log_info("notify ready: following %s and %s, mail via %s, health on :%d%s", routing_events,
             intake_events, ch.smtp_url, http_port, test_clock ? ", test clock" : "");

    uv_run(loop, UV_RUN_DEFAULT);
    rc = 0;
    uv_close((uv_handle_t *) &self.metrics, NULL);
    uv_close((uv_handle_t *) &self.sigint, NULL);
    uv_close((uv_handle_t *) &self.sigterm, NULL);
done:
    sub_destroy(&self.routing);
    sub_destroy(&self.intake);
    pump_destroy(&self.pump);
    plan_destroy(&self.plan);
    uv_run(loop, UV_RUN_NOWAIT); /* let close callbacks run */
    PQfinish(self.conn);
    PQfinish(self.outcomes);
    svclock_destroy(&self.clock);
    health_destroy(&self.health);
    zmq_ctx_term(zctx);
    curl_global_cleanup();
    uv_loop_close(loop);
    return rc;
}
