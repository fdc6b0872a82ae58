/* svc: what every service's main() does the same way. It reads the shared
 * settings, opens the health listener, the clock and the database (at the
 * schema the service was built for), refreshes the caller's metrics once a
 * second, runs the loop until SIGINT or SIGTERM, and tears the shared parts
 * down in order. A service's own parts (its ROUTER, subscribers, relay,
 * timers) are made between svc_new and svc_run and destroyed before
 * svc_destroy, which lets their close callbacks run. */
#ifndef GOV_SVC_H
#define GOV_SVC_H

#include <libpq-fe.h>
#include <stdint.h>
#include <uv.h>

#include "deadline.h"
#include "health.h"
#include "pstmt.h"
#include "relay.h"
#include "rpcsrv.h"
#include "sub.h"
#include "svclock.h"
#include "zap.h"

/* The settings every service reads (docs/configuration.md). */
typedef struct {
    const char *db_url;  /* GOV_DB_URL */
    const char *keys_dir; /* GOV_KEYS_DIR: CURVE on every socket (curve.h); NULL: plain */
    int http_port;       /* GOV_<SERVICE>_HTTP_PORT */
    int http_any;        /* GOV_HTTP_BIND_ANY */
    int64_t max_msg;     /* GOV_MAX_MSG_SIZE */
    int relay_ms;        /* GOV_RELAY_INTERVAL_MS */
    int silence_ms;      /* GOV_SUB_SILENCE_MS */
    int64_t ready_lag;   /* GOV_SUB_READY_LAG: events a subscription may be behind and ready */
    int test_clock;      /* GOV_TEST_CLOCK */
    int64_t clock_ahead; /* GOV_TEST_CLOCK_AHEAD_MS */
} svc_config_t;

/* Reads the shared settings, the HTTP port from `http_var` (default
 * `http_default`). A bad value is logged and sets `*bad` to -1. */
svc_config_t svc_config(const char *http_var, int http_default, int *bad);

typedef struct {
    uv_loop_t *loop;    /* the default loop */
    void *zctx;          /* with its ZAP handler when CURVE is on */
    health_t *health;
    svclock_t *clock;
    PGconn *conn;       /* the service's connection, at SCHEMA_VERSION */
    pstmt_t *sql;       /* statements prepared once on conn */
    const svc_config_t *config;
    /* private */
    uv_timer_t tick;
    uv_signal_t sigint, sigterm;
    void (*on_tick)(void *arg);
    void *tick_arg;
    rpcsrv_t *rpc;                              /* watched: requests, errors */
    relay_t *relay;                             /* watched: events published */
    deadline_t *deadlines;                      /* watched: fired, late */
    zap_t *zap;
    _Atomic uint64_t *m_requests, *m_errors, *m_published, *m_fired, *m_late, *m_armed;
    _Atomic uint64_t *m_admitted, *m_refused, *m_failed, *m_actor_refused;
    _Atomic uint64_t *m_db_unavailable, *m_db_outages, *m_db_down;
    _Atomic uint64_t *m_busy, *m_dropped, *m_peers;
    char deadline_metrics[3][64];               /* the names health borrows */
    int handles;
} svc_t;

/* Starts the shared parts of service `name` with `cfg` (borrowed; it must
 * outlive the service): with a key folder, CURVE and its ZAP handler first,
 * so no socket is ever open without them. Returns 0, or -1 after logging;
 * call svc_destroy in both cases. */
int svc_new(svc_t *s, const char *name, const svc_config_t *cfg);

/* The metrics every service has, refreshed once a second: requests_total,
 * errors_total, actor_not_allowed_total and the request_duration_seconds histogram of `rpc`,
 * events_published_total of `relay` (either may
 * be NULL: none). All borrowed; they must outlive the loop's run. */
void svc_watch(svc_t *s, rpcsrv_t *rpc, relay_t *relay);

/* Reports a subscription on this loop to /metrics and /readyz (sub_watch,
 * with GOV_SUB_READY_LAG). Returns 0, or -1 after logging. */
int svc_watch_sub(svc_t *s, sub_t *sub);

/* Likewise for a deadline engine: `<what>_fired_total`,
 * `<what>_late_total` ("ladder_steps", "windows") and the gauge
 * `<what>_armed` (timers waiting now, deadline_stats_t.waiting). */
void svc_watch_deadlines(svc_t *s, deadline_t *d, const char *what);

/* Calls `fn(arg)` once a second while running (to copy a service's own
 * counters into its metrics). */
void svc_on_tick(svc_t *s, void (*fn)(void *arg), void *arg);

/* Marks the service ready and runs the loop until SIGINT or SIGTERM.
 * Returns 0. */
int svc_run(svc_t *s);

/* Closes what svc_new opened (after the caller destroyed its own parts). */
void svc_destroy(svc_t *s);

#endif
