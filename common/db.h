/* db: PostgreSQL access for the loop thread. One connection per concept that
 * needs one (a service's requests, its relay, a subscriber); each is used only
 * by the loop thread that made it. Calls block that thread for the length of
 * a query, so services batch many requests into one round trip (libpq
 * pipeline mode) rather than make many small ones. */
#ifndef GOV_DB_H
#define GOV_DB_H

#include <libpq-fe.h>

/* The connection settings db_connect gives unless the URL says otherwise. */
#define DB_TCP_USER_TIMEOUT_MS "5000"
#define DB_CONNECT_TIMEOUT_S "2" /* libpq's least */

/* During an outage a connection is tried again no sooner than this after the
 * end of the last failed try: DB_RETRY_MIN_MS doubled for each try failed so far
 * (`failed`, from 0), at most DB_RETRY_MAX_MS. */
#define DB_RETRY_MIN_MS 100
#define DB_RETRY_MAX_MS 2000
int db_retry_delay_ms(unsigned failed);

/* Connects to `url`, retrying for up to `wait_ms` while the server is
 * starting. Returns the connection, or NULL after logging why. */
PGconn *db_connect(const char *url, int wait_ms);

/* Runs one statement with text parameters (NULL values are SQL NULL). Returns
 * the result when the statement succeeded (the caller PQclear()s it), or NULL
 * after logging the server's message; `sqlstate` (6 bytes, may be NULL)
 * receives the SQLSTATE, or "08006" when the connection is gone. A broken
 * connection is reset so the next call can succeed (during an outage, only
 * as often as db_retry_delay_ms allows: see db_failed). */
PGresult *db_exec(PGconn *conn, const char *sql, int nparams, const char *const *params,
                  char sqlstate[6]);

/* As db_exec, for statements without a result worth keeping: 0 or -1. */
int db_run(PGconn *conn, const char *sql, int nparams, const char *const *params);

/* A failed query on `conn` (its result `res`, may be NULL): `state` receives
 * its SQLSTATE, "08006" when the connection is gone, which is then reset —
 * during an outage only one try at a time in the process, spaced by
 * db_retry_delay_ms, the other broken connections failing at once. The
 * database's absence (a lost connection, SQLSTATE class 08, 57P01-57P03) is
 * logged once when an outage starts and once when it ends, and counted; any
 * other failure is logged as it comes. db_exec, pstmt_exec and
 * db_pipeline_collect call it; db_succeeded, after a query that succeeded,
 * ends an outage. */
void db_failed(PGconn *conn, const PGresult *res, char state[6]);
void db_succeeded(void);

/* The process's counts: queries failed for the database's absence, outages,
 * and whether one is under way (for /metrics). */
typedef struct {
    unsigned long long unavailable, outages;
    int down;
} db_stats_t;
db_stats_t db_stats(void);

/* Copies the SQLSTATE of a failed result into `out` ("XX000" if none). */
void db_sqlstate(const PGresult *res, char out[6]);

/* Reads the results of `n` queries sent on a connection in pipeline mode and
 * the PQpipelineSync that followed them. `out[i]` receives query i's result
 * (the caller PQclear()s each; NULL where none came). Returns 0 when every
 * query succeeded, else -1 with the first failure's SQLSTATE in `sqlstate`
 * (may be NULL) and its message logged. */
int db_pipeline_collect(PGconn *conn, int n, PGresult **out, char sqlstate[6]);

/* A statement a service prepares once per database session. */
typedef struct {
    const char *name;
    const char *sql;
    int nparams;
} db_statement_t;

/* Makes sure every statement in `stmts` is prepared on `conn`: one query to
 * see what the session has, then a PQprepare for each missing one (a reset
 * connection has lost them all). Call it before a batch; not in pipeline
 * mode. Returns 0 or -1 (logged). */
int db_prepare(PGconn *conn, const db_statement_t *stmts, size_t n);

/* Formats `n` strings as a PostgreSQL text[] literal, quoting each. Returns a
 * malloc'd string the caller frees, or NULL when out of memory. */
char *db_text_array(char *const *items, size_t n);

/* The highest migration applied (0 when none), or -1 on error. */
int db_schema_version(PGconn *conn);

/* Refuses (-1, logged) unless the database is at exactly `expected`: a service
 * never runs on a schema it was not built for. */
int db_require_schema(PGconn *conn, int expected);

#endif
