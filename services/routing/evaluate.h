/* evaluate: 回访评价. When a case's lead resolves it, the reporter (or the
 * centre's callback operator on their behalf) rates the result: satisfied,
 * basic (basically satisfied) or dissatisfied. Satisfied closes the case;
 * dissatisfied reopens it to the lead unit once, and after that sends it to
 * the dispatch centre. */
#ifndef ROUTING_EVALUATE_H
#define ROUTING_EVALUATE_H

#include <stdint.h>

#include "routing.h"

/* Applies the EvaluateCase in `env` inside the caller's transaction. Returns
 * 0 with the case in out->ids[0], the reopened dispatch (0 none) in
 * out->ids[1] and the case's new state in out->note; or -1 with `err` set
 * (the caller rolls back).
 * Who may evaluate: a resident whose actor id is the reporter's phone, or a
 * member of the dispatch centre. */
int evaluate_case(routing_t *r, const Gov__Envelope *env, const ProtobufCMessage *msg,
                  idem_answer_t *out, apperr_t *err);

#endif
