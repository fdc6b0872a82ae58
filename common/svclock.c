#include "svclock.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "envelope.h"

struct svclock {
    int adjustable;
    _Atomic int64_t offset_ms;
};

svclock_t *svclock_new(int adjustable)
{
    svclock_t *self = calloc(1, sizeof *self);
    if (self)
        self->adjustable = adjustable;
    return self;
}

int64_t svclock_now_ms(const svclock_t *clock)
{
    return envelope_now_ms() + atomic_load(&clock->offset_ms);
}

int svclock_advance(svclock_t *clock, int64_t ms)
{
    if (!clock->adjustable)
        return -EPERM;
    if (ms <= 0)
        return -EINVAL;
    atomic_fetch_add(&clock->offset_ms, ms);
    return 0;
}

void svclock_destroy(svclock_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    free(*self_p);
    *self_p = NULL;
}
