/* auth: who is asking. A person proves it with a session cookie (after a
 * password login, or a one-time code: logincode.h) or an API token (Authorization: Bearer); the gateway
 * stores neither, only their SHA-256 (common/credential.h), and checks the
 * digest on every request, so a revoked or expired one stops at once.
 * What the person may do follows from the data: the units they belong to
 * (with the unit's kind and their role in it) and whether they are a
 * resident; the services judge each command against that actor.
 *
 * The answer for a live credential may be remembered (auth_memory_t): it is
 * served again only while nothing has changed in the tables it comes from —
 * gateway_tokens (a revocation, a logout), people, units, unit_members and
 * residents — which the database announces as it commits (dbwatch.h,
 * migrations 0014 and 0023), and only until the credential expires, checked
 * on every request. An unknown credential is always asked of the database. */
#ifndef GOV_GATEWAY_AUTH_H
#define GOV_GATEWAY_AUTH_H

#include <stdint.h>

#include "cache.h"
#include "credential.h"
#include "dbwatch.h"
#include "pool.h"

#define AUTH_UNITS_MAX 8

typedef enum { AUTH_NONE, AUTH_COOKIE, AUTH_BEARER } auth_via_t;

typedef struct {
    char code[64], kind[32], role[32];
} auth_unit_t;

typedef struct {
    int64_t person_id;
    char code[64], name[128], phone[32];
    auth_via_t via;
    char session[CREDENTIAL_TOKEN_MAX]; /* the cookie's token: the CSRF token derives from it */
    auth_unit_t units[AUTH_UNITS_MAX];
    int nunits;
    int resident;
} principal_t;

#define AUTH_COOKIE_NAME "gov_session"

/* What is remembered of live credentials, and the watch that says whether it
 * still holds (both borrowed). */
typedef struct {
    cache_t *cache;
    dbwatch_t *watch;
} auth_memory_t;

/* Resolves the session cookie or bearer token (either may be NULL) at
 * `now_ms`, from `mem` when it holds a true answer (`mem` may be NULL, or
 * have no cache or watch: then always from the database; a watch that
 * cannot listen gives nothing to trust either). Returns 1 with `out` filled,
 * 0 when neither names a live credential, -1 when the database failed. */
int auth_resolve(worker_t *w, const auth_memory_t *mem, const char *cookie, const char *bearer,
                 int64_t now_ms, principal_t *out);

/* Checks `password` for person `code` and opens a session of `ttl_ms`.
 * Returns 1 with the session token in `token`, 0 for a wrong person or
 * password (told apart by neither answer nor time), -1 when the database
 * failed. */
int auth_login(worker_t *w, const char *code, const char *password, int64_t now_ms, int64_t ttl_ms,
               char token[CREDENTIAL_TOKEN_MAX]);

/* Opens a session of `ttl_ms` for person `person_id` (proved some other way:
 * a password, a login code) with a fresh token in `token`. Returns 0, or -1
 * when the database failed. */
int auth_open_session(worker_t *w, int64_t person_id, int64_t now_ms, int64_t ttl_ms,
                      char token[CREDENTIAL_TOKEN_MAX]);

/* Ends session `token` now. Returns 0, or -1 when the database failed. */
int auth_logout(worker_t *w, const char *token, int64_t now_ms);

/* 1 when `header` is the CSRF token of `p`'s session (a bearer token needs
 * none: browsers never send it on their own). */
int auth_csrf_ok(const principal_t *p, const char *header);

/* The unit `p` acts for: `wanted` when p belongs to it; p's only unit when
 * `wanted` is NULL and p has exactly one; else NULL. */
const auth_unit_t *auth_acting_unit(const principal_t *p, const char *wanted);

#endif
