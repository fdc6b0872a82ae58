/* curve: who may talk to a service. With GOV_KEYS_DIR set, every ZeroMQ
 * socket that crosses a process speaks CURVE: services' ROUTER and PUB
 * sockets are CURVE servers with the deployment's one server key, and every
 * client (a service's SUB, govctl's DEALER) proves itself with a key of its
 * own. zap.h admits only the public keys in the folder; this file reads the
 * keys and sets them on sockets.
 *
 * The key folder (`govctl keys generate DIR` makes it):
 *   server.key, server.pub   the services' server pair (Z85, 40 characters)
 *   NAME.key, NAME.pub       one client pair per process: intake, routing,
 *                            deliberation, notify, govctl, gateway
 *   actors                   the names, one per line, whose requests may
 *                            name an actor (act for a person): govctl, gateway
 * A process's name comes from the service (or GOV_KEY_NAME for govctl).
 *
 * The settings are read once, before any thread starts, and only read
 * after; without GOV_KEYS_DIR every call here is a no-op and sockets are
 * plain (svc warns), which is what unit tests and one-off tools use. */
#ifndef GOV_CURVE_H
#define GOV_CURVE_H

#include <stddef.h>
#include <stdint.h>

#define CURVE_NAME_MAX 64

/* Reads `dir`'s keys for process `name`: its own pair, the server's public
 * key, and with `server` set the server's secret key. `dir` NULL or empty
 * turns CURVE off. Returns 0, or -1 after logging what is missing. */
int curve_init(const char *dir, const char *name, int server);

/* 1 when CURVE is on. */
int curve_on(void);

/* The key folder, or NULL when CURVE is off. */
const char *curve_dir(void);

/* Makes `sock` (not yet bound) a CURVE server whose handshakes go through
 * the ZAP handler. Returns 0 (also when CURVE is off), or -1 after logging. */
int curve_server(void *sock);

/* Makes `sock` (not yet connected) a CURVE client with this process's pair.
 * Returns 0 (also when CURVE is off), or -1 after logging. */
int curve_client(void *sock);

/* 1 when the peer whose key is named `peer` may name an actor in its
 * requests (listed in DIR/actors), or when CURVE is off; else 0. */
int curve_may_act(const char *peer);

/* 1 when the peer whose key is named `peer` is `name` (a request only one
 * process may send: the gateway's login codes), or when CURVE is off (then
 * every peer is trusted, as curve_may_act says); else 0. */
int curve_peer_is(const char *peer, const char *name);

/* Reads one Z85 key file (40 characters, then optional white space) into
 * 32 bytes. Returns 0, or -1 (missing, unreadable, malformed). */
int curve_read(const char *path, uint8_t key[32]);

/* The name of the *.pub file in `dir` that holds `key` ("server" excluded)
 * into `name`. Returns 1 when found, 0 when not, -1 when `dir` cannot be
 * read. Reads the folder on every call, so a removed key is refused at its
 * next handshake. */
int curve_lookup(const char *dir, const uint8_t key[32], char name[CURVE_NAME_MAX]);

/* Makes `dir` (mode 0700) with a server pair and a pair for each of the `n`
 * `names`, and an `actors` file naming govctl and gateway; what exists is
 * kept, so running it again adds only what is missing. Secret keys are
 * written 0600. Returns the number of pairs made, or -1 after printing why
 * on stderr. */
int curve_generate(const char *dir, const char *const *names, size_t n);

/* Turns CURVE off again (tests). */
void curve_reset(void);

/* Makes a Curve25519 key pair in `dir` as two Z85 files, `pub_file` (0644)
 * and `key_file` (0600), unless `pub_file` exists. CURVE's pairs and the
 * secret ballots' tally pair (tallykey.h) are both made here. Returns 1
 * made, 0 kept, or -1 after printing why on stderr. */
int curve_make_pair(const char *dir, const char *pub_file, const char *key_file);

#endif
