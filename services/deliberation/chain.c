#include "chain.h"

#include <inttypes.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "queries.h"

void chain_sha256_hex(const void *data, size_t len, char out[65])
{
    unsigned char md[32];
    unsigned int n = 0;
    EVP_Digest(data, len, md, &n, EVP_sha256(), NULL);
    for (int i = 0; i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", md[i]);
}

void chain_hash(int64_t matter_id, int n, const char *kind, const char *actor, int64_t at_ms,
                const char *body, const char *prev_hash, char out[65])
{
    char *canon = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&canon, &len);
    if (f) {
        fprintf(f, "gov.matter.v1\n%" PRId64 "\n%d\n%s\n%s\n%" PRId64 "\n%s\n%s", matter_id, n,
                kind, actor, at_ms, body, prev_hash);
        fclose(f);
    }
    chain_sha256_hex(canon ? canon : "", canon ? len : 0, out);
    free(canon);
}

int chain_append(delib_t *d, int64_t matter_id, const char *kind, const char *actor,
                 json_t *body, Gov__MatterRecord *rec, char **buf, apperr_t *err)
{
    char ids[24], ns[24], ats[24], hash[65], prev[65];
    char *text = json_dumps(body, JSON_COMPACT | JSON_SORT_KEYS);
    if (!text)
        return apperr_fail(err, "INTERNAL", "the record could not be written", NULL, NULL);
    const char *p1[] = {delib_i64(ids, matter_id)};
    PGresult *head = delib_exec(d, Q_CHAIN_HEAD, 1, p1, err);
    if (!head || PQntuples(head) != 1) {
        PQclear(head);
        free(text);
        return head ? apperr_fail(err, "NOT_FOUND", "no such matter", NULL, NULL) : -1;
    }
    int n = (int) delib_cell_i64(head, 0, 0) + 1;
    snprintf(prev, sizeof prev, "%s", PQgetvalue(head, 0, 1));
    PQclear(head);
    int64_t at = svclock_now_ms(d->clock);
    chain_hash(matter_id, n, kind, actor, at, text, prev, hash);
    const char *p2[] = {ids, delib_i64(ns, n), kind, actor, delib_i64(ats, at), text, prev, hash};
    if (delib_run(d, Q_CHAIN_APPEND, 8, p2, err)) {
        free(text);
        return -1;
    }
    if (rec) {
        /* One buffer holds the strings the record points at. */
        size_t kl = strlen(kind) + 1, al = strlen(actor) + 1, bl = strlen(text) + 1;
        char *b = malloc(kl + al + bl + 130);
        if (!b) {
            free(text);
            return apperr_fail(err, "INTERNAL", "out of memory", NULL, NULL);
        }
        gov__matter_record__init(rec);
        rec->n = n;
        rec->at_ms = at;
        rec->kind = memcpy(b, kind, kl);
        rec->actor = memcpy(b + kl, actor, al);
        rec->body = memcpy(b + kl + al, text, bl);
        rec->prev_hash = memcpy(b + kl + al + bl, prev, 65);
        rec->hash = memcpy(b + kl + al + bl + 65, hash, 65);
        *buf = b;
    }
    free(text);
    return 0;
}

static int s_broken(Gov__VerifyMatterReply *out, char **buf, int n, const char *fmt,
                    const char *a, const char *b)
{
    out->ok = 0;
    out->broken_at = n;
    size_t len = strlen(fmt) + strlen(a) + strlen(b) + 32;
    if ((*buf = malloc(len)))
        snprintf(*buf, len, fmt, a, b);
    out->problem = *buf ? *buf : "";
    return 0;
}

int chain_verify(delib_t *d, int64_t matter_id, Gov__VerifyMatterReply *out, char **buf,
                 apperr_t *err)
{
    char ids[24];
    const char *params[] = {delib_i64(ids, matter_id)};
    *buf = NULL;
    PGresult *head = delib_exec(d, Q_CHAIN_HEAD, 1, params, err);
    if (!head)
        return -1;
    if (PQntuples(head) != 1) {
        PQclear(head);
        return apperr_fail(err, "NOT_FOUND", "no such matter", NULL, "matter %lld",
                          (long long) matter_id);
    }
    PGresult *rows = delib_exec(d, Q_CHAIN_RECORDS, 1, params, err);
    if (!rows) {
        PQclear(head);
        return -1;
    }
    int count = PQntuples(rows);
    out->ok = 1;
    out->records = count;
    char prev[65] = CHAIN_GENESIS, hash[65];
    for (int i = 0; i < count && out->ok; i++) {
        int n = (int) delib_cell_i64(rows, i, 0);
        const char *stored_prev = PQgetvalue(rows, i, 5), *stored = PQgetvalue(rows, i, 6);
        if (n != i + 1) {
            char want[24];
            s_broken(out, buf, i + 1, "record %s is missing (found %s in its place)",
                     delib_i64(want, i + 1), PQgetvalue(rows, i, 0));
        } else if (strcmp(stored_prev, prev) != 0) {
            s_broken(out, buf, n, "its prev_hash %s is not the hash of the record before (%s)",
                     stored_prev, prev);
        } else {
            chain_hash(matter_id, n, PQgetvalue(rows, i, 1), PQgetvalue(rows, i, 2),
                       delib_cell_i64(rows, i, 3), PQgetvalue(rows, i, 4), prev, hash);
            if (strcmp(hash, stored) != 0)
                s_broken(out, buf, n, "its content hashes to %s, not the stored %s", hash,
                         stored);
            memcpy(prev, hash, sizeof prev);
        }
    }
    if (out->ok) {
        int head_n = (int) delib_cell_i64(head, 0, 0);
        if (head_n != count || strcmp(PQgetvalue(head, 0, 1), prev) != 0) {
            char nb[24];
            s_broken(out, buf, count + 1,
                     "the matter's head (%s records) does not match the chain's end %s",
                     delib_i64(nb, head_n), prev);
        }
    }
    out->head_hash = strdup(PQgetvalue(head, 0, 1));
    PQclear(rows);
    PQclear(head);
    return 0;
}
