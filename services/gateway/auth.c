#include "auth.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"

/* The person behind a live credential, with their units, whether they are
 * a resident, and when the credential expires: one round trip. */
static const char *const Q_TOKEN =
    "SELECT p.id, p.code, p.name,"
    " (SELECT coalesce(json_agg(json_build_array(u.code, u.kind, m.role) ORDER BY u.code), '[]')"
    "  FROM unit_members m JOIN units u ON u.id = m.unit_id WHERE m.person_id = p.id),"
    " EXISTS (SELECT 1 FROM residents r WHERE r.person_id = p.id), coalesce(p.phone, ''),"
    " coalesce(t.expires_ms, 9223372036854775807)"
    " FROM gateway_tokens t JOIN people p ON p.id = t.person_id"
    " WHERE t.digest = $1::bytea AND t.kind = $2 AND t.revoked_ms IS NULL"
    "   AND (t.expires_ms IS NULL OR t.expires_ms > $3::bigint)";
static const char *const Q_PASSWORD =
    "SELECT p.id, w.hash FROM people p JOIN gateway_passwords w ON w.person_id = p.id"
    " WHERE p.code = $1";
static const char *const Q_SESSION =
    "INSERT INTO gateway_tokens (kind, digest, person_id, created_ms, expires_ms)"
    " VALUES ('session', $1::bytea, $2, $3, $4)";
static const char *const Q_LOGOUT =
    "UPDATE gateway_tokens SET revoked_ms = $2 WHERE digest = $1::bytea AND kind = 'session'"
    "   AND revoked_ms IS NULL";

static void s_copy(char *dst, size_t cap, const char *src)
{
    snprintf(dst, cap, "%s", src ? src : "");
}

/* The units from Q_TOKEN's JSON: [[code, kind, role], ...]. */
static void s_units(const char *text, principal_t *out)
{
    json_t *units = json_loads(text, 0, NULL);
    size_t i;
    json_t *u;
    out->nunits = 0;
    json_array_foreach(units, i, u)
    {
        if (out->nunits == AUTH_UNITS_MAX)
            break;
        auth_unit_t *unit = &out->units[out->nunits++];
        s_copy(unit->code, sizeof unit->code, json_string_value(json_array_get(u, 0)));
        s_copy(unit->kind, sizeof unit->kind, json_string_value(json_array_get(u, 1)));
        s_copy(unit->role, sizeof unit->role, json_string_value(json_array_get(u, 2)));
    }
    json_decref(units);
}

/* What is remembered of a live credential: who it is (without the session
 * token itself) and until when. */
typedef struct {
    principal_t who;
    int64_t expires_ms;
} s_kept_t;

static int s_lookup(worker_t *w, const auth_memory_t *mem, const char *token, const char *kind,
                    int64_t now_ms, principal_t *out)
{
    char hex[67], now[24], key[80];
    credential_digest_hex(token, hex);
    snprintf(key, sizeof key, "%s:%s", kind, hex);
    /* read before the query, so an answer a change overtook is never kept (cache.h) */
    uint64_t generation = mem && mem->cache && mem->watch ? dbwatch_generation(mem->watch) : 0;
    if (generation) {
        size_t len = 0;
        s_kept_t *kept = (s_kept_t *) cache_get(mem->cache, key, generation, &len);
        int live = kept && len == sizeof *kept && kept->expires_ms > now_ms;
        if (live)
            *out = kept->who;
        free(kept);
        if (live)
            return 1;
    }
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
        s_units(PQgetvalue(res, 0, 3), out);
        out->resident = strcmp(PQgetvalue(res, 0, 4), "t") == 0;
        s_copy(out->phone, sizeof out->phone, PQgetvalue(res, 0, 5));
        if (generation) {
            s_kept_t kept = {.who = *out, .expires_ms = strtoll(PQgetvalue(res, 0, 6), NULL, 10)};
            cache_put(mem->cache, key, generation, (const char *) &kept, sizeof kept);
        }
    }
    PQclear(res);
    return found;
}

int auth_resolve(worker_t *w, const auth_memory_t *mem, const char *cookie, const char *bearer,
                 int64_t now_ms, principal_t *out)
{
    memset(out, 0, sizeof *out);
    int found = 0;
    if (bearer && strncmp(bearer, "gov_t_", 6) == 0 && strlen(bearer) < CREDENTIAL_TOKEN_MAX) {
        found = s_lookup(w, mem, bearer, "token", now_ms, out);
        out->via = AUTH_BEARER;
    } else if (cookie && strncmp(cookie, "gov_s_", 6) == 0 && strlen(cookie) < CREDENTIAL_TOKEN_MAX) {
        found = s_lookup(w, mem, cookie, "session", now_ms, out);
        out->via = AUTH_COOKIE;
        s_copy(out->session, sizeof out->session, cookie);
    }
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
    int match = credential_verify_password(known ? PQgetvalue(res, 0, 1) : credential_decoy_hash, password);
    PQclear(res);
    if (!known || match != 1)
        return 0;
    return auth_open_session(w, strtoll(id, NULL, 10), now_ms, ttl_ms, token) ? -1 : 1;
}

int auth_open_session(worker_t *w, int64_t person_id, int64_t now_ms, int64_t ttl_ms,
                      char token[CREDENTIAL_TOKEN_MAX])
{
    char hex[67], id[24], now[24], until[24];
    if (credential_new_token("gov_s_", token))
        return -1;
    credential_digest_hex(token, hex);
    snprintf(id, sizeof id, "%lld", (long long) person_id);
    snprintf(now, sizeof now, "%lld", (long long) now_ms);
    snprintf(until, sizeof until, "%lld", (long long) (now_ms + ttl_ms));
    const char *ins[] = {hex, id, now, until};
    PGresult *res = pstmt_exec(w->sql, Q_SESSION, 4, ins, NULL);
    if (!res)
        return -1;
    PQclear(res);
    return 0;
}

int auth_logout(worker_t *w, const char *token, int64_t now_ms)
{
    char hex[67], now[24];
    credential_digest_hex(token, hex);
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
