/* relay: numbers a stream's committed outbox events and publishes them.
 *
 * It numbers what writers left unnumbered (outbox.h), then publishes every
 * numbered event after the last one it published, in order, whoever
 * numbered it: writers that number their own events (intake) leave it only
 * reading. It starts publishing after the stream's last number at its start.
 *
 * PUB frames: [type][packed Envelope with stream and seq set]. Subscribers
 * filter by type prefix. PUB drops at its high-water mark by design; that is
 * fine because a subscriber notices the gap in seq and reads the table.
 *
 * The relay runs on its own thread with its own loop, database connection and
 * PUB socket (an actor, actor.h), so its commit (numbering must be durable before anything is
 * published) never holds up the service's requests. The service calls
 * relay_kick() after each commit that wrote events; a timer also looks every
 * `interval_ms`, for events written by other processes and for anything a
 * crash left unnumbered. When it finds nothing it writes nothing. */
#ifndef GOV_RELAY_H
#define GOV_RELAY_H

#include <stdint.h>

typedef struct relay relay_t;

/* Starts the relay thread: connects to `db_url` and binds a PUB at
 * `endpoint` (both borrowed only during the call). Returns 0 and sets `*out`
 * once the relay is running, or -1 after logging why it could not start. */
int relay_new(void *zctx, const char *db_url, const char *stream, const char *endpoint,
              int interval_ms, relay_t **out);

/* Asks the relay to number and publish what is pending, soon. Callable from
 * any thread; kicks while it is busy coalesce into one more run. */
void relay_kick(relay_t *relay);

/* Events published since start, and the last sequence published. */
uint64_t relay_published(const relay_t *relay);
uint64_t relay_last_seq(const relay_t *relay);

/* Stops the thread (after its current run) and frees the relay. NULLs the
 * pointer; safe on NULL. */
void relay_destroy(relay_t **self_p);

#endif
