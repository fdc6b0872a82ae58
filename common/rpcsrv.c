#include "rpcsrv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "curve.h"
#include "log.h"
#include "peers.h"
#include "pbcheck.h"
#include "zap.h"
#include "zuv.h"

struct rpcsrv {
    zuv_t *zuv;
    peers_t *peers;
    zap_watch_t *watch;
    rpcsrv_batch_cb on_batch;
    void *arg;
    /* Requests admitted and not yet handed over, oldest first; a batch takes
     * at most RPCSRV_PEER_QUOTA of any one client's, so a client with
     * hundreds queued cannot hold up another's one. */
    rpc_req_t *pending, *pending_tail;
    size_t npending;
    rpc_req_t **batch; /* max_batch of them */
    size_t max_batch;
    uint64_t generation; /* of the batch being made */
    uv_idle_t *more;     /* runs the next batch while requests wait */
    rpcsrv_stats_t stats;
    hist_t *latency; /* rpcsrv_observe: arrival to answer, when set */
};

static uint64_t s_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t) ts.tv_sec * 1000000000u + (uint64_t) ts.tv_nsec;
}

static int s_send(rpcsrv_t *srv, const rpc_req_t *req, const Gov__Envelope *env,
                  const ProtobufCMessage *payload)
{
    size_t len;
    uint8_t *bytes = envelope_pack(env, payload, &len);
    if (!bytes)
        return -ENOMEM;
    const void *frames[] = {req->route, bytes};
    size_t lens[] = {req->route_len, len};
    int rc = zuv_send(srv->zuv, frames, lens, 2);
    if (srv->latency && req->received_ns)
        hist_observe_ns(srv->latency, s_now_ns() - req->received_ns);
    peer_state_t before = peers_state(srv->peers, req->route, req->route_len);
    peers_sent(srv->peers, req->route, req->route_len, rc, req->admitted);
    peer_state_t after = peers_state(srv->peers, req->route, req->route_len);
    if (after != before && after == PEER_GONE) /* a line a peer, not a line a reply */
        log_info("a client went away before its answers; its queued requests are dropped, "
                 "not served");
    else if (after != before && after == PEER_STALLED)
        log_warn("a client stopped reading its answers (%d queued); its requests are dropped "
                 "until it reads again",
                 RPCSRV_PIPE_MAX);
    else if (rc < 0 && rc != -EHOSTUNREACH && rc != -EAGAIN)
        log_warn("reply to %s dropped: %s", env->correlation_id, zmq_strerror(-rc));
    free(bytes);
    return rc;
}

static int s_fail_raw(rpcsrv_t *srv, const rpc_req_t *req, const char *code, const char *message,
                      const char *detail, const char *hint, const char *sqlstate)
{
    Gov__Error err = GOV__ERROR__INIT;
    err.code = (char *) code;
    err.message = (char *) message;
    err.detail = (char *) (detail ? detail : "");
    err.hint = (char *) (hint ? hint : "");
    err.sqlstate = (char *) (sqlstate ? sqlstate : "");
    Gov__Envelope env = GOV__ENVELOPE__INIT;
    env.type = "Error";
    env.error = &err;
    if (req->env) {
        env.correlation_id = req->env->message_id;
        env.trace_id = req->env->trace_id;
    }
    srv->stats.errors++;
    return s_send(srv, req, &env, NULL);
}

static void s_on_more(uv_idle_t *idle);

