/* Generic webhook: POST of a JSON body. The receiver gets the delivery's
 * idempotency key (X-Gov-Idempotency-Key: drop a repeat) and, when the
 * destination has a secret, X-Gov-Signature: sha256=HEX, the HMAC-SHA256 of
 * "<X-Gov-Timestamp>.<body>" under the secret. */
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "channel.h"
#include "sign.h"

static int s_prepare(const channel_config_t *cfg, const delivery_t *d, int64_t now_ms,
                     channel_req_t *req)
{
    (void) cfg;
    json_t *doc = json_pack("{s:s, s:s, s:s, s:s, s:s}", "idempotency_key", d->idem_key, "kind",
                            d->kind, "recipient", d->recipient, "subject", d->subject, "text",
                            d->body);
    char *body = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
    json_decref(doc);
    if (!body)
        return -1;
    char key[300], stamp[64], signature[96];
    snprintf(key, sizeof key, "X-Gov-Idempotency-Key: %s", d->idem_key);
    snprintf(stamp, sizeof stamp, "X-Gov-Timestamp: %" PRId64, now_ms);
    const char *headers[4] = {"Content-Type: application/json; charset=utf-8", key, stamp};
    size_t n = 3;
    if (d->secret[0]) {
        size_t len = strlen(body) + 32;
        char *signed_text = malloc(len), hex[65];
        if (!signed_text) {
            free(body);
            return -1;
        }
        int m = snprintf(signed_text, len, "%" PRId64 ".%s", now_ms, body);
        sign_hex(d->secret, signed_text, (size_t) m, hex);
        free(signed_text);
        snprintf(signature, sizeof signature, "X-Gov-Signature: sha256=%s", hex);
        headers[n++] = signature;
    }
    return channel_http_post(req, d->destination, body, headers, n);
}

static outcome_t s_judge(const channel_req_t *req, CURLcode rc, long status, char *why, size_t cap)
{
    (void) req;
    return channel_http_judge(rc, status, why, cap);
}

const channel_t ch_webhook = {"webhook", 0, s_prepare, s_judge};
