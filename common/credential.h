/* credential: how a person proves who they are, without the secret ever
 * being stored: passwords as argon2id hashes (RFC 9106; costs below), tokens
 * as random strings whose SHA-256 alone is kept. Shared by the gateway,
 * which checks them, and govctl, which makes them. */
#ifndef GOV_CREDENTIAL_H
#define GOV_CREDENTIAL_H

#include <stddef.h>
#include <stdint.h>

/* argon2id with OWASP's recommended minimum (Password Storage Cheat Sheet,
 * 2023): 19 MiB of memory, 2 passes, 1 lane; the encoded hash carries them,
 * so raising them later still verifies old hashes. */
#define CREDENTIAL_ARGON2_T 2
#define CREDENTIAL_ARGON2_M_KIB 19456
#define CREDENTIAL_ARGON2_P 1
#define CREDENTIAL_HASH_MAX 128
#define CREDENTIAL_PASSWORD_MIN 10  /* characters (bytes of UTF-8 at least) */
#define CREDENTIAL_PASSWORD_MAX 256 /* bytes: bounds the cost of a hostile login */

/* A token: a prefix naming its kind ("gov_s_" session, "gov_t_" API token,
 * "gov_k_" Open311 api key), then 32 random bytes in base64url (43). */
#define CREDENTIAL_TOKEN_MAX 64
#define CREDENTIAL_CSRF_LEN 43

/* Hashes `password` with a fresh salt into `out` (NUL-terminated). Returns 0,
 * or -1 (a password outside the bounds above, or no randomness). */
int credential_hash_password(const char *password, char out[CREDENTIAL_HASH_MAX]);

/* Hashes a one-time login code (1 to CREDENTIAL_PASSWORD_MAX bytes, e.g.
 * six digits) as a password is hashed: a SHA-256 of a six-digit code would
 * be undone by trying all million codes in a second; against argon2id that
 * is core-hours of work (docs/gateway.md). Verify with
 * credential_verify_password. Returns 0, or -1 (bounds, no randomness). */
int credential_hash_code(const char *code, char out[CREDENTIAL_HASH_MAX]);

/* An argon2id hash (of nothing anyone knows) with the costs above: verifying
 * against it when there is no real hash costs an unknown person's login the
 * same time as a known one's. */
extern const char credential_decoy_hash[];

/* 1 when `password` matches `encoded`, 0 when not, -1 when `encoded` is not
 * an argon2id hash. Takes as long either way. */
int credential_verify_password(const char *encoded, const char *password);

/* A new random token with `prefix` (at most 8 bytes) into `out`. Returns 0 or -1. */
int credential_new_token(const char *prefix, char out[CREDENTIAL_TOKEN_MAX]);

/* SHA-256 of `token`: what the database keeps. */
void credential_digest(const char *token, uint8_t out[32]);

/* That digest as a bytea literal for SQL ("\\x" and 64 hex digits). */
void credential_digest_hex(const char *token, char out[67]);

/* The CSRF token that goes with session token `session` (derived, so nothing
 * more is stored; only who holds the session cookie can know it). */
void credential_csrf(const char *session, char out[CREDENTIAL_CSRF_LEN + 1]);

/* Compares two strings in time that depends on their lengths only. 1 when equal. */
int credential_equal(const char *a, const char *b);

#endif
