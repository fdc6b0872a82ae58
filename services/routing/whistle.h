/* whistle: 吹哨. A street office or community summons departments to a place
 * within its own area, for a case or a new event; each department gets its
 * own dispatch (role summoned, arrival required) with sign-by and arrive-by
 * deadlines from the policy of the whistle's kind (routine 日常哨, hard
 * 攻坚哨, emergency 应急哨). The whistle shows who has reported and who has
 * not, and closes when no dispatch is open any more (resolved, released by
 * the caller, or returned). Then both sides rate each other (双考核). */
#ifndef ROUTING_WHISTLE_H
#define ROUTING_WHISTLE_H

#include <libpq-fe.h>
#include <stdint.h>

#include "areapath.h"
#include "dispatchmsg.h"
#include "routing.h"
#include "routing.pb-c.h"

/* A gov.Whistle with its dispatches, and the storage it borrows. */
typedef struct {
    Gov__Whistle msg;
    Gov__Point point;
    areapath_t path;
    dispatchmsg_t *dispatches;
    Gov__Dispatch **ptrs;
    char **reported, **not_reported;
    PGresult *res, *dres;
    int64_t caller_unit_id;
} whistlemsg_t;

/* Loads whistle `id` into `view`. Returns 1, 0 when there is none, or -1
 * with `err` set. Clear the view in every case. */
int whistlemsg_load(routing_t *r, int64_t id, whistlemsg_t *view, apperr_t *err);
void whistlemsg_clear(whistlemsg_t *view);

/* Blows the whistle in `env` (a BlowWhistle by a member of a street office
 * or community) inside the caller's transaction. Returns 0 with the whistle
 * in out->ids[0], or -1 with `err` set (the caller rolls back). */
int whistle_blow(routing_t *r, const Gov__Envelope *env, const ProtobufCMessage *msg,
                 idem_answer_t *out, apperr_t *err);

/* As whistle_blow for an already decoded request, inside the caller's open
 * transaction (a subscriber's); nothing is committed or rolled back here. */
int64_t whistle_blow_in(routing_t *r, const Gov__Envelope *env, const Gov__BlowWhistle *m,
                        apperr_t *err);

/* Closes whistle `id` if none of its dispatches is open, announcing
 * WhistleClosed; in the caller's transaction. Returns 0 or -1 with `err`. */
int whistle_maybe_close(routing_t *r, int64_t id, const Gov__Actor *actor, const char *trace_id,
                        apperr_t *err);

/* Records a RateWhistle inside the caller's transaction: the caller's score
 * for a department (1–5), or a department's flag on the whistle. Only on a
 * closed whistle, once per side and dispatch. Returns 0 with the whistle and
 * dispatch in out->ids[0..1] and the direction ("caller" or "department") in
 * out->note, or -1 with `err` set (the caller rolls back). */
int whistle_rate(routing_t *r, const Gov__Envelope *env, const ProtobufCMessage *msg,
                 idem_answer_t *out, apperr_t *err);

#endif
