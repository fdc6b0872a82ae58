/* routing: what every part of the routing service shares — its database
 * connection, clock, calendar, deadline ladder and relay — and the one way a
 * part reports a refusal. All of it belongs to the loop thread. */
#ifndef ROUTING_ROUTING_H
#define ROUTING_ROUTING_H

#include <libpq-fe.h>
#include <stdint.h>

#include "calendar.h"
#include "contactcli.h"
#include "apperr.h"
#include "deadline.h"
#include "envelope.h"
#include "idem.h"
#include "pstmt.h"
#include "relay.h"
#include "svclock.h"

#define ROUTING_STREAM "routing"

typedef struct {
    PGconn *conn;
    pstmt_t *sql;       /* the service's statements, prepared once on conn */
    svclock_t *clock;
    calendar_t *cal;
    deadline_t *ladder; /* the ladder's steps (ladder.c); NULL until started: dispatches made before are armed by its first load */
    relay_t *relay;     /* NULL in tools that only write */
    idem_t *idem;       /* the commands answered (routing_requests) */
    contactcli_t *contacts; /* asks intake for the reporters a reader sees in full (reporters.h); NULL: none */
} routing_t;

/* Refusals and failures are apperr_t (common/apperr.h). */

/* Transactions on r->conn: 0, or -1 with `err` set. Rollback cannot fail
 * usefully (a broken connection has rolled back already). */
int routing_begin(routing_t *r, apperr_t *err);
int routing_commit(routing_t *r, apperr_t *err);
void routing_rollback(routing_t *r);

/* The acting member: the envelope's actor must name a person (id) who is a
 * member of the unit (unit). Fills the unit's id, kind (static string in
 * `kind`, 24 bytes) and area. Returns 0, or -1 with `err` set. */
int routing_member(routing_t *r, const Gov__Actor *actor, int64_t *unit_id, char kind[24],
                   int64_t *area_id, apperr_t *err);

/* The acting admin: as routing_member, and the unit is of kind admin; or
 * the operator's govctl (role operator, no unit: the gateway never sends
 * that, its actors are a unit's member or a person). Returns 0, or -1 with
 * `err` set (NO_ACTOR, NOT_A_MEMBER, NOT_ADMIN). */
int routing_admin(routing_t *r, const Gov__Actor *actor, apperr_t *err);

/* Loads the calendar again when calendar_revision moved since (an import on
 * any replica): a batch of new cases calls it first, one query. 0 or -1. */
int routing_calendar_refresh(routing_t *r);
/* As routing_calendar_refresh, with calendar_revision read by the caller
 * (Q_CALENDAR_REVISION in a pipeline; -1 when it has no row). 0 or -1. */
int routing_calendar_at(routing_t *r, int64_t revision);

/* Decimal text of `v` in `buf` (24 bytes); returns buf. */
const char *routing_i64(char buf[24], int64_t v);

#endif
