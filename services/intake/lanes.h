/* lanes: SubmitCase served on several database connections at once.
 *
 * Each lane is a thread with its own connection and copy of the map (as the
 * relay is a thread with its own). It serves what was queued to it in
 * batches: whatever arrived while it was busy is its next batch, so batches
 * are small under light load and large under heavy load, and nothing ever
 * waits for a batch to fill. A category is in one lane's hands at a time —
 * the lane that has some of it queued or in flight, else the least busy one —
 * because merge decisions lock per category: lanes on different categories
 * never wait on each other, so their transactions and commits overlap. (Two
 * lanes on one category would still be correct, as two replicas are; the
 * lock would only make one wait.)
 *
 * The loop thread admits requests and sends the answers; lanes never touch
 * the socket. */
#ifndef INTAKE_LANES_H
#define INTAKE_LANES_H

#include <uv.h>

#include "submit.h"

typedef struct lanes lanes_t;

/* Called on the loop thread with a batch a lane has served: `items[i]` each
 * carry their answer, to be sent with submit_answer (the callback owns them
 * until then); `events` is how many events the batch wrote. */
typedef void (*lanes_done_cb)(submit_item_t *items, size_t n, int events, void *arg);

/* Starts `nlanes` lanes, each connected to `db_url` (borrowed during the
 * call), serving at most `max_batch` items a transaction. Returns 0 and sets
 * `*out`, or -1 after logging (nothing started, `on_done` never called). */
int lanes_new(uv_loop_t *loop, const char *db_url, const submit_config_t *cfg, int nlanes,
              size_t max_batch, lanes_done_cb on_done, void *arg, lanes_t **out);

/* Loop thread. Queues an admitted item on its category's lane (lanes_kick
 * wakes it): returns 0 and the item is taken (`*it` is zeroed), or -ENOMEM
 * and it is still the caller's to answer. */
int lanes_push(lanes_t *self, submit_item_t *it);

/* Loop thread. Wakes the lanes that were given items since the last kick:
 * call it once after queueing all the requests of a pass over the socket, so
 * an idle lane starts with all of them rather than with the first alone. */
void lanes_kick(lanes_t *self);

/* Items queued or being served, over all lanes. */
size_t lanes_pending(const lanes_t *self);

/* Stops the lanes after the batches they are serving; those batches are
 * still handed to `on_done` (they are committed), anything only queued is
 * freed unanswered (its sender retries under the same key). Call it before
 * the socket the answers go to is closed. The memory goes once the loop has
 * run the close callback. NULLs the pointer; safe on
 * NULL. */
void lanes_destroy(lanes_t **self_p);

#endif
