#include "api.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "dview.h"
#include "evaluate.h"
#include "kpi.h"
#include "lifecycle.h"
#include "queries.h"
#include "routing.pb-c.h"
#include "whistle.h"

#define LIST_LIMIT_DEFAULT 50
#define LIST_LIMIT_MAX 500

/* Replies with dispatch `id` (and `next_id` when not 0) as `type`. */
static void s_reply_dispatch(routing_t *r, rpcsrv_t *srv, rpc_req_t *req, const char *type,
                             int64_t id, int64_t next_id)
{
    dview_t d, n;
    PGresult *dres = NULL, *nres = NULL;
    char sqlstate[6];
    apperr_t err;
    memset(&n, 0, sizeof n);
    int found = dview_load(r, id, 0, &d, &dres, sqlstate);
    if (found > 0 && next_id && dview_load(r, next_id, 0, &n, &nres, sqlstate) <= 0)
        found = -1;
    if (found < 0) {
        apperr_db(&err, sqlstate);
        rpcsrv_fail_err(srv, req, &err);
    } else if (found == 0) {
        rpcsrv_fail(srv, req, "NOT_FOUND", "no such dispatch", NULL, NULL, NULL);
    } else {
        Gov__DispatchReply reply = GOV__DISPATCH_REPLY__INIT;
        reply.item = &d.msg;
        reply.next = next_id ? &n.msg : NULL;
        rpcsrv_reply(srv, req, type, &reply.base);
    }
    dview_clear(&d);
    dview_clear(&n);
    PQclear(dres);
    PQclear(nres);
}

static void s_reply_whistle(routing_t *r, rpcsrv_t *srv, rpc_req_t *req, int64_t id)
{
    wview_t w;
    apperr_t err;
    int found = wview_load(r, id, &w, &err);
    if (found < 0) {
        rpcsrv_fail_err(srv, req, &err);
    } else if (found == 0) {
        rpcsrv_fail(srv, req, "NOT_FOUND", "no such whistle", NULL, NULL, NULL);
    } else {
        Gov__WhistleReply reply = GOV__WHISTLE_REPLY__INIT;
        reply.item = &w.msg;
        rpcsrv_reply(srv, req, "WhistleReply", &reply.base);
    }
    wview_clear(&w);
}

static void s_list(routing_t *r, rpcsrv_t *srv, rpc_req_t *req, const Gov__ListDispatches *m)
{
    int limit = m->limit <= 0 ? LIST_LIMIT_DEFAULT : m->limit;
    if (limit > LIST_LIMIT_MAX)
        limit = LIST_LIMIT_MAX;
    char b[4][24], sqlstate[6];
    const char *params[] = {m->unit, m->state, routing_i64(b[0], m->case_id),
                            routing_i64(b[1], m->whistle_id), routing_i64(b[2], m->before_id),
                            routing_i64(b[3], limit)};
    PGresult *res = pstmt_exec(r->sql, Q_LIST_DISPATCHES, 6, params, sqlstate);
    if (!res) {
        apperr_t err;
        apperr_db(&err, sqlstate);
        rpcsrv_fail_err(srv, req, &err);
        return;
    }
    size_t n = (size_t) PQntuples(res);
    dview_t *views = calloc(n + 1, sizeof *views);
    Gov__Dispatch **ptrs = calloc(n + 1, sizeof *ptrs);
    size_t ok = 0;
    while (views && ptrs && ok < n && dview_from_row(&views[ok], res, (int) ok) == 0) {
        ptrs[ok] = &views[ok].msg;
        ok++;
    }
    if (ok < n) {
        rpcsrv_fail(srv, req, "INTERNAL", "dispatches could not be read", NULL, NULL, NULL);
    } else {
        Gov__ListDispatchesReply reply = GOV__LIST_DISPATCHES_REPLY__INIT;
        reply.items = ptrs;
        reply.n_items = n;
        reply.next_before_id = (int) n == limit ? views[n - 1].msg.id : 0;
        rpcsrv_reply(srv, req, "ListDispatchesReply", &reply.base);
    }
    for (size_t i = 0; views && i < n; i++)
        dview_clear(&views[i]);
    free(views);
    free(ptrs);
    PQclear(res);
}

static void s_kpi(routing_t *r, rpcsrv_t *srv, rpc_req_t *req, const char *unit,
                  const char *kind, const char *month, int ranked)
{
    Gov__Kpi *items;
    size_t n;
    void *res;
    apperr_t err;
    if (!ranked && (!unit || !unit[0])) {
        rpcsrv_fail(srv, req, "UNKNOWN_UNIT", "name a unit", NULL, "GetKpi needs unit", NULL);
        return;
    }
    if (kpi_query(r, unit, kind, month, ranked, &items, &n, &res, &err)) {
        rpcsrv_fail_err(srv, req, &err);
        return;
    }
    if (ranked) {
        Gov__Kpi **ptrs = calloc(n + 1, sizeof *ptrs);
        for (size_t i = 0; ptrs && i < n; i++)
            ptrs[i] = &items[i];
        Gov__RankKpiReply reply = GOV__RANK_KPI_REPLY__INIT;
        reply.items = ptrs;
        reply.n_items = ptrs ? n : 0;
        rpcsrv_reply(srv, req, "RankKpiReply", &reply.base);
        free(ptrs);
    } else if (n == 0) {
        rpcsrv_fail(srv, req, "UNKNOWN_UNIT", "no such unit", "see govctl units list", NULL, NULL);
    } else {
        Gov__GetKpiReply reply = GOV__GET_KPI_REPLY__INIT;
        reply.item = &items[0];
        rpcsrv_reply(srv, req, "GetKpiReply", &reply.base);
    }
    kpi_free(items, res);
}

