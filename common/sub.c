#include "sub.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "curve.h"
#include "db.h"
#include "log.h"
#include "outbox.h"
#include "subready.h"
#include "zuv.h"

struct sub {
    uv_timer_t timer;
    zuv_t *zuv;
    PGconn *conn;
    char *name, *stream;
    sub_apply_cb apply;
    sub_batch_cb begin, end;
    sub_peek_cb peek;
    void *arg;
    uint64_t position;
    int heard;                  /* a message arrived since the last tick */
    Gov__Envelope **pending;    /* received in this drain pass, in order */
    size_t npending, cap;
    void *zctx;
    /* sub_watch: the publisher's links, the stream's head, once a second */
    uv_timer_t watch;
    zuv_t *monitor;
    int watching, connected, closing;
    int64_t max_lag;
    _Atomic uint64_t *m_lag, *m_connected, *m_position;
    health_cond_t *ready;
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
    if (sub->peek &&
        sub->peek(sub->conn, (const Gov__Envelope *const *) events + fresh, n - fresh, sub->arg) < 0)
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

/* Once a second: is the publisher linked, how far behind its head are we. */
static void s_on_watch(uv_timer_t *timer)
{
    sub_t *sub = timer->data;
    const char *params[] = {sub->stream};
    PGresult *res = db_exec(sub->conn, "SELECT coalesce(max(last_seq), 0) FROM outbox_streams"
                                       " WHERE stream = $1",
                            1, params, NULL);
    int64_t head = res && PQntuples(res) == 1 ? strtoll(PQgetvalue(res, 0, 0), NULL, 10) : -1;
    PQclear(res);
    subready_t state = subready_judge(sub->connected, head, sub->position, sub->max_lag);
    if (head >= 0)
        atomic_store(sub->m_lag, subready_lag(head, sub->position));
    atomic_store(sub->m_position, sub->position);
    atomic_store(sub->m_connected, (uint64_t) sub->connected);
    atomic_store(sub->ready, state == SUBREADY_OK ? NULL : subready_name(state));
}

/* The SUB socket's monitor: a link to the publisher made or lost. */
static void s_on_link(zuv_t *z, zmq_msg_t *parts, size_t nparts, void *arg)
{
    (void) z;
    sub_t *sub = arg;
    if (nparts < 1 || zmq_msg_size(&parts[0]) < 2)
        return;
    uint16_t event;
    memcpy(&event, zmq_msg_data(&parts[0]), sizeof event);
    if (event == ZMQ_EVENT_HANDSHAKE_SUCCEEDED)
        sub->connected++;
    else if (event == ZMQ_EVENT_DISCONNECTED && sub->connected > 0)
        sub->connected--;
    else
        return;
    log_info("subscriber %s: %s %s", sub->name, event == ZMQ_EVENT_DISCONNECTED ? "lost" : "linked to",
             sub->stream);
    if (sub->watching)
        s_on_watch(&sub->watch);
}

/* Watches `sock`'s links before it connects, so no handshake goes unseen. */
static int s_monitor(sub_t *sub, uv_loop_t *loop, void *sock)
{
    char endpoint[64];
    snprintf(endpoint, sizeof endpoint, "inproc://sub-watch-%p", (void *) sub);
    void *pair = NULL;
    int linger = 0;
    if (zmq_socket_monitor(sock, endpoint, ZMQ_EVENT_HANDSHAKE_SUCCEEDED | ZMQ_EVENT_DISCONNECTED) ||
        !(pair = zmq_socket(sub->zctx, ZMQ_PAIR)) ||
        zmq_setsockopt(pair, ZMQ_LINGER, &linger, sizeof linger) || zmq_connect(pair, endpoint) ||
        zuv_new(loop, pair, 64, s_on_link, NULL, sub, &sub->monitor)) {
        zmq_socket_monitor(sock, NULL, 0);
        if (pair)
            zmq_close(pair);
        return -1;
    }
    return 0;
}

int sub_watch(sub_t *sub, health_t *h, int64_t max_lag)
{
    char labels[64], what[64];
    snprintf(labels, sizeof labels, "stream=\"%s\"", sub->stream);
    snprintf(what, sizeof what, "subscription %s", sub->stream);
    sub->max_lag = max_lag;
    sub->m_lag = health_metric_labelled(h, "subscription_lag", labels,
                                        "events the publisher numbered that this subscriber has "
                                        "not applied (head less position, once a second)",
                                        HEALTH_GAUGE);
    sub->m_position = health_metric_labelled(h, "subscription_position", labels,
                                             "the last event applied", HEALTH_GAUGE);
    sub->m_connected = health_metric_labelled(h, "subscription_connected", labels,
                                              "links to the publisher (ZeroMQ handshakes made, "
                                              "not lost)",
                                              HEALTH_GAUGE);
    sub->ready = health_condition(h, what);
    if (!sub->m_lag || !sub->m_position || !sub->m_connected || !sub->ready) {
        log_error("subscriber %s cannot report on %s: too many metrics", sub->name, sub->stream);
        return -1;
    }
    uv_timer_init(uv_handle_get_loop((uv_handle_t *) &sub->timer), &sub->watch);
    sub->watch.data = sub;
    sub->watching = 1;
    uv_timer_start(&sub->watch, s_on_watch, 0, 1000);
    return 0;
}

int sub_new(uv_loop_t *loop, void *zctx, PGconn *conn, const char *name, const char *stream,
            const char *endpoint, int silence_ms, sub_apply_cb apply, void *arg, sub_t **out)
{
    return sub_new_batched(loop, zctx, conn, name, stream, endpoint, silence_ms, apply, NULL, NULL, NULL,
                           arg, out);
}

int sub_new_batched(uv_loop_t *loop, void *zctx, PGconn *conn, const char *name,
                    const char *stream, const char *endpoint, int silence_ms, sub_apply_cb apply,
                    sub_batch_cb begin, sub_batch_cb end, sub_peek_cb peek, void *arg, sub_t **out)
{
    sub_t *sub = calloc(1, sizeof *sub);
    if (!sub)
        return -1;
    sub->conn = conn;
    sub->zctx = zctx;
    sub->name = strdup(name);
    sub->stream = strdup(stream);
    sub->apply = apply;
    sub->begin = begin;
    sub->end = end;
    sub->peek = peek;
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
        zmq_setsockopt(sock, ZMQ_SUBSCRIBE, "", 0) || s_monitor(sub, loop, sock) ||
        zmq_connect(sock, endpoint) ||
        zuv_new(loop, sock, 1000, s_on_msg, s_on_drained, sub, &sub->zuv)) {
        log_error("subscriber %s cannot start on %s", name, endpoint);
        PQclear(res);
        if (sub->monitor) {
            zmq_socket_monitor(sock, NULL, 0);
            zuv_destroy(&sub->monitor);
        }
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
    if (--sub->closing > 0)
        return;
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
    sub->closing = 1;
    zmq_socket_monitor(zuv_socket(sub->zuv), NULL, 0);
    zuv_destroy(&sub->monitor);
    if (sub->watching) {
        uv_timer_stop(&sub->watch);
        sub->closing++;
        uv_close((uv_handle_t *) &sub->watch, s_on_close);
    }
    zuv_destroy(&sub->zuv);
    uv_timer_stop(&sub->timer);
    uv_close((uv_handle_t *) &sub->timer, s_on_close);
}
