/* api: the deliberation service's requests. Commands of one batch run in one
 * transaction, each inside its own savepoint, so a refused command changes
 * nothing and the rest still commit together; they are answered after COMMIT.
 * A retried command (same message id) is answered without running again (idem.c).
 * Reads (GetMatter, ListMatters, GetRecord, VerifyMatter, CheckReceipt,
 * GetLists, GetOrder, ListOrders) are answered outside it. */
#ifndef DELIB_API_H
#define DELIB_API_H

#include "delib.h"
#include "rpcsrv.h"

void api_batch(delib_t *d, rpcsrv_t *srv, rpc_req_t **reqs, size_t n);

#endif
