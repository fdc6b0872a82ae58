/* ladder: the escalation ladder's steps (rows of `deadlines`) brought to life
 * as timers.
 *
 * The near steps — due within the horizon — sit in a timerq; a refill every
 * `refill_ms` arms the next slice, steps other replicas created since the last
 * look, and any step overdue by more than a sweep that nobody fired (a replica
 * died holding it). Firing claims the rows (fired_at IS NULL) in the same
 * transaction as the log line and the DeadlineReminder / DeadlineEscalated
 * event, so a step fires exactly once whatever the number of replicas; a
 * stale timer for a step that was cancelled (the unit signed) claims nothing.
 * Steps that fell due while no routing process ran are fired at start-up and
 * marked late. */
#ifndef ROUTING_LADDER_H
#define ROUTING_LADDER_H

#include <stdint.h>
#include <uv.h>

#include "routing.h"

typedef struct {
    int64_t horizon_ms;   /* arm steps due within this */
    int refill_ms;        /* look for new steps this often (real time) */
    int64_t sweep_ms;     /* re-arm unfired steps overdue by more than this */
} ladder_config_t;

typedef struct {
    uint64_t fired, late, stale, armed;
} ladder_stats_t;

/* Fires the overdue steps (late), loads the horizon, and starts the refill
 * timer. `r` is borrowed and must outlive the ladder. Returns 0 and sets
 * `*out`, or -1 after logging. */
int ladder_new(uv_loop_t *loop, routing_t *r, const ladder_config_t *config, ladder_t **out);

/* Arms step `id` if it is due within what is armed; later steps are left for
 * the refill. Safe on a NULL ladder (a tool without timers). */
void ladder_arm(ladder_t *ladder, int64_t id, int64_t due_ms);

/* The service clock jumped forward: arm the new horizon and re-set the timer. */
void ladder_clock_jumped(ladder_t *ladder);

ladder_stats_t ladder_stats(const ladder_t *ladder);

/* Stops the timers; frees in the close callbacks. NULLs the pointer; safe on NULL. */
void ladder_destroy(ladder_t **self_p);

#endif
