/* outbox: events written in the same transaction as the change they describe,
 * and numbered after commit.
 *
 * Writers insert rows with seq NULL. outbox_number() then takes the stream's
 * row lock in outbox_streams, reads the committed unnumbered rows with a fresh
 * snapshot, and gives them the next sequence numbers. Because numbering runs
 * one at a time per stream and only ever sees committed rows, a reader that
 * has seen seq N has already been able to see every seq below N: no reader
 * asking for "seq > last" can skip a row that commits late. (A BIGSERIAL taken
 * inside the writers' transactions would not promise that.)
 *
 * A writer whose transactions are short and end right after their events may
 * number them itself (outbox_batch_send_numbered): it takes the same row lock
 * as it inserts them and holds it to its COMMIT, so numbers are again handed
 * out one transaction at a time, in the order the transactions commit. The
 * rows are then written once rather than inserted and rewritten, and the
 * relay only reads and publishes them. */
#ifndef GOV_OUTBOX_H
#define GOV_OUTBOX_H

#include <libpq-fe.h>
#include <protobuf-c/protobuf-c.h>
#include <stdint.h>

#include "envelope.h"

/* Packs `payload` as an event envelope of `type` on `stream` (actor and
 * trace_id may be NULL) and inserts it in the caller's open transaction.
 * Returns 0, or -1 after logging. */
int outbox_add(PGconn *conn, const char *stream, const char *type, const Gov__Actor *actor,
               const char *trace_id, const ProtobufCMessage *payload);

/* Events collected during a batch and written with one INSERT, for services
 * that serve many requests in one transaction. */
typedef struct outbox_batch outbox_batch_t;

/* Returns an empty batch for `stream` (borrowed), or NULL when out of memory. */
outbox_batch_t *outbox_batch_new(const char *stream);

/* Packs `payload` as an event of `type` into the batch. Returns 0 or -1. */
int outbox_batch_add(outbox_batch_t *batch, const char *type, const Gov__Actor *actor,
                     const char *trace_id, const ProtobufCMessage *payload);

size_t outbox_batch_size(const outbox_batch_t *batch);

/* Queues one INSERT of every event in the batch, in the order added, on a
 * connection in pipeline mode; its one result is the caller's to read.
 * Returns 0 or -1. */
int outbox_batch_send(PGconn *conn, const outbox_batch_t *batch);

/* Inserts every event in the batch, in the order added, with one statement
 * in the caller's open transaction on a connection not in pipeline mode, and
 * waits for it. An empty batch writes nothing. Returns 0, or -1 after
 * logging with the SQLSTATE in `sqlstate` (may be NULL; "08006" when the
 * connection broke). */
int outbox_batch_write(PGconn *conn, const outbox_batch_t *batch, char sqlstate[6]);

/* As outbox_batch_send, numbering the events as they are inserted: the
 * statement takes the stream's row lock, which the transaction keeps until
 * it ends, so send it last, right before COMMIT (other writers of the stream
 * wait for that COMMIT). The statement is prepared: put
 * OUTBOX_NUMBERED_STATEMENT in the list the writer gives db_prepare. */
int outbox_batch_send_numbered(PGconn *conn, const outbox_batch_t *batch);

/* The stream's row, made or locked, is moved on by the batch's size ($4);
 * the events ($2 types, $3 payloads) take the numbers after where it was. */
#define OUTBOX_NUMBERED_NAME "outbox_numbered"
#define OUTBOX_NUMBERED_STATEMENT                                                              \
    {OUTBOX_NUMBERED_NAME,                                                                     \
     "WITH s AS ("                                                                             \
     "  INSERT INTO outbox_streams (stream, last_seq) VALUES ($1, $4::bigint)"                 \
     "  ON CONFLICT (stream) DO UPDATE"                                                        \
     "  SET last_seq = outbox_streams.last_seq + $4::bigint"                                   \
     "  RETURNING last_seq - $4::bigint AS base)"                                              \
     " INSERT INTO outbox (stream, seq, type, payload)"                                        \
     " SELECT $1, s.base + e.n, e.t, e.p"                                                      \
     " FROM s, unnest($2::text[], $3::bytea[]) WITH ORDINALITY AS e(t, p, n)",                 \
     4}

void outbox_batch_destroy(outbox_batch_t **self_p);

/* Called for each event numbered, in sequence order. `envelope` is the packed
 * envelope as stored (seq unset); `seq` is its number. */
typedef void (*outbox_event_cb)(uint64_t seq, const char *type, const uint8_t *envelope,
                                size_t len, void *arg);

/* Numbers up to `limit` committed unnumbered events of `stream` in its own
 * transaction, then calls `cb` for each. Returns how many were numbered, or
 * -1 after logging (nothing numbered, `cb` not called). */
int outbox_number(PGconn *conn, const char *stream, int limit, outbox_event_cb cb, void *arg);

/* Reads up to `limit` numbered events of `stream` after `after_seq`, in order,
 * calling `cb` for each. Returns the count, or -1 after logging. */
int outbox_read(PGconn *conn, const char *stream, uint64_t after_seq, int limit,
                outbox_event_cb cb, void *arg);

/* Re-packs a stored envelope with its stream and sequence set, ready to
 * publish or hand to a subscriber. Returns a malloc'd buffer or NULL. */
uint8_t *outbox_stamp(const uint8_t *envelope, size_t len, const char *stream, uint64_t seq,
                      size_t *out_len);

#endif
