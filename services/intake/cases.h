/* cases: reading cases back — GetCase and ListCases. */
#ifndef INTAKE_CASES_H
#define INTAKE_CASES_H

#include <libpq-fe.h>

#include "rpcsrv.h"

/* Answers a GetCase request (NOT_FOUND for an unknown id) and frees it. */
void cases_get(PGconn *conn, rpcsrv_t *srv, rpc_req_t *req);

/* Answers a ListCases request (UNKNOWN_AREA, INVALID_STATUS, INVALID_LIMIT
 * for bad filters) and frees it. */
void cases_list(PGconn *conn, rpcsrv_t *srv, rpc_req_t *req);

#endif
