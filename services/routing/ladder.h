/* ladder: the escalation ladder's steps (rows of `deadlines`) on the deadline
 * engine (common/deadline.h), which arms them, refills the horizon, takes
 * over a dead replica's overdue steps and fires late what fell due while no
 * routing process ran.
 *
 * What is the ladder's own: which rows are pending (not fired, not
 * cancelled: the unit signed, arrived or resolved), and what firing a step
 * does. It claims the steps (fired_at, and late for those fired at start) in
 * the same transaction as the dispatch's log line and the DeadlineReminder /
 * DeadlineEscalated event, so a step fires exactly once whatever the number
 * of replicas. A step that reaches nobody (no dispatch centre) is logged and
 * spent. */
#ifndef ROUTING_LADDER_H
#define ROUTING_LADDER_H

#include <uv.h>

#include "deadline.h"
#include "routing.h"

/* Starts the ladder of `r` on `loop` with `config` (GOV_LADDER_*), firing the
 * steps already due first. `r` is borrowed and must outlive the engine; its
 * connection, clock and relay must be set. Returns 0 and sets `*out` (arm
 * with deadline_arm, stop with deadline_destroy), or a negative error code
 * after logging. */
int ladder_new(uv_loop_t *loop, routing_t *r, const deadline_config_t *config, deadline_t **out);

#endif
