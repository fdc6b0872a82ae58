#include "limiter.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>

typedef struct {
    uint64_t hash; /* 0: empty */
    double tokens;
    int64_t at_ms;
} s_bucket_t;

struct limiter {
    pthread_mutex_t lock;
    double rate, burst;
    size_t slots;
    s_bucket_t *buckets;
};

static uint64_t s_hash(const char *key)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    for (; *key; key++)
        h = (h ^ (unsigned char) *key) * 1099511628211ULL;
    return h ? h : 1;
}

limiter_t *limiter_new(double rate, double burst, size_t slots)
{
    limiter_t *l = calloc(1, sizeof *l);
    if (!l || !(l->buckets = calloc(slots, sizeof *l->buckets))) {
        free(l);
        return NULL;
    }
    pthread_mutex_init(&l->lock, NULL);
    l->rate = rate;
    l->burst = burst;
    l->slots = slots;
    return l;
}

unsigned limiter_take(limiter_t *l, const char *key, int64_t now_ms)
{
    uint64_t h = s_hash(key);
    pthread_mutex_lock(&l->lock);
    s_bucket_t *b = &l->buckets[h % l->slots];
    if (b->hash != h) {
        b->hash = h;
        b->tokens = l->burst;
        b->at_ms = now_ms;
    }
    if (now_ms > b->at_ms) {
        b->tokens = fmin(l->burst, b->tokens + (double) (now_ms - b->at_ms) * l->rate / 1000.0);
        b->at_ms = now_ms;
    }
    unsigned wait = 0;
    if (b->tokens >= 1.0)
        b->tokens -= 1.0;
    else
        wait = (unsigned) ceil((1.0 - b->tokens) / l->rate);
    pthread_mutex_unlock(&l->lock);
    return wait ? wait : 0;
}

void limiter_destroy(limiter_t **self_p)
{
    limiter_t *l = *self_p;
    if (!l)
        return;
    *self_p = NULL;
    pthread_mutex_destroy(&l->lock);
    free(l->buckets);
    free(l);
}
