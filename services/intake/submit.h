/* submit: SubmitCase, many at a time.
 *
 * A request is decoded and validated on the loop thread (submit_admit), then
 * served with others in one transaction on a lane (submit_serve, lanes.c) of
 * two pipelined round trips: (1) lock the categories and look every
 * submission up — its idempotency key, category and the open cases near it
 * (the point is placed on the lane's copy of the map, areamap.c, and
 * distances are measured here, spheroid.c) — taking case ids for those that
 * look new; (2) write cases, callers, idempotency records and events, and
 * COMMIT. (When the ids taken fall short, one more round trip takes the rest.)
 * Decisions (replay, refusal, merge, new case) are made here in order, so a
 * submission sees the ones before it in the same batch. The answer is made
 * on the lane only after COMMIT, and sent on the loop thread
 * (submit_answer): an accepted case is durable. If the batch fails as a
 * whole (a database error), each request is tried again alone, so one bad
 * request cannot sink the others. The statements are in queries.h;
 * docs/intake.md has the rules. */
#ifndef INTAKE_SUBMIT_H
#define INTAKE_SUBMIT_H

#include <libpq-fe.h>

#include "apperr.h"
#include "areamap.h"
#include "intake.pb-c.h"
#include "rpcsrv.h"
#include "svclock.h"

typedef struct {
    double merge_distance_m;
    int merge_window_hours;
    const svclock_t *clock; /* the service's, borrowed: every time stored comes from it */
} submit_config_t;

/* One submission on its way. The fields are submit.c's; others only move
 * items around (by value) and read submit_category(). */
typedef struct {
    rpc_req_t *req;
    Gov__SubmitCase *msg;
    const char *key;
    uint8_t hash[32];           /* the request's digest (idem.h): what replays are compared by */
    apperr_t err;               /* the refusal; err.code NULL when there is none */
    uint8_t *reply;             /* the packed SubmitCaseReply, when accepted */
    size_t reply_len;
    int fresh;                  /* makes a new case */
    int merged, replayed;
    int target;                 /* the earlier item this one merges into or replays, or -1 */
    int64_t case_id;            /* known now for existing cases, after Q_NEXT_IDS for new */
    const areamap_area_t *area; /* new cases: where the point is, NULL for none */
    int callers;                /* the case's caller count after this submission */
    const char *status;         /* borrowed from the lookup result or static */
    const areapath_t *path;     /* borrowed from the map, for the reply and the event */
    int64_t created_ms;
    void *queued_by;            /* the queue's own bookkeeping (lanes.c); kept as is here */
} submit_item_t;

/* Loop thread. Decodes and validates `req`. Returns 0 with `*it` holding the
 * request (taken), or -1 after answering the refusal (BAD_PAYLOAD, a
 * validation code) and freeing the request. */
int submit_admit(rpcsrv_t *srv, rpc_req_t *req, submit_item_t *it);

/* The category an admitted item is in (borrowed from the item). */
const char *submit_category(const submit_item_t *it);

/* What a lane serves with: its own connection and copy of the map. */
typedef struct submit submit_t;

/* Connects to `db_url` (waiting up to 10 s for it). Returns 0 and sets
 * `*out`, or -1 after logging. The map is read by the first batch. */
int submit_new(const char *db_url, const submit_config_t *cfg, submit_t **out);

/* Lane thread. Readies the session and reads the map ahead of the first
 * batch, so the first requests do not wait for it. Returns 0, or -1 (logged;
 * the first batch tries again). */
int submit_warm(submit_t *self);

/* Lane thread. Serves `items` in one transaction, or each alone if that
 * fails; afterwards every item carries its answer (an accepted reply after
 * COMMIT, or a refusal, DB_UNAVAILABLE when the database failed). Returns
 * the number of events written to the outbox. */
int submit_serve(submit_t *self, submit_item_t *items, size_t n);

/* Loop thread. Sends the item's answer and clears it (the request is
 * freed). */
void submit_answer(rpcsrv_t *srv, submit_item_t *it);

/* Frees what the item holds without answering (shutdown) and zeroes it. */
void submit_item_clear(submit_item_t *it);

/* Closes the connection, frees the map and NULLs the pointer; safe on NULL. */
void submit_destroy(submit_t **self_p);

#endif
