/* gov-intake: every resident's report comes in here.
 *
 * Requests arrive on a ROUTER (GOV_INTAKE_ENDPOINT) as gov.Envelopes. Each
 * SubmitCase is validated here (submit.c) and queued on a lane (lanes.c): a
 * thread with its own database connection that serves whatever was queued
 * to it in one transaction — placing points on the map, merging them with
 * nearby open cases, writing their CaseCreated / CaseMerged events — and
 * hands the answers back to be sent after COMMIT. Lanes split the categories
 * between them, so their transactions overlap. GetCase and ListCases read
 * cases back here (cases.c), each within what its actor may read
 * (casescope.c); routing and notify ask for reporters' contacts, which the
 * events do not carry (contacts.c). After each commit the relay (its own thread)
 * numbers the new events and publishes them on PUB (GOV_INTAKE_EVENTS). A
 * durable subscriber follows routing's events (GOV_ROUTING_EVENTS) to keep each
 * case's status (progress.c). A periodic job erases the contact details of
 * cases closed longer than the retention period (erase.c, common/retention.h).
 * /healthz and /metrics are served on
 * GOV_INTAKE_HTTP_PORT. */
#include <stdlib.h>
#include <string.h>

#include "cases.h"
#include "config.h"
#include "contacts.h"
#include "erase.h"
#include "lanes.h"
#include "log.h"
#include "piireads.h"
#include "progress.h"
#include "relay.h"
#include "retention.h"
#include "rpcsrv.h"
#include "sub.h"
#include "submit.h"
#include "svc.h"

typedef struct {
    svc_t svc;
    rpcsrv_t *rpc;
    relay_t *relay;
    sub_t *routing;
    progress_t progress; /* how routing's events move cases (progress.h) */
    lanes_t *lanes;
    retention_t *retention; /* erases closed cases' contacts (erase.h) */
    _Atomic uint64_t *m_cases, *m_batches;
    uv_timer_t kick;    /* the relay's next kick, when one is due */
    int kick_armed, kick_init;
} intake_t;

/* The relay commits its numbering like any writer: kicked after every batch,
 * its commits would wait for the disk as often as the lanes' do. Kicks are
 * gathered for up to this long. */
#define S_KICK_MS 5

static void s_on_kick(uv_timer_t *timer)
{
    intake_t *self = timer->data;
    self->kick_armed = 0;
    relay_kick(self->relay);
}

static void s_on_batch(rpcsrv_t *srv, rpc_req_t **reqs, size_t n, void *arg)
{
    intake_t *self = arg;
    for (size_t i = 0; i < n; i++) {
        const char *type = reqs[i]->env->type;
        if (strcmp(type, "SubmitCase") == 0) {
            submit_item_t item;
            atomic_fetch_add(self->m_cases, 1);
            if (submit_admit(srv, reqs[i], &item) == 0 && lanes_push(self->lanes, &item)) {
                rpcsrv_fail(srv, item.req, "OVERLOADED", "out of memory", NULL, "retry later", NULL);
                item.req = NULL;
                submit_item_clear(&item);
            }
        } else if (strcmp(type, "GetCase") == 0) {
            cases_get(self->svc.conn, srv, reqs[i]);
        } else if (strcmp(type, "ListCases") == 0) {
            cases_list(self->svc.conn, srv, reqs[i]);
        } else if (strcmp(type, "ListPiiReads") == 0) {
            piireads_list(self->svc.conn, srv, reqs[i]);
        } else if (strcmp(type, "GetContacts") == 0) {
            contacts_get(self->svc.conn, srv, reqs[i]);
        } else {
            rpcsrv_fail(srv, reqs[i], "UNKNOWN_TYPE", "unknown message type", type,
                        "intake answers SubmitCase, GetCase, ListCases, ListPiiReads and GetContacts",
                        NULL);
        }
    }
    lanes_kick(self->lanes);
}

