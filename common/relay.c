#include "relay.h"

#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <uv.h>
#include <zmq.h>

#include "actor.h"
#include "curve.h"
#include "db.h"
#include "log.h"
#include "outbox.h"
#include "zap.h"

struct relay {
    actor_t *actor;           /* the relay's thread, loop and connection */
    uv_async_t kick;          /* on the relay's loop, like the timer */
    uv_timer_t timer;
    void *zctx, *pub;
    zap_watch_t *watch;       /* the PUB's handshakes, on the relay's loop */
    PGconn *conn;             /* the actor's */
    char *stream, *endpoint;
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

/* Whether the table still holds an event of the stream numbered `after` or
 * higher (1), none (0: the stream went back), or cannot tell (-1). Asked
 * from `after` up rather than as max(seq): a writer numbering its events
 * as it writes them has its uncommitted rows at the top of the index, and a
 * scan down from the top reads past every one of them (40 ms a look with a
 * batch of routing's 500 in flight, on a loaded machine). */
static int s_stream_holds(relay_t *relay, uint64_t after)
{
    char from[24];
    snprintf(from, sizeof from, "%llu", (unsigned long long) after);
    const char *params[] = {relay->stream, from};
    PGresult *res = db_exec(relay->conn,
                            "SELECT 1 FROM outbox WHERE stream = $1 AND seq >= $2::bigint LIMIT 1",
                            2, params, NULL);
    int holds = res ? PQntuples(res) > 0 : -1;
    PQclear(res);
    return holds;
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
        if (n == 0 && after > 0 && s_stream_holds(relay, after) == 0) {
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

/* On the relay's thread, when relay_destroy stops it. */
static void s_stop(void *arg)
{
    relay_t *relay = arg;
    zap_watch_destroy(&relay->watch);
    uv_close((uv_handle_t *) &relay->kick, NULL);
    uv_close((uv_handle_t *) &relay->timer, NULL);
}

/* On the relay's thread, before relay_new returns: binds the PUB, finds
 * where the stream is, and starts looking. */
static int s_start(uv_loop_t *loop, PGconn *conn, void *arg)
{
    relay_t *relay = arg;
    int hwm = 100000, linger = 0;
    relay->conn = conn;
    relay->pub = zmq_socket(relay->zctx, ZMQ_PUB);
    if (!relay->pub || curve_server(relay->pub) ||
        zmq_setsockopt(relay->pub, ZMQ_SNDHWM, &hwm, sizeof hwm) ||
        zmq_setsockopt(relay->pub, ZMQ_LINGER, &linger, sizeof linger) ||
        zmq_bind(relay->pub, relay->endpoint)) {
        log_error("relay for %s cannot start on %s: %s", relay->stream, relay->endpoint,
                  zmq_strerror(zmq_errno()));
        return -1;
    }
    /* What was numbered before this start is in the table for subscribers;
     * publishing starts after it. */
    uint64_t end = s_stream_end(relay);
    if (end == UINT64_MAX) {
        log_error("relay for %s cannot read where its stream is", relay->stream);
        return -1;
    }
    if (zap_watch(loop, relay->zctx, relay->pub, relay->endpoint, &relay->watch))
        return -1;
    atomic_store(&relay->last_seq, end);
    uv_async_init(loop, &relay->kick, s_on_kick);
    uv_timer_init(loop, &relay->timer);
    relay->kick.data = relay->timer.data = relay;
    uv_timer_start(&relay->timer, s_on_timer, 0, (uint64_t) relay->interval_ms);
    return 0;
}

/* After the relay's thread ended (or never started): the PUB socket may be
 * closed here, past the join. */
static void s_free(relay_t *relay)
{
    if (relay->pub)
        zmq_close(relay->pub);
    free(relay->stream);
    free(relay->endpoint);
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
    relay->interval_ms = interval_ms;
    char name[128];
    snprintf(name, sizeof name, "relay for %s", stream);
    actor_config_t cfg = {.name = name, .db_url = db_url, .start = s_start, .stop = s_stop,
                          .arg = relay};
    if (!relay->stream || !relay->endpoint || actor_new(&cfg, &relay->actor)) {
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
    actor_destroy(&relay->actor);
    s_free(relay);
}
