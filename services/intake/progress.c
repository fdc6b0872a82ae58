#include "progress.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "db.h"
#include "log.h"
#include "pstmt.h"
#include "routing.pb-c.h"
#include "sqltime.h"
#include "svclock.h"

/* $1 case, $2 new status, $3 the statuses it may move from (text[]), $4 when
 * (ms, the service clock). A case that closes notes when (retention counts
 * from it, retention.h); one that moves on from closed forgets it. */
#define Q_MOVE_CASE                                                                            \
    "UPDATE cases SET status = $2, updated_at = " TS("$4") ","                                  \
    " closed_at = CASE WHEN $2 = 'closed' THEN " TS("$4") " END"                               \
    " WHERE id = $1 AND status = ANY ($3::text[])"

/* $1 case, $2 the unit its lead dispatch went to (the department that calls
 * the reporter: casescope.h shows it the contact in full), $3 when (ms): an
 * open case moves to dispatched (as Q_MOVE_CASE from {open}) and notes its
 * lead in the same statement, one a DispatchSent, prepared once. */
#define Q_DISPATCHED                                                                           \
    "UPDATE cases SET lead_unit = $2,"                                                          \
    " status = CASE WHEN status = 'open' THEN 'dispatched' ELSE status END,"                   \
    " updated_at = CASE WHEN status = 'open' THEN " TS("$3") " ELSE updated_at END,"           \
    " closed_at = CASE WHEN status = 'open' THEN NULL ELSE closed_at END WHERE id = $1"

static int s_move(PGconn *conn, const svclock_t *clock, int64_t case_id, const char *status,
                  const char *from)
{
    char id[24], at[24];
    snprintf(id, sizeof id, "%" PRId64, case_id);
    snprintf(at, sizeof at, "%" PRId64, svclock_now_ms(clock));
    const char *params[] = {id, status, from, at};
    return db_run(conn, Q_MOVE_CASE, 4, params);
}

static int s_dispatched(const progress_t *p, int64_t case_id, const char *unit)
{
    char id[24], at[24];
    snprintf(id, sizeof id, "%" PRId64, case_id);
    snprintf(at, sizeof at, "%" PRId64, svclock_now_ms(p->clock));
    const char *params[] = {id, unit, at};
    PGresult *res = pstmt_exec(p->sql, Q_DISPATCHED, 3, params, NULL);
    PQclear(res);
    return res ? 0 : -1;
}

int progress_apply(PGconn *conn, const Gov__Envelope *event, void *arg)
{
    const progress_t *p = arg;
    const svclock_t *clock = p->clock;
    (void) conn; /* p->sql's connection: the subscriber's */
    const char *type = event->type;
    int rc = 0;
    if (strcmp(type, "DispatchSent") == 0) {
        Gov__DispatchEvent *ev =
            (Gov__DispatchEvent *) envelope_payload(event, &gov__dispatch_event__descriptor);
        if (!ev || !ev->item)
            rc = -1;
        else if (ev->item->case_id && strcmp(ev->item->role, "lead") == 0)
            rc = s_dispatched(p, ev->item->case_id, ev->item->unit);
        if (ev)
            gov__dispatch_event__free_unpacked(ev, NULL);
    } else if (strcmp(type, "EvaluationRequested") == 0 || strcmp(type, "CaseEvaluated") == 0) {
        Gov__CaseEvaluation *ev =
            (Gov__CaseEvaluation *) envelope_payload(event, &gov__case_evaluation__descriptor);
        if (!ev)
            rc = -1;
        else if (strcmp(type, "EvaluationRequested") == 0)
            rc = s_move(conn, clock, ev->case_id, "resolved", "{open,dispatched}");
        else if (strcmp(ev->result, "dissatisfied") == 0)
            rc = s_move(conn, clock, ev->case_id, "dispatched", "{resolved}");
        else
            rc = s_move(conn, clock, ev->case_id, "closed", "{resolved}");
        if (ev)
            gov__case_evaluation__free_unpacked(ev, NULL);
    }
    if (rc)
        log_error("intake: routing event %s at seq %llu not applied", type,
                  (unsigned long long) event->seq);
    return rc;
}
