#include "pgasync.h"

#include <errno.h>
#include <stdlib.h>

#include "dbtime.h"

struct pgasync {
    uv_loop_t *loop;
    PGconn *conn;
    uv_poll_t *poll;          /* the socket's watch, while a statement is under way */
    PGresult *res;            /* the result kept so far */
    pgasync_done_cb done;
    void *arg;
    dbtime_kind_t kind;       /* the statement under way's, and when it was sent */
    uint64_t sent_ns;
};

static int s_ok(const PGresult *res)
{
    ExecStatusType st = PQresultStatus(res);
    return st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK;
}

/* Keeps the first result, unless a later one failed and it did not. */
static void s_keep(pgasync_t *pa, PGresult *res)
{
    if (!pa->res) {
        pa->res = res;
    } else if (s_ok(pa->res) && !s_ok(res)) {
        PQclear(pa->res);
        pa->res = res;
    } else {
        PQclear(res);
    }
}

static void s_on_closed(uv_handle_t *handle)
{
    free(handle);
}

/* Stops watching the socket: the handle goes in its close callback. */
static void s_unwatch(pgasync_t *pa)
{
    if (!pa->poll)
        return;
    uv_poll_stop(pa->poll);
    uv_close((uv_handle_t *) pa->poll, s_on_closed);
    pa->poll = NULL;
}

/* Reads the rest of the statement's results, blocking; returns the kept
 * one. */
static PGresult *s_drain(pgasync_t *pa)
{
    for (PGresult *r; (r = PQgetResult(pa->conn));)
        s_keep(pa, r);
    PGresult *res = pa->res;
    pa->res = NULL;
    return res;
}

/* The statement ended: nothing is under way any more when `done` runs. */
static void s_end(pgasync_t *pa, PGresult *res)
{
    pgasync_done_cb done = pa->done;
    void *arg = pa->arg;
    pa->done = NULL;
    pa->arg = NULL;
    dbtime_observe(pa->kind, pa->sent_ns);
    done(res, arg);
}

static void s_on_io(uv_poll_t *poll, int status, int events)
{
    (void) events;
    pgasync_t *pa = poll->data;
    if (status < 0) {  /* cannot watch: wait for the end instead */
        s_unwatch(pa);
        s_end(pa, s_drain(pa));
        return;
    }
    if (!PQconsumeInput(pa->conn)) {  /* the connection broke */
        s_unwatch(pa);
        PQclear(s_drain(pa));  /* libpq's own report of the break; it does not block now */
        s_end(pa, NULL);
        return;
    }
    while (!PQisBusy(pa->conn)) {
        PGresult *r = PQgetResult(pa->conn);
        if (!r) {
            PGresult *res = pa->res;
            pa->res = NULL;
            s_unwatch(pa);
            s_end(pa, res);
            return;
        }
        s_keep(pa, r);
    }
}

int pgasync_new(uv_loop_t *loop, PGconn *conn, pgasync_t **out)
{
    pgasync_t *pa = calloc(1, sizeof *pa);
    if (!pa)
        return -ENOMEM;
    pa->loop = loop;
    pa->conn = conn;
    *out = pa;
    return 0;
}

int pgasync_send(pgasync_t *pa, const char *sql, int prepared, int nparams,
                 const char *const *params, pgasync_done_cb done, void *arg)
{
    if (pa->poll)
        return -EBUSY;
    uv_poll_t *poll = malloc(sizeof *poll);
    if (!poll)
        return -ENOMEM;
    pa->kind = prepared ? DBTIME_PREPARED : dbtime_kind(sql);
    pa->sent_ns = dbtime_now_ns();
    int sent = prepared ? PQsendQueryPrepared(pa->conn, sql, nparams, params, NULL, NULL, 0)
                        : PQsendQueryParams(pa->conn, sql, nparams, NULL, params, NULL, NULL, 0);
    if (!sent || PQflush(pa->conn) != 0 || uv_poll_init(pa->loop, poll, PQsocket(pa->conn)) < 0)
        goto failed;
    poll->data = pa;
    if (uv_poll_start(poll, UV_READABLE, s_on_io) < 0) {
        uv_close((uv_handle_t *) poll, s_on_closed);
        poll = NULL;
        goto failed;
    }
    pa->poll = poll;
    pa->done = done;
    pa->arg = arg;
    return 0;
failed:
    free(poll);
    PQclear(s_drain(pa));  /* whatever was sent ends before anything else goes */
    return -EIO;
}

int pgasync_busy(const pgasync_t *pa)
{
    return pa->poll != NULL;
}

PGresult *pgasync_wait(pgasync_t *pa)
{
    if (!pa->poll)
        return NULL;
    s_unwatch(pa);
    pa->done = NULL;
    pa->arg = NULL;
    if (PQstatus(pa->conn) == CONNECTION_BAD) {
        PQclear(s_drain(pa));
        return NULL;
    }
    return s_drain(pa);
}

void pgasync_destroy(pgasync_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    pgasync_t *pa = *self_p;
    *self_p = NULL;
    PQclear(pgasync_wait(pa));
    PQclear(pa->res);
    free(pa);
}
