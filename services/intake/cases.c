#include "cases.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casemsg.h"
#include "casescope.h"
#include "db.h"
#include "intake.pb-c.h"
#include "piilog.h"
#include "queries.h"

#define CASES_LIMIT_DEFAULT 50
#define CASES_LIMIT_MAX 500

static void s_db_failed(rpcsrv_t *srv, rpc_req_t *req, const char sqlstate[6])
{
    rpcsrv_fail(srv, req, "DB_UNAVAILABLE", "the database did not answer", NULL, "retry later",
                sqlstate);
}

/* Writes the audit row of a read by `req` that shows the people of cases
 * `ids[0..n)` in full (nothing when n is 0). Returns 0, or -1 having
 * answered the request with the failure: then nothing else is sent. */
static int s_log_read(PGconn *conn, rpcsrv_t *srv, rpc_req_t *req, const int64_t *ids, size_t n)
{
    if (n == 0)
        return 0;
    piilog_row_t row;
    char sqlstate[6];
    if (piilog_row(&row, "intake", req->env, "case", ids, ids, n)) {
        rpcsrv_fail(srv, req, "OVERLOADED", "out of memory", NULL, "retry later", NULL);
        return -1;
    }
    PGresult *res = db_exec(conn, PIILOG_INSERT, PIILOG_NPARAMS, row.params, sqlstate);
    piilog_row_clear(&row);
    if (!res) {
        s_db_failed(srv, req, sqlstate);
        return -1;
    }
    PQclear(res);
    return 0;
}

void cases_get(PGconn *conn, rpcsrv_t *srv, rpc_req_t *req)
{
    Gov__GetCase *msg = (Gov__GetCase *) rpcsrv_payload(srv, req, &gov__get_case__descriptor);
    if (!msg)
        return;
    char id[24], sqlstate[6];
    snprintf(id, sizeof id, "%" PRId64, msg->case_id);
    gov__get_case__free_unpacked(msg, NULL);
    casescope_t scope;
    apperr_t err;
    if (casescope_of(conn, req->env->actor, &scope, &err)) {
        rpcsrv_fail_err(srv, req, &err);
        return;
    }
    const char *params[] = {id};
    PGresult *row = NULL, *callers = NULL;
    int none = scope.kind == CASESCOPE_NONE; /* answered as an unknown id is */
    if (!none) {
        row = db_exec(conn, Q_GET_CASE, 1, params, sqlstate);
        callers = row ? db_exec(conn, Q_GET_CALLERS, 1, params, sqlstate) : NULL;
    }
    casemsg_t view;
    memset(&view, 0, sizeof view);
    if (!none && (!row || !callers))
        s_db_failed(srv, req, sqlstate);
    else if (none || PQntuples(row) == 0)
        rpcsrv_fail(srv, req, "NOT_FOUND", "no such case", id, NULL, NULL);
    else if (casemsg_from_row(&view, row, 0) || casemsg_add_callers(&view, callers))
        rpcsrv_fail(srv, req, "INTERNAL", "case could not be read", id, NULL, NULL);
    else if (!casescope_sees(&scope, &view.msg)) /* as unknown: ids tell nothing */
        rpcsrv_fail(srv, req, "NOT_FOUND", "no such case", id, NULL, NULL);
    else if (casescope_mask(&scope, &view.msg, PQgetvalue(row, 0, Q_CASE_LEAD_UNIT),
                            &view.masked))
        rpcsrv_fail(srv, req, "OVERLOADED", "out of memory", id, "retry later", NULL);
    else if (s_log_read(conn, srv, req, &view.msg.id,
                        (size_t) casescope_shows_contact(&scope, &view.msg,
                                                         PQgetvalue(row, 0, Q_CASE_LEAD_UNIT))))
        ; /* answered with the failure: no full read goes unlogged */
    else {
        Gov__GetCaseReply reply = GOV__GET_CASE_REPLY__INIT;
        reply.item = &view.msg;
        rpcsrv_reply(srv, req, "GetCaseReply", &reply.base);
    }
    casemsg_clear(&view);
    PQclear(row);
    PQclear(callers);
}

static const char *s_statuses[] = {"", "open", "dispatched", "resolved", "closed"};

