/* pump: sends what is due, and writes down what happened.
 *
 * Deliveries are rows. The pump claims the due ones (state 'sending', with a
 * lease) in one statement, hands each to its channel, runs the requests at
 * once on the loop (curluv), and records every outcome with its attempt:
 * sent; retried after an exponential backoff with jitter; dead after too
 * many failures or at once on a permanent one; held when a robot is over
 * its rate (20 a minute), and merged into one digest when more are waiting
 * than the robot may take. A delivery is 'sent' only once the channel said
 * so: a sender killed in between leaves it 'sending' until the lease runs
 * out, and then it goes again ('unconfirmed'), carrying the same
 * idempotency key so the receiver can drop the repeat.
 *
 * One wake timer waits for the next due row; a sweep timer expires leases
 * and catches rows other processes (or govctl notify retry) made due. */
#ifndef NOTIFY_PUMP_H
#define NOTIFY_PUMP_H

#include <libpq-fe.h>
#include <stdint.h>
#include <uv.h>

#include "channel.h"
#include "svclock.h"

typedef struct pump pump_t;

typedef struct {
    int concurrency;          /* requests under way or unrecorded, at most */
    int claim_batch;          /* rows claimed per statement */
    int64_t lease_ms;         /* a claim's life; more than the request timeout */
    int max_attempts;         /* failed attempts before dead */
    int64_t retry_base_ms;    /* the first backoff; doubles each time */
    int64_t retry_max_ms;
    int robot_limit;          /* robot messages per window and destination */
    int64_t robot_window_ms;
    int64_t sweep_ms;
} pump_config_t;

typedef struct {
    uint64_t sent, retried, dead, rate_limited, digests, unconfirmed;
    uint64_t inflight;
} pump_stats_t;

/* Makes a pump on `loop` using `conn` (borrowed, this loop's only) for
 * claims, `outcomes` (borrowed, nobody else's: it is used asynchronously,
 * see record.h) to write down what happened, and `clock`; `ch` and `cfg`
 * are copied (their strings borrowed). Starts sweeping at once. Returns 0
 * and sets `*out`, or -1 after logging. */
int pump_new(uv_loop_t *loop, PGconn *conn, PGconn *outcomes, const svclock_t *clock,
             const channel_config_t *ch, const pump_config_t *cfg, pump_t **out);

/* Something may have become due: look on the next pass of the loop. */
void pump_kick(pump_t *pump);

pump_stats_t pump_stats(const pump_t *pump);

/* Stops sending; requests under way are abandoned (their leases expire). */
void pump_destroy(pump_t **self_p);

#endif
