/* backoff: how long a failed delivery waits before it goes again.
 *
 * Exponential, capped, with equal jitter: the delay doubles with each
 * failure from `base_ms` up to `max_ms`, and half of it is fixed and half
 * random, so senders that failed together do not come back together. */
#ifndef NOTIFY_BACKOFF_H
#define NOTIFY_BACKOFF_H

#include <stdint.h>

/* The wait after the `failures`-th failure (1 for the first; 0 or less
 * counts as 1): d = min(base_ms * 2^(failures - 1), max_ms), and the wait is
 * d/2 + random % (d/2 + 1), so between d/2 and d inclusive. `random` is any
 * value from the caller's generator; the same value gives the same wait.
 * base_ms and max_ms are at least 1. */
int64_t backoff_delay(int64_t base_ms, int64_t max_ms, int failures, uint32_t random);

#endif
