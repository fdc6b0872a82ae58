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

/* For a pipeline (libpq pipeline mode): makes sure `sql` is prepared on the
 * session, preparing it now (one round trip, the session's first time only)
 * when not. Call it before entering pipeline mode. Returns 0, or -1 with the
 * SQLSTATE in `sqlstate` (may be NULL) and the message logged. A new session
 * (the connection was reset) is noticed by its backend's process id. */
int pstmt_prepare(pstmt_t *cache, const char *sql, int nparams, char sqlstate[6]);

/* Queues `sql`, which pstmt_prepare prepared on this session, on the
 * connection in pipeline mode, with `nparams` text parameters (NULL values
 * are SQL NULL; copied before the call returns). Its result is the caller's
 * to read (db_pipeline_collect). Returns 0, or -1 when it was never
 * prepared or could not be queued. */
int pstmt_send(pstmt_t *cache, const char *sql, int nparams, const char *const *params);

void pstmt_destroy(pstmt_t **self_p);

#endif
