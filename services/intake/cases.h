/* cases: reading cases back — GetCase and ListCases, each within the
 * reader's scope (casescope.h). */
#ifndef INTAKE_CASES_H
#define INTAKE_CASES_H

#include <libpq-fe.h>

#include "rpcsrv.h"

/* Answers a GetCase request and frees it: NOT_FOUND for an unknown id and
 * for a case outside the actor's scope alike; NOT_A_MEMBER when the actor
 * names a unit they are not a member of. People are masked as the scope
 * requires. */
void cases_get(PGconn *conn, rpcsrv_t *srv, rpc_req_t *req);

/* Answers a ListCases request (UNKNOWN_AREA, INVALID_STATUS, INVALID_LIMIT
 * for bad filters, NOT_A_MEMBER as GetCase) and frees it. Only the cases in
 * the actor's scope are listed, whatever the filters ask; an actor who may
 * read none gets an empty list. */
void cases_list(PGconn *conn, rpcsrv_t *srv, rpc_req_t *req);

#endif
