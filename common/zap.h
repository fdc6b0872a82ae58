/* zap: the ZAP handler (ZeroMQ RFC 27) that decides, for every CURVE
 * handshake on a service's sockets, whether the client's key may in: only
 * the public keys in the key folder (curve.h) are admitted, and the name of
 * the key's file is the User-Id every message from that peer carries
 * (rpcsrv reads it). It runs on the service's loop, bound before any server
 * socket, so no handshake is ever decided without it.
 *
 * A client without CURVE never reaches ZAP (its handshake fails on the
 * mechanism), so each server socket is also watched: every failed handshake,
 * whatever the cause, is counted and logged at most every ten seconds. */
#ifndef GOV_ZAP_H
#define GOV_ZAP_H

#include <stdint.h>
#include <uv.h>

typedef struct zap zap_t;

/* Binds the handler in `zctx` on `loop`. With CURVE off does nothing and
 * sets `*out` to NULL. Returns 0, or -1 after logging. */
int zap_new(uv_loop_t *loop, void *zctx, zap_t **out);

typedef struct {
    uint64_t admitted, refused;
} zap_stats_t;

/* Handshakes admitted and refused since start (zeros for NULL). */
zap_stats_t zap_stats(const zap_t *z);

/* Closes the handler (once the server sockets are closed). NULLs the
 * pointer; safe on NULL. */
void zap_destroy(zap_t **self_p);

typedef struct zap_watch zap_watch_t;

/* Watches server socket `sock` (named `what` in the log) on `loop` for
 * failed handshakes. With CURVE off does nothing and sets `*out` to NULL.
 * Returns 0, or -1 after logging. Call on the thread that owns `sock`. */
int zap_watch(uv_loop_t *loop, void *zctx, void *sock, const char *what, zap_watch_t **out);

/* Failed handshakes on every watched socket of the process since start. */
uint64_t zap_failed_handshakes(void);

/* Stops watching (before `sock` is closed), on the thread that owns it.
 * NULLs the pointer; safe on NULL. */
void zap_watch_destroy(zap_watch_t **self_p);

#endif
