#include "orders.h"

#include <stdlib.h>
#include <string.h>

#include "lists.h"
#include "outbox.h"
#include "queries.h"
#include "text.h"

static const char *s_str(const char *s)
{
    return s ? s : "";
}

static void s_row(PGresult *r, int k, Gov__ServiceOrder *o)
{
    gov__service_order__init(o);
    o->id = delib_cell_i64(r, k, 0);
    o->community = PQgetvalue(r, k, 1);
    o->resident = PQgetvalue(r, k, 2);
    o->title = PQgetvalue(r, k, 3);
    o->text = PQgetvalue(r, k, 4);
    o->state = PQgetvalue(r, k, 5);
    o->volunteer = PQgetvalue(r, k, 6);
    o->claimed_ms = delib_cell_i64(r, k, 7);
    o->result = PQgetvalue(r, k, 8);
    o->done_ms = delib_cell_i64(r, k, 9);
    o->created_ms = delib_cell_i64(r, k, 10);
}

/* The event for order `id`, with `audience` (the volunteers, or NULL). */
static int s_announce(delib_t *d, int64_t id, const char *type, int64_t community,
                      const Gov__Envelope *env, apperr_t *err)
{
    char ids[24], cs[24];
    PGresult *res = delib_exec(d, Q_ORDER, 1, (const char *[]){delib_i64(ids, id)}, err), *vol = NULL;
    if (!res)
        return -1;
    int rc = -1;
    Gov__OrderEvent ev = GOV__ORDER_EVENT__INIT;
    Gov__ServiceOrder o;
    s_row(res, 0, &o);
    ev.item = &o;
    char **audience = NULL;
    if (community) {
        if (!(vol = delib_exec(d, Q_VOLUNTEER_CODES, 1, (const char *[]){delib_i64(cs, community)}, err)))
            goto done;
        size_t n = (size_t) PQntuples(vol);
        if (!(audience = calloc(n + 1, sizeof *audience)))
            goto done;
        for (size_t i = 0; i < n; i++)
            audience[i] = PQgetvalue(vol, (int) i, 0);
        ev.audience = audience;
        ev.n_audience = n;
    }
    rc = outbox_add(d->conn, DELIB_STREAM, type, env->actor, env->trace_id, &ev.base)
             ? apperr_fail(err, "DB_UNAVAILABLE", "the event could not be written", NULL, NULL)
             : 0;
done:
    free(audience);
    PQclear(vol);
    PQclear(res);
    return rc;
}

int orders_register(delib_t *d, const Gov__Envelope *env, const ProtobufCMessage *msg,
                    delib_result_t *out, apperr_t *err)
{
    const Gov__RegisterVolunteer *p = (const Gov__RegisterVolunteer *) msg;
    who_t w;
    if (who_load(d, env->actor, &w, err))
        return -1;
    int64_t community = lists_community(d, p->community, err);
    if (community < 0)
        return -1;
    if (text_check(p->skills, TEXT_TITLE, 0, "skills", err))
        return -1;
    char b[3][24];
    const char *params[] = {delib_i64(b[0], w.person_id), delib_i64(b[1], community),
                            p->party_member ? "t" : "f", s_str(p->skills),
                            delib_i64(b[2], svclock_now_ms(d->clock))};
    PGresult *res = delib_exec(d, Q_REGISTER_VOLUNTEER, 5, params, err);
    if (!res)
        return -1;
    int fresh = PQntuples(res) == 1;
    PQclear(res);
    if (!fresh)
        return apperr_fail(err, "ALREADY_REGISTERED", "you have reported to this community already",
                          NULL, NULL);
    out->community_id = community;
    return 0;
}