/* A lane served a batch: answer it (everything in it is committed). */
static void s_on_served(submit_item_t *items, size_t n, int events, void *arg)
{
    intake_t *self = arg;
    for (size_t i = 0; i < n; i++)
        submit_answer(self->rpc, &items[i]);
    if (events > 0 && !self->kick_armed) {
        self->kick_armed = 1;
        uv_timer_start(&self->kick, s_on_kick, S_KICK_MS, 0);
    }
    atomic_fetch_add(self->m_batches, 1);
}

int main(void)
{
    log_init("intake");
    int bad = 0;
    intake_t self = {0};
    svc_config_t cfg = svc_config("GOV_INTAKE_HTTP_PORT", 7103, &bad);
    const char *endpoint = config_str("GOV_INTAKE_ENDPOINT", CONFIG_INTAKE_ENDPOINT_DEFAULT);
    const char *events = config_str("GOV_INTAKE_EVENTS", CONFIG_INTAKE_EVENTS_DEFAULT);
    const char *routing_events = config_str("GOV_ROUTING_EVENTS", CONFIG_ROUTING_EVENTS_DEFAULT);
    int max_batch = (int) config_int("GOV_INTAKE_MAX_BATCH", 256, 1, 10000, &bad);
    int nlanes = (int) config_int("GOV_INTAKE_LANES", 2, 1, 64, &bad);
    submit_config_t submit = {
        .merge_distance_m = (double) config_int("GOV_MERGE_DISTANCE_M", 100, 0, 100000, &bad),
        .merge_window_hours = (int) config_int("GOV_MERGE_WINDOW_HOURS", 72, 0, 8760, &bad),
    };
    retention_config_t retention = retention_config(&bad);
    if (bad)
        return 2;

    int rc = 1;
    svc_t *svc = &self.svc;
    if (svc_new(svc, "intake", &cfg))
        goto done;
    uv_timer_init(svc->loop, &self.kick);
    self.kick.data = &self;
    self.kick_init = 1;
    health_t *h = svc->health;
    self.m_cases = health_metric(h, "submits_total", "SubmitCase requests", HEALTH_COUNTER);
    self.m_batches = health_metric(h, "batches_total", "request batches", HEALTH_COUNTER);
    submit.clock = svc->clock;
    self.progress = (progress_t){svc->clock, svc->sql};
    if (relay_new(svc->zctx, cfg.db_url, "intake", events, cfg.relay_ms, &self.relay) ||
        lanes_new(svc->loop, cfg.db_url, &submit, nlanes, (size_t) max_batch, s_on_served, &self,
                  &self.lanes) ||
        sub_new(svc->loop, svc->zctx, svc->conn, "intake", "routing", routing_events,
                cfg.silence_ms, progress_apply, &self.progress, &self.routing))
        goto done;
    if (rpcsrv_new(svc->loop, svc->zctx, endpoint, (size_t) max_batch, cfg.max_msg, s_on_batch,
                   &self, &self.rpc)) {
        log_error("cannot bind %s", endpoint);
        goto done;
    }
    if (!(self.retention = retention_new(svc->loop, svc->clock, &retention, "intake", erase_sweep,
                                         svc->conn)))
        goto done;
    svc_watch(svc, self.rpc, self.relay);
    if (svc_watch_sub(svc, self.routing))
        goto done;
    log_info("intake ready: requests on %s, events on %s, health on :%d", endpoint, events,
             cfg.http_port);
    rc = svc_run(svc);
done:
    lanes_destroy(&self.lanes); /* answers what was committed, so before the socket goes */
    if (self.kick_init)
        uv_close((uv_handle_t *) &self.kick, NULL); /* the relay numbers the rest when it starts */
    retention_destroy(&self.retention);
    rpcsrv_destroy(&self.rpc);
    sub_destroy(&self.routing);
    relay_destroy(&self.relay);
    svc_destroy(svc);
    return rc;
}
