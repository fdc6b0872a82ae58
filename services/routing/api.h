/* api: the routing service's requests, each handed to the concept that owns
 * it and answered — a reply built from what was stored, or the concept's
 * error. */
#ifndef ROUTING_API_H
#define ROUTING_API_H

#include "rpcsrv.h"
#include "routing.h"

/* Answers one request (and frees it). */
void api_handle(routing_t *r, rpcsrv_t *srv, rpc_req_t *req);

#endif
