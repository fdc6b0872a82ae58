/* health: each service's HTTP listener for /healthz, /readyz and /metrics.
 *
 * libmicrohttpd answers from its own thread; the loop thread publishes
 * figures into atomic slots that the listener only reads. /healthz answers
 * 200 {"status":"ok"} once the service calls health_set_ready(1), 503 before
 * and while not ready; /readyz answers the same (what docker-compose.yml's
 * health checks ask). /metrics is Prometheus text format, every name
 * prefixed "gov_" and labelled with the service. */
#ifndef GOV_HEALTH_H
#define GOV_HEALTH_H

#include <stdatomic.h>
#include <stdint.h>

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

void health_set_ready(health_t *h, int ready);

void health_destroy(health_t **self_p);

#endif
