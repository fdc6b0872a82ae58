#include "piireads.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "intake.pb-c.h"
#include "pgarray.h"
#include "queries.h"

#define READS_LIMIT_DEFAULT 50
#define READS_LIMIT_MAX 500

static int s_empty(const char *s)
{
    return !s || !s[0];
}

int piireads_may(const Gov__Actor *actor, const char *unit_kind)
{
    if (!actor || s_empty(actor->id))
        return 1; /* a trusted process */
    if (s_empty(actor->unit))
        return actor->role && strcmp(actor->role, "operator") == 0;
    return unit_kind &&
           (strcmp(unit_kind, "dispatch_centre") == 0 || strcmp(unit_kind, "admin") == 0);
}

/* 0 when the actor of `req` may read the log; -1 having answered otherwise. */
static int s_authorise(PGconn *conn, rpcsrv_t *srv, rpc_req_t *req)
{
    const Gov__Actor *actor = req->env->actor;
    if (piireads_may(actor, NULL))
        return 0;
    if (s_empty(actor->unit)) {
        rpcsrv_fail(srv, req, "NOT_AUDITOR", "only the dispatch centre or the admin reads the audit log",
                    NULL, "act for the dispatch centre or the admin unit", NULL);
        return -1;
    }
    const char *params[] = {actor->id, actor->unit};
    char sqlstate[6];
    PGresult *res = db_exec(conn, Q_CASESCOPE, 2, params, sqlstate);
    if (!res) {
        rpcsrv_fail(srv, req, "DB_UNAVAILABLE", "the database did not answer", NULL, "retry later",
                    sqlstate);
        return -1;
    }
    int rc = -1;
    if (PQntuples(res) != 1 || strcmp(PQgetvalue(res, 0, 3), "t") != 0)
        rpcsrv_fail(srv, req, "NOT_A_MEMBER", "the actor is not a member of the unit", actor->unit,
                    NULL, NULL);
    else if (!piireads_may(actor, PQgetvalue(res, 0, 1)))
        rpcsrv_fail(srv, req, "NOT_AUDITOR", "only the dispatch centre or the admin reads the audit log",
                    actor->unit, "act for the dispatch centre or the admin unit", NULL);
    else
        rc = 0;
    PQclear(res);
    return rc;
}

static char *s_text(const PGresult *res, int row, int col)
{
    return PQgetvalue(res, row, col);
}

void piireads_list(PGconn *conn, rpcsrv_t *srv, rpc_req_t *req)
{
    Gov__ListPiiReads *m =
        (Gov__ListPiiReads *) rpcsrv_payload(srv, req, &gov__list_pii_reads__descriptor);
    if (!m)
        return;
    PGresult *res = NULL;
    Gov__PiiRead *items = NULL, **ptrs = NULL;
    int64_t *ids = NULL;
    int limit = m->limit ? m->limit : READS_LIMIT_DEFAULT;
    if (s_authorise(conn, srv, req))
        goto done;
    if (limit < 1 || limit > READS_LIMIT_MAX) {
        rpcsrv_fail(srv, req, "INVALID_LIMIT", "limit must be between 1 and 500", NULL, NULL, NULL);
        goto done;
    }
    char b[5][24], sqlstate[6];
    snprintf(b[0], sizeof b[0], "%" PRId64, m->case_id);
    snprintf(b[1], sizeof b[1], "%" PRId64, m->since_ms);
    snprintf(b[2], sizeof b[2], "%" PRId64, m->until_ms);
    snprintf(b[3], sizeof b[3], "%" PRId64, m->before_id);
    snprintf(b[4], sizeof b[4], "%d", limit);
    const char *params[] = {m->person, b[0], b[1], b[2], b[3], b[4]};
    if (!(res = db_exec(conn, Q_LIST_PII_READS, 6, params, sqlstate))) {
        rpcsrv_fail(srv, req, "DB_UNAVAILABLE", "the database did not answer", NULL, "retry later",
                    sqlstate);
        goto done;
    }
    int n = PQntuples(res);
    size_t n_ids = 0;
    for (int i = 0; i < n; i++)
        n_ids += strlen(s_text(res, i, 10)) / 2 + 1;
    items = calloc((size_t) n + 1, sizeof *items);
    ptrs = calloc((size_t) n + 1, sizeof *ptrs);
    ids = calloc(n_ids + 1, sizeof *ids);
    if (!items || !ptrs || !ids) {
        rpcsrv_fail(srv, req, "OVERLOADED", "out of memory", NULL, "retry later", NULL);
        goto done;
    }
    int64_t *at = ids;
    for (int i = 0; i < n; i++) {
        Gov__PiiRead *it = &items[i];
        gov__pii_read__init(it);
        it->id = strtoll(s_text(res, i, 0), NULL, 10);
        it->at_ms = strtoll(s_text(res, i, 1), NULL, 10);
        it->service = s_text(res, i, 2);
        it->person = s_text(res, i, 3);
        it->unit = s_text(res, i, 4);
        it->role = s_text(res, i, 5);
        it->request = s_text(res, i, 6);
        it->message_id = s_text(res, i, 7);
        it->trace_id = s_text(res, i, 8);
        it->subject = s_text(res, i, 9);
        it->ids = at;
        it->n_ids = pgarray_parse_ints(s_text(res, i, 10), at);
        at += it->n_ids;
        ptrs[i] = it;
    }
    Gov__ListPiiReadsReply reply = GOV__LIST_PII_READS_REPLY__INIT;
    size_t fit = rpcsrv_page_fit((ProtobufCMessage *const *) ptrs, (size_t) n);
    reply.items = ptrs;
    reply.n_items = fit;
    reply.next_before_id = fit < (size_t) n || n == limit ? ptrs[fit - 1]->id : 0;
    rpcsrv_reply(srv, req, "ListPiiReadsReply", &reply.base);
done:
    free(items);
    free(ptrs);
    free(ids);
    PQclear(res);
    gov__list_pii_reads__free_unpacked(m, NULL);
}