static void s_advance(routing_t *r, rpcsrv_t *srv, rpc_req_t *req, const Gov__AdvanceClock *m)
{
    int rc = svclock_advance(r->clock, m->ms);
    if (rc) {
        rpcsrv_fail(srv, req, "CLOCK_FIXED", "the clock cannot be moved", NULL,
                    rc == -EPERM ? "only a service started with GOV_TEST_CLOCK=1 (tests)"
                                 : "the clock only moves forward (ms > 0)",
                    NULL);
        return;
    }
    deadline_clock_jumped(r->ladder);
    Gov__AdvanceClockReply reply = GOV__ADVANCE_CLOCK_REPLY__INIT;
    reply.now_ms = svclock_now_ms(r->clock);
    rpcsrv_reply(srv, req, "AdvanceClockReply", &reply.base);
}

void api_handle(routing_t *r, rpcsrv_t *srv, rpc_req_t *req)
{
    const char *type = req->env->type;
    apperr_t err;
    ProtobufCMessage *m = NULL;
    if (lifecycle_handles(type)) {
        int64_t id, next;
        if (lifecycle_apply(r, req->env, &id, &next, &err))
            rpcsrv_fail_err(srv, req, &err);
        else
            s_reply_dispatch(r, srv, req, "DispatchReply", id, next);
    } else if (strcmp(type, "BlowWhistle") == 0) {
        int64_t id = whistle_blow(r, req->env, &err);
        if (id < 0)
            rpcsrv_fail_err(srv, req, &err);
        else
            s_reply_whistle(r, srv, req, id);
    } else if (strcmp(type, "RateWhistle") == 0) {
        const char *direction = "";
        if (whistle_rate(r, req->env, &direction, &err)) {
            rpcsrv_fail_err(srv, req, &err);
        } else if ((m = rpcsrv_payload(srv, req, &gov__rate_whistle__descriptor))) {
            Gov__RateWhistleReply reply = GOV__RATE_WHISTLE_REPLY__INIT;
            reply.whistle_id = ((Gov__RateWhistle *) m)->whistle_id;
            reply.dispatch_id = ((Gov__RateWhistle *) m)->dispatch_id;
            reply.direction = (char *) direction;
            rpcsrv_reply(srv, req, "RateWhistleReply", &reply.base);
        }
    } else if (strcmp(type, "EvaluateCase") == 0) {
        char state[24];
        int64_t next;
        if (evaluate_case(r, req->env, state, &next, &err)) {
            rpcsrv_fail_err(srv, req, &err);
        } else if ((m = rpcsrv_payload(srv, req, &gov__evaluate_case__descriptor))) {
            Gov__EvaluateCaseReply reply = GOV__EVALUATE_CASE_REPLY__INIT;
            reply.case_id = ((Gov__EvaluateCase *) m)->case_id;
            reply.case_state = state;
            dview_t n;
            PGresult *nres = NULL;
            char sqlstate[6];
            memset(&n, 0, sizeof n);
            if (next && dview_load(r, next, 0, &n, &nres, sqlstate) > 0)
                reply.next = &n.msg;
            rpcsrv_reply(srv, req, "EvaluateCaseReply", &reply.base);
            dview_clear(&n);
            PQclear(nres);
        }
    } else if (strcmp(type, "GetDispatch") == 0) {
        if ((m = rpcsrv_payload(srv, req, &gov__get_dispatch__descriptor)))
            s_reply_dispatch(r, srv, req, "GetDispatchReply",
                             ((Gov__GetDispatch *) m)->dispatch_id, 0);
    } else if (strcmp(type, "ListDispatches") == 0) {
        if ((m = rpcsrv_payload(srv, req, &gov__list_dispatches__descriptor)))
            s_list(r, srv, req, (Gov__ListDispatches *) m);
    } else if (strcmp(type, "GetWhistle") == 0) {
        if ((m = rpcsrv_payload(srv, req, &gov__get_whistle__descriptor)))
            s_reply_whistle(r, srv, req, ((Gov__GetWhistle *) m)->whistle_id);
    } else if (strcmp(type, "GetKpi") == 0) {
        if ((m = rpcsrv_payload(srv, req, &gov__get_kpi__descriptor)))
            s_kpi(r, srv, req, ((Gov__GetKpi *) m)->unit, "", ((Gov__GetKpi *) m)->month, 0);
    } else if (strcmp(type, "RankKpi") == 0) {
        if ((m = rpcsrv_payload(srv, req, &gov__rank_kpi__descriptor)))
            s_kpi(r, srv, req, "", ((Gov__RankKpi *) m)->kind, ((Gov__RankKpi *) m)->month, 1);
    } else if (strcmp(type, "AdvanceClock") == 0) {
        if ((m = rpcsrv_payload(srv, req, &gov__advance_clock__descriptor)))
            s_advance(r, srv, req, (Gov__AdvanceClock *) m);
    } else {
        rpcsrv_fail(srv, req, "UNKNOWN_TYPE", "unknown message type", type,
                    "routing answers dispatch commands, whistles, evaluations and KPIs", NULL);
    }
    if (m)
        protobuf_c_message_free_unpacked(m, NULL);
}
