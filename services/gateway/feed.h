/* feed: GET /api/v1/events, the three streams live as server-sent events,
 * filtered to what the person may see (feedscope.h) and with personal data
 * cut out. Each event's `id:` is the position in all three streams after
 * it ("i12.r345.d7": intake, routing, deliberation, each gap-free in commit
 * order), so a browser that reconnects with Last-Event-ID resumes exactly
 * there and misses nothing; the events come from the outbox table, where
 * every event stays. A new stream without Last-Event-ID starts now.
 *
 * Nothing waits on a thread: a stream with nothing to send is suspended, and
 * one timer on the gateway's loop reads where the streams are (every
 * 200 ms) and wakes the suspended streams when they moved, or every 10 s
 * to check their credentials (and send a keep-alive comment every 15 s). The person's credential is checked again every
 * 10 s, so a revoked session or token ends its streams. At most
 * `max_streams` are open at once (503 past that). */
#ifndef GOV_GATEWAY_FEED_H
#define GOV_GATEWAY_FEED_H

#include <libpq-fe.h>
#include <uv.h>

#include "auth.h"
#include "health.h"
#include "http.h"
#include "pool.h"

typedef struct feed feed_t;

/* Starts the timer on `loop`, reading positions with `conn` (the loop's).
 * With `health` (borrowed; may be NULL) /readyz waits on each stream
 * ("feed intake", "feed routing", "feed deliberation": "head unknown" while
 * its head cannot be read, the database away) and /metrics shows
 * gov_feed_position and gov_feed_connected for each. Returns 0 and sets
 * `*out`, or -1. */
int feed_new(uv_loop_t *loop, PGconn *conn, pool_t *pool, unsigned max_streams, health_t *health,
             feed_t **out);

/* Answers a GET /api/v1/events by `who` (resolved from `credential`, sent
 * as a cookie or a bearer token per who->via) with a stream, or a refusal. */
void feed_open(feed_t *f, worker_t *w, const principal_t *who, const char *credential,
               const http_req_t *req, http_res_t *res);

/* A number that moves whenever any stream moves (as the timer reads them)
 * or feed_touch is called: answers read at one generation are still true
 * while it stands (cache.h). */
uint64_t feed_generation(feed_t *f);

/* Moves the generation now (this gateway just sent a command). */
void feed_touch(feed_t *f);

/* Ends every stream (before the listener stops). */
void feed_stop(feed_t *f);

/* Once the listener has stopped. NULLs; safe on NULL. */
void feed_destroy(feed_t **self_p);

/* Parses a position ("i12.r345.d7"). Returns 0, or -1 when malformed. */
int feed_parse_id(const char *id, long long seq[3]);

#endif
