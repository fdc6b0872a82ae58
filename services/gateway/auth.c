#include "auth.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"

/* A hash for nobody: an unknown person costs a login the same time. */
static const char s_decoy[] =
    "$argon2id$v=19$m=19456,t=2,p=1$ZGVjb3lkZWNveWRlY295IQ$"
    "wl24lU8C6afEYJpCvL5s+AEzAqoU8FBGf7QSOSN97c0";

static const char *const Q_TOKEN =
    "SELECT p.id, p.code, p.name FROM gateway_tokens t JOIN people p ON p.id = t.person_id"
    " WHERE t.digest = $1::bytea AND t.kind = $2 AND t.revoked_ms IS NULL"
    "   AND (t.expires_ms IS NULL OR t.expires_ms > $3::bigint)";
static const char *const Q_UNITS =
    "SELECT u.code, u.kind, m.role, EXISTS (SELECT 1 FROM residents r WHERE r.person_id = $1)"
    " FROM people p LEFT JOIN unit_members m ON m.person_id = p.id"
    " LEFT JOIN units u ON u.id = m.unit_id WHERE p.id = $1 ORDER BY u.code LIMIT 8";
static const char *const Q_PASSWORD =
    "SELECT p.id, w.hash FROM people p JOIN gateway_passwords w ON w.person_id = p.id"
    " WHERE p.code = $1";
static const char *const Q_SESSION =
    "INSERT INTO gateway_tokens (kind, digest, person_id, created_ms, expires_ms)"
    " VALUES ('session', $1::bytea, $2, $3, $4)";
static const char *const Q_LOGOUT =
    "UPDATE gateway_tokens SET revoked_ms = $2 WHERE digest = $1::bytea AND kind = 'session'"
    "   AND revoked_ms IS NULL";

/* The digest of `token` as a bytea literal ("\x" and 64 hex digits). */
static void s_digest_hex(const char *token, char out[67])
{
    uint8_t d[32];
    credential_digest(token, d);
    out[0] = '\\', out[1] = 'x';
    for (int i = 0; i < 32; i++)
        snprintf(out + 2 + 2 * i, 3, "%02x", d[i]);
}

static void s_copy(char *dst, size_t cap, const char *src)
{
    snprintf(dst, cap, "%s", src ? src : "");
}

static int s_units(worker_t *w, principal_t *out)
{
    char id[24];
    snprintf(id, sizeof id, "%lld", (long long) out->person_id);
    const char *params[] = {id};
    PGresult *res = pstmt_exec(w->sql, Q_UNITS, 1, params, NULL);
    if (!res)
        return -1;
    out->nunits = 0;
    for (int i = 0; i < PQntuples(res); i++) {
        out->resident = strcmp(PQgetvalue(res, i, 3), "t") == 0;
        if (PQgetisnull(res, i, 0) || out->nunits == AUTH_UNITS_MAX)
            continue;
        auth_unit_t *u = &out->units[out->nunits++];
        s_copy(u->code, sizeof u->code, PQgetvalue(res, i, 0));
        s_copy(u->kind, sizeof u->kind, PQgetvalue(res, i, 1));
        s_copy(u->role, sizeof u->role, PQgetvalue(res, i, 2));
    }
    PQclear(res);
    return 0;
}

static int s_lookup(worker_t *w, const char *token, const char *kind, int64_t now_ms,
                    principal_t *out)
{
    char hex[67], now[24];
    s_digest_hex(token, hex);
    snprintf(now, sizeof now, "%lld", (long long) now_ms);
    const char *params[] = {hex, kind, now};
    PGresult *res = pstmt_exec(w->sql, Q_TOKEN, 3, params, NULL);
    if (!res)
        return -1;
    int found = PQntuples(res) == 1;
    if (found) {
        out->person_id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
        s_copy(out->code, sizeof out->code, PQgetvalue(res, 0, 1));
        s_copy(out->name, sizeof out->name, PQgetvalue(res, 0, 2));
    }
    PQclear(res);
    return found;
}

int auth_resolve(worker_t *w, const char *cookie, const char *bearer, int64_t now_ms,
                 principal_t *out)
{
    memset(out, 0, sizeof *out);
    int found = 0;
    if (bearer && strncmp(bearer, "gov_t_", 6) == 0 && strlen(bearer) < CREDENTIAL_TOKEN_MAX) {
        found = s_lookup(w, bearer, "token", now_ms, out);
        out->via = AUTH_BEARER;
    } else if (cookie && strncmp(cookie, "gov_s_", 6) == 0 && strlen(cookie) < CREDENTIAL_TOKEN_MAX) {
        found = s_lookup(w, cookie, "session", now_ms, out);
        out->via = AUTH_COOKIE;
        s_copy(out->session, sizeof out->session, cookie);
    }
    if (found == 1 && s_units(w, out))
        return -1;
    if (found != 1)
        out->via = AUTH_NONE;
    return found;
}

int auth_login(worker_t *w, const char *code, const char *password, int64_t now_ms, int64_t ttl_ms,
               char token[CREDENTIAL_TOKEN_MAX])
{
    const char *params[] = {code};
    PGresult *res = pstmt_exec(w->sql, Q_PASSWORD, 1, params, NULL);
    if (!res)
        return -1;
    int known = PQntuples(res) == 1;
    char id[24] = "";
    if (known)
        s_copy(id, sizeof id, PQgetvalue(res, 0, 0));
    int match = credential_verify_password(known ? PQgetvalue(res, 0, 1) : s_decoy, password);
    PQclear(res);
    if (!known || match != 1)
        return 0;
    char hex[67], now[24], until[24];
    if (credential_new_token("gov_s_", token))
        return -1;
    s_digest_hex(token, hex);
    snprintf(now, sizeof now, "%lld", (long long) now_ms);
    snprintf(until, sizeof until, "%lld", (long long) (now_ms + ttl_ms));
    const char *ins[] = {hex, id, now, until};
    res = pstmt_exec(w->sql, Q_SESSION, 4, ins, NULL);
    if (!res)
        return -1;
    PQclear(res);
    return 1;
}

int auth_logout(worker_t *w, const char *token, int64_t now_ms)
{
    char hex[67], now[24];
    s_digest_hex(token, hex);
    snprintf(now, sizeof now, "%lld", (long long) now_ms);
    const char *params[] = {hex, now};
    PGresult *res = pstmt_exec(w->sql, Q_LOGOUT, 2, params, NULL);
    if (!res)
        return -1;
    PQclear(res);
    return 0;
}

int auth_csrf_ok(const principal_t *p, const char *header)
{
    if (p->via == AUTH_BEARER)
        return 1;
    if (p->via != AUTH_COOKIE || !header)
        return 0;
    char want[CREDENTIAL_CSRF_LEN + 1];
    credential_csrf(p->session, want);
    return credential_equal(want, header);
}

const auth_unit_t *auth_acting_unit(const principal_t *p, const char *wanted)
{
    if (!wanted || !wanted[0])
        return p->nunits == 1 ? &p->units[0] : NULL;
    for (int i = 0; i < p->nunits; i++)
        if (strcmp(p->units[i].code, wanted) == 0)
            return &p->units[i];
    return NULL;
}
