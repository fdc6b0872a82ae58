/* windows: the opinion window, the 公示 and the evaluation close on their own.
 *
 * Each window is a row in matter_windows, on the deadline engine
 * (common/deadline.h), which arms the near ones, refills the horizon, takes
 * over a dead replica's overdue windows and fires late at start what fell due
 * while the service was down. What is the windows' own: which rows are
 * pending (fired_ms IS NULL) and what closing one does. Firing claims the
 * rows in the same transaction as the steps they cause
 * (steps_window_closed), earliest first, so a window closes exactly once. */
#ifndef DELIB_WINDOWS_H
#define DELIB_WINDOWS_H

#include <uv.h>

#include "deadline.h"
#include "delib.h"

/* Starts the windows of `d` on `loop` with `config` (GOV_WINDOWS_*), closing
 * those already due first. `d` is borrowed and must outlive the engine; its
 * connection, statements, clock and relay must be set. Returns 0 and sets
 * `*out` (arm with deadline_arm, stop with deadline_destroy), or a negative
 * error code after logging. */
int windows_new(uv_loop_t *loop, delib_t *d, const deadline_config_t *config, deadline_t **out);

#endif
