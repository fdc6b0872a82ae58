/* limiter: how often one client may ask — a token bucket per key (an
 * address, a credential, a person being logged in as): `rate` requests a
 * second on average, `burst` at once. Memory is fixed whatever the clients
 * do: keys live in a table of `slots` buckets by hash, and a new key takes
 * the slot of whichever key was there (the colliding key starts afresh,
 * which can only let a client through sooner, never refuse one wrongly
 * more than its own bucket would). Thread-safe. */
#ifndef GOV_GATEWAY_LIMITER_H
#define GOV_GATEWAY_LIMITER_H

#include <stddef.h>
#include <stdint.h>

typedef struct limiter limiter_t;

/* NULL when out of memory. */
limiter_t *limiter_new(double rate, double burst, size_t slots);

/* Takes one token for `key` at `now_ms`. Returns 0 when allowed, or the
 * seconds to wait (at least 1) when not. */
unsigned limiter_take(limiter_t *l, const char *key, int64_t now_ms);

void limiter_destroy(limiter_t **self_p);

#endif
