/* zuv: a ZeroMQ socket driven by a libuv loop.
 *
 * libuv polls the socket's ZMQ_FD. That descriptor is edge-triggered: it
 * signals "something changed", not "a message is waiting", and any zmq_send or
 * zmq_recv may consume the signal. So after every wake-up zuv drains while
 * ZMQ_EVENTS says POLLIN, and when it stops early (at `max_per_pass`, to let
 * the loop breathe) or after a send it re-checks from an idle handle. A missed
 * drain would be a hang; this file is the one place that gets it right. */
#ifndef GOV_ZUV_H
#define GOV_ZUV_H

#include <stddef.h>
#include <uv.h>
#include <zmq.h>

#define ZUV_MAX_PARTS 8

typedef struct zuv zuv_t;

/* One received message of `nparts` frames (at most ZUV_MAX_PARTS are kept;
 * a longer message arrives with its first ZUV_MAX_PARTS frames). The frames
 * are closed when the callback returns. The callback must not destroy `z`. */
typedef void (*zuv_msg_cb)(zuv_t *z, zmq_msg_t *parts, size_t nparts, void *arg);

/* Called after a drain pass that delivered at least one message: the place to
 * act on a batch. May be NULL. */
typedef void (*zuv_drained_cb)(zuv_t *z, void *arg);

/* Starts driving `socket`, which zuv now owns (closed by zuv_destroy). Returns
 * 0 and sets `*out`, or a negative libuv/errno code, in which case the socket
 * is still the caller's and no callback is ever called. */
int zuv_new(uv_loop_t *loop, void *socket, size_t max_per_pass, zuv_msg_cb on_msg,
            zuv_drained_cb on_drained, void *arg, zuv_t **out);

/* The ZeroMQ socket, borrowed. */
void *zuv_socket(zuv_t *z);

/* Sends `nparts` frames as one message without blocking, then re-arms the
 * drain (a send may swallow the read edge). Returns 0, or -errno (e.g.
 * -EAGAIN at the high-water mark, -EHOSTUNREACH for a gone ROUTER peer). */
int zuv_send(zuv_t *z, const void *const *data, const size_t *lens, size_t nparts);

/* Stops polling, closes the socket with zero linger and frees `z` once libuv
 * has closed its handles. NULLs the caller's pointer. Safe on NULL. */
void zuv_destroy(zuv_t **self_p);

#endif