static void s_on_msg(zuv_t *z, zmq_msg_t *parts, size_t nparts, void *arg)
{
    (void) z;
    rpcsrv_t *srv = arg;
    rpc_req_t probe = {0};
    size_t route_len = zmq_msg_size(&parts[0]);
    if (route_len > sizeof probe.route)
        return; /* ROUTER identities are at most 255 bytes; cannot answer */
    memcpy(probe.route, zmq_msg_data(&parts[0]), route_len);
    probe.route_len = route_len;
    srv->stats.requests++;
    switch (peers_admit(srv->peers, probe.route, probe.route_len)) {
    case PEER_OK:
        probe.admitted = 1; /* counted until its answer goes */
        break;
    case PEER_GONE: /* nobody to answer */
        return;
    case PEER_STALLED: /* the refusal is the probe: if it goes, the peer reads again */
        s_fail_raw(srv, &probe, "OVERLOADED", "this client does not read its answers", NULL,
                   "read the answers to the requests you sent, then retry", NULL);
        return;
    case PEER_BUSY:
        s_fail_raw(srv, &probe, "OVERLOADED", "too many requests in flight from this client",
                   NULL, "wait for answers before sending more; retry later", NULL);
        return;
    }

    Gov__Envelope *env = NULL;
    if (nparts == 2)
        env = envelope_unpack(zmq_msg_data(&parts[1]), zmq_msg_size(&parts[1]));
    char field[96];
    if (!env && nparts == 2 &&
        pbcheck(&gov__envelope__descriptor, zmq_msg_data(&parts[1]), zmq_msg_size(&parts[1]), field,
                sizeof field) == PBCHECK_BAD_STRING) {
        apperr_t err; /* not echoed: the id it would be echoed under is what may be broken */
        apperr_code(&err, "INVALID_TEXT", "the envelope's %s is not UTF-8 or holds a NUL", field);
        srv->stats.bad_frames++;
        s_fail_raw(srv, &probe, err.code, err.message, err.detail, err.hint, NULL);
        return;
    }
    if (!env) {
        srv->stats.bad_frames++;
        s_fail_raw(srv, &probe, "BAD_FRAME", "request is not a gov.Envelope",
                   nparts == 2 ? "the frame did not decode, or it has no type"
                               : "expected exactly one frame after the routing id",
                   "send one frame: a packed gov.Envelope with type and payload", NULL);
        return;
    }
    const char *longest = strlen(env->message_id) > ENVELOPE_ID_MAX       ? "message_id"
                          : strlen(env->correlation_id) > ENVELOPE_ID_MAX ? "correlation_id"
                          : strlen(env->trace_id) > ENVELOPE_ID_MAX       ? "trace_id"
                                                                          : NULL;
    if (longest) { /* refused before any index is asked to hold it; not echoed */
        apperr_t err;
        apperr_code(&err, "TEXT_TOO_LONG", "the envelope's %s is longer than %d bytes", longest,
                    ENVELOPE_ID_MAX);
        srv->stats.bad_frames++;
        s_fail_raw(srv, &probe, err.code, err.message, err.detail, err.hint, NULL);
        envelope_free(&env);
        return;
    }
    const char *peer = zmq_msg_gets(&parts[nparts - 1], "User-Id");
    if (peer)
        snprintf(probe.peer, sizeof probe.peer, "%s", peer);
    if (env->actor && env->actor->id[0] && !curve_may_act(probe.peer)) {
        apperr_t err;
        apperr_code(&err, "ACTOR_NOT_ALLOWED", "the key '%s' may not act for %s", probe.peer,
                    env->actor->id);
        probe.env = env;
        srv->stats.actor_refused++;
        s_fail_raw(srv, &probe, err.code, err.message, err.detail, err.hint, NULL);
        envelope_free(&env);
        return;
    }
    rpc_req_t *req = malloc(sizeof *req);
    if (!req) {
        envelope_free(&env);
        return;
    }
    *req = probe;
    req->env = env;
    req->received_ns = s_now_ns();
    if (srv->pending_tail)
        srv->pending_tail->next = req;
    else
        srv->pending = req;
    srv->pending_tail = req;
    srv->npending++;
}

/* Hands the service one batch: requests in arrival order, at most
 * RPCSRV_PEER_QUOTA of each client's and max_batch in all; the rest wait for
 * the next. Requests of a client that is gone or does not read are dropped,
 * not served. */
