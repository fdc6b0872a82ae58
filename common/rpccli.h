/* rpccli: a blocking request/reply client over DEALER, for govctl, tests and
 * load generators (services use the loop, not this).
 *
 * A reply is matched to its request by correlation_id; replies to earlier
 * requests that timed out are discarded. After a timeout the socket is
 * replaced, so nothing stale is ever read. A retried request with the same
 * message_id is answered from the server's idempotency record. */
#ifndef GOV_RPCCLI_H
#define GOV_RPCCLI_H

#include <protobuf-c/protobuf-c.h>

#include "envelope.h"

typedef struct rpccli rpccli_t;

/* Connects a DEALER to `endpoint` (connection happens in the background).
 * `zctx` is borrowed. Returns 0 and sets `*out`, or -errno. */
int rpccli_new(void *zctx, const char *endpoint, rpccli_t **out);

/* Sends `req` (fields left empty are filled as envelope_pack does; give
 * message_id to make retries idempotent) and waits up to `timeout_ms` for its
 * reply. Returns 0 with `*reply` set — which may carry an error (type "Error",
 * reply->error set) — or -ETIMEDOUT, or -errno. The caller frees the reply
 * with envelope_free. */
int rpccli_call(rpccli_t *c, const Gov__Envelope *req, const ProtobufCMessage *payload,
                int timeout_ms, Gov__Envelope **reply);

/* Sends raw frames as one message: for tests of what the server refuses. */
int rpccli_send_raw(rpccli_t *c, const void *const *frames, const size_t *lens, size_t n);

/* Waits up to `timeout_ms` for any one-frame reply and decodes it; for use
 * after rpccli_send_raw. Same returns as rpccli_call. */
int rpccli_recv(rpccli_t *c, int timeout_ms, Gov__Envelope **reply);

void rpccli_destroy(rpccli_t **self_p);

#endif
