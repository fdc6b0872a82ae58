#include "relay.h"

#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>
#include <zmq.h>

#include "db.h"
#include "log.h"
#include "outbox.h"

struct relay {
    uv_thread_t thread;
    uv_sem_t started;
    int start_rc;
    uv_loop_t loop;
    uv_async_t kick, stop;
    uv_timer_t timer;
    void *zctx, *pub;
    PGconn *conn;
    char *stream, *endpoint, *db_url;
    int interval_ms;
    _Atomic uint64_t published, last_seq;
};

static void s_publish(uint64_t seq, const char *type, const uint8_t *envelope, size_t len,
                      void *arg)
{
    relay_t *relay = arg;
    size_t out_len;
    uint8_t *stamped = outbox_stamp(envelope, len, relay->stream, seq, &out_len);
    if (!stamped) {
        log_error("outbox event %s #%llu does not decode; subscribers will see it from the table",
                  relay->stream, (unsigned long long) seq);
        atomic_store(&relay->last_seq, seq); /* past it: read again, it would not decode again */
        return;
    }
    zmq_send(relay->pub, type, strlen(type), ZMQ_SNDMORE | ZMQ_DONTWAIT);
    zmq_send(relay->pub, stamped, out_len, ZMQ_DONTWAIT);
    free(stamped);
    atomic_fetch_add(&relay->published, 1);
    atomic_store(&relay->last_seq, seq);
}

/* The stream's last number in the table (UINT64_MAX when it cannot tell). */
static uint64_t s_stream_end(relay_t *relay)
{
    const char *params[] = {relay->stream};
    PGresult *res = db_exec(relay->conn,
                            "SELECT coalesce(max(seq), 0) FROM outbox WHERE stream = $1", 1,
                            params, NULL);
    uint64_t end = res ? strtoull(PQgetvalue(res, 0, 0), NULL, 10) : UINT64_MAX;
    PQclear(res);
    return end;
}

/* Numbers what writers left unnumbered, then publishes everything numbered
 * after the last event published, in order, 1000 at a time. (Writers that
 * number their own events leave nothing to number: then the relay only
 * reads.) */
static void s_run(relay_t *relay)
{
    const char *params[] = {relay->stream};
    for (;;) {
        /* A read first: an idle relay must not write (and fsync) anything. */
        PGresult *res = db_exec(relay->conn,
                                "SELECT 1 FROM outbox WHERE stream = $1 AND seq IS NULL LIMIT 1",
                                1, params, NULL);
        int pending = res && PQntuples(res) > 0;
        PQclear(res);
        if (!pending || outbox_number(relay->conn, relay->stream, 1000, NULL, NULL) < 1000)
            break;
    }
    for (;;) {
        uint64_t after = atomic_load(&relay->last_seq);
        int n = outbox_read(relay->conn, relay->stream, after, 1000, s_publish, relay);
        if (n == 0 && after > 0 && s_stream_end(relay) < after) {
            /* Only a stream emptied under a running relay (a test's reset)
             * goes back; what it holds now was never published. */
            log_warn("stream %s went back below %llu: publishing it from the start", relay->stream,
                     (unsigned long long) after);
            atomic_store(&relay->last_seq, 0);
            continue;
        }
        if (n < 1000)
            return;
    }
}

static void s_on_kick(uv_async_t *async)
{
    s_run(async->data);
}

static void s_on_timer(uv_timer_t *timer)
{
    s_run(timer->data);
}

static void s_on_stop(uv_async_t *async)
{
    relay_t *relay = async->data;
    uv_close((uv_handle_t *) &relay->kick, NULL);
    uv_close((uv_handle_t *) &relay->stop, NULL);
    uv_close((uv_handle_t *) &relay->timer, NULL);
}

static int s_open(relay_t *relay)
{
    int hwm = 100000, linger = 0;
    relay->conn = db_connect(relay->db_url, 10000);
    relay->pub = zmq_socket(relay->zctx, ZMQ_PUB);
    if (!relay->conn || !relay->pub || zmq_setsockopt(relay->pub, ZMQ_SNDHWM, &hwm, sizeof hwm) ||
        zmq_setsockopt(relay->pub, ZMQ_LINGER, &linger, sizeof linger) ||
        zmq_bind(relay->pub, relay->endpoint)) {
        log_error("relay for %s cannot start on %s: %s", relay->stream, relay->endpoint,
                  relay->conn ? zmq_strerror(zmq_errno()) : "no database");
        return -1;
    }
    /* What was numbered before this start is in the table for subscribers;
     * publishing starts after it. */
    uint64_t end = s_stream_end(relay);
    if (end == UINT64_MAX) {
        log_error("relay for %s cannot read where its stream is", relay->stream);
        return -1;
    }
    atomic_store(&relay->last_seq, end);
    return 0;
}

/* The relay thread: owns the loop, the connection and the PUB socket. */
static void s_main(void *arg)
{
    relay_t *relay = arg;
    relay->start_rc = s_open(relay);
    if (relay->start_rc == 0) {
        uv_loop_init(&relay->loop);
        uv_async_init(&relay->loop, &relay->kick, s_on_kick);
        uv_async_init(&relay->loop, &relay->stop, s_on_stop);
        uv_timer_init(&relay->loop, &relay->timer);
        relay->kick.data = relay->stop.data = relay->timer.data = relay;
        uv_timer_start(&relay->timer, s_on_timer, 0, (uint64_t) relay->interval_ms);
    }
    uv_sem_post(&relay->started);
    if (relay->start_rc == 0) {
        uv_run(&relay->loop, UV_RUN_DEFAULT);
        uv_loop_close(&relay->loop);
    }
    if (relay->pub)
        zmq_close(relay->pub);
    PQfinish(relay->conn);
}

static void s_free(relay_t *relay)
{
    uv_sem_destroy(&relay->started);
    free(relay->stream);
    free(relay->endpoint);
    free(relay->db_url);
    free(relay);
}

int relay_new(void *zctx, const char *db_url, const char *stream, const char *endpoint,
              int interval_ms, relay_t **out)
{
    relay_t *relay = calloc(1, sizeof *relay);
    if (!relay)
        return -1;
    relay->zctx = zctx;
    relay->stream = strdup(stream);
    relay->endpoint = strdup(endpoint);
    relay->db_url = strdup(db_url);
    relay->interval_ms = interval_ms;
    uv_sem_init(&relay->started, 0);
    if (!relay->stream || !relay->endpoint || !relay->db_url ||
        uv_thread_create(&relay->thread, s_main, relay)) {
        s_free(relay);
        return -1;
    }
    uv_sem_wait(&relay->started);
    if (relay->start_rc) {
        uv_thread_join(&relay->thread);
        s_free(relay);
        return -1;
    }
    *out = relay;
    return 0;
}

void relay_kick(relay_t *relay)
{
    uv_async_send(&relay->kick);
}

uint64_t relay_published(const relay_t *relay)
{
    return atomic_load(&relay->published);
}

uint64_t relay_last_seq(const relay_t *relay)
{
    return atomic_load(&relay->last_seq);
}

void relay_destroy(relay_t **self_p)
{
    relay_t *relay = *self_p;
    if (!relay)
        return;
    *self_p = NULL;
    uv_async_send(&relay->stop);
    uv_thread_join(&relay->thread);
    s_free(relay);
}
