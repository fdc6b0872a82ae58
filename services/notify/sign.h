/* sign: HMAC-SHA256 signatures for webhook bodies and DingTalk robots, and
 * the encodings they travel in. */
#ifndef NOTIFY_SIGN_H
#define NOTIFY_SIGN_H

#include <stddef.h>

/* HMAC-SHA256 of `msg` under `key`, as 64 lowercase hex digits + NUL. */
void sign_hex(const char *key, const char *msg, size_t len, char out[65]);

/* HMAC-SHA256 of `msg` under `key`, base64 (44 characters + NUL). */
void sign_base64(const char *key, const char *msg, size_t len, char out[45]);

/* DingTalk's sign for `timestamp_ms` (decimal) and `secret`:
 * urlencode(base64(HMAC-SHA256(secret, timestamp + "\n" + secret))).
 * `out` needs 3 * 44 + 1 bytes. */
void sign_dingtalk(const char *secret, const char *timestamp_ms, char out[133]);

#endif