static void s_serve(rpcsrv_t *srv)
{
    size_t n = 0;
    srv->generation++;
    for (rpc_req_t *prev = NULL, *req = srv->pending, *next; req && n < srv->max_batch; req = next) {
        next = req->next;
        int ok = peers_state(srv->peers, req->route, req->route_len) == PEER_OK;
        if (ok && !peers_take(srv->peers, req->route, req->route_len, srv->generation,
                              RPCSRV_PEER_QUOTA)) {
            prev = req; /* this client's share of the batch is full: it waits */
            continue;
        }
        if (prev) /* out of the queue */
            prev->next = next;
        else
            srv->pending = next;
        if (srv->pending_tail == req)
            srv->pending_tail = prev;
        srv->npending--;
        req->next = NULL;
        if (ok) {
            srv->batch[n++] = req;
        } else {
            peers_drop(srv->peers, req->route, req->route_len);
            rpcsrv_req_free(&req);
        }
    }
    if (srv->npending)
        uv_idle_start(srv->more, s_on_more);
    else
        uv_idle_stop(srv->more);
    if (n)
        srv->on_batch(srv, srv->batch, n, srv->arg);
}

static void s_on_more(uv_idle_t *idle)
{
    s_serve(idle->data);
}

static void s_on_drained(zuv_t *z, void *arg)
{
    (void) z;
    s_serve(arg);
}

static void s_free_idle(uv_handle_t *h)
{
    free(h);
}

int rpcsrv_new(uv_loop_t *loop, void *zctx, const char *endpoint, size_t max_batch,
               int64_t max_msg_size, rpcsrv_batch_cb on_batch, void *arg, rpcsrv_t **out)
{
    rpcsrv_t *srv = calloc(1, sizeof *srv);
    if (!srv)
        return -ENOMEM;
    srv->on_batch = on_batch;
    srv->arg = arg;
    srv->max_batch = max_batch ? max_batch : 1;
    void *sock = NULL;
    int rc = 0;
    if (!(srv->batch = calloc(srv->max_batch, sizeof *srv->batch)) ||
        !(srv->more = calloc(1, sizeof *srv->more)) ||
        !(srv->peers = peers_new(RPCSRV_PEERS_MAX, RPCSRV_INFLIGHT_MAX)))
        rc = -ENOMEM;
    if (!rc && !(sock = zmq_socket(zctx, ZMQ_ROUTER)))
        rc = -errno;
    /* Each peer's pipes hold at most this many messages each way: a client
     * that sends more waits (TCP pushes back); answers it does not read stall
     * it (peers.h). */
    int one = 1, hwm = RPCSRV_PIPE_MAX;
    if (!rc && curve_server(sock))
        rc = -EPROTO;
    if (!rc && (zmq_setsockopt(sock, ZMQ_MAXMSGSIZE, &max_msg_size, sizeof max_msg_size) ||
                zmq_setsockopt(sock, ZMQ_ROUTER_MANDATORY, &one, sizeof one) ||
                zmq_setsockopt(sock, ZMQ_SNDHWM, &hwm, sizeof hwm) ||
                zmq_setsockopt(sock, ZMQ_RCVHWM, &hwm, sizeof hwm) || zmq_bind(sock, endpoint)))
        rc = -errno;
    if (!rc && (rc = zuv_new(loop, sock, max_batch, s_on_msg, s_on_drained, srv, &srv->zuv)) == 0)
        sock = NULL; /* zuv's now */
    if (!rc && zap_watch(loop, zctx, sock ? sock : zuv_socket(srv->zuv), endpoint, &srv->watch))
        rc = -EPROTO;
    if (rc) {
        zuv_destroy(&srv->zuv);
        if (sock)
            zmq_close(sock);
        peers_destroy(&srv->peers);
        free(srv->more);
        free(srv->batch);
        free(srv);
        return rc;
    }
    uv_idle_init(loop, srv->more);
    srv->more->data = srv;
    *out = srv;
    return 0;
}

