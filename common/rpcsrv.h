/* rpcsrv: the request side of a service. A ROUTER socket on the loop that
 * hands requests over in batches, so a service can serve many of them in one
 * database transaction, and sends each reply to the peer that asked.
 *
 * Wire: a client's DEALER sends one frame, a packed Envelope. The reply is one
 * frame, an Envelope whose correlation_id is the request's message_id and whose
 * type is "<Request>Reply", or "Error" with the error field set. Frames that
 * are not an envelope are answered with error BAD_FRAME here; everything else
 * (including unknown types) is the service's to answer.
 *
 * With CURVE on (curve.h) the ROUTER is a CURVE server, each request carries
 * the name of the key that sent it (`peer`), and a request that names an
 * actor from a key not allowed to act for people is refused here with
 * ACTOR_NOT_ALLOWED, before any service sees it. */
#ifndef GOV_RPCSRV_H
#define GOV_RPCSRV_H

#include <protobuf-c/protobuf-c.h>
#include <stdint.h>
#include <uv.h>

#include "apperr.h"
#include "envelope.h"
#include "hist.h"

#define RPC_MAX_MSG_SIZE_DEFAULT (1 << 20)

/* What one client may make a server hold (common/peers.h): requests in flight
 * (a client sending more is refused OVERLOADED at once), messages queued in
 * each direction of its connection, and the clients known at once. Clients
 * here keep at most 300 in flight (a test's burst; bench-intake's paced
 * window is 256), and a request is small; each reply is
 * bounded in bytes by the read that makes it (a page of at most 256 KiB), so
 * a client that stops reading holds at most RPCSRV_PIPE_MAX of them: 64 MiB. */
#define RPCSRV_INFLIGHT_MAX 1024
#define RPCSRV_PIPE_MAX 256
#define RPCSRV_PEERS_MAX 4096
/* The most of one client's requests in one batch: a client with hundreds
 * queued waits its turn behind another's one (a batch of 16 reads of 500
 * rows is about 0.3 s on the machine of docs/). */
#define RPCSRV_PEER_QUOTA 16

/* The most a page of a list read may hold, in bytes. */
#define RPCSRV_PAGE_BYTES_MAX (256 * 1024)

/* How many of the `n` messages at `items` (at least one, when n > 0) fit in a
 * page of RPCSRV_PAGE_BYTES_MAX: a read answers those and a cursor for the
 * rest, so no reply is larger whatever the rows hold. */
size_t rpcsrv_page_fit(ProtobufCMessage *const *items, size_t n);

typedef struct rpcsrv rpcsrv_t;

/* One request waiting for its answer. `env` is owned by the request. */
typedef struct rpc_req {
    uint8_t route[256];
    size_t route_len;
    char peer[64];      /* the sending key's name (ZAP User-Id); "" when CURVE is off */
    Gov__Envelope *env;
    uint64_t received_ns;
    int admitted;       /* counted in flight for its peer (peers.h) until answered */
    struct rpc_req *next; /* rpcsrv's queue, before the request is handed over */
} rpc_req_t;

/* Called with every request drained in one pass (1..max_batch of them). The
 * callback owns the requests and must answer each, now or later, with
 * rpcsrv_reply or rpcsrv_fail, which free it. */
typedef void (*rpcsrv_batch_cb)(rpcsrv_t *srv, rpc_req_t **reqs, size_t n, void *arg);

/* Binds a ROUTER at `endpoint` with ZMQ_MAXMSGSIZE `max_msg_size`. Returns 0
 * and sets `*out`, or -errno (e.g. -EADDRINUSE). */
int rpcsrv_new(uv_loop_t *loop, void *zctx, const char *endpoint, size_t max_batch,
               int64_t max_msg_size, rpcsrv_batch_cb on_batch, void *arg, rpcsrv_t **out);

/* Answers `req` with `payload` as `type` and frees the request. Returns 0, or
 * -errno if the reply could not be queued (the peer is gone, say); the request
 * is freed either way. */
int rpcsrv_reply(rpcsrv_t *srv, rpc_req_t *req, const char *type, const ProtobufCMessage *payload);

/* As rpcsrv_reply, for a payload already packed (`len` bytes, borrowed):
 * what a worker thread made can be sent by the loop thread. */
int rpcsrv_reply_packed(rpcsrv_t *srv, rpc_req_t *req, const char *type, const uint8_t *payload,
                        size_t len);

/* Answers `req` with an error and frees the request. `code` is a stable
 * UPPER_SNAKE code; `message` is short and lowercase; `detail`, `hint` and
 * `sqlstate` may be NULL. */
int rpcsrv_fail(rpcsrv_t *srv, rpc_req_t *req, const char *code, const char *message,
                const char *detail, const char *hint, const char *sqlstate);

/* Answers `req` with the refusal in `err` (see apperr.h) and frees it. */
int rpcsrv_fail_err(rpcsrv_t *srv, rpc_req_t *req, const apperr_t *err);

/* Unpacks the request's payload as `desc`. On success returns the message
 * (the caller frees it with protobuf_c_message_free_unpacked) and `req` is
 * still the caller's to answer; otherwise answers BAD_PAYLOAD, which frees
 * `req`, and returns NULL. */
ProtobufCMessage *rpcsrv_payload(rpcsrv_t *srv, rpc_req_t *req,
                                 const ProtobufCMessageDescriptor *desc);

/* Frees a request without answering (only for shutdown). NULLs the pointer. */
void rpcsrv_req_free(rpc_req_t **req_p);

/* Counts since start: requests received, errors answered, bad frames,
 * requests naming an actor from a key that may not, requests refused for a
 * client's bound on requests in flight, requests not served because their
 * client was gone or not reading; and the clients known now. */
typedef struct {
    uint64_t requests, errors, bad_frames, actor_refused, busy, dropped;
    size_t peers;
} rpcsrv_stats_t;
rpcsrv_stats_t rpcsrv_stats(const rpcsrv_t *srv);

/* From now on, each answer to an admitted request adds the time since the
 * request arrived (its queueing, the batch's transaction and the send) to
 * `latency` (borrowed; it must outlive the server). */
void rpcsrv_observe(rpcsrv_t *srv, hist_t *latency);

/* Closes the socket and frees the server. Unanswered requests stay the
 * caller's. NULLs the pointer; safe on NULL. */
void rpcsrv_destroy(rpcsrv_t **self_p);

#endif
