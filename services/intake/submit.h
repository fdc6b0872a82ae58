/* submit: SubmitCase, many at a time.
 *
 * A batch of requests drained from the socket is validated, then served in
 * one transaction of three pipelined round trips: (1) lock the categories
 * and look every submission up — its idempotency key, category and the open
 * cases near it (the point is placed on intake's copy of the map, areamap.c,
 * and distances are measured here, spheroid.c); (2) take ids for the new cases; (3) write cases,
 * callers, idempotency records and events, and COMMIT. Decisions (replay,
 * refusal, merge, new case) are made here in order, so a submission sees the
 * ones before it in the same batch. Only after COMMIT does anyone get an
 * answer: an accepted case is durable. If the batch fails as a whole (a
 * database error), each request is retried alone, so one bad request cannot
 * sink the others. The statements are in queries.h; docs/intake.md has the
 * rules. */
#ifndef INTAKE_SUBMIT_H
#define INTAKE_SUBMIT_H

#include <libpq-fe.h>

#include "areamap.h"
#include "rpcsrv.h"

typedef struct {
    double merge_distance_m;
    int merge_window_hours;
} submit_config_t;

/* Answers every request in `reqs` (all of type SubmitCase) and frees them.
 * `*map` is the service's copy of the map: NULL at first, read (or read
 * again, when the areas changed) inside the batch's transaction; the caller
 * destroys it at the end.
 * Returns the number of events written to the outbox, or -1 if the database
 * failed (every request was then answered with DB_UNAVAILABLE or its own
 * error). */
int submit_batch(PGconn *conn, rpcsrv_t *srv, const submit_config_t *cfg, areamap_t **map,
                 rpc_req_t **reqs, size_t n);

#endif
