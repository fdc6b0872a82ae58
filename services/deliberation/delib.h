/* delib: what every part of the deliberation service shares — its database
 * connection and statements, clock, windows and relay — and the one shape of
 * a refusal. All of it belongs to the loop thread.
 *
 * Commands run inside a transaction the caller (api.c) opened: a handler
 * checks, writes, appends to the matter's chain and queues its event, and
 * either returns 0 or fails with `err` set, after which the caller rolls its
 * savepoint back, so a refused command changes nothing. */
#ifndef DELIB_H
#define DELIB_H

#include <libpq-fe.h>
#include <stdint.h>

#include "deliberation.pb-c.h"
#include "apperr.h"
#include "calendar.h"
#include "deadline.h"
#include "envelope.h"
#include "idem.h"
#include "pstmt.h"
#include "relay.h"
#include "svclock.h"
#include "tallykey.h"

#define DELIB_STREAM "deliberation"

/* A list read's page: rows when the request names no limit, and the most. */
#define LIST_LIMIT_DEFAULT 50
#define LIST_LIMIT_MAX 500

typedef struct {
    PGconn *conn;
    pstmt_t *sql;
    svclock_t *clock;
    idem_t *idem;        /* the commands answered (deliberation_requests) */
    deadline_t *windows; /* the windows' engine (windows.c); NULL until started */
    deadline_t *take_by; /* the orders' take-by deadlines (takeby.c); NULL until started */
    deadline_t *joint;   /* the joint meetings' next occurrences (joint.c); NULL until started */
    int64_t take_ms;     /* how long a dispatched order waits to be taken (GOV_ORDER_TAKE_S) */
    deadline_t *task_due; /* the 五定 tasks' reminders and escalations (taskdue.c); NULL until started */
    calendar_t *cal;     /* the working-day calendar, kept as it stands (calendar_refresh) */
    relay_t *relay;
    /* The tally key secret ballots are sealed to (seal.h), owned by main.c;
     * NULL when it could not be loaded, and then tally_rc says why: -ENOENT
     * (no key: secret ballots are refused) or -EINVAL (tampered). */
    const tallykey_t *tally;
    int tally_rc;
} delib_t;

/* Refusals and failures are apperr_t (common/apperr.h). */

/* Runs one of the service's statements (pstmt). NULL after filling `err`. */
PGresult *delib_exec(delib_t *d, const char *sql, int n, const char *const *params,
                     apperr_t *err);

/* As delib_exec for statements whose result is not needed: 0 or -1. */
int delib_run(delib_t *d, const char *sql, int n, const char *const *params, apperr_t *err);

/* Decimal text of `v` in `buf` (24 bytes); returns buf. */
const char *delib_i64(char buf[24], int64_t v);

/* Integer value of a result cell (0 when NULL). */
int64_t delib_cell_i64(const PGresult *res, int row, int col);

#endif
