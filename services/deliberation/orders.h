/* orders: 居民点单、“知行家”派单、党员志愿者接单、社区党组织晒单 (seed 004). A
 * resident orders a service in their community; it goes to the community's
 * 知行家 station (a unit of kind station), whose dispatcher gives it to one
 * volunteer or reported party member (双报到), who must take it before the
 * take-by deadline (GOV_ORDER_TAKE_S; takeby.c fires it): untaken, it goes
 * back to the station, and the second time also up to the community, once.
 * The volunteer reports it done, the resident confirms and rates it, and
 * the community's organisation publishes it (晒单). The steps are
 * orderflow.h's; each writes an OrderEvent naming who is told. */
#ifndef DELIB_ORDERS_H
#define DELIB_ORDERS_H

#include "rpcsrv.h"
#include "steps.h"

int orders_register(delib_t *d, const Gov__Envelope *env, const ProtobufCMessage *msg,
                    delib_result_t *out, apperr_t *err);
/* 点单: a resident of a community with a station (NOT_A_RESIDENT, NO_STATION). */
int orders_order(delib_t *d, const Gov__Envelope *env, const ProtobufCMessage *msg,
                 delib_result_t *out, apperr_t *err);
/* 派单: the station's dispatcher or head (NOT_DISPATCHER), an ordered order
 * (WRONG_STEP), to a volunteer or reported member of its community
 * (NOT_A_VOLUNTEER) other than the resident (OWN_ORDER); arms the take-by
 * deadline. */
int orders_dispatch(delib_t *d, const Gov__Envelope *env, const ProtobufCMessage *msg,
                    delib_result_t *out, apperr_t *err);
/* 接单: the person it is dispatched to (NOT_YOUR_ORDER, NOT_DISPATCHED,
 * ALREADY_TAKEN); settles the deadline. */
int orders_claim(delib_t *d, const Gov__Envelope *env, const ProtobufCMessage *msg,
                 delib_result_t *out, apperr_t *err);
/* The volunteer who took it reports it done (NOT_YOUR_ORDER, WRONG_STEP). */
int orders_complete(delib_t *d, const Gov__Envelope *env, const ProtobufCMessage *msg,
                    delib_result_t *out, apperr_t *err);
/* The resident confirms and rates, once (NOT_YOUR_ORDER, ALREADY_RATED, BAD_RATING). */
int orders_confirm(delib_t *d, const Gov__Envelope *env, const ProtobufCMessage *msg,
                   delib_result_t *out, apperr_t *err);
/* 晒单: the community's committee publishes a confirmed order (NOT_COMMITTEE,
 * ALREADY_PUBLISHED, WRONG_STEP). */
int orders_publish(delib_t *d, const Gov__Envelope *env, const ProtobufCMessage *msg,
                   delib_result_t *out, apperr_t *err);

/* The take-by deadline `deadline_id` of order `order_id` passed at `now_ms`,
 * inside the engine's transaction: an order still dispatched goes back to
 * the station (ServiceOrderReturned), and is escalated to the community
 * (ServiceOrderEscalated) when orderflow_escalates says so. 0 or -1. */
int orders_lapse(delib_t *d, int64_t deadline_id, int64_t order_id, int64_t now_ms, apperr_t *err);

/* Replies OrderReply with order `id`. */
void orders_reply(delib_t *d, rpcsrv_t *srv, rpc_req_t *req, int64_t id);

/* Replies ListOrdersReply: a community's orders, newest first. */
void orders_list(delib_t *d, rpcsrv_t *srv, rpc_req_t *req, const Gov__ListOrders *m);

/* Replies VolunteerReply for the envelope's actor in community `community_id`. */
void orders_reply_volunteer(delib_t *d, rpcsrv_t *srv, rpc_req_t *req, int64_t community_id);

#endif
