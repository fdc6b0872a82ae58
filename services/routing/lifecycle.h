/* lifecycle: the commands on a dispatch and the state machine they obey.
 *
 *   sent ──sign──▶ signed ──arrive──▶ arrived ──resolve──▶ resolved
 *     │              │ └────────resolve (no arrival required)──▶ resolved
 *     └──return──────┴──▶ returned   (to the next rule's owner, or the centre)
 *   sent/signed/arrived ──reassign (centre)──▶ reassigned (a new dispatch)
 *   sent/signed/arrived ──release (whistle caller)──▶ released
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

/* 1 if `type` is a dispatch command this module answers. */
int lifecycle_handles(const char *type);

/* Applies the command in `env` (type and payload). On success returns 0 with
 * the dispatch in `*dispatch_id` and, for a return or a reassignment, the
 * dispatch that took the work over in `*next_id` (else 0). Otherwise -1 with
 * `err` set and nothing changed. */
int lifecycle_apply(routing_t *r, const Gov__Envelope *env, int64_t *dispatch_id,
                    int64_t *next_id, apperr_t *err);

#endif
