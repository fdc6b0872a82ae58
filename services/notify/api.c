#include "api.h"

#include <string.h>

#include "apperr.h"
#include "curve.h"
#include "log.h"
#include "notify.pb-c.h"

typedef void (*s_handle_fn)(notify_api_t *api, rpcsrv_t *srv, rpc_req_t *req,
                            const ProtobufCMessage *m);

static void s_login_code(notify_api_t *api, rpcsrv_t *srv, rpc_req_t *req,
                         const ProtobufCMessage *m)
{
    codesms_send(api->codes, srv, req, (const Gov__SendLoginCode *) m);
}

/* Every request notify answers: its type, its payload, the only key that
 * may send it (NULL: any key the deployment admits), and its handler. */
static const struct {
    const char *type;
    const ProtobufCMessageDescriptor *desc;
    const char *key;
    s_handle_fn handle;
} s_routes[] = {
    {"SendLoginCode", &gov__send_login_code__descriptor, "gateway", s_login_code},
};

void api_handle(notify_api_t *api, rpcsrv_t *srv, rpc_req_t *req)
{
    const char *type = req->env->type;
    for (size_t i = 0; i < sizeof s_routes / sizeof *s_routes; i++) {
        if (strcmp(s_routes[i].type, type) != 0)
            continue;
        if (s_routes[i].key && !curve_peer_is(req->peer, s_routes[i].key)) {
            apperr_t err;
            apperr_code(&err, "KEY_NOT_ALLOWED", "the key '%s' may not send %s", req->peer, type);
            log_warn("notify: %s from the key '%s' refused: only '%s' may send it", type,
                     req->peer, s_routes[i].key);
            api->key_refused++;
            rpcsrv_fail_err(srv, req, &err);
            return;
        }
        ProtobufCMessage *m = rpcsrv_payload(srv, req, s_routes[i].desc);
        if (!m)
            return; /* answered BAD_PAYLOAD */
        s_routes[i].handle(api, srv, req, m);
        protobuf_c_message_free_unpacked(m, NULL);
        return;
    }
    rpcsrv_fail(srv, req, "UNKNOWN_TYPE", "unknown message type", type,
                "notify answers SendLoginCode (from the gateway)", NULL);
}
