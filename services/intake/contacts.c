#include "contacts.h"

#include <stdlib.h>
#include <string.h>

#include "curve.h"
#include "db.h"
#include "intake.pb-c.h"
#include "log.h"
#include "pgarray.h"
#include "piilog.h"
#include "queries.h"

int contacts_allowed(const char *peer)
{
    return curve_peer_is(peer, "routing") || curve_peer_is(peer, "notify");
}

/* Writes the audit row: who asked is the key, kept in the row's role. */
static int s_log(PGconn *conn, const rpc_req_t *req, const int64_t *ids, size_t n, char sqlstate[6])
{
    piilog_row_t row;
    if (piilog_row(&row, "intake", req->env, "case", ids, ids, n)) {
        memcpy(sqlstate, "53200", 6);
        return -1;
    }
    row.params[3] = req->peer;
    PGresult *res = db_exec(conn, PIILOG_INSERT, PIILOG_NPARAMS, row.params, sqlstate);
    piilog_row_clear(&row);
    PQclear(res);
    return res ? 0 : -1;
}

void contacts_get(PGconn *conn, rpcsrv_t *srv, rpc_req_t *req)
{
    if (!contacts_allowed(req->peer) || (req->env->actor && req->env->actor->id[0])) {
        apperr_t err;
        apperr_code(&err, "KEY_NOT_ALLOWED", "the key '%s' may not read contacts", req->peer);
        log_warn("intake: GetContacts from the key '%s' refused", req->peer);
        rpcsrv_fail_err(srv, req, &err);
        return;
    }
    Gov__GetContacts *msg =
        (Gov__GetContacts *) rpcsrv_payload(srv, req, &gov__get_contacts__descriptor);
    if (!msg)
        return;
    PGresult *res = NULL;
    pgarray_t *ids = NULL;
    Gov__Contact *items = NULL, **ptrs = NULL;
    Gov__Reporter *reps = NULL;
    int64_t *shown = NULL;
    char sqlstate[6];
    if (msg->n_case_ids == 0 || msg->n_case_ids > CONTACTS_MAX) {
        rpcsrv_fail(srv, req, "BAD_ARGUMENT", "ask for 1 to 500 cases' contacts", NULL, NULL, NULL);
        goto done;
    }
    if (!(ids = pgarray_new()))
        goto oom;
    for (size_t i = 0; i < msg->n_case_ids; i++)
        pgarray_add_int(ids, msg->case_ids[i]);
    const char *params[] = {pgarray_text(ids)};
    if (!params[0])
        goto oom;
    if (!(res = db_exec(conn, Q_CONTACTS, 1, params, sqlstate))) {
        rpcsrv_fail(srv, req, "DB_UNAVAILABLE", "the database did not answer", NULL, "retry later",
                    sqlstate);
        goto done;
    }
    size_t n = (size_t) PQntuples(res);
    items = calloc(n + 1, sizeof *items);
    ptrs = calloc(n + 1, sizeof *ptrs);
    reps = calloc(n + 1, sizeof *reps);
    shown = calloc(n + 1, sizeof *shown);
    if (!items || !ptrs || !reps || !shown)
        goto oom;
    for (size_t i = 0; i < n; i++) {
        gov__contact__init(&items[i]);
        gov__reporter__init(&reps[i]);
        shown[i] = strtoll(PQgetvalue(res, (int) i, 0), NULL, 10);
        items[i].case_id = shown[i];
        reps[i].name = PQgetvalue(res, (int) i, 1);
        reps[i].phone = PQgetvalue(res, (int) i, 2);
        items[i].reporter = &reps[i];
        ptrs[i] = &items[i];
    }
    if (n && s_log(conn, req, shown, n, sqlstate)) {
        rpcsrv_fail(srv, req, "DB_UNAVAILABLE", "the read could not be logged", NULL, "retry later",
                    sqlstate);
        goto done;
    }
    Gov__GetContactsReply reply = GOV__GET_CONTACTS_REPLY__INIT;
    reply.items = ptrs;
    reply.n_items = n;
    rpcsrv_reply(srv, req, "GetContactsReply", &reply.base);
    goto done;
oom:
    rpcsrv_fail(srv, req, "OVERLOADED", "out of memory", NULL, "retry later", NULL);
done:
    free(items);
    free(ptrs);
    free(reps);
    free(shown);
    PQclear(res);
    pgarray_destroy(&ids);
    gov__get_contacts__free_unpacked(msg, NULL);
}
