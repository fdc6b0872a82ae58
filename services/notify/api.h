/* api: the requests notify answers on its ROUTER (GOV_NOTIFY_ENDPOINT).
 * Notify mostly follows the other services' events; a request is for what
 * must go at once and be answered: a login code (codesms.h). Each route
 * names the one key that may send it, if only one may. */
#ifndef NOTIFY_API_H
#define NOTIFY_API_H

#include "codesms.h"
#include "rpcsrv.h"

typedef struct {
    codesms_t *codes;
    uint64_t key_refused;     /* requests from a key the route does not take */
} notify_api_t;

/* Answers one request (now or later; either way it is freed). */
void api_handle(notify_api_t *api, rpcsrv_t *srv, rpc_req_t *req);

#endif
