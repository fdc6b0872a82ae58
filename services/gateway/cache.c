#include "cache.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define BUCKETS 1024

typedef struct entry {
    struct entry *next;
    char *key, *body;
    size_t len;
    uint64_t generation;
} s_entry_t;

struct cache {
    pthread_mutex_t lock;
    s_entry_t *buckets[BUCKETS];
    size_t bytes, max_bytes;
    uint64_t hits, misses;
};

static size_t s_bucket(const char *key)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *key; key++)
        h = (h ^ (unsigned char) *key) * 1099511628211ULL;
    return (size_t) (h % BUCKETS);
}

static void s_free(s_entry_t *e)
{
    free(e->key);
    free(e->body);
    free(e);
}

static void s_clear(cache_t *c)
{
    for (size_t i = 0; i < BUCKETS; i++)
        while (c->buckets[i]) {
            s_entry_t *e = c->buckets[i];
            c->buckets[i] = e->next;
            s_free(e);
        }
    c->bytes = 0;
}

cache_t *cache_new(size_t max_bytes)
{
    cache_t *c = calloc(1, sizeof *c);
    if (c) {
        pthread_mutex_init(&c->lock, NULL);
        c->max_bytes = max_bytes;
    }
    return c;
}

char *cache_get(cache_t *c, const char *key, uint64_t generation, size_t *len)
{
    char *copy = NULL;
    pthread_mutex_lock(&c->lock);
    for (s_entry_t *e = c->buckets[s_bucket(key)]; e; e = e->next)
        if (e->generation == generation && strcmp(e->key, key) == 0) {
            if ((copy = malloc(e->len + 1))) {
                memcpy(copy, e->body, e->len + 1);
                *len = e->len;
            }
            break;
        }
    if (copy)
        c->hits++;
    else
        c->misses++;
    pthread_mutex_unlock(&c->lock);
    return copy;
}

void cache_put(cache_t *c, const char *key, uint64_t generation, const char *body, size_t len)
{
    s_entry_t *e = calloc(1, sizeof *e);
    if (!e || !(e->key = strdup(key)) || !(e->body = malloc(len + 1))) {
        if (e)
            free(e->key);
        free(e);
        return;
    }
    memcpy(e->body, body, len);
    e->body[len] = '\0';
    e->len = len;
    e->generation = generation;
    size_t size = len + strlen(key) + sizeof *e;
    pthread_mutex_lock(&c->lock);
    if (c->bytes + size > c->max_bytes)
        s_clear(c); /* simple and bounded; a full cache of stale answers is worth nothing */
    s_entry_t **slot = &c->buckets[s_bucket(key)];
    for (s_entry_t **p = slot; *p; p = &(*p)->next)
        if (strcmp((*p)->key, key) == 0) { /* replace the older answer */
            s_entry_t *old = *p;
            *p = old->next;
            c->bytes -= old->len + strlen(old->key) + sizeof *old;
            s_free(old);
            break;
        }
    e->next = *slot;
    *slot = e;
    c->bytes += size;
    pthread_mutex_unlock(&c->lock);
}

void cache_stats(cache_t *c, uint64_t *hits, uint64_t *misses)
{
    pthread_mutex_lock(&c->lock);
    *hits = c->hits;
    *misses = c->misses;
    pthread_mutex_unlock(&c->lock);
}

void cache_destroy(cache_t **self_p)
{
    cache_t *c = *self_p;
    if (!c)
        return;
    *self_p = NULL;
    s_clear(c);
    pthread_mutex_destroy(&c->lock);
    free(c);
}
