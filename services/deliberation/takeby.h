/* takeby: a dispatched service order must be taken (接单) by its deadline.
 * Each deadline is a row in order_deadlines, on the deadline engine
 * (common/deadline.h), as the matters' windows are (windows.c): firing
 * claims the rows still pending and lapses their orders (orders_lapse) in
 * the same transaction, so an order goes back, and is escalated, exactly
 * once, whatever the number of replicas. Taking the order settles its row. */
#ifndef DELIB_TAKEBY_H
#define DELIB_TAKEBY_H

#include <uv.h>

#include "deadline.h"
#include "delib.h"

/* Starts the take-by deadlines of `d` on `loop` with `config`, lapsing
 * those already due first. As windows_new. */
int takeby_new(uv_loop_t *loop, delib_t *d, const deadline_config_t *config, deadline_t **out);

#endif
