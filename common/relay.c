#include "relay.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "db.h"
#include "log.h"
#include "outbox.h"

struct relay {
    uv_timer_t timer;
    PGconn *conn;
    void *pub;
    char *stream;
    uint64_t published, last_seq;
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
        return;
    }
    zmq_send(relay->pub, type, strlen(type), ZMQ_SNDMORE | ZMQ_DONTWAIT);
    zmq_send(relay->pub, stamped, out_len, ZMQ_DONTWAIT);
    free(stamped);
    relay->published++;
    relay->last_seq = seq;
}

int relay_kick(relay_t *relay)
{
    int total = 0;
    for (;;) {
        int n = outbox_number(relay->conn, relay->stream, 1000, s_publish, relay);
        if (n < 0)
            return -1;
        total += n;
        if (n < 1000)
            return total;
    }
}

static void s_on_timer(uv_timer_t *timer)
{
    relay_kick(timer->data);
}

int relay_new(uv_loop_t *loop, void *zctx, const char *db_url, const char *stream,
              const char *endpoint, int interval_ms, relay_t **out)
{
    relay_t *relay = calloc(1, sizeof *relay);
    if (!relay)
        return -ENOMEM;
    relay->stream = strdup(stream);
    relay->conn = db_connect(db_url, 10000);
    relay->pub = zmq_socket(zctx, ZMQ_PUB);
    int hwm = 100000, linger = 0;
    if (!relay->stream || !relay->conn || !relay->pub ||
        zmq_setsockopt(relay->pub, ZMQ_SNDHWM, &hwm, sizeof hwm) ||
        zmq_setsockopt(relay->pub, ZMQ_LINGER, &linger, sizeof linger) ||
        zmq_bind(relay->pub, endpoint)) {
        log_error("relay for %s cannot start on %s: %s", stream, endpoint, zmq_strerror(errno));
        if (relay->pub)
            zmq_close(relay->pub);
        PQfinish(relay->conn);
        free(relay->stream);
        free(relay);
        return -1;
    }
    uv_timer_init(loop, &relay->timer);
    relay->timer.data = relay;
    uv_timer_start(&relay->timer, s_on_timer, 0, (uint64_t) interval_ms);
    *out = relay;
    return 0;
}

uint64_t relay_published(const relay_t *relay)
{
    return relay->published;
}

uint64_t relay_last_seq(const relay_t *relay)
{
    return relay->last_seq;
}

static void s_on_close(uv_handle_t *handle)
{
    relay_t *relay = handle->data;
    zmq_close(relay->pub);
    PQfinish(relay->conn);
    free(relay->stream);
    free(relay);
}

void relay_destroy(relay_t **self_p)
{
    relay_t *relay = *self_p;
    if (!relay)
        return;
    *self_p = NULL;
    uv_timer_stop(&relay->timer);
    uv_close((uv_handle_t *) &relay->timer, s_on_close);
}
