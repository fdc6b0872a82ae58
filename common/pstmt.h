/* pstmt: prepared statements for SQL with static storage, prepared on first
 * use on one connection and reused, so a statement is parsed and planned
 * once per session rather than on every call.
 *
 * The key is the SQL string's address: only pass string literals (or other
 * strings that never change and never move). A session that lost its
 * statements (the connection was reset) is noticed — by the reset here, or
 * by the server's "prepared statement does not exist" — and they are
 * prepared again. */
#ifndef GOV_PSTMT_H
#define GOV_PSTMT_H

#include <libpq-fe.h>

typedef struct pstmt pstmt_t;

/* A cache for `conn` (borrowed; used only from its loop thread). NULL when
 * out of memory. */
pstmt_t *pstmt_new(PGconn *conn);

/* As db_exec: the result when the statement succeeded (the caller PQclear()s
 * it), else NULL with the SQLSTATE in `sqlstate` (may be NULL) and the
 * server's message logged. */
PGresult *pstmt_exec(pstmt_t *cache, const char *sql, int nparams, const char *const *params,
                     char sqlstate[6]);

void pstmt_destroy(pstmt_t **self_p);

#endif
