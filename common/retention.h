/* retention: how long a closed case's contact details (its reporter's and
 * callers' names and phones) are kept, and the periodic job that erases
 * them once that time has passed (docs/privacy.md).
 *
 * The period is GOV_PRIVACY_RETENTION_DAYS (default 180: the demo
 * value, a policy choice of the deployment — the Personal Information
 * Protection Law asks for "the shortest period necessary", art. 19, without
 * a number), counted from the moment the case closed on the service clock.
 * Each service that keeps a copy sweeps its own tables (intake: cases and
 * callers; routing: routed_cases) every GOV_PRIVACY_SWEEP_S (3600) seconds,
 * and once at start. A sweep is idempotent and catches up by itself: what
 * is due is found from the stored closing time, so a service that was down
 * erases at its next sweep what fell due meanwhile — no timer to lose. */
#ifndef GOV_RETENTION_H
#define GOV_RETENTION_H

#include <stdint.h>
#include <uv.h>

#include "svclock.h"

typedef struct {
    int64_t days;    /* GOV_PRIVACY_RETENTION_DAYS: 0 erases at the first sweep after closing */
    int64_t sweep_s; /* GOV_PRIVACY_SWEEP_S: seconds between sweeps */
} retention_config_t;

/* Reads the two settings; a bad value sets `*bad` (config_int's rule). */
retention_config_t retention_config(int *bad);

/* The pure rule: a contact of a case closed strictly before the returned
 * time (ms since the epoch) is due, given the time `now_ms` and a period of
 * `days` (>= 0). */
int64_t retention_cutoff_ms(int64_t now_ms, int64_t days);

/* Erases, in one or more transactions of at most `batch` cases each, the
 * contacts of cases closed before `cutoff_ms`; sets `*erased` to how many
 * cases it erased. Returns 0, or -1 (logged by the caller's db layer). */
typedef int (*retention_sweep_fn)(void *arg, int64_t cutoff_ms, int64_t *erased);

typedef struct retention retention_t;

/* Starts the job on `loop`: `sweep(arg, cutoff, …)` at once and every
 * `cfg->sweep_s` seconds, the cutoff from `clock`. Each sweep that erased
 * something is logged with its count, each that failed too (it is tried
 * again at the next). Returns NULL when out of memory. */
retention_t *retention_new(uv_loop_t *loop, const svclock_t *clock, const retention_config_t *cfg,
                           const char *service, retention_sweep_fn sweep, void *arg);

/* Stops the job and frees it (in the loop's next pass); NULLs the pointer. */
void retention_destroy(retention_t **self_p);

#endif
