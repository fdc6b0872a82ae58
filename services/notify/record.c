#include "record.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "log.h"
#include "pgasync.h"
#include "queries.h"

/* The columns of Q_RECORD's arrays. */
#define COLS 9

/* A growing list of outcomes. */
typedef struct {
    record_outcome_t *items;
    size_t n, cap;
} list_t;

struct record {
    uv_timer_t timer;         /* the next batch: now, or after a failure */
    PGconn *conn;
    pgasync_t *pa;            /* the batch under way, without blocking the loop */
    const svclock_t *clock;
    record_done_cb done;
    void *arg;
    list_t queued, writing;   /* writing: sent, not yet committed */
    int prepared;             /* Q_RECORD is prepared in this session */
};

static void s_on_timer(uv_timer_t *timer);

static int s_push(list_t *l, const record_outcome_t *o)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        record_outcome_t *grown = realloc(l->items, cap * sizeof *grown);
        if (!grown)
            return -1;
        l->items = grown;
        l->cap = cap;
    }
    l->items[l->n++] = *o;
    return 0;
}

/* The parameters of Q_RECORD for the outcomes in `l`: ten strings the
 * caller frees with s_params_free. Returns 0 or -1. */
static int s_params(const record_t *rec, const list_t *l, char *params[COLS + 1])
{
    char **cols[COLS] = {0};
    int ok = 1;
    memset(params, 0, (COLS + 1) * sizeof *params);
    for (int c = 0; c < COLS; c++)
        ok &= (cols[c] = calloc(l->n ? l->n : 1, sizeof(char *))) != NULL;
    for (size_t i = 0; ok && i < l->n; i++) {
        const record_outcome_t *r = &l->items[i];
        char num[5][24];
        snprintf(num[0], 24, "%" PRId64, r->id);
        snprintf(num[1], 24, "%ld", r->status);
        snprintf(num[2], 24, "%d", r->ms);
        snprintf(num[3], 24, "%" PRId64, r->next_ms);
        snprintf(num[4], 24, "%d", r->failures);
        const char *v[COLS] = {num[0], r->outcome, num[1], r->response, num[2], r->state, num[3],
                               num[4], r->why};
        for (int c = 0; c < COLS; c++)
            ok &= (cols[c][i] = strdup(v[c])) != NULL;
    }
    for (int c = 0; ok && c < COLS; c++)
        ok &= (params[c] = db_text_array(cols[c], l->n)) != NULL;
    char now[24];
    snprintf(now, sizeof now, "%" PRId64, svclock_now_ms(rec->clock));
    ok = ok && (params[COLS] = strdup(now)) != NULL;
    for (int c = 0; c < COLS; c++) {
        for (size_t i = 0; cols[c] && i < l->n; i++)
            free(cols[c][i]);
        free(cols[c]);
    }
    return ok ? 0 : -1;
}

static void s_params_free(char *params[COLS + 1])
{
    for (int c = 0; c <= COLS; c++)
        free(params[c]);
}

static size_t s_pending(const list_t *l)
{
    size_t n = 0;
    for (size_t i = 0; i < l->n; i++)
        n += strcmp(l->items[i].state, "pending") == 0;
    return n;
}

/* The batch under way ended: committed (`ok`) or not. A failed batch goes
 * back in front of what queued meanwhile, and is tried again in a second. */
static void s_finish(record_t *rec, int ok)
{
    if (ok) {
        size_t n = rec->writing.n, pending = s_pending(&rec->writing);
        rec->writing.n = 0;
        if (rec->queued.n)
            uv_timer_start(&rec->timer, s_on_timer, 0, 0);
        rec->done(n, pending, rec->arg);
        return;
    }
    for (size_t i = 0; i < rec->queued.n; i++)
        if (s_push(&rec->writing, &rec->queued.items[i]))
            log_error("notify: out of memory recording delivery %" PRId64,
                      rec->queued.items[i].id);
    list_t swap = rec->queued;
    rec->queued = rec->writing;
    rec->writing = swap;
    rec->writing.n = 0;
    uv_timer_start(&rec->timer, s_on_timer, 1000, 0);  /* the database is back soon */
}

/* The timer closed: the recorder goes with it, once record_destroy was
 * called. */
static void s_on_closed(uv_handle_t *handle)
{
    record_t *rec = handle->data;
    free(rec->queued.items);
    free(rec->writing.items);
    free(rec);
}

