/* supervise: the supervision committee's 监督评判权 (seed 000) — it flags a
 * step as irregular, which holds the matter until the body that owns the step
 * answers (both in the chain; the flags are published with the 公示), and it
 * rates the execution. */
#ifndef DELIB_SUPERVISE_H
#define DELIB_SUPERVISE_H

#include "steps.h"

/* FlagMatter: record_n names the flagged step; its owner (power_flag_owner)
 * must answer. NOT_SUPERVISOR, UNKNOWN_RECORD, FLAG_TARGET, MISSING_TEXT. */
int supervise_flag(delib_t *d, const Gov__Envelope *env, const ProtobufCMessage *msg,
                   delib_result_t *out, apperr_t *err);

/* AnswerFlag: by the owning body (NOT_PARTY_COMMITTEE or NOT_COMMITTEE for
 * another); UNKNOWN_FLAG, ALREADY_ANSWERED. The last answer lifts the hold
 * (steps_release). */
int supervise_answer(delib_t *d, const Gov__Envelope *env, const ProtobufCMessage *msg,
                     delib_result_t *out, apperr_t *err);

/* RateExecution: while the matter is evaluated, once per round
 * (ALREADY_RATED); BAD_RATING. */
int supervise_rate(delib_t *d, const Gov__Envelope *env, const ProtobufCMessage *msg,
                   delib_result_t *out, apperr_t *err);

#endif
