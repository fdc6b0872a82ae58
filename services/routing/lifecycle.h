/* lifecycle: the commands on a dispatch and the state machine they obey.
 *
 *   sent ──sign──▶ signed ──arrive──▶ arrived ──resolve──▶ resolved
 *     │              │ └────────resolve (no arrival required)──▶ resolved
 *     └──return──────┴──▶ returned   (to the next rule's owner, or the centre)
 *   sent/signed/arrived ──reassign (centre)──▶ reassigned (a new dispatch)
 *   sent/signed/arrived ──release (whistle caller)──▶ released
 *   signed/arrived ──pass up (上报, a grid team)──▶ passed_up (the community's dispatch)
 *   progress notes (contacted: the reporter was reached) at any time before
 *   resolution.
 *
 * Each command is by a member of the dispatch's unit (the centre for
 * reassign, the whistle's caller for release), runs in one transaction with
 * its log line, event and follow-ups (the next owner, the evaluation request,
 * the whistle closing), and is refused with a clear error otherwise. */
#ifndef ROUTING_LIFECYCLE_H
#define ROUTING_LIFECYCLE_H

#include <stdint.h>

#include "routing.h"


/* Applies the command in `env` (its type; `msg`, its payload, decoded by the
 * caller) inside the caller's transaction. On success returns 0 with the dispatch in out->ids[0] and,
 * for a return, a reassignment or a 上报, the dispatch that took the work over in
 * out->ids[1] (else 0). Otherwise -1 with `err` set; the caller rolls back. */
int lifecycle_apply(routing_t *r, const Gov__Envelope *env, const ProtobufCMessage *msg,
                    idem_answer_t *out, apperr_t *err);

#endif
