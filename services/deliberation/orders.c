#include "orders.h"

#include <stdlib.h>
#include <string.h>

#include "lists.h"
#include "matter.h"
#include "orderflow.h"
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
    o->station = PQgetvalue(r, k, 11);
    o->dispatched_by = PQgetvalue(r, k, 12);
    o->dispatched_ms = delib_cell_i64(r, k, 13);
    o->take_by_ms = delib_cell_i64(r, k, 14);
    o->lapses = (int32_t) delib_cell_i64(r, k, 15);
    o->escalated_ms = delib_cell_i64(r, k, 16);
    o->rating = PQgetvalue(r, k, 17);
    o->comment = PQgetvalue(r, k, 18);
    o->confirmed_ms = delib_cell_i64(r, k, 19);
    o->published_by = PQgetvalue(r, k, 20);
    o->publication = PQgetvalue(r, k, 21);
    o->published_ms = delib_cell_i64(r, k, 22);
}

/* Who an order's event is for. */
typedef enum { TELL_STATION, TELL_VOLUNTEER, TELL_RESIDENT, TELL_COMMUNITY } tell_t;

/* Writes event `type` for order `id`, telling those `tell` (bits of tell_t)
 * names; `actor` may be NULL (the clock moved it). */
static int s_tell(delib_t *d, int64_t id, const char *type, int tell, const Gov__Actor *actor,
                  const char *trace_id, apperr_t *err)
{
    char ids[24];
    PGresult *res = delib_exec(d, Q_ORDER, 1, (const char *[]){delib_i64(ids, id)}, err), *cm = NULL;
    if (!res)
        return -1;
    Gov__OrderEvent ev = GOV__ORDER_EVENT__INIT;
    Gov__ServiceOrder o;
    s_row(res, 0, &o);
    ev.item = &o;
    char *people[2] = {NULL, NULL}, *units[2] = {NULL, NULL};
    if ((tell & (1 << TELL_RESIDENT)))
        people[ev.n_audience++] = o.resident;
    if ((tell & (1 << TELL_VOLUNTEER)) && o.volunteer[0])
        people[ev.n_audience++] = o.volunteer;
    if ((tell & (1 << TELL_STATION)) && o.station[0])
        units[ev.n_units++] = o.station;
    if (tell & (1 << TELL_COMMUNITY)) {
        PGresult *c = delib_exec(d, Q_COMMUNITY, 1, (const char *[]){o.community}, err);
        if (!c)
            goto fail;
        char cid[24];
        snprintf(cid, sizeof cid, "%s", PQntuples(c) ? PQgetvalue(c, 0, 0) : "0");
        PQclear(c);
        if (!(cm = delib_exec(d, Q_COMMITTEE_OF, 1, (const char *[]){cid}, err)))
            goto fail;
        if (PQgetvalue(cm, 0, 0)[0])
            units[ev.n_units++] = PQgetvalue(cm, 0, 0);
    }
    ev.audience = people;
    ev.units = units;
    int rc = outbox_add(d->conn, DELIB_STREAM, type, actor, trace_id, &ev.base)
                 ? apperr_fail(err, "DB_UNAVAILABLE", "the event could not be written", NULL, NULL)
                 : 0;
    PQclear(cm);
    PQclear(res);
    return rc;
fail:
    PQclear(cm);
    PQclear(res);
    return -1;
}

static int s_announce(delib_t *d, int64_t id, const char *type, int tell, const Gov__Envelope *env,
                      apperr_t *err)
{
    return s_tell(d, id, type, tell, env->actor, env->trace_id, err);
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
    char b[4][24];
    PGresult *res = delib_exec(d, Q_STATION_OF, 1,
                               (const char *[]){delib_i64(b[0], w.community_id)}, err);
    if (!res)
        return -1;
    int64_t station = PQntuples(res) ? delib_cell_i64(res, 0, 0) : 0;
    PQclear(res);
    if (!station)
        return apperr_fail(err, "NO_STATION", "your community has no 知行家 station to take orders",
                          "the admin adds a unit of kind station in the community", NULL);
    const char *params[] = {b[0], delib_i64(b[1], w.person_id), p->title, s_str(p->text),
                            delib_i64(b[2], svclock_now_ms(d->clock)), delib_i64(b[3], station)};
    if (!(res = delib_exec(d, Q_INSERT_ORDER, 6, params, err)))
        return -1;
    out->item_id = delib_cell_i64(res, 0, 0);
    PQclear(res);
    return s_announce(d, out->item_id, "ServiceOrderPosted", 1 << TELL_STATION, env, err);
}