int orders_order(delib_t *d, const Gov__Envelope *env, const ProtobufCMessage *msg,
                 delib_result_t *out, apperr_t *err)
{
    const Gov__OrderService *p = (const Gov__OrderService *) msg;
    who_t w;
    if (who_load(d, env->actor, &w, err))
        return -1;
    if (!w.resident || !w.community_id)
        return apperr_fail(err, "NOT_A_RESIDENT", "only a resident may order a service", NULL,
                          "%s lives in no community of the map", w.code);
    if (text_check(p->title, TEXT_TITLE, 1, "title", err) ||
        text_check(p->text, TEXT_BODY, 0, "text", err))
        return -1;
    char b[3][24];
    const char *params[] = {delib_i64(b[0], w.community_id), delib_i64(b[1], w.person_id),
                            p->title, s_str(p->text), delib_i64(b[2], svclock_now_ms(d->clock))};
    PGresult *res = delib_exec(d, Q_INSERT_ORDER, 5, params, err);
    if (!res)
        return -1;
    out->item_id = delib_cell_i64(res, 0, 0);
    PQclear(res);
    return s_announce(d, out->item_id, "ServiceOrderPosted", w.community_id, env, err);
}

/* Locks order `id`: state (16 bytes), community, resident and volunteer ids. */
static int s_order(delib_t *d, int64_t id, char state[16], int64_t ids[3], apperr_t *err)
{
    char b[24];
    PGresult *res = delib_exec(d, Q_ORDER_LOCK, 1, (const char *[]){delib_i64(b, id)}, err);
    if (!res)
        return -1;
    if (PQntuples(res) == 0) {
        PQclear(res);
        return apperr_fail(err, "NOT_FOUND", "no such order", NULL, "order %lld", (long long) id);
    }
    snprintf(state, 16, "%s", PQgetvalue(res, 0, 0));
    for (int i = 0; i < 3; i++)
        ids[i] = delib_cell_i64(res, 0, i + 1);
    PQclear(res);
    return 0;
}

int orders_claim(delib_t *d, const Gov__Envelope *env, const ProtobufCMessage *msg,
                 delib_result_t *out, apperr_t *err)
{
    const Gov__ClaimOrder *p = (const Gov__ClaimOrder *) msg;
    who_t w;
    char state[16], b[3][24];
    int64_t ids[3];
    if (who_load(d, env->actor, &w, err) || s_order(d, p->order_id, state, ids, err))
        return -1;
    PGresult *res = delib_exec(d, Q_IS_VOLUNTEER, 2,
                               (const char *[]){delib_i64(b[0], w.person_id), delib_i64(b[1], ids[0])},
                               err);
    if (!res)
        return -1;
    int volunteer = PQntuples(res) == 1;
    PQclear(res);
    if (!volunteer)
        return apperr_fail(err, "NOT_A_VOLUNTEER", "only the community's registered volunteers may claim",
                          "report to the community first (govctl order register)", NULL);
    if (ids[1] == w.person_id)
        return apperr_fail(err, "OWN_ORDER", "you cannot claim your own order", NULL, NULL);
    if (strcmp(state, "posted") != 0)
        return apperr_fail(err, "ALREADY_CLAIMED", "another volunteer claimed this order first",
                          NULL, "order %lld is %s", (long long) p->order_id, state);
    const char *params[] = {delib_i64(b[0], p->order_id), delib_i64(b[1], w.person_id),
                            delib_i64(b[2], svclock_now_ms(d->clock))};
    if (delib_run(d, Q_CLAIM_ORDER, 3, params, err))
        return -1;
    out->item_id = p->order_id;
    return s_announce(d, p->order_id, "ServiceOrderClaimed", 0, env, err);
}

int orders_complete(delib_t *d, const Gov__Envelope *env, const ProtobufCMessage *msg,
                    delib_result_t *out, apperr_t *err)
{
    const Gov__CompleteOrder *p = (const Gov__CompleteOrder *) msg;
    who_t w;
    char state[16], b[2][24];
    int64_t ids[3];
    if (who_load(d, env->actor, &w, err) || s_order(d, p->order_id, state, ids, err))
        return -1;
    if (strcmp(state, "claimed") != 0)
        return apperr_fail(err, "WRONG_STEP", "only a claimed order can be completed", NULL,
                          "order %lld is %s", (long long) p->order_id, state);
    if (ids[2] != w.person_id)
        return apperr_fail(err, "NOT_YOUR_ORDER", "only the volunteer who claimed it may complete it",
                          NULL, NULL);
    if (text_check(p->result, TEXT_BODY, 1, "result (what was done, 晒单)", err))
        return -1;
    const char *params[] = {delib_i64(b[0], p->order_id), p->result,
                            delib_i64(b[1], svclock_now_ms(d->clock))};
    if (delib_run(d, Q_COMPLETE_ORDER, 3, params, err))
        return -1;
    out->item_id = p->order_id;
    return s_announce(d, p->order_id, "ServiceOrderDone", 0, env, err);
}

