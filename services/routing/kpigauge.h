/* kpigauge: the city's 三率 for the month under way, as gauges on /metrics,
 * for dashboards (deploy/grafana/): the counts under the rates — dispatched,
 * signed in time, resolved and not reopened, passed up, evaluated, satisfied
 * — summed over every unit, by the same query as `govctl kpi` (kpi.h,
 * docs/kpi.md), read again every `interval_ms` (GOV_KPI_METRICS_S). A
 * dashboard divides them: response rate = signed in time ÷ dispatched,
 * resolution = resolved ÷ (dispatched − passed up), satisfaction = satisfied
 * ÷ evaluated. The month is Beijing time's, by the service clock. The sum
 * reads every dispatch of the month, which takes a while on a busy city, so
 * it runs on the gauge's own connection without blocking the loop (pgasync.h):
 * routing's work never waits for it. A read that fails leaves the figures as
 * they were; a broken connection is made again at the next read. */
#ifndef ROUTING_KPIGAUGE_H
#define ROUTING_KPIGAUGE_H

#include <stdint.h>
#include <uv.h>

#include "health.h"
#include "routing.h"

typedef struct kpigauge kpigauge_t;

/* Registers gov_kpi_month_{dispatched,signed_in_time,resolved,passed_up,
 * evaluated,satisfied} on `health` and reads them now and every
 * `interval_ms` on `loop`, on a connection of its own to `db_url` (copied),
 * by `r`'s clock (borrowed; both must outlive the gauge). Returns 0 and sets
 * `*out`, or -1 (logged). */
int kpigauge_new(uv_loop_t *loop, routing_t *r, const char *db_url, health_t *health,
                 int interval_ms, kpigauge_t **out);

/* Stops the timer and frees the gauge in its close callback (run the loop
 * afterwards). NULLs the pointer; safe on NULL. */
void kpigauge_destroy(kpigauge_t **self_p);

/* The month (YYYY-MM) in Beijing time (UTC+8, no daylight saving) at `ms`
 * since the epoch. Pure. */
void kpigauge_month(int64_t ms, char out[8]);

#endif
