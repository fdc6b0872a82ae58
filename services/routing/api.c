#include "api.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "contactcli.h"
#include "db.h"
#include "directory.h"
#include "dispatchmsg.h"
#include "evaluate.h"
#include "holidays.h"
#include "kpi.h"
#include "lifecycle.h"
#include "piilog.h"
#include "pairing.h"
#include "queries.h"
#include "readscope.h"
#include "reporters.h"
#include "rules.h"
#include "routing.pb-c.h"
#include "whistle.h"

#define LIST_LIMIT_DEFAULT 50
#define LIST_LIMIT_MAX 500
#define WHISTLE_LIMIT_DEFAULT 20
#define WHISTLE_LIMIT_MAX 100

/* Masks the reporter of `d` unless `contact` reads it (readscope.h); adds
 * the dispatch's id to `full[*n]` when it goes out in full. */
static void s_contact(const readscope_t *contact, dispatchmsg_t *d, int64_t *full,
                      int64_t *cases, size_t *n)
{
    if (!readscope_contact(contact, d->msg.unit)) {
        dispatchmsg_mask(d);
    } else if (d->msg.reporter && ((d->reporter.name && d->reporter.name[0]) ||
                                   (d->reporter.phone && d->reporter.phone[0]))) {
        cases[*n] = d->msg.case_id;
        full[(*n)++] = d->msg.id;
    }
}

/* Writes the audit row of a read by `req` showing the reporters of
 * dispatches `ids[0..n)` in full (nothing when n is 0). Returns 0, or -1
 * having answered the request with the failure. */
static int s_log_read(routing_t *r, rpcsrv_t *srv, rpc_req_t *req, const int64_t *ids,
                      const int64_t *cases, size_t n)
{
    if (n == 0)
        return 0;
    piilog_row_t row;
    char sqlstate[6];
    apperr_t err;
    if (piilog_row(&row, "routing", req->env, "dispatch", ids, cases, n)) {
        rpcsrv_fail(srv, req, "OVERLOADED", "out of memory", NULL, "retry later", NULL);
        return -1;
    }
    PGresult *res = pstmt_exec(r->sql, PIILOG_INSERT, PIILOG_NPARAMS, row.params, sqlstate);
    piilog_row_clear(&row);
    if (!res) {
        apperr_db(&err, sqlstate);
        rpcsrv_fail_err(srv, req, &err);
        return -1;
    }
    PQclear(res);
    return 0;
}

/* Replies with dispatch `id` (and `next_id` when not 0) as `type`; one
 * outside `scope` (when given) is not found. The reporters are shown as
 * `contact` reads them (readscope_contact()); a full one is logged. */
static void s_reply_dispatch(routing_t *r, rpcsrv_t *srv, rpc_req_t *req, const char *type,
                             int64_t id, int64_t next_id, const readscope_t *scope,
                             const readscope_t *contact)
{
    int64_t full[2], cases[2];
    size_t n_full = 0;
    dispatchmsg_t d, n;
    PGresult *dres = NULL, *nres = NULL;
    char sqlstate[6];
    apperr_t err;
    memset(&n, 0, sizeof n);
    int found = dispatchmsg_load(r, id, 0, &d, &dres, sqlstate);
    if (found > 0 && scope && scope->kind != READSCOPE_ALL &&
        (scope->kind == READSCOPE_NONE || strcmp(d.msg.unit, scope->unit) != 0))
        found = 0;
    if (found > 0 && next_id && dispatchmsg_load(r, next_id, 0, &n, &nres, sqlstate) <= 0)
        found = -1;
    if (found < 0) {
        apperr_db(&err, sqlstate);
        rpcsrv_fail_err(srv, req, &err);
    } else if (found == 0) { /* the words a command says too: guessing ids tells nothing */
        apperr_fail(&err, "NOT_FOUND", "no such dispatch", NULL, "dispatch %lld", (long long) id);
        rpcsrv_fail_err(srv, req, &err);
    } else {
        dispatchmsg_t *shown[2];
        size_t n_shown = 0;
        if (readscope_contact(contact, d.msg.unit))
            shown[n_shown++] = &d;
        if (next_id && readscope_contact(contact, n.msg.unit))
            shown[n_shown++] = &n;
        Gov__GetContactsReply *held = NULL; /* from intake: no copy is kept (reporters.h) */
        reporters_fill(r, shown, n_shown, &held);
        s_contact(contact, &d, full, cases, &n_full);
        if (next_id)
            s_contact(contact, &n, full, cases, &n_full);
        if (s_log_read(r, srv, req, full, cases, n_full) == 0) {
            Gov__DispatchReply reply = GOV__DISPATCH_REPLY__INIT;
            reply.item = &d.msg;
            reply.next = next_id ? &n.msg : NULL;
            rpcsrv_reply(srv, req, type, &reply.base);
        }
        contactcli_free(&held);
    }
    dispatchmsg_clear(&d);
    dispatchmsg_clear(&n);
    PQclear(dres);
    PQclear(nres);
}

