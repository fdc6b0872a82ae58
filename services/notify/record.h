/* record: writes down the outcomes of attempts, many per statement, on a
 * connection of its own, without blocking the loop.
 *
 * While one batch is being written, the outcomes that finish meanwhile
 * wait, and go as the next batch the moment the first commits: the batches
 * grow with the load, and sending goes on while the database works. An
 * outcome is durable only once its batch committed (record_unwritten counts
 * the rest), so the pump counts unwritten outcomes against its concurrency:
 * a sender killed at any moment leaves at most that many deliveries sent
 * and unconfirmed. Only rows still 'sending' change (see Q_RECORD). */
#ifndef NOTIFY_RECORD_H
#define NOTIFY_RECORD_H

#include <libpq-fe.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "svclock.h"

typedef struct record record_t;

/* One finished attempt. outcome and state are string literals. */
typedef struct {
    int64_t id, next_ms;
    const char *outcome, *state;
    long status;
    int ms, failures;
    char response[256], why[256];
} record_outcome_t;

/* A batch committed: `n` outcomes, `pending` of them put their delivery back
 * to 'pending' (a retry, a rate limit). */
typedef void (*record_done_cb)(size_t n, size_t pending, void *arg);

/* Makes a recorder on `loop` writing on `conn` (borrowed; nobody else may
 * use it) at the times of `clock`, calling `done` after each batch. Returns
 * 0 and sets `*out`, or -1 after logging. */
int record_new(uv_loop_t *loop, PGconn *conn, const svclock_t *clock, record_done_cb done,
               void *arg, record_t **out);

/* Queues `o` (copied) to be written with the next batch, which starts on
 * the next pass of the loop unless one is under way. Returns 0, or -1 when
 * out of memory (logged: the row stays 'sending' until its lease runs out,
 * and then goes again). */
int record_add(record_t *rec, const record_outcome_t *o);

/* Outcomes queued or being written: not yet durable. */
size_t record_unwritten(const record_t *rec);

/* Waits for the batch under way and writes what is queued (blocking), then
 * frees the recorder once the loop has closed its handles. What cannot be
 * written is lost, as with a kill: the leases run out. */
void record_destroy(record_t **self_p);

#endif
