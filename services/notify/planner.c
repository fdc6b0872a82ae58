#include "planner.h"

#include <stdatomic.h>
#include <stdlib.h>

#include "actor.h"
#include "db.h"
#include "log.h"
#include "plan.h"
#include "sub.h"

struct planner {
    /* On the caller's loop: */
    uv_async_t planned_async, failed_async;
    planner_cb planned, failed;
    void *arg;
    int closing;
    actor_t *actor;         /* the planner's thread, loop and connection */
    /* On the planner's thread: */
    uv_timer_t after;       /* the next pass of the loop: the first opens the subscribers,
                             * later ones follow a committed batch */
    uv_loop_t *loop;
    PGconn *conn;
    void *zctx;
    planner_config_t cfg;
    plan_t *plan;
    contactcli_t *contacts; /* intake, for reporters (plan.h); the thread's own socket */
    sub_t *subs[3];
    size_t batch;           /* deliveries the batch under way planned */
    int owed;               /* a committed batch planned some: tell the pump */
    _Atomic uint64_t planned_total;
};

static void s_tell(planner_t *p)
{
    if (p->owed) {
        p->owed = 0;
        uv_async_send(&p->planned_async);
    }
}

/* A batch begins: the one before it (if any) has committed, so its
 * deliveries can be claimed. A stop rolls the batch back (it is planned
 * again on the next start), so a long catch-up does not hold the stop. */
static int s_on_begin(PGconn *conn, void *arg)
{
    (void) conn;
    planner_t *p = arg;
    if (actor_stopping(p->actor))
        return -1;
    s_tell(p);
    p->batch = 0;
    plan_begin(p->plan);
    return 0;
}

/* One event, inside the subscriber's transaction: its deliveries are
 * gathered, and written with the rest of the batch in s_on_end. */
static int s_on_event(PGconn *conn, const Gov__Envelope *event, void *arg)
{
    planner_t *p = arg;
    int n = plan_event(p->plan, conn, event, svclock_now_ms(p->cfg.clock));
    if (n < 0)
        return -1;
    p->batch += (size_t) n;
    atomic_fetch_add(&p->planned_total, (uint64_t) n);
    return 0;
}

/* A batch's events, before they are planned: the reporters they refer to
 * are asked of intake in one request (plan.h). */
static int s_on_peek(PGconn *conn, const Gov__Envelope *const *events, size_t n, void *arg)
{
    (void) conn;
    planner_t *p = arg;
    return plan_prefetch(p->plan, events, n);
}

static void s_on_after(uv_timer_t *timer)
{
    s_tell(timer->data);
}

/* The batch's deliveries commit with its position, right after this; the
 * next batch's begin, or the next pass of this loop, says so. */
static int s_on_end(PGconn *conn, void *arg)
{
    planner_t *p = arg;
    if (plan_write(p->plan, conn))
        return -1;
    if (p->batch) {
        p->owed = 1;
        uv_timer_start(&p->after, s_on_after, 0, 0);
    }
    return 0;
}

static void s_close_subs(planner_t *p)
{
    for (size_t i = 0; i < sizeof p->subs / sizeof *p->subs; i++)
        sub_destroy(&p->subs[i]);
}

/* On the planner's thread, when planner_stop stops it. */
static void s_stop(void *arg)
{
    planner_t *p = arg;
    s_close_subs(p);
    contactcli_destroy(&p->contacts);
    uv_close((uv_handle_t *) &p->after, NULL);
}

/* The first pass of the planner's loop: the subscribers start, each catching
 * up from the table (a batch at a time, each told to the pump as it
 * commits). */
static void s_on_open(uv_timer_t *timer)
{
    planner_t *p = timer->data;
    const char *streams[] = {"routing", "intake", "deliberation"};
    const char *endpoints[] = {p->cfg.routing, p->cfg.intake, p->cfg.deliberation};
    for (size_t i = 0; i < 3 && !actor_stopping(p->actor); i++)
        if (sub_new_batched(p->loop, p->zctx, p->conn, "notify", streams[i], endpoints[i],
                            p->cfg.silence_ms, s_on_event, s_on_begin, s_on_end, s_on_peek, p,
                            &p->subs[i]) ||
            (p->cfg.health && sub_watch(p->subs[i], p->cfg.health, p->cfg.ready_lag))) {
            s_close_subs(p);
            uv_async_send(&p->failed_async);
            break;
        }
}

/* On the planner's thread, before planner_start returns. */
static int s_start(uv_loop_t *loop, PGconn *conn, void *arg)
{
    planner_t *p = arg;
    p->loop = loop;
    p->conn = conn;
    if (contactcli_new(p->zctx, p->cfg.intake_endpoint, &p->contacts))
        return -1;
    plan_set_contacts(p->plan, p->contacts);
    /* The subscriptions' /readyz conditions exist from now, "starting",
     * though the subscribers start on the first pass: no window where the
     * service says ready with none. */
    const char *conds[] = {"subscription routing", "subscription intake", "subscription deliberation"};
    for (size_t i = 0; i < 3 && p->cfg.health; i++)
        health_condition(p->cfg.health, conds[i]);
    uv_timer_init(loop, &p->after);
    p->after.data = p;
    uv_timer_start(&p->after, s_on_open, 0, 0);
    return 0;
}

static void s_on_planned(uv_async_t *handle)
{
    planner_t *p = handle->data;
    p->planned(p->arg);
}

static void s_on_failed(uv_async_t *handle)
{
    planner_t *p = handle->data;
    p->failed(p->arg);
}

static void s_on_closed(uv_handle_t *handle)
{
    planner_t *p = handle->data;
    if (++p->closing == 2)
        free(p);
}

int planner_start(uv_loop_t *loop, void *zctx, const planner_config_t *cfg, planner_cb planned,
                  planner_cb failed, void *arg, planner_t **out)
{
    planner_t *p = calloc(1, sizeof *p);
    if (!p || !(p->plan = plan_new())) {
        log_error("notify: cannot start the planner");
        free(p);
        return -1;
    }
    p->planned = planned;
    p->failed = failed;
    p->arg = arg;
    p->zctx = zctx;
    p->cfg = *cfg;
    uv_async_init(loop, &p->planned_async, s_on_planned);
    uv_async_init(loop, &p->failed_async, s_on_failed);
    p->planned_async.data = p->failed_async.data = p;
    actor_config_t ac = {.name = "notify's planner", .db_url = cfg->db_url,
                         .schema_version = SCHEMA_VERSION, .start = s_start, .stop = s_stop,
                         .arg = p};
    if (actor_new(&ac, &p->actor)) {
        log_error("notify: cannot start the planner");
        plan_destroy(&p->plan);
        uv_close((uv_handle_t *) &p->planned_async, s_on_closed);
        uv_close((uv_handle_t *) &p->failed_async, s_on_closed);
        return -1;
    }
    *out = p;
    return 0;
}

uint64_t planner_planned(const planner_t *p)
{
    return atomic_load(&p->planned_total);
}

void planner_stop(planner_t **self_p)
{
    planner_t *p = *self_p;
    if (!p)
        return;
    *self_p = NULL;
    actor_destroy(&p->actor);  /* a batch under way rolls back, the subscribers close */
    plan_destroy(&p->plan);
    uv_close((uv_handle_t *) &p->planned_async, s_on_closed);
    uv_close((uv_handle_t *) &p->failed_async, s_on_closed);
}
