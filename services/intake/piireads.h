/* piireads: the audit log of reads of personal data in full (pii_reads,
 * written by intake and routing through common/piilog.h), read back with
 * ListPiiReads by those who answer for it: the dispatch centre and the
 * admin, and the operator (govctl, no unit) and trusted processes. Anyone
 * else — the leadership, departments, residents — is refused NOT_AUDITOR;
 * a unit the actor is not a member of NOT_A_MEMBER. */
#ifndef INTAKE_PIIREADS_H
#define INTAKE_PIIREADS_H

#include <libpq-fe.h>

#include "envelope.pb-c.h"
#include "rpcsrv.h"

/* The rule: 1 when `actor` (NULL: a trusted process) acting for a unit of
 * kind `unit_kind` ("" or NULL when none or unknown) may read the log. */
int piireads_may(const Gov__Actor *actor, const char *unit_kind);

/* Answers a ListPiiReads request on `conn` and frees it: newest first,
 * `limit` 1–500 (default 50; INVALID_LIMIT otherwise), NOT_AUDITOR,
 * NOT_A_MEMBER, DB_UNAVAILABLE. */
void piireads_list(PGconn *conn, rpcsrv_t *srv, rpc_req_t *req);

#endif
