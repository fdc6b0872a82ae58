#include "idem.h"

#include <errno.h>
#include <inttypes.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The statements, made once for the table; pstmt keys on their address. */
struct idem {
    char lookup[256];
    char store[256];
};

enum { C_DIGEST, C_ID1, C_ID2, C_ID3, C_ID4, C_NOTE };

static int s_identifier(const char *name)
{
    if (!name || !name[0] || strlen(name) > 63)
        return 0;
    for (const char *p = name; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || *p == '_' || (p > name && *p >= '0' && *p <= '9')))
            return 0;
    return 1;
}

int idem_new(const char *table, idem_t **out)
{
    if (!s_identifier(table))
        return -EINVAL;
    idem_t *self = calloc(1, sizeof *self);
    if (!self)
        return -ENOMEM;
    snprintf(self->lookup, sizeof self->lookup,
             "SELECT digest, ids[1], ids[2], ids[3], ids[4], note FROM %s WHERE message_id = $1",
             table);
    snprintf(self->store, sizeof self->store,
             "INSERT INTO %s (message_id, type, digest, ids, note, created_ms)"
             " VALUES ($1, $2, $3, ARRAY[$4, $5, $6, $7]::bigint[], $8, $9)",
             table);
    *out = self;
    return 0;
}

void idem_digest_bytes(const Gov__Envelope *env, const void *body, size_t len, uint8_t md[32])
{
    const Gov__Actor *a = env->actor;
    char head[512];
    int n = snprintf(head, sizeof head, "%s\n%s\n%s\n", env->type ? env->type : "",
                     a && a->id ? a->id : "", a && a->unit ? a->unit : "");
    if (n < 0)
        n = 0;
    if ((size_t) n >= sizeof head)
        n = (int) sizeof head - 1; /* a longer actor is refused by who may act anyway */
    if (!body) {
        body = env->payload.data;
        len = env->payload.len;
    }
    unsigned int mdlen = 0;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    int ok = ctx && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) &&
             EVP_DigestUpdate(ctx, head, (size_t) n) && (!len || EVP_DigestUpdate(ctx, body, len)) &&
             EVP_DigestFinal_ex(ctx, md, &mdlen);
    EVP_MD_CTX_free(ctx);
    if (!ok)
        memset(md, 0, 32); /* out of memory: a digest no request has, so no replay */
}

void idem_digest(const Gov__Envelope *env, const void *body, size_t len,
                 char out[IDEM_DIGEST_HEX])
{
    uint8_t md[32];
    idem_digest_bytes(env, body, len, md);
    for (int i = 0; i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", md[i]);
}

int idem_judge(const char *stored, const char *digest, const char *message_id, apperr_t *err)
{
    if (strcmp(stored, digest) == 0)
        return 1;
    return apperr_code(err, "IDEMPOTENCY_CONFLICT", "message id \"%.128s\"", message_id);
}

static int64_t s_i64(const PGresult *res, int col)
{
    return PQgetisnull(res, 0, col) ? 0 : strtoll(PQgetvalue(res, 0, col), NULL, 10);
}

int idem_lookup(idem_t *self, pstmt_t *sql, const Gov__Envelope *env,
                const char digest[IDEM_DIGEST_HEX], idem_answer_t *out, apperr_t *err)
{
    if (!env->message_id || !env->message_id[0])
        return 0;
    char sqlstate[6];
    PGresult *res = pstmt_exec(sql, self->lookup, 1, (const char *[]){env->message_id}, sqlstate);
    if (!res)
        return apperr_db(err, sqlstate);
    int rc = 0;
    if (PQntuples(res) == 1 && (rc = idem_judge(PQgetvalue(res, 0, C_DIGEST), digest,
                                                env->message_id, err)) == 1) {
        memset(out, 0, sizeof *out);
        for (int i = 0; i < IDEM_IDS; i++)
            out->ids[i] = s_i64(res, C_ID1 + i);
        snprintf(out->note, sizeof out->note, "%s", PQgetvalue(res, 0, C_NOTE));
    }
    PQclear(res);
    return rc;
}

int idem_store(idem_t *self, pstmt_t *sql, const Gov__Envelope *env,
               const char digest[IDEM_DIGEST_HEX], const idem_answer_t *answer, int64_t now_ms,
               apperr_t *err)
{
    if (!env->message_id || !env->message_id[0])
        return 0;
    char b[IDEM_IDS + 1][24], sqlstate[6];
    for (int i = 0; i < IDEM_IDS; i++)
        snprintf(b[i], sizeof b[i], "%" PRId64, answer->ids[i]);
    snprintf(b[IDEM_IDS], sizeof b[IDEM_IDS], "%" PRId64, now_ms);
    const char *params[] = {env->message_id, env->type, digest, b[0], b[1], b[2], b[3],
                            answer->note, b[IDEM_IDS]};
    PGresult *res = pstmt_exec(sql, self->store, 9, params, sqlstate);
    if (!res)
        return apperr_db(err, sqlstate);
    PQclear(res);
    return 0;
}

void idem_destroy(idem_t **self_p)
{
    free(*self_p);
    *self_p = NULL;
}
