#include "zap.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

#include "curve.h"
#include "log.h"
#include "zuv.h"

#define ZAP_ENDPOINT "inproc://zeromq.zap.01"
#define LOG_EVERY_S 10

struct zap {
    zuv_t *zuv;
    zap_stats_t stats;
    time_t logged;
    uint64_t refused_unlogged;
};

/* A request (RFC 27): version, request id, domain, address, routing id,
 * mechanism, then the credentials (CURVE: the client's 32-byte key). */
static void s_on_request(zuv_t *z, zmq_msg_t *parts, size_t n, void *arg)
{
    zap_t *zap = arg;
    char name[CURVE_NAME_MAX] = "";
    const char *status = "400", *text = "key not in the deployment's key folder";
    if (n < 6 || zmq_msg_size(&parts[0]) != 3 || memcmp(zmq_msg_data(&parts[0]), "1.0", 3) != 0) {
        text = "malformed ZAP request";
    } else if (zmq_msg_size(&parts[5]) != 5 || memcmp(zmq_msg_data(&parts[5]), "CURVE", 5) != 0 ||
               n < 7 || zmq_msg_size(&parts[6]) != 32) {
        text = "CURVE only";
    } else {
        int found = curve_lookup(curve_dir(), zmq_msg_data(&parts[6]), name);
        if (found == 1)
            status = "200", text = "OK";
        else if (found < 0)
            log_error("ZAP: cannot read the key folder %s", curve_dir());
    }
    if (status[0] == '2') {
        zap->stats.admitted++;
    } else {
        zap->stats.refused++;
        zap->refused_unlogged++;
        time_t now = time(NULL);
        if (now - zap->logged >= LOG_EVERY_S) {
            char address[64] = "?";
            if (n >= 4)
                snprintf(address, sizeof address, "%.*s", (int) zmq_msg_size(&parts[3]),
                         (const char *) zmq_msg_data(&parts[3]));
            log_warn("ZAP refused a client at %s: %s (%llu refused since the last line)", address,
                     text, (unsigned long long) zap->refused_unlogged);
            zap->logged = now;
            zap->refused_unlogged = 0;
        }
    }
    const void *frames[6] = {"1.0", n >= 2 ? zmq_msg_data(&parts[1]) : "", status, text, name, ""};
    size_t lens[6] = {3, n >= 2 ? zmq_msg_size(&parts[1]) : 0, 3, strlen(text), strlen(name), 0};
    if (zuv_send(z, frames, lens, 6) < 0)
        log_error("ZAP: cannot answer a handshake");
}

int zap_new(uv_loop_t *loop, void *zctx, zap_t **out)
{
    *out = NULL;
    if (!curve_on())
        return 0;
    zap_t *zap = calloc(1, sizeof *zap);
    void *sock = zap ? zmq_socket(zctx, ZMQ_REP) : NULL;
    int linger = 0;
    if (!sock || zmq_setsockopt(sock, ZMQ_LINGER, &linger, sizeof linger) ||
        zmq_bind(sock, ZAP_ENDPOINT) ||
        zuv_new(loop, sock, 64, s_on_request, NULL, zap, &zap->zuv)) {
        log_error("ZAP: cannot start the handler: %s", zmq_strerror(zmq_errno()));
        if (sock)
            zmq_close(sock);
        free(zap);
        return -1;
    }
    *out = zap;
    return 0;
}

zap_stats_t zap_stats(const zap_t *z)
{
    zap_stats_t none = {0, 0};
    return z ? z->stats : none;
}

void zap_destroy(zap_t **self_p)
{
    zap_t *zap = *self_p;
    if (!zap)
        return;
    *self_p = NULL;
    zuv_destroy(&zap->zuv);
    free(zap);
}

/* --- the watch of a server socket's handshakes ---------------------------- */

static _Atomic uint64_t s_failed;

struct zap_watch {
    zuv_t *zuv;
    void *sock;
    char what[64];
    time_t logged;
    uint64_t unlogged;
};

/* An event (libzmq 4.3): 6 bytes (uint16 event, uint32 value), the endpoint. */
static void s_on_event(zuv_t *z, zmq_msg_t *parts, size_t n, void *arg)
{
    (void) z;
    zap_watch_t *w = arg;
    if (n < 1 || zmq_msg_size(&parts[0]) < 6)
        return;
    uint16_t event;
    memcpy(&event, zmq_msg_data(&parts[0]), sizeof event);
    if (!(event & (ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL | ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL |
                   ZMQ_EVENT_HANDSHAKE_FAILED_AUTH)))
        return;
    atomic_fetch_add(&s_failed, 1);
    w->unlogged++;
    time_t now = time(NULL);
    if (now - w->logged >= LOG_EVERY_S) {
        log_warn("%s: a client failed its handshake (%s; %llu since the last line): it has no key "
                 "or an unknown one",
                 w->what, event == ZMQ_EVENT_HANDSHAKE_FAILED_AUTH ? "refused by ZAP"
                          : event == ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL ? "wrong mechanism"
                                                                          : "no detail",
                 (unsigned long long) w->unlogged);
        w->logged = now;
        w->unlogged = 0;
    }
}

int zap_watch(uv_loop_t *loop, void *zctx, void *sock, const char *what, zap_watch_t **out)
{
    *out = NULL;
    if (!curve_on())
        return 0;
    zap_watch_t *w = calloc(1, sizeof *w);
    if (!w)
        return -1;
    char endpoint[64];
    snprintf(endpoint, sizeof endpoint, "inproc://zap-watch-%p", (void *) w);
    snprintf(w->what, sizeof w->what, "%s", what);
    w->sock = sock;
    void *pair = NULL;
    int linger = 0;
    if (zmq_socket_monitor(sock, endpoint,
                           ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL |
                               ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL |
                               ZMQ_EVENT_HANDSHAKE_FAILED_AUTH) ||
        !(pair = zmq_socket(zctx, ZMQ_PAIR)) ||
        zmq_setsockopt(pair, ZMQ_LINGER, &linger, sizeof linger) || zmq_connect(pair, endpoint) ||
        zuv_new(loop, pair, 64, s_on_event, NULL, w, &w->zuv)) {
        log_error("%s: cannot watch its handshakes: %s", what, zmq_strerror(zmq_errno()));
        zmq_socket_monitor(sock, NULL, 0);
        if (pair)
            zmq_close(pair);
        free(w);
        return -1;
    }
    *out = w;
    return 0;
}

uint64_t zap_failed_handshakes(void)
{
    return atomic_load(&s_failed);
}

void zap_watch_destroy(zap_watch_t **self_p)
{
    zap_watch_t *w = *self_p;
    if (!w)
        return;
    *self_p = NULL;
    zmq_socket_monitor(w->sock, NULL, 0);
    zuv_destroy(&w->zuv);
    free(w);
}
