/* timerq: many deadlines on one libuv timer.
 *
 * A binary min-heap of {due_ms, id} (16 bytes each) and a single uv_timer_t
 * set for the earliest, instead of one uv_timer_t (~150 bytes) per deadline:
 * a service can hold a million armed deadlines cheaply. The clock is the
 * caller's (svclock, so tests can move time); after it jumps, call
 * timerq_reschedule.
 *
 * There is no cancel: the caller's deadlines are rows, cancelled there, and a
 * timer for a cancelled row claims nothing when it fires. Arming the same id
 * twice fires it twice, for the same reason harmlessly. */
#ifndef GOV_TIMERQ_H
#define GOV_TIMERQ_H

#include <stddef.h>
#include <stdint.h>
#include <uv.h>

typedef struct timerq timerq_t;

typedef struct {
    int64_t due_ms;
    int64_t id;
} timerq_item_t;

/* Now, in ms since the epoch, as the caller sees it. */
typedef int64_t (*timerq_clock_fn)(void *arg);

/* Called with the items due (due_ms <= now), earliest first, already removed
 * from the queue; 1 <= n <= TIMERQ_MAX_BATCH, the rest follow on the next
 * loop iteration. The array is borrowed for the call. The callback may arm
 * more items, and may destroy the queue. */
typedef void (*timerq_fire_cb)(timerq_t *q, const timerq_item_t *due, size_t n, void *arg);

#define TIMERQ_MAX_BATCH 4096

/* Makes an empty queue on `loop`. Returns 0 and sets `*out`, or -ENOMEM. */
int timerq_new(uv_loop_t *loop, timerq_clock_fn clock, void *clock_arg, timerq_fire_cb fire,
               void *arg, timerq_t **out);

/* Arms `id` at `due_ms` (a time in the past fires on the next loop
 * iteration). Returns 0 or -ENOMEM (nothing armed). */
int timerq_arm(timerq_t *q, int64_t id, int64_t due_ms);

/* Re-reads the clock and re-sets the timer: call after the clock jumped. */
void timerq_reschedule(timerq_t *q);

size_t timerq_size(const timerq_t *q);

/* The earliest due time, or INT64_MAX when empty. */
int64_t timerq_next_due(const timerq_t *q);

/* Stops the timer and frees the queue (in the handle's close callback).
 * NULLs the pointer; safe on NULL and from inside the fire callback. */
void timerq_destroy(timerq_t **self_p);

#endif
