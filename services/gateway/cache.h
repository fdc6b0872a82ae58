/* cache: answers to routing's reads (a department's queue, a dispatch, a
 * whistle board, KPIs), kept while nothing has changed. Every change to
 * routing's data commits an event with it (the outbox), so an answer stays
 * true while the streams stand still: it is stored with the feed's
 * generation (feed.h), which moves when any stream moves (read every
 * 200 ms) and at once when this gateway sends a command, so a person always
 * reads their own writes. Another replica's answers may lag a change by one
 * reading of the streams (200 ms). The key holds the route, the query and
 * the unit and role acted for: the services answer reads by these alone.
 * Memory is bounded: past `max_bytes` the cache is emptied. Thread-safe. */
#ifndef GOV_GATEWAY_CACHE_H
#define GOV_GATEWAY_CACHE_H

#include <stddef.h>
#include <stdint.h>

typedef struct cache cache_t;

cache_t *cache_new(size_t max_bytes);

/* A copy (malloc'd) of what is stored under `key` at `generation`, or NULL. */
char *cache_get(cache_t *c, const char *key, uint64_t generation, size_t *len);

/* Stores a copy of `body` under `key` at `generation`. */
void cache_put(cache_t *c, const char *key, uint64_t generation, const char *body, size_t len);

/* Hits and misses since start. */
void cache_stats(cache_t *c, uint64_t *hits, uint64_t *misses);

void cache_destroy(cache_t **self_p);

#endif