int rpcsrv_reply(rpcsrv_t *srv, rpc_req_t *req, const char *type, const ProtobufCMessage *payload)
{
    Gov__Envelope env = GOV__ENVELOPE__INIT;
    env.type = (char *) type;
    env.correlation_id = req->env->message_id;
    env.trace_id = req->env->trace_id;
    int rc = s_send(srv, req, &env, payload);
    rpcsrv_req_free(&req);
    return rc;
}

int rpcsrv_reply_packed(rpcsrv_t *srv, rpc_req_t *req, const char *type, const uint8_t *payload,
                        size_t len)
{
    Gov__Envelope env = GOV__ENVELOPE__INIT;
    env.type = (char *) type;
    env.correlation_id = req->env->message_id;
    env.trace_id = req->env->trace_id;
    env.payload.data = (uint8_t *) payload;
    env.payload.len = len;
    int rc = s_send(srv, req, &env, NULL);
    rpcsrv_req_free(&req);
    return rc;
}

int rpcsrv_fail(rpcsrv_t *srv, rpc_req_t *req, const char *code, const char *message,
                const char *detail, const char *hint, const char *sqlstate)
{
    int rc = s_fail_raw(srv, req, code, message, detail, hint, sqlstate);
    rpcsrv_req_free(&req);
    return rc;
}

void rpcsrv_observe(rpcsrv_t *srv, hist_t *latency)
{
    srv->latency = latency;
}

void rpcsrv_req_free(rpc_req_t **req_p)
{
    if (!*req_p)
        return;
    envelope_free(&(*req_p)->env);
    free(*req_p);
    *req_p = NULL;
}

rpcsrv_stats_t rpcsrv_stats(const rpcsrv_t *srv)
{
    rpcsrv_stats_t s = srv->stats;
    peers_stats_t p = peers_stats(srv->peers);
    s.busy = p.busy;
    s.dropped = p.dropped;
    s.peers = p.peers;
    return s;
}

void rpcsrv_destroy(rpcsrv_t **self_p)
{
    rpcsrv_t *srv = *self_p;
    if (!srv)
        return;
    *self_p = NULL;
    zap_watch_destroy(&srv->watch);
    zuv_destroy(&srv->zuv);
    for (rpc_req_t *req = srv->pending, *next; req; req = next) { /* never handed over */
        next = req->next;
        rpcsrv_req_free(&req);
    }
    peers_destroy(&srv->peers);
    uv_idle_stop(srv->more);
    uv_close((uv_handle_t *) srv->more, s_free_idle);
    free(srv->batch);
    free(srv);
}

int rpcsrv_fail_err(rpcsrv_t *srv, rpc_req_t *req, const apperr_t *err)
{
    return rpcsrv_fail(srv, req, err->code, err->message, err->detail[0] ? err->detail : NULL,
                       err->hint, err->sqlstate[0] ? err->sqlstate : NULL);
}

ProtobufCMessage *rpcsrv_payload(rpcsrv_t *srv, rpc_req_t *req,
                                 const ProtobufCMessageDescriptor *desc)
{
    ProtobufCMessage *m = envelope_payload(req->env, desc);
    char field[96];
    if (m)
        return m;
    if (pbcheck(desc, req->env->payload.data, req->env->payload.len, field, sizeof field) ==
        PBCHECK_BAD_STRING) {
        apperr_t err;
        apperr_code(&err, "INVALID_TEXT", "%s is not UTF-8 or holds a NUL", field);
        rpcsrv_fail_err(srv, req, &err);
    } else {
        rpcsrv_fail(srv, req, "BAD_PAYLOAD", "the payload does not match the type",
                    req->env->type, NULL, NULL);
    }
    return NULL;
}

size_t rpcsrv_page_fit(ProtobufCMessage *const *items, size_t n)
{
    size_t bytes = 0;
    for (size_t i = 0; i < n; i++) {
        bytes += protobuf_c_message_get_packed_size(items[i]) + 6; /* its tag and length */
        if (bytes > RPCSRV_PAGE_BYTES_MAX && i > 0)
            return i;
    }
    return n;
}
