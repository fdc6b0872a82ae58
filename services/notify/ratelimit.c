#include "ratelimit.h"

#include <stdlib.h>
#include <string.h>

typedef struct dest {
    struct dest *next;
    int64_t *sent;       /* ring of the last `limit` send times */
    int head, count;     /* oldest entry, entries in use */
    char name[];
} dest_t;

struct ratelimit {
    int limit;
    int64_t window_ms;
    dest_t *dests;
};

ratelimit_t *ratelimit_new(int limit, int64_t window_ms)
{
    ratelimit_t *rl = calloc(1, sizeof *rl);
    if (!rl)
        return NULL;
    rl->limit = limit;
    rl->window_ms = window_ms;
    return rl;
}

static dest_t *s_find(ratelimit_t *rl, const char *name, int create)
{
    for (dest_t *d = rl->dests; d; d = d->next)
        if (strcmp(d->name, name) == 0)
            return d;
    if (!create)
        return NULL;
    size_t len = strlen(name);
    dest_t *d = calloc(1, sizeof *d + len + 1);
    if (!d || !(d->sent = calloc((size_t) rl->limit, sizeof *d->sent))) {
        free(d);
        return NULL;
    }
    memcpy(d->name, name, len + 1);
    d->next = rl->dests;
    rl->dests = d;
    return d;
}

/* Forgets sends older than the window. */
static void s_expire(ratelimit_t *rl, dest_t *d, int64_t now_ms)
{
    while (d->count && d->sent[d->head] <= now_ms - rl->window_ms) {
        d->head = (d->head + 1) % rl->limit;
        d->count--;
    }
}

int ratelimit_room(ratelimit_t *rl, const char *dest, int64_t now_ms)
{
    dest_t *d = s_find(rl, dest, 0);
    if (!d)
        return rl->limit;
    s_expire(rl, d, now_ms);
    return rl->limit - d->count;
}

int ratelimit_take(ratelimit_t *rl, const char *dest, int64_t now_ms)
{
    dest_t *d = s_find(rl, dest, 1);
    if (!d)
        return -1;
    s_expire(rl, d, now_ms);
    if (d->count == rl->limit) {   /* over the limit anyway: the newest replaces the oldest */
        d->head = (d->head + 1) % rl->limit;
        d->count--;
    }
    d->sent[(d->head + d->count) % rl->limit] = now_ms;
    d->count++;
    return 0;
}

void ratelimit_finished(ratelimit_t *rl, const char *dest, int64_t now_ms)
{
    dest_t *d = s_find(rl, dest, 0);
    if (!d || d->count == 0)
        return;
    /* now_ms is the latest time, so the ring stays in time order. */
    d->head = (d->head + 1) % rl->limit;
    d->sent[(d->head + d->count - 1) % rl->limit] = now_ms;
}

void ratelimit_fill(ratelimit_t *rl, const char *dest, int64_t now_ms)
{
    while (ratelimit_room(rl, dest, now_ms) > 0 && ratelimit_take(rl, dest, now_ms) == 0)
        ;
}

int64_t ratelimit_next(ratelimit_t *rl, const char *dest, int64_t now_ms)
{
    dest_t *d = s_find(rl, dest, 0);
    if (!d)
        return now_ms;
    s_expire(rl, d, now_ms);
    return d->count < rl->limit ? now_ms : d->sent[d->head] + rl->window_ms;
}

void ratelimit_destroy(ratelimit_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    ratelimit_t *rl = *self_p;
    *self_p = NULL;
    for (dest_t *d = rl->dests, *next; d; d = next) {
        next = d->next;
        free(d->sent);
        free(d);
    }
    free(rl);
}
