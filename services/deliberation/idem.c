#include "idem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chain.h"
#include "queries.h"

/* SHA-256 of what makes two requests the same: type, actor, payload. A
 * vote's is its matter alone: with three choices and a known voter, a digest
 * over the choice would give a secret ballot away to anyone who can read
 * deliberation_requests (so the same message id with another choice replays
 * the first vote rather than being refused). */
static void s_digest(const Gov__Envelope *env, char out[65])
{
    const Gov__Actor *a = env->actor;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (f) {
        fprintf(f, "%s\n%s\n%s\n", env->type, a && a->id ? a->id : "", a && a->unit ? a->unit : "");
        Gov__CastVote *vote = strcmp(env->type, "CastVote") == 0
                                  ? gov__cast_vote__unpack(NULL, env->payload.len, env->payload.data)
                                  : NULL;
        if (vote) {
            fprintf(f, "matter %lld", (long long) vote->matter_id);
            gov__cast_vote__free_unpacked(vote, NULL);
        } else {
            fwrite(env->payload.data, 1, env->payload.len, f);
        }
        fclose(f);
    }
    chain_sha256_hex(buf ? buf : "", buf ? len : 0, out);
    free(buf);
}

int idem_lookup(delib_t *d, const Gov__Envelope *env, delib_result_t *out, apperr_t *err)
{
    if (!env->message_id || !env->message_id[0])
        return 0;
    PGresult *res = delib_exec(d, Q_REQUEST, 1, (const char *[]){env->message_id}, err);
    if (!res)
        return -1;
    if (PQntuples(res) == 0) {
        PQclear(res);
        return 0;
    }
    char digest[65];
    s_digest(env, digest);
    int same = strcmp(PQgetvalue(res, 0, 0), digest) == 0;
    if (same) {
        out->matter_id = delib_cell_i64(res, 0, 1);
        out->meeting_id = delib_cell_i64(res, 0, 2);
        out->item_id = delib_cell_i64(res, 0, 3);
        out->community_id = delib_cell_i64(res, 0, 4);
        snprintf(out->receipt, sizeof out->receipt, "%s", PQgetvalue(res, 0, 5));
    }
    PQclear(res);
    if (!same)
        return apperr_fail(err, "IDEMPOTENCY_CONFLICT",
                           "the message id was used before for a different request",
                           "give every new request a new message id", "\"%s\"", env->message_id);
    return 1;
}

int idem_store(delib_t *d, const Gov__Envelope *env, const delib_result_t *r, apperr_t *err)
{
    if (!env->message_id || !env->message_id[0])
        return 0;
    char digest[65], b[4][24];
    s_digest(env, digest);
    const char *params[] = {env->message_id, env->type, digest,
                            delib_i64(b[0], r->matter_id), delib_i64(b[1], r->meeting_id),
                            delib_i64(b[2], r->item_id), delib_i64(b[3], r->community_id),
                            r->secret ? "" : r->receipt};
    return delib_run(d, Q_INSERT_REQUEST, 8, params, err);
}
