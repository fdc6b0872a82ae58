/* peers: what a server knows of each client it answers, so that no client can
 * make it hold more than a bounded share, whatever the client does.
 *
 * A ROUTER reads every peer fairly, but what it reads, it serves: a client
 * that pipelines 120,000 reads and stops reading had a service answer every
 * one into a pipe nobody emptied (224 -> 762 MB in 20 s). Here each peer has
 * a bound on its requests in flight (admitted, not yet answered), and the
 * server learns from each send whether the peer's replies can still go:
 *   gone     the connection is closed (ZeroMQ: EHOSTUNREACH): its queued
 *            requests are dropped at once, not served;
 *   stalled  its pipe is at the high-water mark (EAGAIN): it does not read;
 *            its requests are dropped until a refusal gets through to it.
 * The table is bounded too: a peer with nothing in flight carries no state
 * worth keeping and is the first to make room. All on the loop thread. */
#ifndef GOV_PEERS_H
#define GOV_PEERS_H

#include <stddef.h>
#include <stdint.h>

typedef struct peers peers_t;

typedef enum {
    PEER_OK,      /* admitted: counted in flight until its answer is sent */
    PEER_BUSY,    /* at its bound of requests in flight (or the table is full of busy peers) */
    PEER_STALLED, /* its replies cannot go: it does not read */
    PEER_GONE     /* its connection is closed */
} peer_state_t;

typedef struct {
    uint64_t busy, dropped; /* requests refused at the bound; dropped for a gone or stalled peer */
    uint64_t gone, stalled; /* peers seen go, and stall */
    size_t peers;           /* in the table now */
} peers_stats_t;

/* A table of at most `max_peers` peers, each with at most `max_inflight`
 * requests in flight. NULL when out of memory. */
peers_t *peers_new(size_t max_peers, unsigned max_inflight);

/* A request from the peer with routing id `route` (`len` bytes, at most 256).
 * PEER_OK counts it in flight; anything else is why it is not served. */
peer_state_t peers_admit(peers_t *p, const uint8_t *route, size_t len);

/* 1 when the peer has had fewer than `quota` requests taken into the batch
 * numbered `generation` (then counts this one), 0 when its share is full. */
int peers_take(peers_t *p, const uint8_t *route, size_t len, uint64_t generation, unsigned quota);

/* What the peer's state is now (PEER_OK for one the table does not hold). */
peer_state_t peers_state(const peers_t *p, const uint8_t *route, size_t len);

/* A send to the peer returned `rc` (0, -EHOSTUNREACH, -EAGAIN, ...);
 * `admitted`: it answered a request peers_admit counted. */
void peers_sent(peers_t *p, const uint8_t *route, size_t len, int rc, int admitted);

/* A request peers_admit counted that will never be answered (dropped). */
void peers_drop(peers_t *p, const uint8_t *route, size_t len);

peers_stats_t peers_stats(const peers_t *p);

/* NULLs the pointer; safe on NULL. */
void peers_destroy(peers_t **self_p);

#endif
