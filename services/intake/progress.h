/* progress: a case's status as routing reports it. Intake follows the
 * routing stream (a durable subscriber, its position stored with the status)
 * and moves its cases: open → dispatched when routing sends the lead its
 * dispatch, → resolved when the lead resolves it (routing asks for the
 * evaluation), → closed on a satisfied evaluation or back to dispatched on a
 * dissatisfied one. So a GetCase shows where the case is, and a resolved or
 * closed case no longer gathers new callers as a duplicate. */
#ifndef INTAKE_PROGRESS_H
#define INTAKE_PROGRESS_H

#include <libpq-fe.h>

#include "envelope.h"
#include "pstmt.h"
#include "svclock.h"

typedef struct {
    const svclock_t *clock; /* the service clock: when a case moved */
    pstmt_t *sql;           /* statements prepared on the subscriber's connection */
} progress_t;

/* A sub_apply_cb (`arg` is a progress_t): applies one routing event inside
 * the subscriber's transaction on `conn` (the connection of arg's `sql`), at
 * the service clock's time. Events that do not move a case are ignored. */
int progress_apply(PGconn *conn, const Gov__Envelope *event, void *arg);

#endif