void orders_reply(delib_t *d, rpcsrv_t *srv, rpc_req_t *req, int64_t id)
{
    char ids[24];
    apperr_t err;
    PGresult *res = delib_exec(d, Q_ORDER, 1, (const char *[]){delib_i64(ids, id)}, &err);
    if (!res) {
        rpcsrv_fail(srv, req, err.code, err.message, NULL, err.hint, err.sqlstate);
    } else if (PQntuples(res) == 0) {
        rpcsrv_fail(srv, req, "NOT_FOUND", "no such order", NULL, NULL, NULL);
    } else {
        Gov__ServiceOrder o;
        s_row(res, 0, &o);
        Gov__OrderReply reply = GOV__ORDER_REPLY__INIT;
        reply.item = &o;
        rpcsrv_reply(srv, req, "OrderReply", &reply.base);
    }
    PQclear(res);
}

void orders_list(delib_t *d, rpcsrv_t *srv, rpc_req_t *req, const Gov__ListOrders *m)
{
    apperr_t err;
    PGresult *res = delib_exec(d, Q_ORDERS_OF, 2, (const char *[]){s_str(m->community), s_str(m->state)},
                               &err);
    if (!res) {
        rpcsrv_fail(srv, req, err.code, err.message, NULL, err.hint, err.sqlstate);
        return;
    }
    size_t n = (size_t) PQntuples(res);
    Gov__ServiceOrder *items = calloc(n + 1, sizeof *items);
    Gov__ServiceOrder **ptrs = calloc(n + 1, sizeof *ptrs);
    if (!items || !ptrs) {
        rpcsrv_fail(srv, req, "INTERNAL", "out of memory", NULL, NULL, NULL);
    } else {
        for (size_t i = 0; i < n; i++) {
            s_row(res, (int) i, &items[i]);
            ptrs[i] = &items[i];
        }
        Gov__ListOrdersReply reply = GOV__LIST_ORDERS_REPLY__INIT;
        reply.items = ptrs;
        reply.n_items = n;
        rpcsrv_reply(srv, req, "ListOrdersReply", &reply.base);
    }
    free(items);
    free(ptrs);
    PQclear(res);
}

void orders_reply_volunteer(delib_t *d, rpcsrv_t *srv, rpc_req_t *req, int64_t community_id)
{
    char ids[24];
    apperr_t err;
    PGresult *res = delib_exec(d, Q_VOLUNTEER_COUNT, 1, (const char *[]){delib_i64(ids, community_id)}, &err);
    PGresult *code = res ? delib_exec(d, "SELECT code FROM areas WHERE id = $1", 1, (const char *[]){ids}, &err)
                         : NULL;
    Gov__RegisterVolunteer *m =
        (Gov__RegisterVolunteer *) envelope_payload(req->env, &gov__register_volunteer__descriptor);
    if (!res || !code || !m) {
        rpcsrv_fail(srv, req, "DB_UNAVAILABLE", "the volunteer could not be read", NULL, NULL, NULL);
    } else {
        Gov__VolunteerReply reply = GOV__VOLUNTEER_REPLY__INIT;
        reply.person = req->env->actor->id;
        reply.community = PQgetvalue(code, 0, 0);
        reply.party_member = m->party_member;
        reply.skills = m->skills;
        reply.volunteers = (int) delib_cell_i64(res, 0, 0);
        rpcsrv_reply(srv, req, "VolunteerReply", &reply.base);
    }
    if (m)
        gov__register_volunteer__free_unpacked(m, NULL);
    PQclear(res);
    PQclear(code);
}
