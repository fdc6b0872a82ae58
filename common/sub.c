#include "sub.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "curve.h"
#include "db.h"
#include "log.h"
#include "outbox.h"
#include "zuv.h"

struct sub {
    uv_timer_t timer;
    zuv_t *zuv;
    PGconn *conn;
    char *name, *stream;
    sub_apply_cb apply;
    sub_batch_cb begin, end;
    void *arg;
    uint64_t position;
    int heard;                  /* a message arrived since the last tick */
    Gov__Envelope **pending;    /* received in this drain pass, in order */
    size_t npending, cap;
};

/* Reads the stored position into `*out`, locking its row until the batch's
 * transaction ends. Returns 0, or -1 after logging. */
static int s_lock_position(sub_t *sub, uint64_t *out)
{
    const char *params[] = {sub->name, sub->stream};
    PGresult *res = db_exec(sub->conn,
                            "SELECT last_seq FROM subscriber_positions"
                            " WHERE subscriber = $1 AND stream = $2 FOR UPDATE",
                            2, params, NULL);
    int found = res && PQntuples(res) == 1;
    if (found)
        *out = strtoull(PQgetvalue(res, 0, 0), NULL, 10);
    else if (res)
        log_error("subscriber %s has no stored position on %s", sub->name, sub->stream);
    PQclear(res);
    return found ? 0 : -1;
}

/* Applies the envelopes that continue the sequence, in one transaction.
 * Returns 1 if a gap was seen, 0 otherwise, -1 on failure. */
static int s_apply(sub_t *sub, Gov__Envelope **events, size_t n)
{
    /* Positions only move on: events at or below ours were applied. */
    size_t fresh = 0;
    while (fresh < n && events[fresh]->seq <= sub->position)
        fresh++;
    if (fresh == n)
        return 0;
    /* From the stored position, not ours: another instance of this
     * subscriber (a replica of the service) may have moved it — the lock
     * makes one wait for the other's batch to commit — and so has a COMMIT
     * of ours whose answer was lost. */
    uint64_t next = sub->position;
    int gap = 0, applied = 0;
    if (db_run(sub->conn, "BEGIN", 0, NULL))
        return -1;
    if (s_lock_position(sub, &next))
        goto rollback;
    if (sub->begin && sub->begin(sub->conn, sub->arg) < 0)
        goto rollback;
    for (size_t i = 0; i < n; i++) {
        if (events[i]->seq <= next)
            continue; /* seen already */
        if (events[i]->seq > next + 1) {
            gap = 1;
            break;
        }
        if (sub->apply(sub->conn, events[i], sub->arg) < 0) {
            log_error("subscriber %s cannot apply %s #%" PRIu64 " (%s); will retry", sub->name,
                      sub->stream, events[i]->seq, events[i]->type);
            goto rollback;
        }
        next = events[i]->seq;
        applied++;
    }
    if (applied && sub->end && sub->end(sub->conn, sub->arg) < 0) {
        log_error("subscriber %s cannot finish a batch of %s; will retry", sub->name, sub->stream);
        goto rollback;
    }
    if (applied) {
        char pos[24];
        snprintf(pos, sizeof pos, "%" PRIu64, next);
        const char *params[] = {sub->name, sub->stream, pos};
        if (db_run(sub->conn,
                   "UPDATE subscriber_positions SET last_seq = $3::bigint, updated_at = now()"
                   " WHERE subscriber = $1 AND stream = $2",
                   3, params))
            goto rollback;
    }
    if (db_run(sub->conn, "COMMIT", 0, NULL))
        goto rollback;
    sub->position = next;
    return gap;
rollback:
    db_run(sub->conn, "ROLLBACK", 0, NULL);
    return -1;
}

typedef struct {
    Gov__Envelope **events;
    size_t n;
} s_page_t;

static void s_collect(uint64_t seq, const char *type, const uint8_t *envelope, size_t len,
                      void *arg)
{
    (void) type;
    s_page_t *page = arg;
    Gov__Envelope *env = envelope_unpack(envelope, len);
    if (!env)
        return; /* leaves a gap: the subscriber stops there and says so */
    env->seq = seq;
    page->events[page->n++] = env;
}

int sub_catch_up(sub_t *sub)
{
    enum { PAGE = 500 };
    Gov__Envelope *events[PAGE];
    int total = 0;
    for (;;) {
        s_page_t page = {events, 0};
        uint64_t before = sub->position;
        int n = outbox_read(sub->conn, sub->stream, sub->position, PAGE, s_collect, &page);
        int rc = n > 0 ? s_apply(sub, events, page.n) : 0;
        for (size_t i = 0; i < page.n; i++)
            envelope_free(&events[i]);
        if (n < 0 || rc < 0)
            return -1;
        total += (int) (sub->position - before);
        if (n < PAGE || sub->position == before)
            return total;
    }
}

