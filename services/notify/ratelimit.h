/* ratelimit: at most `limit` sends per destination in any `window_ms`
 * (robots: 20 a minute), as a sliding window of the last sends' times.
 * Destinations are few (one per unit robot), so they are kept in a list. */
#ifndef NOTIFY_RATELIMIT_H
#define NOTIFY_RATELIMIT_H

#include <stdint.h>

typedef struct ratelimit ratelimit_t;

/* Returns a limiter (limit >= 1, window_ms >= 1), or NULL when out of memory. */
ratelimit_t *ratelimit_new(int limit, int64_t window_ms);

/* How many sends `dest` may make at `now_ms` (0..limit). */
int ratelimit_room(ratelimit_t *rl, const char *dest, int64_t now_ms);

/* Records a send to `dest` at `now_ms`. Returns 0, or -1 when out of memory. */
int ratelimit_take(ratelimit_t *rl, const char *dest, int64_t now_ms);

/* A send to `dest` finished at `now_ms`: its slot counts from now on, since
 * the robot counts a message when it arrives, which may be well after the
 * slot was taken (requests queue, a loaded machine is slow). The oldest slot
 * moves to `now_ms` — one slot per send, so the count stays right and never
 * runs behind the robot's. Nothing happens when `dest` has no slot. */
void ratelimit_finished(ratelimit_t *rl, const char *dest, int64_t now_ms);

/* `dest` said it is full (a robot's rate-limit answer): every slot left
 * in its window is taken at `now_ms`, so nothing more goes there until the
 * window slides. Out of memory leaves the room as it was. */
void ratelimit_fill(ratelimit_t *rl, const char *dest, int64_t now_ms);

/* The first instant at or after `now_ms` when `dest` has room again. */
int64_t ratelimit_next(ratelimit_t *rl, const char *dest, int64_t now_ms);

void ratelimit_destroy(ratelimit_t **self_p);

#endif