/* Resets a broken connection (pgasync watches its socket only while a batch
 * is under way, so the new socket, whatever its number, is watched afresh). */
static void s_reset(record_t *rec)
{
    PQreset(rec->conn);
    rec->prepared = 0;
}

/* The batch's statement ended: committed, failed, or its connection broke. */
static void s_on_written(PGresult *res, void *arg)
{
    record_t *rec = arg;
    int ok = res && PQresultStatus(res) == PGRES_COMMAND_OK;
    if (!res) {
        log_error("notify: the outcomes' connection failed: %s", PQerrorMessage(rec->conn));
        s_reset(rec);
    } else if (!ok) {
        char state[6];
        db_sqlstate(res, state);
        log_error("notify: outcomes not written (%s): %s", state, PQresultErrorMessage(res));
    }
    PQclear(res);
    s_finish(rec, ok);
}

/* Q_RECORD is parsed once a session rather than once a batch. */
#define STMT "notify_record"

static int s_prepare(record_t *rec)
{
    if (rec->prepared)
        return 0;
    PGresult *res = PQprepare(rec->conn, STMT, Q_RECORD, COLS + 1, NULL);
    rec->prepared = PQresultStatus(res) == PGRES_COMMAND_OK;
    if (!rec->prepared)
        log_error("notify: cannot prepare the outcomes' statement: %s", PQresultErrorMessage(res));
    PQclear(res);
    return rec->prepared ? 0 : -1;
}

/* Sends the queued outcomes as one statement. */
static void s_on_timer(uv_timer_t *timer)
{
    record_t *rec = timer->data;
    if (pgasync_busy(rec->pa) || !rec->queued.n)
        return;
    list_t swap = rec->writing;
    rec->writing = rec->queued;
    rec->queued = swap;
    rec->queued.n = 0;
    char *params[COLS + 1];
    if (PQstatus(rec->conn) != CONNECTION_OK)
        s_reset(rec);
    if (s_params(rec, &rec->writing, params) || s_prepare(rec) ||
        pgasync_send(rec->pa, STMT, 1, COLS + 1, (const char *const *) params, s_on_written, rec)) {
        log_error("notify: cannot write outcomes: %s", PQerrorMessage(rec->conn));
        s_params_free(params);
        s_finish(rec, 0);
        return;
    }
    s_params_free(params);
}

int record_new(uv_loop_t *loop, PGconn *conn, const svclock_t *clock, record_done_cb done,
               void *arg, record_t **out)
{
    record_t *rec = calloc(1, sizeof *rec);
    if (!rec || pgasync_new(loop, conn, &rec->pa)) {
        log_error("notify: out of memory");
        free(rec);
        return -1;
    }
    rec->conn = conn;
    rec->clock = clock;
    rec->done = done;
    rec->arg = arg;
    uv_timer_init(loop, &rec->timer);
    rec->timer.data = rec;
    *out = rec;
    return 0;
}

int record_add(record_t *rec, const record_outcome_t *o)
{
    if (s_push(&rec->queued, o)) {
        log_error("notify: out of memory recording delivery %" PRId64, o->id);
        return -1;
    }
    if (!pgasync_busy(rec->pa) && !uv_is_active((uv_handle_t *) &rec->timer))
        uv_timer_start(&rec->timer, s_on_timer, 0, 0);
    return 0;
}

size_t record_unwritten(const record_t *rec)
{
    return rec->queued.n + rec->writing.n;
}

void record_destroy(record_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    record_t *rec = *self_p;
    *self_p = NULL;
    if (pgasync_busy(rec->pa)) {  /* the batch under way: wait for its end (blocking) */
        PGresult *res = pgasync_wait(rec->pa);
        if (res && PQresultStatus(res) == PGRES_COMMAND_OK)
            rec->writing.n = 0;
        PQclear(res);
    }
    pgasync_destroy(&rec->pa);
    for (size_t i = 0; i < rec->queued.n; i++)
        s_push(&rec->writing, &rec->queued.items[i]);
    if (rec->writing.n) {
        char *params[COLS + 1];
        if (s_params(rec, &rec->writing, params) ||
            db_run(rec->conn, Q_RECORD, COLS + 1, (const char *const *) params))
            log_warn("notify: %zu outcomes not written; their leases will run out", rec->writing.n);
        s_params_free(params);
    }
    uv_timer_stop(&rec->timer);
    uv_close((uv_handle_t *) &rec->timer, s_on_closed);
}
