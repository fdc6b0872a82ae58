/* harness: what integration tests share — the throwaway cluster that
 * tests/run.sh started, fresh databases cloned from its template, and the
 * real service binaries started as child processes on free ports.
 *
 * Environment (set by tests/run.sh): GOV_TEST_PG_PORT, GOV_TEST_TEMPLATE
 * (a database with every migration and the demo city), GOV_BIN (the folder
 * of the binaries under test: build/bin or build/asan/bin). */
#ifndef TESTS_HARNESS_H
#define TESTS_HARNESS_H

#include <libpq-fe.h>
#include <stdint.h>
#include <sys/types.h>

typedef struct {
    const char *name;   /* "intake", "routing" */
    pid_t pid;
    char endpoint[64];  /* requests (ROUTER) */
    char events[64];    /* events (PUB) */
    int http_port;
    char db_url[256];
    char upstream[64];  /* the events (PUB) it follows: intake's for routing, routing's for intake */
    char intake[64];    /* routing: intake's requests, where it asks for reporters; "" otherwise */
} harness_svc_t;

/* Creates database `name` (dropping any old one) as a copy of the template
 * and writes its URL into `url`. Returns 0 or -1. */
int harness_db_new(const char *name, char url[256]);

/* Connects to `url`; fails the test if it cannot. */
PGconn *harness_db_connect(const char *url);

/* Runs `sql` with text params and returns the first column of the first row
 * as an integer (-1 when there is no row or the query fails). */
int64_t harness_int(PGconn *conn, const char *sql, int nparams, const char *const *params);

/* Runs `sql`; fails the test if it does not succeed. */
void harness_exec(PGconn *conn, const char *sql);

/* Empties cases, callers, idempotency records, the outbox and subscriber
 * positions. DELETE rather than TRUNCATE: a running relay holds row locks
 * that TRUNCATE's table locks would deadlock with. */
void harness_reset(PGconn *conn);

/* A TCP port on 127.0.0.1 that was free a moment ago, below the range of
 * outgoing connections' ports; another on every call. */
int harness_free_port(void);

/* The path of binary `name` under GOV_BIN, in a static buffer. */
const char *harness_bin(const char *name);

/* Starts gov-intake on fresh ports against `db_url`, with extra
 * "NAME=VALUE" settings in `env` (NULL-terminated, may be NULL), and waits
 * until /healthz answers 200. Returns 0, or -1 if it did not come up within
 * 10 s (it is then killed). Stdout/stderr go to build/test-logs/. */
int harness_intake_start(harness_svc_t *svc, const char *db_url, const char *const *env);

/* Starts gov-routing likewise, following `intake`'s events and asking it
 * for new cases' reporters (GetContacts). */
int harness_routing_start(harness_svc_t *svc, const char *db_url, const harness_svc_t *intake,
                          const char *const *env);
/* Starts gov-notify likewise (its ROUTER takes the gateway's login codes),
 * following streams on ports nobody publishes on. */
int harness_notify_start(harness_svc_t *svc, const char *db_url, const char *const *env);

/* Restarts a stopped service on the same ports and database. */
int harness_restart(harness_svc_t *svc, const char *const *env);

/* Sends `sig` and waits for the process to exit; returns its exit status
 * (or 128 + signal). */
int harness_stop(harness_svc_t *svc, int sig);

/* Runs `name` under GOV_BIN with `argv`, environment `env` added, waits up to
 * `timeout_ms`, and returns the exit status; captures stdout into `out`
 * (cap bytes, NUL-terminated) when `out` is not NULL. */
int harness_run(const char *name, const char *const *argv, const char *const *env, char *out,
                size_t cap, int timeout_ms);

/* GET http://127.0.0.1:port/path; returns the status code or -1. */
int harness_http_get(int port, const char *path, char *body, size_t cap);

/* Milliseconds on a monotonic clock. */
int64_t harness_now_ms(void);

#endif
