#include "retention.h"

#include <stdlib.h>

#include "config.h"
#include "log.h"

#define S_DAY_MS (24 * 3600 * 1000LL)

struct retention {
    uv_timer_t timer;
    const svclock_t *clock;
    retention_config_t cfg;
    const char *service;
    retention_sweep_fn sweep;
    void *arg;
};

retention_config_t retention_config(int *bad)
{
    retention_config_t c = {
        .days = config_int("GOV_PRIVACY_RETENTION_DAYS", 180, 0, 36500, bad),
        .sweep_s = config_int("GOV_PRIVACY_SWEEP_S", 3600, 1, 7 * 86400, bad),
    };
    return c;
}

int64_t retention_cutoff_ms(int64_t now_ms, int64_t days)
{
    return now_ms - (days < 0 ? 0 : days) * S_DAY_MS;
}

static void s_on_timer(uv_timer_t *timer)
{
    retention_t *self = timer->data;
    int64_t erased = 0;
    int64_t cutoff = retention_cutoff_ms(svclock_now_ms(self->clock), self->cfg.days);
    if (self->sweep(self->arg, cutoff, &erased))
        log_error("%s: retention sweep failed; erased %lld before it, the rest at the next",
                  self->service, (long long) erased);
    else if (erased > 0)
        log_info("%s: retention: erased the contact details of %lld cases closed over %lld days ago",
                 self->service, (long long) erased, (long long) self->cfg.days);
}

retention_t *retention_new(uv_loop_t *loop, const svclock_t *clock, const retention_config_t *cfg,
                           const char *service, retention_sweep_fn sweep, void *arg)
{
    retention_t *self = calloc(1, sizeof *self);
    if (!self)
        return NULL;
    self->clock = clock;
    self->cfg = *cfg;
    self->service = service;
    self->sweep = sweep;
    self->arg = arg;
    uv_timer_init(loop, &self->timer);
    self->timer.data = self;
    uint64_t every = (uint64_t) cfg->sweep_s * 1000;
    uv_timer_start(&self->timer, s_on_timer, 0, every);
    return self;
}

static void s_on_close(uv_handle_t *handle)
{
    free(handle->data);
}

void retention_destroy(retention_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    uv_timer_stop(&(*self_p)->timer);
    uv_close((uv_handle_t *) &(*self_p)->timer, s_on_close);
    *self_p = NULL;
}
