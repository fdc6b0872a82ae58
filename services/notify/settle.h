/* settle: what an attempt's outcome means for its delivery.
 *
 *   sent          the row is 'sent': confirmed, never sent again.
 *   rate limited  'pending' again after one robot window; not a failure.
 *   retry         a failure: 'pending' again after a backoff (backoff.h),
 *                 or 'dead' once it is the max_attempts-th failure.
 *   failed        a permanent failure: 'dead' at once.
 *
 * Pure: the pump writes the answer down (record.h) and keeps the counts. */
#ifndef NOTIFY_SETTLE_H
#define NOTIFY_SETTLE_H

#include <stdint.h>

#include "channel.h"

typedef struct {
    int max_attempts;          /* failed attempts before dead (>= 1) */
    int64_t retry_base_ms;     /* the first backoff; doubles each time */
    int64_t retry_max_ms;
    int64_t robot_window_ms;   /* a rate-limited row waits this long */
} settle_config_t;

/* The row after the attempt. outcome and state are string literals, as
 * Q_RECORD takes them. */
typedef struct {
    const char *outcome;       /* "sent", "rate_limited", "retry", "failed" */
    const char *state;         /* "sent", "pending", "dead" */
    int failures;              /* failed attempts so far, this one included */
    int64_t next_ms;           /* when a pending row is due again; 0 otherwise */
} settle_t;

/* Settles an attempt that ended with `outcome` at `now_ms`, for a delivery
 * that had failed `failures` times before it. `random` is any value from
 * the caller's generator, for the backoff's jitter. */
settle_t settle_outcome(const settle_config_t *cfg, outcome_t outcome, int failures,
                        int64_t now_ms, uint32_t random);

/* Nonzero when the attempt left the delivery dead. */
int settle_is_dead(const settle_t *s);

#endif
