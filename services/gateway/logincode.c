#include "logincode.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "credential.h"
#include "envelope.h"
#include "log.h"
#include "notify.pb-c.h"

/* The person a login names, with their phone (by code), or the one person
 * who has a number (by phone: LIMIT 2 tells a shared number). */
static const char *const Q_BY_CODE =
    "SELECT id, code, coalesce(phone, '') FROM people WHERE code = $1";
static const char *const Q_BY_PHONE =
    "SELECT id, code, phone FROM people WHERE phone = $1 LIMIT 2";
/* One live code a person: a new one replaces the old, tries and all. */
static const char *const Q_ISSUE =
    "INSERT INTO gateway_login_codes (person_id, hash, created_ms, expires_ms)"
    " VALUES ($1, $2, $3, $4) ON CONFLICT (person_id) DO UPDATE SET hash = EXCLUDED.hash,"
    " created_ms = EXCLUDED.created_ms, expires_ms = EXCLUDED.expires_ms, failures = 0";
/* A try is counted before the code is checked, under the row's lock, so
 * tries sent at once cannot get past the limit. $3 the limit. */
static const char *const Q_TRY =
    "UPDATE gateway_login_codes SET failures = failures + 1"
    " WHERE person_id = $1 AND expires_ms > $2 AND failures < $3 RETURNING hash";
/* The right code is used up; only the code that was checked (a new one may
 * have replaced it meanwhile). */
static const char *const Q_USE =
    "DELETE FROM gateway_login_codes WHERE person_id = $1 AND hash = $2";

int logincode_make(char code[LOGINCODE_DIGITS + 1])
{
    /* Uniform over 0..999999: draws at or above the largest multiple of
     * 10^6 that fits in 32 bits are drawn again. */
    const uint32_t range = 1000000u, limit = UINT32_MAX - UINT32_MAX % range;
    uint32_t r;
    do {
        if (getrandom(&r, sizeof r, 0) != (ssize_t) sizeof r)
            return -1;
    } while (r >= limit);
    snprintf(code, LOGINCODE_DIGITS + 1, "%06u", (unsigned) (r % range));
    return 0;
}

int logincode_well_formed(const char *code)
{
    return code && strlen(code) == LOGINCODE_DIGITS &&
           strspn(code, "0123456789") == LOGINCODE_DIGITS;
}

/* Finds who `person` or `phone` names. Returns 1 with id, code and phone
 * ("" when none); 0 when nobody (or a shared number); -1 on a database
 * error. */
static int s_who(worker_t *w, const char *person, const char *phone, int64_t *id,
                 char code[64], char phone_out[32])
{
    const char *params[] = {person ? person : phone};
    PGresult *res = pstmt_exec(w->sql, person ? Q_BY_CODE : Q_BY_PHONE, 1, params, NULL);
    if (!res)
        return -1;
    int found = PQntuples(res) == 1;
    if (found) {
        *id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
        snprintf(code, 64, "%s", PQgetvalue(res, 0, 1));
        snprintf(phone_out, 32, "%s", PQgetvalue(res, 0, 2));
    }
    PQclear(res);
    return found;
}

int logincode_limit_key(worker_t *w, const char *person, const char *phone, char *key, size_t cap)
{
    int64_t id;
    char code[64], on_file[32];
    int found = person ? 0 : s_who(w, NULL, phone, &id, code, on_file);
    if (found < 0)
        return -1;
    snprintf(key, cap, "%s", person ? person : found ? code : phone);
    return 0;
}

int logincode_issue(worker_t *w, const char *person, const char *phone, int64_t now_ms,
                    int64_t ttl_ms, logincode_t *out)
{
    char on_file[32], hash[CREDENTIAL_HASH_MAX];
    memset(out, 0, sizeof *out);
    int found = s_who(w, person, phone, &out->person_id, out->person, on_file);
    if (found <= 0 || !on_file[0])
        return found < 0 ? -1 : 0;
    if (logincode_make(out->code) || credential_hash_code(out->code, hash))
        goto fail;
    char id[24], now[24], until[24];
    snprintf(id, sizeof id, "%lld", (long long) out->person_id);
    snprintf(now, sizeof now, "%lld", (long long) now_ms);
    snprintf(until, sizeof until, "%lld", (long long) (now_ms + ttl_ms));
    const char *params[] = {id, hash, now, until};
    PGresult *res = pstmt_exec(w->sql, Q_ISSUE, 4, params, NULL);
    if (!res)
        goto fail;
    PQclear(res);
    return 1;
fail:
    explicit_bzero(out, sizeof *out);
    return -1;
}

int logincode_send(worker_t *w, const logincode_t *lc, int ttl_s, int timeout_ms,
                   char refusal[64])
{
    uint8_t r[12];
    char message_id[32] = "code-";
    snprintf(refusal, 64, "INTERNAL");
    if (getrandom(r, sizeof r, 0) != (ssize_t) sizeof r)
        return -1;
    for (size_t i = 0; i < sizeof r; i++)
        snprintf(message_id + 5 + 2 * i, 3, "%02x", r[i]);
    Gov__SendLoginCode m = GOV__SEND_LOGIN_CODE__INIT;
    m.person = (char *) lc->person;
    m.code = (char *) lc->code;
    m.ttl_s = ttl_s;
    Gov__Envelope env = GOV__ENVELOPE__INIT, *reply = NULL;
    env.type = "SendLoginCode";
    env.message_id = message_id;
    int rc = rpccli_call(w->cli[GW_NOTIFY], &env, &m.base, timeout_ms, &reply);
    if (rc) {
        snprintf(refusal, 64, "%s", rc == -ETIMEDOUT ? "" : "INTERNAL");
        return rc == -ETIMEDOUT ? rc : -1;
    }
    refusal[0] = '\0';
    if (!reply->error) {
        rc = 0;
    } else if (strcmp(reply->error->code, "UNKNOWN_PERSON") == 0) {
        rc = 1;
    } else {
        snprintf(refusal, 64, "%s", reply->error->code);
        rc = -1;
    }
    envelope_free(&reply);
    return rc;
}

int logincode_check(worker_t *w, const char *person, const char *phone, const char *code,
                    int64_t now_ms, int64_t *person_id)
{
    char who[64], on_file[32], id[24], now[24], tries[8], hash[CREDENTIAL_HASH_MAX] = "";
    int64_t pid = 0;
    int found = s_who(w, person, phone, &pid, who, on_file);
    if (found < 0)
        return -1;
    if (found) {
        snprintf(id, sizeof id, "%lld", (long long) pid);
        snprintf(now, sizeof now, "%lld", (long long) now_ms);
        snprintf(tries, sizeof tries, "%d", LOGINCODE_MAX_TRIES);
        const char *params[] = {id, now, tries};
        PGresult *res = pstmt_exec(w->sql, Q_TRY, 3, params, NULL);
        if (!res)
            return -1;
        if (PQntuples(res) == 1)
            snprintf(hash, sizeof hash, "%s", PQgetvalue(res, 0, 0));
        PQclear(res);
    }
    /* No live code: a decoy, so the answer takes as long. */
    int right = credential_verify_password(hash[0] ? hash : credential_decoy_hash,
                                           logincode_well_formed(code) ? code : "-") == 1;
    if (!hash[0] || !right)
        return 0;
    const char *used[] = {id, hash};
    PGresult *res = pstmt_exec(w->sql, Q_USE, 2, used, NULL);
    if (!res)
        return -1;
    int used_now = strcmp(PQcmdTuples(res), "1") == 0;
    PQclear(res);
    if (used_now)
        *person_id = pid;
    return used_now;
}
