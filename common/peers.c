#include "peers.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    uint8_t route[256];
    uint16_t len;     /* 0: a free slot */
    uint8_t state;    /* PEER_OK, PEER_STALLED or PEER_GONE */
    unsigned inflight;
    uint64_t touched; /* when last used, on the table's own clock */
    uint64_t generation; /* the batch `taken` counts in */
    unsigned taken;
} entry_t;

struct peers {
    entry_t *slots;
    size_t cap, n, max;       /* cap slots (a power of two, >= 2 * max), n used, at most max */
    unsigned max_inflight;
    uint64_t clock;
    peers_stats_t stats;
};

static uint64_t s_hash(const uint8_t *b, size_t len)
{
    uint64_t h = 14695981039346656037u; /* FNV-1a */
    for (size_t i = 0; i < len; i++)
        h = (h ^ b[i]) * 1099511628211u;
    return h;
}

/* The slot holding `route`, or the free slot where it would go. */
static size_t s_find(const peers_t *p, const uint8_t *route, size_t len)
{
    size_t i = (size_t) s_hash(route, len) & (p->cap - 1);
    while (p->slots[i].len && !(p->slots[i].len == len && memcmp(p->slots[i].route, route, len) == 0))
        i = (i + 1) & (p->cap - 1);
    return i;
}

/* Empties slot `i`, moving back any entry of the probe run behind it. */
static void s_remove(peers_t *p, size_t i)
{
    p->slots[i].len = 0;
    p->n--;
    for (size_t j = (i + 1) & (p->cap - 1); p->slots[j].len; j = (j + 1) & (p->cap - 1)) {
        entry_t e = p->slots[j];
        p->slots[j].len = 0;
        p->slots[s_find(p, e.route, e.len)] = e;
    }
}

/* Makes room by dropping the peer with nothing in flight used longest ago.
 * Returns 0, or -1 when every peer has requests in flight. */
static int s_evict(peers_t *p)
{
    size_t victim = p->cap;
    for (size_t i = 0; i < p->cap; i++)
        if (p->slots[i].len && p->slots[i].inflight == 0 &&
            (victim == p->cap || p->slots[i].touched < p->slots[victim].touched))
            victim = i;
    if (victim == p->cap)
        return -1;
    s_remove(p, victim);
    return 0;
}

peers_t *peers_new(size_t max_peers, unsigned max_inflight)
{
    peers_t *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->max = max_peers ? max_peers : 1;
    for (p->cap = 2; p->cap < 2 * p->max; p->cap *= 2)
        ;
    p->max_inflight = max_inflight ? max_inflight : 1;
    if (!(p->slots = calloc(p->cap, sizeof *p->slots))) {
        free(p);
        return NULL;
    }
    return p;
}

peer_state_t peers_admit(peers_t *p, const uint8_t *route, size_t len)
{
    if (len == 0 || len > sizeof p->slots[0].route)
        return PEER_GONE; /* no ROUTER gives such an id: nothing can be sent back */
    size_t i = s_find(p, route, len);
    entry_t *e = &p->slots[i];
    if (!e->len) {
        if (p->n == p->max) {
            if (s_evict(p)) {
                p->stats.busy++;
                return PEER_BUSY;
            }
            i = s_find(p, route, len);
            e = &p->slots[i];
        }
        memset(e, 0, sizeof *e);
        memcpy(e->route, route, len);
        e->len = (uint16_t) len;
        p->n++;
    }
    e->touched = ++p->clock;
    if (e->state != PEER_OK) {
        p->stats.dropped++;
        return (peer_state_t) e->state;
    }
    if (e->inflight >= p->max_inflight) {
        p->stats.busy++;
        return PEER_BUSY;
    }
    e->inflight++;
    return PEER_OK;
}

peer_state_t peers_state(const peers_t *p, const uint8_t *route, size_t len)
{
    if (len == 0 || len > sizeof p->slots[0].route)
        return PEER_GONE;
    const entry_t *e = &p->slots[s_find(p, route, len)];
    return e->len ? (peer_state_t) e->state : PEER_OK;
}

int peers_take(peers_t *p, const uint8_t *route, size_t len, uint64_t generation, unsigned quota)
{
    if (len == 0 || len > sizeof p->slots[0].route)
        return 1;
    entry_t *e = &p->slots[s_find(p, route, len)];
    if (!e->len)
        return 1; /* not held (evicted while queued): no share to count */
    if (e->generation != generation) {
        e->generation = generation;
        e->taken = 0;
    }
    if (e->taken >= quota)
        return 0;
    e->taken++;
    return 1;
}

void peers_sent(peers_t *p, const uint8_t *route, size_t len, int rc, int admitted)
{
    if (len == 0 || len > sizeof p->slots[0].route)
        return;
    entry_t *e = &p->slots[s_find(p, route, len)];
    if (!e->len)
        return;
    if (admitted && e->inflight)
        e->inflight--;
    if (rc == -EHOSTUNREACH && e->state != PEER_GONE) {
        e->state = PEER_GONE;
        p->stats.gone++;
    } else if (rc == -EAGAIN && e->state == PEER_OK) {
        e->state = PEER_STALLED;
        p->stats.stalled++;
    } else if (rc == 0 && e->state == PEER_STALLED) {
        e->state = PEER_OK; /* it reads again */
    }
}

void peers_drop(peers_t *p, const uint8_t *route, size_t len)
{
    if (len == 0 || len > sizeof p->slots[0].route)
        return;
    entry_t *e = &p->slots[s_find(p, route, len)];
    if (e->len && e->inflight)
        e->inflight--;
    p->stats.dropped++;
}

peers_stats_t peers_stats(const peers_t *p)
{
    peers_stats_t s = p->stats;
    s.peers = p->n;
    return s;
}

void peers_destroy(peers_t **self_p)
{
    peers_t *p = *self_p;
    if (!p)
        return;
    *self_p = NULL;
    free(p->slots);
    free(p);
}
