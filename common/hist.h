/* hist: a latency histogram for /metrics, in Prometheus's shape.
 *
 * Fixed bucket bounds (HIST_BOUNDS_S, 0.5 ms to 10 s, and +Inf), counts kept
 * in atomics so one thread observes while another (the health listener)
 * prints. Observing is one bucket search over 14 bounds and three atomic
 * adds: cheap enough for every request. */
#ifndef GOV_HIST_H
#define GOV_HIST_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

/* The upper bounds in seconds, as printed in the `le` label; +Inf follows. */
#define HIST_BOUNDS_S                                                                          \
    "0.0005", "0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1",  \
        "2.5", "5", "10"
#define HIST_NBOUNDS 14

typedef struct {
    _Atomic uint64_t buckets[HIST_NBOUNDS + 1]; /* not cumulative; the last is +Inf */
    _Atomic uint64_t count, sum_ns;
} hist_t;

/* The bucket a duration of `ns` nanoseconds falls in: the first bound it
 * does not exceed, or HIST_NBOUNDS (+Inf). */
size_t hist_bucket(uint64_t ns);

void hist_observe_ns(hist_t *h, uint64_t ns);

/* Appends the histogram's lines (`gov_NAME_bucket{service=...,le=...}`
 * cumulative, `_sum` in seconds, `_count`) to `out` at `*n`, at most `cap`
 * bytes in all; `labels` is the label list without braces. */
void hist_format(const hist_t *h, const char *name, const char *labels, char *out, size_t *n,
                 size_t cap);

#endif
