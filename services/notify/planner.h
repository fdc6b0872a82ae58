/* planner: the thread that decides who must hear what.
 *
 * It follows the routing, intake and deliberation streams (durable
 * subscribers, sub.h) on a loop and a database connection of its own (an
 * actor, actor.h), and
 * plans each batch of events into deliveries (plan.h) that commit with the
 * subscriber's position. After each commit it calls `planned` on the
 * caller's loop, so the pump looks for the new rows. A long catch-up — a
 * backlog after a restart, a burst of thousands of events — therefore never
 * stops the sending: the pump sends the first batch's deliveries while the
 * next batch is being planned. */
#ifndef NOTIFY_PLANNER_H
#define NOTIFY_PLANNER_H

#include <stdint.h>
#include <uv.h>

#include "health.h"
#include "svclock.h"

typedef struct planner planner_t;

typedef struct {
    const char *db_url;
    const char *routing, *intake, *deliberation;  /* the streams' PUB endpoints */
    const char *intake_endpoint;  /* intake's requests: the reporters the events refer to */
    int silence_ms;
    const svclock_t *clock;
    health_t *health;   /* each subscription reported to it (sub_watch) when set */
    int64_t ready_lag;  /* GOV_SUB_READY_LAG */
} planner_config_t;

/* Runs on `loop` (the caller's) after a batch of deliveries committed;
 * `failed` after the planner could not start its subscribers (it has
 * stopped; the service should). */
typedef void (*planner_cb)(void *arg);

/* Connects and starts the thread; the subscribers start (and catch up) on
 * it. Returns 0, or -1 after logging (nothing is left running). */
int planner_start(uv_loop_t *loop, void *zctx, const planner_config_t *cfg, planner_cb planned,
                  planner_cb failed, void *arg, planner_t **out);

/* Deliveries planned so far. Any thread. */
uint64_t planner_planned(const planner_t *p);

/* Stops and joins the thread (a batch under way finishes first), closes its
 * connection; the caller's loop must run afterwards to close its handles. */
void planner_stop(planner_t **self_p);

#endif
