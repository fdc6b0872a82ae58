/* api: the JSON API at /api/v1/. One table maps each route (method and
 * path) to a service and a request type; the request is built generically
 * from the JSON body or the query (common/pbjson.h, through the type's
 * descriptor), the path's id fills the field the route names, and the
 * reply comes back as JSON the same way. The gateway decides nothing about
 * the data: it proves who asks (auth.h), puts that person — with the unit
 * they act for — in the envelope as the actor, and the owning service
 * judges. An Idempotency-Key becomes the message id, so a retried POST acts
 * once. Refusals carry the service's code, message, detail and hint. */
#ifndef GOV_GATEWAY_API_H
#define GOV_GATEWAY_API_H

#include <stdatomic.h>
#include <stdint.h>

#include "cache.h"
#include "feed.h"
#include "http.h"
#include "limiter.h"
#include "dbwatch.h"
#include "pool.h"
#include "web.h"

typedef struct {
    pool_t *pool;
    feed_t *feed;            /* GET /api/v1/events */
    cache_t *cache;          /* routing's reads while nothing changed */
    cache_t *filing;         /* Open311 api keys and category names (open311.c) */
    cache_t *principals;     /* who each live session or API token is (auth.h) */
    dbwatch_t *watch;        /* the tables of both: their changes (dbwatch.h) */
    web_t *web;              /* the console's files (every path outside /api/, /open311/) */
    limiter_t *per_address;  /* every request, by the client's address */
    limiter_t *per_person;   /* every request, by who it proved to be */
    limiter_t *logins;       /* login attempts, by address and by person */
    int timeout_ms;          /* for a service's answer */
    int64_t session_ttl_ms;
    int64_t login_code_ttl_ms; /* how long a login code lives (logincode.h) */
    int secure_cookie;       /* behind TLS: the cookie says Secure */
    _Atomic uint64_t requests, refused, logins_failed;
} gateway_t;

/* The HTTP handler: every request to the gateway. */
void api_handle(const http_req_t *req, http_res_t *res, void *gateway);

#endif