void cases_list(PGconn *conn, rpcsrv_t *srv, rpc_req_t *req)
{
    Gov__ListCases *msg = (Gov__ListCases *) rpcsrv_payload(srv, req, &gov__list_cases__descriptor);
    if (!msg)
        return;
    PGresult *area = NULL, *rows = NULL;
    casemsg_t *views = NULL;
    casescope_t scope;
    apperr_t err;
    int status_ok = 0;
    for (size_t i = 0; i < sizeof s_statuses / sizeof *s_statuses; i++)
        status_ok |= strcmp(msg->status, s_statuses[i]) == 0;
    int limit = msg->limit ? msg->limit : CASES_LIMIT_DEFAULT;
    char sqlstate[6];
    if (casescope_of(conn, req->env->actor, &scope, &err)) {
        rpcsrv_fail_err(srv, req, &err);
        goto done;
    }
    if (!status_ok) {
        rpcsrv_fail(srv, req, "INVALID_STATUS", "unknown status", msg->status,
                    "use one of open, dispatched, resolved, closed", NULL);
        goto done;
    }
    if (limit < 1 || limit > CASES_LIMIT_MAX) {
        rpcsrv_fail(srv, req, "INVALID_LIMIT", "limit must be between 1 and 500", NULL, NULL, NULL);
        goto done;
    }
    const char *area_id = NULL;
    if (*msg->area) {
        const char *p[] = {msg->area};
        if (!(area = db_exec(conn, Q_AREA_ID, 1, p, sqlstate))) {
            s_db_failed(srv, req, sqlstate);
            goto done;
        }
        if (PQntuples(area) == 0) {
            rpcsrv_fail(srv, req, "UNKNOWN_AREA", "unknown area", msg->area,
                        "`govctl areas list` shows the codes", NULL);
            goto done;
        }
        area_id = PQgetvalue(area, 0, 0);
    }
    char since[24], until[24], before[24], lim[16];
    snprintf(since, sizeof since, "%" PRId64, msg->since_ms);
    snprintf(until, sizeof until, "%" PRId64, msg->until_ms);
    snprintf(before, sizeof before, "%" PRId64, msg->before_id);
    snprintf(lim, sizeof lim, "%d", limit);
    const char *params[] = {area_id, msg->category, msg->status, since, until, before, lim,
                            scope.kind == CASESCOPE_AREA ? scope.area : "",
                            scope.kind == CASESCOPE_OWN ? scope.phone : ""};
    if (scope.kind == CASESCOPE_NONE) {
        Gov__ListCasesReply reply = GOV__LIST_CASES_REPLY__INIT;
        rpcsrv_reply(srv, req, "ListCasesReply", &reply.base);
        goto done;
    }
    if (!(rows = db_exec(conn, Q_LIST_CASES, 9, params, sqlstate))) {
        s_db_failed(srv, req, sqlstate);
        goto done;
    }
    int n = PQntuples(rows);
    views = calloc((size_t) n + 1, sizeof *views);
    Gov__Case **items = calloc((size_t) n + 1, sizeof *items);
    int64_t *full = calloc((size_t) n + 1, sizeof *full);
    int failed = !views || !items || !full;
    for (int i = 0; !failed && i < n; i++) {
        const char *lead = PQgetvalue(rows, i, Q_CASE_LEAD_UNIT);
        failed = casemsg_from_row(&views[i], rows, i) != 0 ||
                 casescope_mask(&scope, &views[i].msg, lead, &views[i].masked) != 0;
        items[i] = &views[i].msg;
    }
    size_t fit = failed ? 0 : rpcsrv_page_fit((ProtobufCMessage *const *) items, (size_t) n);
    size_t n_full = 0;
    for (size_t i = 0; i < fit; i++) /* what is sent, not what was read */
        if (casescope_shows_contact(&scope, items[i], PQgetvalue(rows, (int) i, Q_CASE_LEAD_UNIT)))
            full[n_full++] = items[i]->id;
    if (failed) {
        rpcsrv_fail(srv, req, "INTERNAL", "cases could not be read", NULL, NULL, NULL);
    } else if (s_log_read(conn, srv, req, full, n_full)) {
        ; /* answered with the failure: no full read goes unlogged */
    } else {
        Gov__ListCasesReply reply = GOV__LIST_CASES_REPLY__INIT;
        reply.items = items;
        reply.n_items = fit; /* the rest on the next page, however long the texts */
        reply.next_before_id = fit < (size_t) n || n == limit ? items[fit - 1]->id : 0;
        rpcsrv_reply(srv, req, "ListCasesReply", &reply.base);
    }
    for (int i = 0; views && i < n; i++)
        casemsg_clear(&views[i]);
    free(items);
    free(full);
done:
    free(views);
    PQclear(area);
    PQclear(rows);
    gov__list_cases__free_unpacked(msg, NULL);
}