/* 1 when a unit-scoped reader blew whistle `w` or was summoned by it. */
static int s_whistle_in_scope(const Gov__Whistle *w, const readscope_t *scope)
{
    if (scope->kind != READSCOPE_UNIT)
        return scope->kind == READSCOPE_ALL;
    if (strcmp(w->caller_unit, scope->unit) == 0)
        return 1;
    for (size_t i = 0; i < w->n_dispatches; i++)
        if (strcmp(w->dispatches[i]->unit, scope->unit) == 0)
            return 1;
    return 0;
}

static void s_reply_whistle(routing_t *r, rpcsrv_t *srv, rpc_req_t *req, int64_t id,
                            const readscope_t *scope)
{
    whistlemsg_t w;
    apperr_t err;
    int found = whistlemsg_load(r, id, &w, &err);
    if (found > 0 && scope && !s_whistle_in_scope(&w.msg, scope))
        found = 0;
    if (found < 0) {
        rpcsrv_fail_err(srv, req, &err);
    } else if (found == 0) {
        apperr_fail(&err, "NOT_FOUND", "no such whistle", NULL, "whistle %lld", (long long) id);
        rpcsrv_fail_err(srv, req, &err);
    } else {
        Gov__WhistleReply reply = GOV__WHISTLE_REPLY__INIT;
        reply.item = &w.msg;
        rpcsrv_reply(srv, req, "WhistleReply", &reply.base);
    }
    whistlemsg_clear(&w);
}

static void s_list(routing_t *r, rpcsrv_t *srv, rpc_req_t *req, const Gov__ListDispatches *m)
{
    readscope_t scope;
    apperr_t serr;
    if (readscope_of(r, req->env->actor, &scope, &serr)) {
        rpcsrv_fail_err(srv, req, &serr);
        return;
    }
    if (scope.kind == READSCOPE_NONE) {
        rpcsrv_fail(srv, req, "OUTSIDE_SCOPE", "only units see dispatches", NULL,
                    "act for your unit", NULL);
        return;
    }
    Gov__ListDispatches scoped = *m; /* a unit lists its own, whatever it asked */
    if (scope.kind == READSCOPE_UNIT)
        scoped.unit = scope.unit;
    m = &scoped;
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
    dispatchmsg_t *views = calloc(n + 1, sizeof *views);
    Gov__Dispatch **ptrs = calloc(n + 1, sizeof *ptrs);
    dispatchmsg_t **shown = calloc(n + 1, sizeof *shown);
    Gov__GetContactsReply *held = NULL;
    size_t ok = 0;
    int machine = !req->env->actor || !req->env->actor->id || !req->env->actor->id[0];
    while (views && ptrs && shown && ok < n &&
           dispatchmsg_from_row(&views[ok], res, (int) ok) == 0) {
        if (!machine) /* a queue shows people masked; GetDispatch shows them (readscope.h) */
            dispatchmsg_mask(&views[ok]);
        ptrs[ok] = &views[ok].msg;
        shown[ok] = &views[ok];
        ok++;
    }
    if (ok == n && machine) /* a trusted process reads them in full, from intake */
        reporters_fill(r, shown, n, &held);
    if (ok < n) {
        rpcsrv_fail(srv, req, "INTERNAL", "dispatches could not be read", NULL, NULL, NULL);
    } else {
        Gov__ListDispatchesReply reply = GOV__LIST_DISPATCHES_REPLY__INIT;
        size_t fit = rpcsrv_page_fit((ProtobufCMessage *const *) ptrs, n);
        reply.items = ptrs;
        reply.n_items = fit; /* the rest on the next page */
        reply.next_before_id = fit < n || (int) n == limit ? views[fit - 1].msg.id : 0;
        rpcsrv_reply(srv, req, "ListDispatchesReply", &reply.base);
    }
    for (size_t i = 0; views && i < n; i++)
        dispatchmsg_clear(&views[i]);
    contactcli_free(&held);
    free(views);
    free(ptrs);
    free(shown);
    PQclear(res);
}