/* An order, locked. */
typedef struct {
    char state[16];
    int64_t community_id, resident_id, volunteer_id, station_id;
    int lapses, escalated;
} order_ref_t;

static int s_order(delib_t *d, int64_t id, order_ref_t *o, apperr_t *err)
{
    char b[24];
    PGresult *res = delib_exec(d, Q_ORDER_LOCK, 1, (const char *[]){delib_i64(b, id)}, err);
    if (!res)
        return -1;
    if (PQntuples(res) == 0) {
        PQclear(res);
        return apperr_fail(err, "NOT_FOUND", "no such order", NULL, "order %lld", (long long) id);
    }
    snprintf(o->state, sizeof o->state, "%s", PQgetvalue(res, 0, 0));
    o->community_id = delib_cell_i64(res, 0, 1);
    o->resident_id = delib_cell_i64(res, 0, 2);
    o->volunteer_id = delib_cell_i64(res, 0, 3);
    o->station_id = delib_cell_i64(res, 0, 4);
    o->lapses = (int) delib_cell_i64(res, 0, 5);
    o->escalated = PQgetvalue(res, 0, 6)[0] == 't';
    PQclear(res);
    return 0;
}

/* -1 with the flow's refusal when `move` is not allowed in the order's state. */
static int s_step(orderflow_move_t move, const order_ref_t *o, int64_t id, apperr_t *err)
{
    const char *code = orderflow_refusal(move, o->state);
    if (!code)
        return 0;
    static const char *what[] = {"only an order at the station can be dispatched",
                                 "only an order dispatched to you can be taken",
                                 "only a taken order can be reported done",
                                 "only a done order can be confirmed, once",
                                 "only a confirmed order can be published, once"};
    return apperr_fail(err, code, what[move], NULL, "order %lld is %s", (long long) id, o->state);
}

int orders_dispatch(delib_t *d, const Gov__Envelope *env, const ProtobufCMessage *msg,
                    delib_result_t *out, apperr_t *err)
{
    const Gov__DispatchOrder *p = (const Gov__DispatchOrder *) msg;
    who_t w;
    order_ref_t o;
    char b[5][24];
    if (who_load(d, env->actor, &w, err) || s_order(d, p->order_id, &o, err))
        return -1;
    PGresult *res = delib_exec(d, Q_STATION_ROLE, 3,
                               (const char *[]){delib_i64(b[0], o.station_id),
                                                s_str(env->actor->unit), w.code},
                               err);
    if (!res)
        return -1;
    int dispatcher = PQntuples(res) == 1 && matter_word_in(PQgetvalue(res, 0, 0), "dispatcher head");
    PQclear(res);
    if (!dispatcher)
        return apperr_fail(err, "NOT_DISPATCHER", "only the order's station's dispatcher may dispatch it",
                          "act as a dispatcher (or head) of the station (--unit st.…)", "%s acts for %s",
                          w.code, env->actor->unit ? env->actor->unit : "no unit");
    if (s_step(ORDERFLOW_DISPATCH, &o, p->order_id, err))
        return -1;
    if (!(res = delib_exec(d, Q_ORDER_TAKER, 2,
                           (const char *[]){s_str(p->volunteer), delib_i64(b[1], o.community_id)}, err)))
        return -1;
    int64_t volunteer = PQntuples(res) ? delib_cell_i64(res, 0, 0) : 0;
    PQclear(res);
    if (!volunteer)
        return apperr_fail(err, "NOT_A_VOLUNTEER",
                          "an order goes to a volunteer or a party member reported to its community",
                          "govctl order register, or govctl pairing report", "\"%s\"", s_str(p->volunteer));
    if (volunteer == o.resident_id)
        return apperr_fail(err, "OWN_ORDER", "a resident cannot take their own order", NULL, NULL);
    int64_t now = svclock_now_ms(d->clock), due = now + d->take_ms;
    const char *params[] = {delib_i64(b[0], p->order_id), delib_i64(b[1], volunteer), w.code,
                            delib_i64(b[2], now), delib_i64(b[3], due)};
    if (delib_run(d, Q_DISPATCH_ORDER, 5, params, err) ||
        !(res = delib_exec(d, Q_INSERT_TAKE_BY, 2, (const char *[]){b[0], b[3]}, err)))
        return -1;
    deadline_arm(d->take_by, delib_cell_i64(res, 0, 0), due);
    PQclear(res);
    out->item_id = p->order_id;
    return s_announce(d, p->order_id, "ServiceOrderDispatched", 1 << TELL_VOLUNTEER, env, err);
}

