/* submit: SubmitCase, many at a time.
 *
 * A batch of requests drained from the socket is validated, then every valid
 * one runs intake_submit() in one pipelined transaction, its event goes into
 * the outbox in the same transaction, and only after COMMIT does anyone get an
 * answer: an accepted case is durable. If the batch fails as a whole (a
 * database error), each request is retried alone, so one bad request cannot
 * sink the others. */
#ifndef INTAKE_SUBMIT_H
#define INTAKE_SUBMIT_H

#include <libpq-fe.h>

#include "rpcsrv.h"

typedef struct {
    double merge_distance_m;
    int merge_window_hours;
} submit_config_t;

/* Answers every request in `reqs` (all of type SubmitCase) and frees them.
 * Returns the number of events written to the outbox, or -1 if the database
 * failed (every request was then answered with DB_UNAVAILABLE or its own
 * error). */
int submit_batch(PGconn *conn, rpcsrv_t *srv, const submit_config_t *cfg, rpc_req_t **reqs,
                 size_t n);

#endif
