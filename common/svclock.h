/* svclock: the time a service acts on — the real clock, plus an offset that
 * only tests may move (GOV_TEST_CLOCK=1), so deadlines hours away can be
 * reached in a test without waiting. Every time a service stores or compares
 * (sent_at, due_at, fired_at ...) comes from here, never from the database's
 * now(), so the database and the timers agree. */
#ifndef GOV_SVCLOCK_H
#define GOV_SVCLOCK_H

#include <stdint.h>

typedef struct svclock svclock_t;

/* Returns a clock that follows real time; `adjustable` allows svclock_advance.
 * NULL when out of memory. */
svclock_t *svclock_new(int adjustable);

/* Milliseconds since the epoch, as the service sees them. Safe from any thread. */
int64_t svclock_now_ms(const svclock_t *clock);

/* Moves the clock forward by `ms` (> 0). Returns 0, -EPERM when the clock is
 * not adjustable, -EINVAL for ms <= 0 (time never runs backwards). */
int svclock_advance(svclock_t *clock, int64_t ms);

void svclock_destroy(svclock_t **self_p);

#endif
