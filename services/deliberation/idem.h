/* idem: every command is idempotent by its message id. The first time, what
 * the command produced (its delib_result_t) is stored with a digest of the
 * request; a retry with the same id and the same request is answered from
 * that, without running again; the same id with a different request is
 * refused (IDEMPOTENCY_CONFLICT). A secret ballot's receipt is not kept: a
 * retried secret vote is answered without it (the first answer had it). */
#ifndef DELIB_IDEM_H
#define DELIB_IDEM_H

#include "steps.h"

/* Looks the request up inside the caller's transaction. Returns 1 with `out`
 * filled (a replay), 0 when it is new (or has no message id), -1 with `err`
 * set (a conflict, or the database failed). */
int idem_lookup(delib_t *d, const Gov__Envelope *env, delib_result_t *out, apperr_t *err);

/* Records that the request produced `res`, in the caller's transaction.
 * 0 or -1 with `err` set. */
int idem_store(delib_t *d, const Gov__Envelope *env, const delib_result_t *res, apperr_t *err);

#endif
