/* orders: 居民点单、平台派单、志愿者接单、组织晒单 (seed 004). A resident orders a
 * service in their community; the order is posted to the community's
 * registered volunteers (in-service party members and others who reported to
 * it); the first volunteer to claim it gets it; the result is public. */
#ifndef DELIB_ORDERS_H
#define DELIB_ORDERS_H

#include "rpcsrv.h"
#include "steps.h"

int orders_register(delib_t *d, const Gov__Envelope *env, const ProtobufCMessage *msg,
                    delib_result_t *out, apperr_t *err);
int orders_order(delib_t *d, const Gov__Envelope *env, const ProtobufCMessage *msg,
                 delib_result_t *out, apperr_t *err);
int orders_claim(delib_t *d, const Gov__Envelope *env, const ProtobufCMessage *msg,
                 delib_result_t *out, apperr_t *err);
int orders_complete(delib_t *d, const Gov__Envelope *env, const ProtobufCMessage *msg,
                    delib_result_t *out, apperr_t *err);

/* Replies OrderReply with order `id`. */
void orders_reply(delib_t *d, rpcsrv_t *srv, rpc_req_t *req, int64_t id);

/* Replies ListOrdersReply: a community's orders, newest first. */
void orders_list(delib_t *d, rpcsrv_t *srv, rpc_req_t *req, const Gov__ListOrders *m);

/* Replies VolunteerReply for the envelope's actor in community `community_id`. */
void orders_reply_volunteer(delib_t *d, rpcsrv_t *srv, rpc_req_t *req, int64_t community_id);

#endif
