/* pool: the gateway's workers. Each holds what one request needs and must
 * not share — a database connection with its prepared statements, and a
 * DEALER to each service — and belongs to one HTTP thread at a time (taken
 * and given back under a mutex, which is the fence ZeroMQ asks for when a
 * socket changes threads). A request waits for a free worker. */
#ifndef GOV_GATEWAY_POOL_H
#define GOV_GATEWAY_POOL_H

#include <libpq-fe.h>

#include "pstmt.h"
#include "rpccli.h"

/* GW_NOTIFY only texts login codes (logincode.h). */
typedef enum { GW_INTAKE, GW_ROUTING, GW_DELIBERATION, GW_NOTIFY, GW_SERVICES } gw_service_t;

typedef struct {
    PGconn *conn;
    pstmt_t *sql;
    rpccli_t *cli[GW_SERVICES];
} worker_t;

typedef struct pool pool_t;

/* `n` workers on `db_url` and the services' `endpoints`; `zctx` borrowed.
 * Returns 0 and sets `*out`, or -1 after logging. */
int pool_new(void *zctx, const char *db_url, const char *const endpoints[GW_SERVICES], unsigned n,
             pool_t **out);

worker_t *pool_take(pool_t *p);
void pool_give(pool_t *p, worker_t *w);

/* Once no request runs any more. NULLs; safe on NULL. */
void pool_destroy(pool_t **self_p);

#endif
