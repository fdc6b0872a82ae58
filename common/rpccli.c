#include "rpccli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

#include "curve.h"

struct rpccli {
    void *zctx;
    void *sock;
    char *endpoint;
};

static int s_connect(rpccli_t *c)
{
    int linger = 0;
    int64_t max = 64 << 20;
    c->sock = zmq_socket(c->zctx, ZMQ_DEALER);
    if (!c->sock)
        return -errno;
    zmq_setsockopt(c->sock, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt(c->sock, ZMQ_MAXMSGSIZE, &max, sizeof max);
    int curve_failed = curve_client(c->sock);
    if (curve_failed || zmq_connect(c->sock, c->endpoint) != 0) {
        int rc = curve_failed ? -EPROTO : -errno;
        zmq_close(c->sock);
        c->sock = NULL;
        return rc;
    }
    return 0;
}

int rpccli_new(void *zctx, const char *endpoint, rpccli_t **out)
{
    rpccli_t *c = calloc(1, sizeof *c);
    if (!c)
        return -ENOMEM;
    c->zctx = zctx;
    c->endpoint = strdup(endpoint);
    int rc = c->endpoint ? s_connect(c) : -ENOMEM;
    if (rc) {
        free(c->endpoint);
        free(c);
        return rc;
    }
    *out = c;
    return 0;
}

static int64_t s_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits for a reply correlated to `id` (any reply when `id` is NULL). */
static int s_wait(rpccli_t *c, const char *id, int timeout_ms, Gov__Envelope **reply)
{
    int64_t deadline = s_now_ms() + timeout_ms;
    for (;;) {
        int64_t left = deadline - s_now_ms();
        zmq_pollitem_t item = {c->sock, 0, ZMQ_POLLIN, 0};
        int n = left > 0 ? zmq_poll(&item, 1, (long) left) : 0;
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -errno;
        if (n == 0) {
            /* Replace the socket so a late reply is never taken for the next. */
            zmq_close(c->sock);
            int rc = s_connect(c);
            return rc ? rc : -ETIMEDOUT;
        }
        zmq_msg_t msg;
        zmq_msg_init(&msg);
        if (zmq_msg_recv(&msg, c->sock, 0) < 0) {
            zmq_msg_close(&msg);
            continue;
        }
        Gov__Envelope *env = envelope_unpack(zmq_msg_data(&msg), zmq_msg_size(&msg));
        zmq_msg_close(&msg);
        if (env && (!id || strcmp(env->correlation_id, id) == 0)) {
            *reply = env;
            return 0;
        }
        envelope_free(&env);
    }
}

int rpccli_call(rpccli_t *c, const Gov__Envelope *req, const ProtobufCMessage *payload,
                int timeout_ms, Gov__Envelope **reply)
{
    Gov__Envelope copy = *req;
    char id[33];
    if (!copy.message_id || !*copy.message_id) {
        envelope_new_id(id);
        copy.message_id = id;
    }
    size_t len;
    uint8_t *bytes = envelope_pack(&copy, payload, &len);
    if (!bytes)
        return -ENOMEM;
    /* The send waits too, but never past the deadline: a socket with no peer
     * to take the request (the server down, or refusing this key's
     * handshake) holds it, and a call must end when its time is up. */
    int64_t deadline = s_now_ms() + timeout_ms;
    int rc = 0;
    while (zmq_send(c->sock, bytes, len, ZMQ_DONTWAIT) < 0) {
        int64_t left = deadline - s_now_ms();
        if (errno != EAGAIN && errno != EINTR) {
            rc = -errno;
            break;
        }
        if (left <= 0) {
            zmq_close(c->sock); /* the queued request goes with it */
            rc = s_connect(c);
            rc = rc ? rc : -ETIMEDOUT;
            break;
        }
        zmq_pollitem_t item = {c->sock, 0, ZMQ_POLLOUT, 0};
        (void) zmq_poll(&item, 1, (long) left);
    }
    free(bytes);
    if (rc)
        return rc;
    int64_t left = deadline - s_now_ms();
    return s_wait(c, copy.message_id, left > 0 ? (int) left : 0, reply);
}

int rpccli_send_raw(rpccli_t *c, const void *const *frames, const size_t *lens, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (zmq_send(c->sock, frames[i], lens[i], i + 1 < n ? ZMQ_SNDMORE : 0) < 0)
            return -errno;
    return 0;
}

int rpccli_recv(rpccli_t *c, int timeout_ms, Gov__Envelope **reply)
{
    return s_wait(c, NULL, timeout_ms, reply);
}

void rpccli_destroy(rpccli_t **self_p)
{
    rpccli_t *c = *self_p;
    if (!c)
        return;
    *self_p = NULL;
    if (c->sock)
        zmq_close(c->sock);
    free(c->endpoint);
    free(c);
}
