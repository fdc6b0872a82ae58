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
 * on durable timers (windows.c), and so do the service orders' take-by
 * deadlines (takeby.c, GOV_ORDER_TAKE_S after a dispatch; orders.c), the
 * reminders and escalations of the 五定 tasks of decided matters (tasks.c,
 * taskdue.c, due on the working-day calendar of common/calendar), and the
 * joint meetings (联席会议) made on their recurring days (joint.c). A secret
 * ballot's votes are sealed to the
 * tally key in GOV_KEYS_DIR until the meeting closes (seal.c). Decisions that summon departments become
 * whistles in routing, which follows this stream; this service follows
 * routing's stream back to see the work done. /healthz and /metrics are on
 * GOV_DELIBERATION_HTTP_PORT. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "config.h"
#include "joint.h"
#include "log.h"
#include "routing.pb-c.h"
#include "rpcsrv.h"
#include "steps.h"
#include "sub.h"
#include "svc.h"
#include "takeby.h"
#include "taskdue.h"
#include "windows.h"

typedef struct {
    svc_t svc;
    delib_t d;
    rpcsrv_t *rpc;
    sub_t *routing;
    tallykey_t tally;
} service_t;

static void s_on_batch(rpcsrv_t *srv, rpc_req_t **reqs, size_t n, void *arg)
{
    api_batch(&((service_t *) arg)->d, srv, reqs, n);
}

/* Routing's whistles that carry out a matter (matter_id): the work a
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
    if (ev && ev->item && ev->item->matter_id) {
        apperr_t err;
        if ((rc = steps_whistle(&self->d, ev->item->matter_id, ev->item->id, closed, &err)))
            log_error("deliberation: whistle %lld not recorded: %s (%s)",
                      (long long) ev->item->id, err.message, err.detail);
        /* Only a failing database is worth another try: a whistle naming a
         * matter there is none of would stop the stream here for good. */
        if (rc && strcmp(err.code, "DB_UNAVAILABLE") != 0)
            rc = 0;
    }
    if (ev)
        gov__whistle_event__free_unpacked(ev, NULL);
    return rc;
}

/* The tally key, from the key folder. Without it the service still runs:
 * open ballots work, and secret ballots are refused with TALLY_KEY_MISSING
 * or TALLY_KEY_BAD until it is there. */
static void s_load_tally(service_t *self, const char *dir)
{
    self->d.tally_rc = tallykey_load(dir, &self->tally);
    if (self->d.tally_rc == 0)
        self->d.tally = &self->tally;
    else if (self->d.tally_rc == -ENOENT)
        log_warn("no tally key in GOV_KEYS_DIR (govctl keys generate makes it): secret ballots are refused");
    else
        log_error("the tally key in GOV_KEYS_DIR is malformed or its halves do not match: secret ballots are refused");
}

int main(void)
{
    log_init("deliberation");
    int bad = 0;
    service_t self = {0};
    svc_config_t cfg = svc_config("GOV_DELIBERATION_HTTP_PORT", 7303, &bad);
    const char *endpoint =
        config_str("GOV_DELIBERATION_ENDPOINT", CONFIG_DELIBERATION_ENDPOINT_DEFAULT);
    const char *events = config_str("GOV_DELIBERATION_EVENTS", CONFIG_DELIBERATION_EVENTS_DEFAULT);
    const char *routing_events = config_str("GOV_ROUTING_EVENTS", CONFIG_ROUTING_EVENTS_DEFAULT);
    deadline_config_t windows = {
        .horizon_ms = config_int("GOV_WINDOWS_HORIZON_S", 3600, 10, 86400 * 30, &bad) * 1000,
        .refill_ms = (int) config_int("GOV_WINDOWS_REFILL_MS", 5000, 100, 3600000, &bad),
        .sweep_ms = 30000}; /* a dead replica's windows are taken over after this */
    /* 7200 s (two hours) to take a dispatched order: our choice, seed 004 gives no figure */
    int64_t take_s = config_int("GOV_ORDER_TAKE_S", 7200, 1, 86400 * 30, &bad);
    if (bad)
        return 2;

    int rc = 1;
    svc_t *svc = &self.svc;
    if (svc_new(svc, "deliberation", &cfg))
        goto done;
    self.d = (delib_t){.conn = svc->conn, .sql = svc->sql, .clock = svc->clock, .take_ms = take_s * 1000};
    s_load_tally(&self, cfg.keys_dir);
    if (!(self.d.cal = calendar_new()) || calendar_refresh(self.d.cal, svc->conn, -1))
        goto done;
    if (idem_new("deliberation_requests", &self.d.idem) ||
        relay_new(svc->zctx, cfg.db_url, DELIB_STREAM, events, cfg.relay_ms, &self.d.relay) ||
        windows_new(svc->loop, &self.d, &windows, &self.d.windows) ||
        takeby_new(svc->loop, &self.d, &windows, &self.d.take_by) ||
        joint_deadlines_new(svc->loop, &self.d, &windows, &self.d.joint) ||
        taskdue_new(svc->loop, &self.d, &windows, &self.d.task_due) ||
        sub_new(svc->loop, svc->zctx, svc->conn, "deliberation", "routing", routing_events,
                cfg.silence_ms, s_on_routing_event, &self, &self.routing))
        goto done;
    if (rpcsrv_new(svc->loop, svc->zctx, endpoint, 256, cfg.max_msg, s_on_batch, &self, &self.rpc)) {
        log_error("cannot bind %s", endpoint);
        goto done;
    }
    svc_watch(svc, self.rpc, self.d.relay);
    if (svc_watch_sub(svc, self.routing))
        goto done;
    svc_watch_deadlines(svc, self.d.windows, "windows");
    log_info("deliberation ready: requests on %s, events on %s, whistles from %s, health on :%d%s",
             endpoint, events, routing_events, cfg.http_port, cfg.test_clock ? ", test clock" : "");
    rc = svc_run(svc);
done:
    rpcsrv_destroy(&self.rpc);
    sub_destroy(&self.routing);
    deadline_destroy(&self.d.task_due);
    deadline_destroy(&self.d.take_by);
    deadline_destroy(&self.d.joint);
    deadline_destroy(&self.d.windows);
    relay_destroy(&self.d.relay);
    idem_destroy(&self.d.idem);
    svc_destroy(svc);
    calendar_destroy(&self.d.cal);
    tallykey_wipe(&self.tally);
    return rc;
}
