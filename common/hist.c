#include "hist.h"

#include <stdio.h>

/* The bounds in nanoseconds, in the order of HIST_BOUNDS_S. */
static const uint64_t s_bounds_ns[HIST_NBOUNDS] = {
    500000,    1000000,   2500000,    5000000,    10000000,   25000000,   50000000,
    100000000, 250000000, 500000000,  1000000000, 2500000000, 5000000000, 10000000000};
static const char *const s_bounds_s[HIST_NBOUNDS] = {HIST_BOUNDS_S};

size_t hist_bucket(uint64_t ns)
{
    size_t i = 0;
    while (i < HIST_NBOUNDS && ns > s_bounds_ns[i])
        i++;
    return i;
}

void hist_observe_ns(hist_t *h, uint64_t ns)
{
    atomic_fetch_add(&h->buckets[hist_bucket(ns)], 1);
    atomic_fetch_add(&h->sum_ns, ns);
    atomic_fetch_add(&h->count, 1);
}

static void s_append(size_t *n, size_t cap, int wrote)
{
    if (wrote > 0)
        *n = *n + (size_t) wrote < cap ? *n + (size_t) wrote : cap;
}

void hist_format(const hist_t *h, const char *name, const char *labels, char *out, size_t *n,
                 size_t cap)
{
    /* Read the count first: buckets observed after it may show, so the
     * +Inf bucket is printed as the count, which Prometheus requires. */
    uint64_t count = atomic_load(&h->count), sum = atomic_load(&h->sum_ns), total = 0;
    for (size_t i = 0; i <= HIST_NBOUNDS && *n < cap; i++) {
        total += atomic_load(&h->buckets[i]);
        uint64_t shown = i == HIST_NBOUNDS || total > count ? count : total;
        s_append(n, cap,
                 snprintf(out + *n, cap - *n, "gov_%s_bucket{%s,le=\"%s\"} %llu\n", name, labels,
                          i == HIST_NBOUNDS ? "+Inf" : s_bounds_s[i], (unsigned long long) shown));
    }
    if (*n < cap)
        s_append(n, cap,
                 snprintf(out + *n, cap - *n, "gov_%s_sum{%s} %.6f\ngov_%s_count{%s} %llu\n", name,
                          labels, (double) sum / 1e9, name, labels, (unsigned long long) count));
}
