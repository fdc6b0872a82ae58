/* health: each service's HTTP listener for /healthz, /readyz and /metrics.
 *
 * libmicrohttpd answers from its own thread; the loop threads publish
 * figures into atomic slots that the listener only reads. /healthz (alive)
 * answers 200 {"status":"ok"} once the service calls health_set_ready(1),
 * 503 before. /readyz (what docker-compose.yml's health checks ask) answers
 * 200 only when the service is alive and every condition registered with
 * health_condition holds (its subscriptions connected and caught up:
 * subready.h); else 503 with what it waits for:
 * {"status":"waiting","waiting":{"subscription routing":"not connected"}}.
 * /metrics is Prometheus text format, every name prefixed "gov_" and
 * labelled with the service; registering may happen from any thread. It
 * ends with the process's database round trips (dbtime.h). */
#ifndef GOV_HEALTH_H
#define GOV_HEALTH_H

#include <stdatomic.h>
#include <stdint.h>

#include "hist.h"

typedef struct health health_t;

typedef enum { HEALTH_COUNTER, HEALTH_GAUGE } health_kind_t;

/* Listens on 127.0.0.1-or-any:`port` (`bind_any` 1 for containers). Returns 0
 * and sets `*out`, or -1 after logging (port taken, say). */
int health_new(int port, int bind_any, const char *service, health_t **out);

/* Registers a metric and returns its slot, which the caller updates with
 * atomic_fetch_add / atomic_store and which lives as long as `h`. `name` and
 * `help` are borrowed for that long. Returns NULL past 64 metrics. */
_Atomic uint64_t *health_metric(health_t *h, const char *name, const char *help,
                                health_kind_t kind);

/* As health_metric, with more labels than the service's: `labels` like
 * `stream="routing"` (copied; at most 63 bytes). Metrics of one name print
 * as one family. */
_Atomic uint64_t *health_metric_labelled(health_t *h, const char *name, const char *labels,
                                         const char *help, health_kind_t kind);

/* Registers a latency histogram gov_`name` in seconds (hist.h) and returns
 * it for the caller's hist_observe_ns; NULL past 8. `name` and `help` are
 * borrowed. */
hist_t *health_histogram(health_t *h, const char *name, const char *help);

/* Registers a condition /readyz waits on, named `what` (copied; at most 63
 * bytes), and returns its slot: NULL while it holds, else a static string
 * saying why not. It starts as "starting". Registering a name again returns
 * the same slot. Returns NULL past 16. */
typedef _Atomic(const char *) health_cond_t;
health_cond_t *health_condition(health_t *h, const char *what);

void health_set_ready(health_t *h, int ready);

void health_destroy(health_t **self_p);

#endif