/* The whistles a unit blew (a unit its own; the centre and the leadership
 * any caller's), newest first, a page at a time. */
static void s_list_whistles(routing_t *r, rpcsrv_t *srv, rpc_req_t *req,
                            const Gov__ListWhistles *m)
{
    readscope_t scope;
    apperr_t err;
    if (readscope_of(r, req->env->actor, &scope, &err)) {
        rpcsrv_fail_err(srv, req, &err);
        return;
    }
    if (scope.kind == READSCOPE_NONE) {
        rpcsrv_fail(srv, req, "OUTSIDE_SCOPE", "only units see whistles", NULL,
                    "act for your unit", NULL);
        return;
    }
    const char *caller = scope.kind == READSCOPE_UNIT ? scope.unit : m->caller_unit;
    int limit = m->limit <= 0 ? WHISTLE_LIMIT_DEFAULT : m->limit;
    if (limit > WHISTLE_LIMIT_MAX)
        limit = WHISTLE_LIMIT_MAX;
    char b[2][24], sqlstate[6];
    const char *params[] = {caller ? caller : "", m->state ? m->state : "",
                            routing_i64(b[0], m->before_id), routing_i64(b[1], limit)};
    PGresult *res = pstmt_exec(r->sql, Q_LIST_WHISTLES, 4, params, sqlstate);
    if (!res) {
        apperr_db(&err, sqlstate);
        rpcsrv_fail_err(srv, req, &err);
        return;
    }
    size_t n = (size_t) PQntuples(res), ok = 0;
    whistlemsg_t *views = calloc(n + 1, sizeof *views);
    Gov__Whistle **ptrs = calloc(n + 1, sizeof *ptrs);
    int rc = views && ptrs ? 0 : apperr_fail(&err, "INTERNAL", "out of memory", NULL, NULL);
    for (; rc == 0 && ok < n; ok++) {
        int found = whistlemsg_load(r, strtoll(PQgetvalue(res, (int) ok, 0), NULL, 10),
                                    &views[ok], &err);
        ptrs[ok] = &views[ok].msg;
        if (found <= 0) /* 0: it cannot vanish (whistles are never deleted) */
            rc = found < 0 ? -1 : apperr_fail(&err, "INTERNAL", "a whistle vanished", NULL, NULL);
    }
    if (rc) {
        rpcsrv_fail_err(srv, req, &err);
    } else {
        Gov__ListWhistlesReply reply = GOV__LIST_WHISTLES_REPLY__INIT;
        size_t fit = rpcsrv_page_fit((ProtobufCMessage *const *) ptrs, n);
        reply.items = ptrs;
        reply.n_items = fit;
        reply.next_before_id = fit < n || (int) n == limit ? views[fit - 1].msg.id : 0;
        rpcsrv_reply(srv, req, "ListWhistlesReply", &reply.base);
    }
    for (size_t i = 0; views && i < ok; i++)
        whistlemsg_clear(&views[i]);
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

/* --- commands: each in one transaction, idempotent by its message id ------ */

/* A command's answer: the dispatch as its actor may read it (a scope that
 * cannot be read masks it). */
static void s_answer_dispatch(routing_t *r, rpcsrv_t *srv, rpc_req_t *req, const idem_answer_t *a)
{
    readscope_t contact = {READSCOPE_NONE, "", 0};
    apperr_t err;
    if (readscope_of(r, req->env->actor, &contact, &err))
        contact.kind = READSCOPE_NONE;
    s_reply_dispatch(r, srv, req, "DispatchReply", a->ids[0], a->ids[1], NULL, &contact);
}

static void s_answer_whistle(routing_t *r, rpcsrv_t *srv, rpc_req_t *req, const idem_answer_t *a)
{
    s_reply_whistle(r, srv, req, a->ids[0], NULL);
}

static void s_answer_rating(routing_t *r, rpcsrv_t *srv, rpc_req_t *req, const idem_answer_t *a)
{
    (void) r;
    Gov__RateWhistleReply reply = GOV__RATE_WHISTLE_REPLY__INIT;
    reply.whistle_id = a->ids[0];
    reply.dispatch_id = a->ids[1];
    reply.direction = (char *) a->note;
    rpcsrv_reply(srv, req, "RateWhistleReply", &reply.base);
}

static void s_answer_evaluation(routing_t *r, rpcsrv_t *srv, rpc_req_t *req,
                                const idem_answer_t *a)
{
    Gov__EvaluateCaseReply reply = GOV__EVALUATE_CASE_REPLY__INIT;
    reply.case_id = a->ids[0];
    reply.case_state = (char *) a->note;
    dispatchmsg_t n;
    PGresult *nres = NULL;
    char sqlstate[6];
    memset(&n, 0, sizeof n);
    if (a->ids[1] && dispatchmsg_load(r, a->ids[1], 0, &n, &nres, sqlstate) > 0)
        reply.next = &n.msg;
    rpcsrv_reply(srv, req, "EvaluateCaseReply", &reply.base);
    dispatchmsg_clear(&n);
    PQclear(nres);
}

static void s_answer_rule(routing_t *r, rpcsrv_t *srv, rpc_req_t *req, const idem_answer_t *a)
{
    (void) r;
    Gov__SetRuleReply reply = GOV__SET_RULE_REPLY__INIT;
    reply.rule_id = a->ids[0];
    reply.enabled = a->ids[1] != 0;
    rpcsrv_reply(srv, req, "SetRuleReply", &reply.base);
}

static void s_answer_target(routing_t *r, rpcsrv_t *srv, rpc_req_t *req, const idem_answer_t *a)
{
    kpi_target_view_t view;
    apperr_t err;
    if (kpi_target_view(r, a, &view, &err))
        rpcsrv_fail_err(srv, req, &err);
    else
        rpcsrv_reply(srv, req, "SetKpiTargetReply", &view.msg.base);
    kpi_target_view_clear(&view);
}

/* Sends `msg` (heap-built; freed here) as `type`, or the refusal. */
static void s_reply_built(rpcsrv_t *srv, rpc_req_t *req, const char *type, int rc, void *msg,
                          const apperr_t *err)
{
    if (rc)
        rpcsrv_fail_err(srv, req, err);
    else
        rpcsrv_reply(srv, req, type, msg);
    if (msg)
        protobuf_c_message_free_unpacked(msg, NULL);
}

static void s_answer_person(routing_t *r, rpcsrv_t *srv, rpc_req_t *req, const idem_answer_t *a)
{
    Gov__Person *p = NULL;
    apperr_t err;
    int found = directory_person(r, a->ids[0], &p, &err);
    if (found == 0)
        apperr_fail(&err, "NOT_FOUND", "no such person", NULL, "person %lld", (long long) a->ids[0]);
    if (found <= 0) {
        rpcsrv_fail_err(srv, req, &err);
        return;
    }
    Gov__PersonReply reply = GOV__PERSON_REPLY__INIT;
    reply.item = p;
    rpcsrv_reply(srv, req, "PersonReply", &reply.base);
    protobuf_c_message_free_unpacked(&p->base, NULL);
}

static void s_answer_unit(routing_t *r, rpcsrv_t *srv, rpc_req_t *req, const idem_answer_t *a)
{
    Gov__Unit *u = NULL;
    apperr_t err;
    int found = directory_unit(r, a->ids[0], &u, &err);
    if (found == 0)
        apperr_fail(&err, "NOT_FOUND", "no such unit", NULL, "unit %lld", (long long) a->ids[0]);
    if (found <= 0) {
        rpcsrv_fail_err(srv, req, &err);
        return;
    }
    Gov__UnitReply reply = GOV__UNIT_REPLY__INIT;
    reply.item = u;
    rpcsrv_reply(srv, req, "UnitReply", &reply.base);
    protobuf_c_message_free_unpacked(&u->base, NULL);
}

/* A pairing command's answer: the unit's pairings and reports now (or,
 * for a 责任区, its community's: ids[1]). */
static void s_answer_pairing(routing_t *r, rpcsrv_t *srv, rpc_req_t *req, const idem_answer_t *a)
{
    Gov__ListPairingsReply *reply;
    apperr_t err;
    int rc = pairing_of(r, a->ids[0], a->ids[0] ? 0 : a->ids[1], &reply, &err);
    s_reply_built(srv, req, "ListPairingsReply", rc, reply, &err);
}

static void s_answer_calendar(routing_t *r, rpcsrv_t *srv, rpc_req_t *req, const idem_answer_t *a)
{
    (void) r;
    Gov__ImportCalendarReply reply = GOV__IMPORT_CALENDAR_REPLY__INIT;
    reply.imported = (int32_t) a->ids[0];
    reply.removed = (int32_t) a->ids[1];
    reply.revision = a->ids[2];
    rpcsrv_reply(srv, req, "ImportCalendarReply", &reply.base);
}

/* A command: what it does inside the transaction (with the request's
 * payload, decoded once), and how its answer (first made, or replayed) is
 * sent. */
typedef int (*s_run_fn)(routing_t *r, const Gov__Envelope *env, const ProtobufCMessage *msg,
                        idem_answer_t *out, apperr_t *err);
typedef void (*s_answer_fn)(routing_t *r, rpcsrv_t *srv, rpc_req_t *req, const idem_answer_t *a);
/* A read: answers from the database, outside any transaction. */
typedef void (*s_read_fn)(routing_t *r, rpcsrv_t *srv, rpc_req_t *req, const ProtobufCMessage *m);

static void s_read_dispatch(routing_t *r, rpcsrv_t *srv, rpc_req_t *req, const ProtobufCMessage *m)
{
    readscope_t scope;
    apperr_t err;
    if (readscope_of(r, req->env->actor, &scope, &err)) {
        rpcsrv_fail_err(srv, req, &err);
        return;
    }
    s_reply_dispatch(r, srv, req, "GetDispatchReply", ((const Gov__GetDispatch *) m)->dispatch_id,
                     0, &scope, &scope);
}

static void s_read_list(routing_t *r, rpcsrv_t *srv, rpc_req_t *req, const ProtobufCMessage *m)
{
    s_list(r, srv, req, (const Gov__ListDispatches *) m);
}

static void s_read_whistle(routing_t *r, rpcsrv_t *srv, rpc_req_t *req, const ProtobufCMessage *m)
{
    readscope_t scope;
    apperr_t err;
    if (readscope_of(r, req->env->actor, &scope, &err)) {
        rpcsrv_fail_err(srv, req, &err);
        return;
    }
    s_reply_whistle(r, srv, req, ((const Gov__GetWhistle *) m)->whistle_id, &scope);
}

static void s_read_whistles(routing_t *r, rpcsrv_t *srv, rpc_req_t *req,
                            const ProtobufCMessage *m)
{
    s_list_whistles(r, srv, req, (const Gov__ListWhistles *) m);
}

static void s_read_kpi(routing_t *r, rpcsrv_t *srv, rpc_req_t *req, const ProtobufCMessage *m)
{
    const Gov__GetKpi *k = (const Gov__GetKpi *) m;
    s_kpi(r, srv, req, k->unit, "", k->month, 0);
}

static void s_read_rank(routing_t *r, rpcsrv_t *srv, rpc_req_t *req, const ProtobufCMessage *m)
{
    const Gov__RankKpi *k = (const Gov__RankKpi *) m;
    s_kpi(r, srv, req, "", k->kind, k->month, k->below_target ? 2 : 1);
}

static void s_read_people(routing_t *r, rpcsrv_t *srv, rpc_req_t *req, const ProtobufCMessage *m)
{
    Gov__ListPeopleReply *reply;
    apperr_t err;
    int rc = directory_people(r, req->env->actor, (const Gov__ListPeople *) m, &reply, &err);
    s_reply_built(srv, req, "ListPeopleReply", rc, reply, &err);
}

static void s_read_units(routing_t *r, rpcsrv_t *srv, rpc_req_t *req, const ProtobufCMessage *m)
{
    Gov__ListUnitsReply *reply;
    apperr_t err;
    int rc = directory_units(r, req->env->actor, (const Gov__ListUnits *) m, &reply, &err);
    s_reply_built(srv, req, "ListUnitsReply", rc, reply, &err);
}

static void s_read_pairings(routing_t *r, rpcsrv_t *srv, rpc_req_t *req, const ProtobufCMessage *m)
{
    Gov__ListPairingsReply *reply;
    apperr_t err;
    int rc = pairing_list(r, req->env->actor, (const Gov__ListPairings *) m, &reply, &err);
    s_reply_built(srv, req, "ListPairingsReply", rc, reply, &err);
}

static void s_read_calendar(routing_t *r, rpcsrv_t *srv, rpc_req_t *req, const ProtobufCMessage *m)
{
    Gov__GetCalendarReply *reply;
    apperr_t err;
    int rc = holidays_get(r, (const Gov__GetCalendar *) m, &reply, &err);
    s_reply_built(srv, req, "GetCalendarReply", rc, reply, &err);
}

static void s_read_rules(routing_t *r, rpcsrv_t *srv, rpc_req_t *req, const ProtobufCMessage *m)
{
    (void) m;
    Gov__ListRulesReply reply;
    apperr_t err;
    if (rules_list(r, req->env->actor, &reply, &err)) {
        rpcsrv_fail_err(srv, req, &err);
        return;
    }
    rpcsrv_reply(srv, req, "ListRulesReply", &reply.base);
    rules_list_free(&reply);
}

static void s_read_clock(routing_t *r, rpcsrv_t *srv, rpc_req_t *req, const ProtobufCMessage *m)
{
    s_advance(r, srv, req, (const Gov__AdvanceClock *) m);
}

/* Every request routing answers: its type, its payload, and a command
 * (run + answer) or a read. */
static const struct {
    const char *type;
    const ProtobufCMessageDescriptor *desc;
    s_run_fn run;
    s_answer_fn answer;
    s_read_fn read;
} s_routes[] = {
    {"SignDispatch", &gov__sign_dispatch__descriptor, lifecycle_apply, s_answer_dispatch, NULL},
    {"ArriveDispatch", &gov__arrive_dispatch__descriptor, lifecycle_apply, s_answer_dispatch, NULL},
    {"ProgressDispatch", &gov__progress_dispatch__descriptor, lifecycle_apply, s_answer_dispatch,
     NULL},
    {"ResolveDispatch", &gov__resolve_dispatch__descriptor, lifecycle_apply, s_answer_dispatch,
     NULL},
    {"ReturnDispatch", &gov__return_dispatch__descriptor, lifecycle_apply, s_answer_dispatch, NULL},
    {"ReassignDispatch", &gov__reassign_dispatch__descriptor, lifecycle_apply, s_answer_dispatch,
     NULL},
    {"ReleaseDispatch", &gov__release_dispatch__descriptor, lifecycle_apply, s_answer_dispatch,
     NULL},
    {"PassUpDispatch", &gov__pass_up_dispatch__descriptor, lifecycle_apply, s_answer_dispatch,
     NULL},
    {"BlowWhistle", &gov__blow_whistle__descriptor, whistle_blow, s_answer_whistle, NULL},
    {"RateWhistle", &gov__rate_whistle__descriptor, whistle_rate, s_answer_rating, NULL},
    {"EvaluateCase", &gov__evaluate_case__descriptor, evaluate_case, s_answer_evaluation, NULL},
    {"SetRule", &gov__set_rule__descriptor, rules_set, s_answer_rule, NULL},
    {"SetKpiTarget", &gov__set_kpi_target__descriptor, kpi_set_target, s_answer_target, NULL},
    /* the directory and the calendar: the admin's (directory.c, holidays.c) */
    {"CreatePerson", &gov__create_person__descriptor, directory_create_person, s_answer_person,
     NULL},
    {"UpdatePerson", &gov__update_person__descriptor, directory_update_person, s_answer_person,
     NULL},
    {"CreateUnit", &gov__create_unit__descriptor, directory_create_unit, s_answer_unit, NULL},
    {"UpdateUnit", &gov__update_unit__descriptor, directory_update_unit, s_answer_unit, NULL},
    {"AddMember", &gov__add_member__descriptor, directory_add_member, s_answer_unit, NULL},
    {"RemoveMember", &gov__remove_member__descriptor, directory_remove_member, s_answer_unit,
     NULL},
    {"ImportCalendar", &gov__import_calendar__descriptor, holidays_import, s_answer_calendar,
     NULL},
    /* pairing and 双报到 (pairing.c) */
    {"PairUnit", &gov__pair_unit__descriptor, pairing_pair, s_answer_pairing, NULL},
    {"UnpairUnit", &gov__unpair_unit__descriptor, pairing_unpair, s_answer_pairing, NULL},
    {"ReportMember", &gov__report_member__descriptor, pairing_report, s_answer_pairing, NULL},
    {"SetDutyZone", &gov__set_duty_zone__descriptor, pairing_zone, s_answer_pairing, NULL},
    {"ListPairings", &gov__list_pairings__descriptor, NULL, NULL, s_read_pairings},
    {"ListPeople", &gov__list_people__descriptor, NULL, NULL, s_read_people},
    {"ListUnits", &gov__list_units__descriptor, NULL, NULL, s_read_units},
    {"GetCalendar", &gov__get_calendar__descriptor, NULL, NULL, s_read_calendar},
    {"GetDispatch", &gov__get_dispatch__descriptor, NULL, NULL, s_read_dispatch},
    {"ListDispatches", &gov__list_dispatches__descriptor, NULL, NULL, s_read_list},
    {"GetWhistle", &gov__get_whistle__descriptor, NULL, NULL, s_read_whistle},
    {"ListWhistles", &gov__list_whistles__descriptor, NULL, NULL, s_read_whistles},
    {"GetKpi", &gov__get_kpi__descriptor, NULL, NULL, s_read_kpi},
    {"RankKpi", &gov__rank_kpi__descriptor, NULL, NULL, s_read_rank},
    {"ListRules", &gov__list_rules__descriptor, NULL, NULL, s_read_rules},
    {"AdvanceClock", &gov__advance_clock__descriptor, NULL, NULL, s_read_clock},
};

/* Runs a command in one transaction: a retry with the same message id is
 * answered from what the first run produced; a refusal rolls back whole. */
static void s_command(routing_t *r, rpcsrv_t *srv, rpc_req_t *req, const ProtobufCMessage *msg,
                      s_run_fn run, s_answer_fn answer)
{
    apperr_t err = {0};
    idem_answer_t out = {{0}, ""};
    char digest[IDEM_DIGEST_HEX];
    idem_digest(req->env, NULL, 0, digest);
    int rc = routing_begin(r, &err), replay = 0;
    if (rc == 0 && (replay = idem_lookup(r->idem, r->sql, req->env, digest, &out, &err)) < 0)
        rc = -1;
    if (rc == 0 && !replay && (rc = run(r, req->env, msg, &out, &err)) == 0)
        rc = idem_store(r->idem, r->sql, req->env, digest, &out, svclock_now_ms(r->clock), &err);
    if (rc == 0)
        rc = routing_commit(r, &err);
    if (rc) {
        routing_rollback(r);
        rpcsrv_fail_err(srv, req, &err);
        return;
    }
    answer(r, srv, req, &out);
}

void api_handle(routing_t *r, rpcsrv_t *srv, rpc_req_t *req)
{
    const char *type = req->env->type;
    for (size_t i = 0; i < sizeof s_routes / sizeof *s_routes; i++) {
        if (strcmp(s_routes[i].type, type) != 0)
            continue;
        ProtobufCMessage *m = rpcsrv_payload(srv, req, s_routes[i].desc);
        if (!m)
            return; /* answered BAD_PAYLOAD */
        if (s_routes[i].run)
            s_command(r, srv, req, m, s_routes[i].run, s_routes[i].answer);
        else
            s_routes[i].read(r, srv, req, m);
        protobuf_c_message_free_unpacked(m, NULL);
        return;
    }
    rpcsrv_fail(srv, req, "UNKNOWN_TYPE", "unknown message type", type,
                "routing answers dispatch commands, whistles, evaluations, KPIs, the directory and the calendar", NULL);
}
