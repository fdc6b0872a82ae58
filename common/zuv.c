#include "zuv.h"

#include <errno.h>
#include <stdlib.h>

#include "log.h"

struct zuv {
    uv_poll_t poll;
    uv_idle_t idle;
    void *socket;
    size_t max_per_pass;
    zuv_msg_cb on_msg;
    zuv_drained_cb on_drained;
    void *arg;
    int open_handles;
};

static int s_readable(zuv_t *z)
{
    int events = 0;
    size_t size = sizeof events;
    if (zmq_getsockopt(z->socket, ZMQ_EVENTS, &events, &size) != 0)
        return 0;
    return (events & ZMQ_POLLIN) != 0;
}

/* Receives one whole message; returns the number of frames kept, 0 if none. */
static size_t s_recv(zuv_t *z, zmq_msg_t *parts)
{
    size_t kept = 0;
    int more = 1;
    while (more) {
        zmq_msg_t scratch, *msg = kept < ZUV_MAX_PARTS ? &parts[kept] : &scratch;
        zmq_msg_init(msg);
        if (zmq_msg_recv(msg, z->socket, ZMQ_DONTWAIT) < 0) {
            zmq_msg_close(msg);
            break;
        }
        more = zmq_msg_more(msg);
        if (msg == &scratch)
            zmq_msg_close(msg);
        else
            kept++;
    }
    return kept;
}

static void s_on_idle(uv_idle_t *handle);

static void s_drain(zuv_t *z)
{
    size_t delivered = 0;
    while (delivered < z->max_per_pass && s_readable(z)) {
        zmq_msg_t parts[ZUV_MAX_PARTS];
        size_t n = s_recv(z, parts);
        if (n == 0)
            break;
        z->on_msg(z, parts, n, z->arg);
        for (size_t i = 0; i < n; i++)
            zmq_msg_close(&parts[i]);
        delivered++;
    }
    if (delivered && z->on_drained)
        z->on_drained(z, z->arg);
    /* Replies sent from the callbacks may have eaten the edge: look again. */
    if (s_readable(z))
        uv_idle_start(&z->idle, s_on_idle);
    else
        uv_idle_stop(&z->idle);
}

static void s_on_poll(uv_poll_t *handle, int status, int events)
{
    (void) events;
    zuv_t *z = handle->data;
    if (status < 0) {
        log_warn("zmq poll error: %s", uv_strerror(status));
        return;
    }
    s_drain(z);
}

static void s_on_idle(uv_idle_t *handle)
{
    s_drain(handle->data);
}

int zuv_new(uv_loop_t *loop, void *socket, size_t max_per_pass, zuv_msg_cb on_msg,
            zuv_drained_cb on_drained, void *arg, zuv_t **out)
{
    int fd;
    size_t size = sizeof fd;
    if (zmq_getsockopt(socket, ZMQ_FD, &fd, &size) != 0)
        return -errno;
    zuv_t *z = calloc(1, sizeof *z);
    if (!z)
        return -ENOMEM;
    z->socket = socket;
    z->max_per_pass = max_per_pass ? max_per_pass : 1;
    z->on_msg = on_msg;
    z->on_drained = on_drained;
    z->arg = arg;
    int rc = uv_poll_init(loop, &z->poll, fd);
    if (rc < 0) {
        free(z);
        return rc;
    }
    uv_idle_init(loop, &z->idle);
    z->poll.data = z->idle.data = z;
    z->open_handles = 2;
    uv_poll_start(&z->poll, UV_READABLE, s_on_poll);
    /* Messages may already be queued, and the edge for them already spent. */
    uv_idle_start(&z->idle, s_on_idle);
    *out = z;
    return 0;
}

void *zuv_socket(zuv_t *z)
{
    return z->socket;
}

int zuv_send(zuv_t *z, const void *const *data, const size_t *lens, size_t nparts)
{
    int rc = 0;
    for (size_t i = 0; i < nparts; i++) {
        int flags = ZMQ_DONTWAIT | (i + 1 < nparts ? ZMQ_SNDMORE : 0);
        if (zmq_send(z->socket, data[i], lens[i], flags) < 0) {
            rc = -errno;
            break;
        }
    }
    uv_idle_start(&z->idle, s_on_idle);
    return rc;
}

static void s_on_close(uv_handle_t *handle)
{
    zuv_t *z = handle->data;
    if (--z->open_handles > 0)
        return;
    zmq_close(z->socket);
    free(z);
}

void zuv_destroy(zuv_t **self_p)
{
    zuv_t *z = *self_p;
    if (!z)
        return;
    *self_p = NULL;
    int linger = 0;
    zmq_setsockopt(z->socket, ZMQ_LINGER, &linger, sizeof linger);
    uv_poll_stop(&z->poll);
    uv_idle_stop(&z->idle);
    uv_close((uv_handle_t *) &z->poll, s_on_close);
    uv_close((uv_handle_t *) &z->idle, s_on_close);
}
