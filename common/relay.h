/* relay: numbers a stream's committed outbox events and publishes them.
 *
 * PUB frames: [type][packed Envelope with stream and seq set]. Subscribers
 * filter by type prefix. PUB drops at its high-water mark by design; that is
 * fine because a subscriber notices the gap in seq and reads the table.
 *
 * The service calls relay_kick() after each commit that wrote events, for low
 * latency; a timer also runs it every `interval_ms`, for events written by
 * other processes and for anything a crash left unnumbered. */
#ifndef GOV_RELAY_H
#define GOV_RELAY_H

#include <stdint.h>
#include <uv.h>

typedef struct relay relay_t;

/* Connects its own database connection to `db_url` and binds a PUB at
 * `endpoint`. Returns 0 and sets `*out`, or a negative code after logging. */
int relay_new(uv_loop_t *loop, void *zctx, const char *db_url, const char *stream,
              const char *endpoint, int interval_ms, relay_t **out);

/* Numbers and publishes everything pending now. Returns the number published,
 * or -1 (logged; the timer will try again). */
int relay_kick(relay_t *relay);

/* Events published since start, and the last sequence published. */
uint64_t relay_published(const relay_t *relay);
uint64_t relay_last_seq(const relay_t *relay);

void relay_destroy(relay_t **self_p);

#endif
