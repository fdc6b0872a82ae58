/* steps: a matter's way through 由民做主, one command each — propose and
 * co-sign (提事), accept or decline (受理), opinions (议事), publish and object
 * (公示), act and report progress (办事), evaluate (评事), and the supervision
 * committee's observations at any step. Meetings (定事) are meeting.c; the
 * primitives both are made of (lock, require, move, record) are matter.c.
 *
 * Every command runs in the caller's transaction, checks who acts and the
 * step the matter is in, writes, appends its entry to the matter's chain and
 * writes its event; a refusal returns -1 with `err` set and the caller rolls
 * back. */
#ifndef DELIB_STEPS_H
#define DELIB_STEPS_H

#include <jansson.h>

#include "delib.h"
#include "matter.h"
#include "who.h"

/* What a command produced, for its reply. */
typedef struct {
    int64_t matter_id;
    int64_t meeting_id;
    char receipt[65];
    int64_t item_id;      /* lists and orders: the need, project or order */
    int64_t community_id; /* lists and volunteers: the community */
    int secret;           /* a secret ballot's vote: its receipt is given once, never kept */
} delib_result_t;

typedef int (*delib_cmd_fn)(delib_t *d, const Gov__Envelope *env, const ProtobufCMessage *msg,
                            delib_result_t *out, apperr_t *err);

int steps_propose(delib_t *d, const Gov__Envelope *env, const ProtobufCMessage *msg,
                  delib_result_t *out, apperr_t *err);
int steps_amend(delib_t *d, const Gov__Envelope *env, const ProtobufCMessage *msg,
                delib_result_t *out, apperr_t *err);
int steps_cosign(delib_t *d, const Gov__Envelope *env, const ProtobufCMessage *msg,
                 delib_result_t *out, apperr_t *err);
int steps_accept(delib_t *d, const Gov__Envelope *env, const ProtobufCMessage *msg,
                 delib_result_t *out, apperr_t *err);
int steps_decline(delib_t *d, const Gov__Envelope *env, const ProtobufCMessage *msg,
                  delib_result_t *out, apperr_t *err);
int steps_opine(delib_t *d, const Gov__Envelope *env, const ProtobufCMessage *msg,
                delib_result_t *out, apperr_t *err);
int steps_publish(delib_t *d, const Gov__Envelope *env, const ProtobufCMessage *msg,
                  delib_result_t *out, apperr_t *err);
int steps_object(delib_t *d, const Gov__Envelope *env, const ProtobufCMessage *msg,
                 delib_result_t *out, apperr_t *err);
int steps_act(delib_t *d, const Gov__Envelope *env, const ProtobufCMessage *msg,
              delib_result_t *out, apperr_t *err);
int steps_progress(delib_t *d, const Gov__Envelope *env, const ProtobufCMessage *msg,
                   delib_result_t *out, apperr_t *err);
int steps_evaluate(delib_t *d, const Gov__Envelope *env, const ProtobufCMessage *msg,
                   delib_result_t *out, apperr_t *err);
int steps_observe(delib_t *d, const Gov__Envelope *env, const ProtobufCMessage *msg,
                  delib_result_t *out, apperr_t *err);

/* A window of matter `matter_id` closed (kind: closing, opinions, notice,
 * evaluation): moves the matter on if it is still in the window's step. In
 * the caller's transaction; 0 or -1 with `err` set. */
int steps_window_closed(delib_t *d, int64_t matter_id, const char *kind, apperr_t *err);

/* After an answer (to a flag or an objection) lifted a hold: when the step's
 * window ended meanwhile and nothing holds the matter any more, closes it now
 * as steps_window_closed would have. 0 or -1. */
int steps_release(delib_t *d, int64_t matter_id, apperr_t *err);

/* ObjectionAnswered: the party committee answers an objection of the 公示. */
int steps_answer_objection(delib_t *d, const Gov__Envelope *env, const ProtobufCMessage *msg,
                           delib_result_t *out, apperr_t *err);

/* Routing reported on the work a decision became: the whistle `whistle_id`
 * carrying out the matter (its matter_id) was blown (closed = 0) or closed
 * (closed = 1). */
int steps_whistle(delib_t *d, int64_t matter_id, int64_t whistle_id, int closed,
                  apperr_t *err);

#endif