int orders_claim(delib_t *d, const Gov__Envelope *env, const ProtobufCMessage *msg,
                 delib_result_t *out, apperr_t *err)
{
    const Gov__ClaimOrder *p = (const Gov__ClaimOrder *) msg;
    who_t w;
    order_ref_t o;
    char b[2][24];
    if (who_load(d, env->actor, &w, err) || s_order(d, p->order_id, &o, err))
        return -1;
    if (o.resident_id == w.person_id)
        return apperr_fail(err, "OWN_ORDER", "you cannot take your own order", NULL, NULL);
    if (strcmp(o.state, "dispatched") == 0 && o.volunteer_id != w.person_id)
        return apperr_fail(err, "NOT_YOUR_ORDER", "the station dispatched this order to someone else",
                          NULL, "order %lld", (long long) p->order_id);
    if (s_step(ORDERFLOW_TAKE, &o, p->order_id, err))
        return -1;
    const char *params[] = {delib_i64(b[0], p->order_id), delib_i64(b[1], svclock_now_ms(d->clock))};
    if (delib_run(d, Q_CLAIM_ORDER, 2, params, err) || delib_run(d, Q_SETTLE_TAKE_BY, 2, params, err))
        return -1;
    out->item_id = p->order_id;
    return s_announce(d, p->order_id, "ServiceOrderClaimed", (1 << TELL_RESIDENT) | (1 << TELL_STATION),
                      env, err);
}

int orders_complete(delib_t *d, const Gov__Envelope *env, const ProtobufCMessage *msg,
                    delib_result_t *out, apperr_t *err)
{
    const Gov__CompleteOrder *p = (const Gov__CompleteOrder *) msg;
    who_t w;
    order_ref_t o;
    char b[2][24];
    if (who_load(d, env->actor, &w, err) || s_order(d, p->order_id, &o, err))
        return -1;
    if (s_step(ORDERFLOW_COMPLETE, &o, p->order_id, err))
        return -1;
    if (o.volunteer_id != w.person_id)
        return apperr_fail(err, "NOT_YOUR_ORDER", "only the volunteer who took it may report it done",
                          NULL, NULL);
    if (text_check(p->result, TEXT_BODY, 1, "result (what was done)", err))
        return -1;
    const char *params[] = {delib_i64(b[0], p->order_id), p->result,
                            delib_i64(b[1], svclock_now_ms(d->clock))};
    if (delib_run(d, Q_COMPLETE_ORDER, 3, params, err))
        return -1;
    out->item_id = p->order_id;
    return s_announce(d, p->order_id, "ServiceOrderDone", 1 << TELL_RESIDENT, env, err);
}

