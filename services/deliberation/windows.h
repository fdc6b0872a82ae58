/* windows: the opinion window, the 公示 and the evaluation close on their own.
 *
 * Each window is a row in matter_windows. Those due within the horizon are
 * armed on one timerq; a refill every `refill_ms` arms the next ones, and
 * overdue rows nobody fired (this process was down) fire at start. Firing
 * claims the row in the same transaction as the step it causes
 * (steps_window_closed), so a window closes exactly once. */
#ifndef DELIB_WINDOWS_H
#define DELIB_WINDOWS_H

#include <uv.h>

#include "delib.h"

typedef struct {
    int64_t horizon_ms;
    int refill_ms;
} windows_config_t;

/* Starts the windows of `d` on `loop` (arming what is due now). Returns 0 and
 * sets `*out` (also d->windows), or -1 after logging. */
int windows_new(uv_loop_t *loop, delib_t *d, const windows_config_t *cfg, windows_t **out);

/* Arms window `id` due at `due_ms` if it falls within the horizon (a later
 * refill arms it otherwise). */
void windows_arm(windows_t *w, int64_t id, int64_t due_ms);

/* The clock jumped (tests): re-read it and fire what is due. */
void windows_clock_jumped(windows_t *w);

/* Windows closed by this process since start. */
uint64_t windows_fired(const windows_t *w);

void windows_destroy(windows_t **self_p);

#endif
