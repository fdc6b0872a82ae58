/* sub: a durable subscriber to one service's event stream.
 *
 * Events arrive on SUB as the doorbell; the outbox table is the truth. sub
 * applies events strictly in sequence: each batch runs `apply` for every
 * event and stores the new position in subscriber_positions in the same
 * transaction, so an effect and "I have seen it" commit together. It reads the
 * table instead of the socket on start-up, when a sequence number is skipped
 * (a gap: PUB dropped something or we were away), and after `silence_ms`
 * without a message (the last events before a quiet spell may be the ones
 * dropped). Duplicates (seq at or below the position) are ignored. Each
 * batch starts from the stored position, its row locked to COMMIT, so
 * several instances of one subscriber (replicas of a service) take turns and
 * apply each event once between them. */
#ifndef GOV_SUB_H
#define GOV_SUB_H

#include <libpq-fe.h>
#include <stdint.h>
#include <uv.h>

#include "envelope.h"
#include "health.h"

typedef struct sub sub_t;

/* Applies one event inside the open transaction on `conn`. Returns 0, or a
 * negative value to roll the batch back (it will be retried from the table;
 * an event that always fails stops the subscriber there, loudly, rather than
 * be skipped). */
typedef int (*sub_apply_cb)(PGconn *conn, const Gov__Envelope *event, void *arg);

/* Subscribes `name` to `stream` published at `endpoint`, using `conn`
 * (borrowed; used only from this loop) for its transactions. Catches up from
 * the table before returning. Returns 0 and sets `*out`, or -1 after logging. */
int sub_new(uv_loop_t *loop, void *zctx, PGconn *conn, const char *name, const char *stream,
            const char *endpoint, int silence_ms, sub_apply_cb apply, void *arg, sub_t **out);

/* Runs inside a batch's open transaction on `conn`. Returns 0, or a negative
 * value to roll the batch back (as a failed apply does). */
typedef int (*sub_batch_cb)(PGconn *conn, void *arg);

/* As sub_new, with two hooks around every batch (either may be NULL):
 * `begin` runs right after BEGIN, before the first event (forget what an
 * earlier batch, perhaps rolled back, gathered); `end` runs after the last
 * event was applied and before the position is stored (write what the
 * batch's events gathered, in one statement rather than one an event). `end`
 * is not called for a batch that applied nothing or is being rolled back. */
/* Sees every event a batch is about to apply, in order, after `begin` and
 * before the first `apply`: to ask once a batch for what its events will
 * need (notify asks intake for the reporters they refer to). Events at or
 * below the position may be among them. Returns 0, or a negative value to
 * roll the batch back (as a failed apply does). */
typedef int (*sub_peek_cb)(PGconn *conn, const Gov__Envelope *const *events, size_t n, void *arg);

/* ... and `peek` (may be NULL) sees each batch's events before they apply. */
int sub_new_batched(uv_loop_t *loop, void *zctx, PGconn *conn, const char *name,
                    const char *stream, const char *endpoint, int silence_ms, sub_apply_cb apply,
                    sub_batch_cb begin, sub_batch_cb end, sub_peek_cb peek, void *arg, sub_t **out);

/* Reports the subscription to `h` (from the subscriber's loop, once a
 * second and whenever the link changes): the gauges
 * gov_subscription_lag, _position and _connected labelled with the stream,
 * and a /readyz condition "subscription STREAM" that holds while the
 * publisher is linked and the lag is at most `max_lag` (subready.h). Returns
 * 0, or -1 after logging. */
int sub_watch(sub_t *sub, health_t *h, int64_t max_lag);

/* The last sequence applied. */
uint64_t sub_position(const sub_t *sub);

/* Reads and applies everything after the position now. Returns the number of
 * events applied, or -1. */
int sub_catch_up(sub_t *sub);

void sub_destroy(sub_t **self_p);

#endif