int orders_confirm(delib_t *d, const Gov__Envelope *env, const ProtobufCMessage *msg,
                   delib_result_t *out, apperr_t *err)
{
    const Gov__ConfirmOrder *p = (const Gov__ConfirmOrder *) msg;
    who_t w;
    order_ref_t o;
    char b[2][24];
    if (who_load(d, env->actor, &w, err) || s_order(d, p->order_id, &o, err))
        return -1;
    if (o.resident_id != w.person_id)
        return apperr_fail(err, "NOT_YOUR_ORDER", "only the resident who ordered it may confirm it",
                          NULL, NULL);
    if (s_step(ORDERFLOW_CONFIRM, &o, p->order_id, err))
        return -1;
    const char *rating = s_str(p->rating);
    if (!rating[0] || !matter_word_in(rating, "satisfied basic dissatisfied"))
        return apperr_fail(err, "BAD_RATING", "a rating is satisfied, basic or dissatisfied", NULL,
                          "got \"%s\"", rating);
    if (text_check(p->comment, TEXT_BODY, 0, "comment", err))
        return -1;
    const char *params[] = {delib_i64(b[0], p->order_id), rating, s_str(p->comment),
                            delib_i64(b[1], svclock_now_ms(d->clock))};
    if (delib_run(d, Q_CONFIRM_ORDER, 4, params, err))
        return -1;
    out->item_id = p->order_id;
    return s_announce(d, p->order_id, "ServiceOrderConfirmed", 1 << TELL_COMMUNITY, env, err);
}

int orders_publish(delib_t *d, const Gov__Envelope *env, const ProtobufCMessage *msg,
                   delib_result_t *out, apperr_t *err)
{
    const Gov__PublishOrder *p = (const Gov__PublishOrder *) msg;
    who_t w;
    order_ref_t o;
    char b[2][24];
    if (who_load(d, env->actor, &w, err) || s_order(d, p->order_id, &o, err))
        return -1;
    matter_ref_t m = {.community_id = o.community_id};
    if (who_require_committee(&w, &m, err) || s_step(ORDERFLOW_PUBLISH, &o, p->order_id, err) ||
        text_check(p->text, TEXT_BODY, 1, "text (what is published, 晒单)", err))
        return -1;
    const char *params[] = {delib_i64(b[0], p->order_id), w.code, p->text,
                            delib_i64(b[1], svclock_now_ms(d->clock))};
    if (delib_run(d, Q_PUBLISH_ORDER, 4, params, err))
        return -1;
    out->item_id = p->order_id;
    return s_announce(d, p->order_id, "ServiceOrderPublished",
                      (1 << TELL_RESIDENT) | (1 << TELL_VOLUNTEER), env, err);
}

int orders_lapse(delib_t *d, int64_t deadline_id, int64_t order_id, int64_t now_ms, apperr_t *err)
{
    order_ref_t o;
    if (s_order(d, order_id, &o, err))
        return -1;
    if (strcmp(o.state, "dispatched") != 0)
        return 0; /* taken meanwhile: the take settled it; nothing lapses */
    int escalate = orderflow_escalates(o.lapses, o.escalated);
    char b[3][24];
    const char *params[] = {delib_i64(b[0], order_id), delib_i64(b[1], now_ms), escalate ? "t" : "f"};
    if (delib_run(d, Q_LAPSE_ORDER, 3, params, err) ||
        delib_run(d, Q_TAKE_BY_LAPSED, 1, (const char *[]){delib_i64(b[2], deadline_id)}, err))
        return -1;
    if (s_tell(d, order_id, "ServiceOrderReturned", 1 << TELL_STATION, NULL, "", err))
        return -1;
    return escalate ? s_tell(d, order_id, "ServiceOrderEscalated",
                             (1 << TELL_COMMUNITY) | (1 << TELL_STATION), NULL, "", err)
                    : 0;
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
    int limit = m->limit <= 0 ? LIST_LIMIT_DEFAULT : m->limit > LIST_LIMIT_MAX ? LIST_LIMIT_MAX : m->limit;
    char b[2][24];
    apperr_t err;
    PGresult *res = delib_exec(d, Q_ORDERS_OF, 4,
                               (const char *[]){s_str(m->community), s_str(m->state),
                                                delib_i64(b[0], m->before_id), delib_i64(b[1], limit)},
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
        size_t fit = rpcsrv_page_fit((ProtobufCMessage *const *) ptrs, n);
        reply.items = ptrs;
        reply.n_items = fit; /* the rest on the next page */
        reply.next_before_id = fit < n || (int) n == limit ? ptrs[fit - 1]->id : 0;
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
