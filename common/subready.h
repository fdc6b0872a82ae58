/* subready: whether a subscription lets its service call itself ready.
 *
 * A subscriber is ready when it is connected to its publisher (at least one
 * ZeroMQ handshake with it succeeded and the link has not dropped since) and
 * caught up: the events the publisher has numbered in the outbox
 * (outbox_streams.last_seq, the head, read at most a second ago) less the
 * events it has applied (its position) is at most `max_lag` (GOV_SUB_READY_LAG,
 * 100 by default). Without a connection it would still catch up from the table,
 * but only every GOV_SUB_SILENCE_MS; far behind, it answers with stale state.
 * Pure, so tests/unit/test_subready.c decides every case without a socket. */
#ifndef GOV_SUBREADY_H
#define GOV_SUBREADY_H

#include <stdint.h>

typedef enum {
    SUBREADY_OK,
    SUBREADY_NOT_CONNECTED,
    SUBREADY_HEAD_UNKNOWN, /* the head could not be read (the database is away) */
    SUBREADY_BEHIND,
} subready_t;

/* `head` < 0: unknown. */
subready_t subready_judge(int connected, int64_t head, uint64_t position, int64_t max_lag);

/* Events behind: head less position, 0 when the position is ahead (the head
 * read before the last batch) or the head unknown. */
uint64_t subready_lag(int64_t head, uint64_t position);

/* A few words for /readyz's body ("not connected", "behind"). */
const char *subready_name(subready_t s);

#endif