static void s_on_msg(zuv_t *z, zmq_msg_t *parts, size_t nparts, void *arg)
{
    (void) z;
    sub_t *sub = arg;
    sub->heard = 1;
    Gov__Envelope *env =
        nparts == 2 ? envelope_unpack(zmq_msg_data(&parts[1]), zmq_msg_size(&parts[1])) : NULL;
    if (!env || strcmp(env->stream, sub->stream) != 0) {
        envelope_free(&env);
        return;
    }
    if (sub->npending == sub->cap) {
        size_t cap = sub->cap ? 2 * sub->cap : 64;
        Gov__Envelope **grown = realloc(sub->pending, cap * sizeof *grown);
        if (!grown) {
            envelope_free(&env); /* the gap it leaves sends us to the table */
            return;
        }
        sub->pending = grown;
        sub->cap = cap;
    }
    sub->pending[sub->npending++] = env;
}

static void s_on_drained(zuv_t *z, void *arg)
{
    (void) z;
    sub_t *sub = arg;
    int rc = s_apply(sub, sub->pending, sub->npending);
    for (size_t i = 0; i < sub->npending; i++)
        envelope_free(&sub->pending[i]);
    sub->npending = 0;
    if (rc == 1)
        sub_catch_up(sub);
}

static void s_on_timer(uv_timer_t *timer)
{
    sub_t *sub = timer->data;
    if (!sub->heard)
        sub_catch_up(sub);
    sub->heard = 0;
}

int sub_new(uv_loop_t *loop, void *zctx, PGconn *conn, const char *name, const char *stream,
            const char *endpoint, int silence_ms, sub_apply_cb apply, void *arg, sub_t **out)
{
    return sub_new_batched(loop, zctx, conn, name, stream, endpoint, silence_ms, apply, NULL, NULL,
                           arg, out);
}

int sub_new_batched(uv_loop_t *loop, void *zctx, PGconn *conn, const char *name,
                    const char *stream, const char *endpoint, int silence_ms, sub_apply_cb apply,
                    sub_batch_cb begin, sub_batch_cb end, void *arg, sub_t **out)
{
    sub_t *sub = calloc(1, sizeof *sub);
    if (!sub)
        return -1;
    sub->conn = conn;
    sub->name = strdup(name);
    sub->stream = strdup(stream);
    sub->apply = apply;
    sub->begin = begin;
    sub->end = end;
    sub->arg = arg;
    const char *params[] = {name, stream};
    PGresult *res = db_exec(conn,
                            "INSERT INTO subscriber_positions (subscriber, stream) VALUES ($1, $2)"
                            " ON CONFLICT (subscriber, stream) DO UPDATE SET updated_at = now()"
                            " RETURNING last_seq",
                            2, params, NULL);
    void *sock = zmq_socket(zctx, ZMQ_SUB);
    int hwm = 100000;
    if (!res || !sock || !sub->name || !sub->stream || curve_client(sock) ||
        zmq_setsockopt(sock, ZMQ_RCVHWM, &hwm, sizeof hwm) ||
        zmq_setsockopt(sock, ZMQ_SUBSCRIBE, "", 0) || zmq_connect(sock, endpoint) ||
        zuv_new(loop, sock, 1000, s_on_msg, s_on_drained, sub, &sub->zuv)) {
        log_error("subscriber %s cannot start on %s", name, endpoint);
        PQclear(res);
        if (sock)
            zmq_close(sock);
        free(sub->name);
        free(sub->stream);
        free(sub);
        return -1;
    }
    sub->position = strtoull(PQgetvalue(res, 0, 0), NULL, 10);
    PQclear(res);
    uv_timer_init(loop, &sub->timer);
    sub->timer.data = sub;
    uv_timer_start(&sub->timer, s_on_timer, (uint64_t) silence_ms, (uint64_t) silence_ms);
    sub_catch_up(sub);
    *out = sub;
    return 0;
}

uint64_t sub_position(const sub_t *sub)
{
    return sub->position;
}

static void s_on_close(uv_handle_t *handle)
{
    sub_t *sub = handle->data;
    for (size_t i = 0; i < sub->npending; i++)
        envelope_free(&sub->pending[i]);
    free(sub->pending);
    free(sub->name);
    free(sub->stream);
    free(sub);
}

void sub_destroy(sub_t **self_p)
{
    sub_t *sub = *self_p;
    if (!sub)
        return;
    *self_p = NULL;
    zuv_destroy(&sub->zuv);
    uv_timer_stop(&sub->timer);
    uv_close((uv_handle_t *) &sub->timer, s_on_close);
}
