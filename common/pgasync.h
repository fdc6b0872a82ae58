/* pgasync: one PostgreSQL statement at a time without blocking the loop.
 *
 * A statement is sent with libpq's asynchronous calls, and its connection's
 * socket is watched on the loop (uv_poll) until every result is in; then
 * `done` runs on the loop with the statement's result. While a statement is
 * under way the connection is its alone: nobody may use it, not even for a
 * blocking call. Before `done` runs the watch on the socket is closed, so
 * `done` may use the connection as it likes: run blocking statements (a
 * COMMIT), send the next statement, or reset a broken connection.
 *
 * The socket is watched only while a statement is under way. libuv stops
 * watching a socket by its number, and a reset connection's number may go to
 * another socket (another connection's, say): a watch kept across a reset
 * would silence that one. */
#ifndef GOV_PGASYNC_H
#define GOV_PGASYNC_H

#include <libpq-fe.h>
#include <uv.h>

typedef struct pgasync pgasync_t;

/* The end of one statement, on the loop. `res` is the caller's to PQclear:
 * the statement's result (PGRES_TUPLES_OK or PGRES_COMMAND_OK) when it
 * succeeded, its first failed result (PQresultStatus says, db_sqlstate reads
 * the SQLSTATE) when it failed, or NULL when the connection broke
 * (PQerrorMessage says why; PQstatus is then CONNECTION_BAD). */
typedef void (*pgasync_done_cb)(PGresult *res, void *arg);

/* Makes a sender of statements on `conn` (borrowed; it must outlive the
 * sender and be used only from `loop`'s thread). Returns 0 and sets `*out`,
 * or -ENOMEM. */
int pgasync_new(uv_loop_t *loop, PGconn *conn, pgasync_t **out);

/* Sends `sql` with `nparams` text parameters (NULL values are SQL NULL; all
 * copied by libpq before the call returns) and calls `done(res, arg)` once
 * all its results are in. With `prepared` nonzero `sql` names a statement
 * prepared on the connection (PQprepare) instead. Returns 0, -EBUSY when a
 * statement is under way already, or -EIO when the statement could not be
 * sent or its socket watched (the connection is left idle, with nothing
 * under way; PQerrorMessage may say why). On failure `done` is not called. */
int pgasync_send(pgasync_t *pa, const char *sql, int prepared, int nparams,
                 const char *const *params, pgasync_done_cb done, void *arg);

/* Nonzero while a statement is under way (from a successful pgasync_send
 * until just before its `done` runs). */
int pgasync_busy(const pgasync_t *pa);

/* Ends the statement under way by waiting for it, blocking the thread, and
 * returns its result as `done` would have had it (the caller PQclears it);
 * `done` is then not called. Returns NULL when nothing was under way or the
 * connection broke. */
PGresult *pgasync_wait(pgasync_t *pa);

/* Waits (blocking) for a statement under way and drops its result without
 * calling `done`, then frees the sender; the watch on the socket is freed
 * once the loop has run its close callback. NULLs the caller's pointer; safe
 * on NULL. The connection is left to its owner. */
void pgasync_destroy(pgasync_t **self_p);

#endif
