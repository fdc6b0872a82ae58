/* newcases: intake's new cases, routed a batch at a time. The subscriber's
 * batch (everything the subscription has ready, up to NEWCASES_MAX) is
 * gathered here event by event and routed with a few set-based statements in
 * the subscriber's transaction, whatever its size: the cases are recorded
 * and their facts read in one statement, the rules read once and matched to
 * every case at once (match.c), and the dispatches, their ladder steps, their
 * 'sent' log lines and their DispatchSent events written one statement each.
 *
 * One case that cannot be routed does not hold the others back: a case no
 * rule and no dispatch centre takes is recorded and logged (NO_CENTRE), and
 * when a statement fails on the batch's data (SQLSTATE class 22 or 23) the
 * batch is rolled back to its savepoint and routed again a case at a time,
 * logging and skipping the cases that fail alone. Any other failure (the
 * connection, a deadlock) fails the whole batch, for the subscriber to retry.
 *
 * The events refer to their reporters (Case.contact_ref) rather than carry
 * them, with the phone masked beside (contact_hint): routing keeps the mask
 * for its queues and no copy of the reporter, so routing a batch asks no
 * other service anything; a unit that opens a dispatch gets the number from
 * intake then (reporters.h). */
#ifndef ROUTING_NEWCASES_H
#define ROUTING_NEWCASES_H

#include <stddef.h>
#include <stdint.h>

#include "envelope.h"
#include "routing.h"

/* The most cases routed with one set of statements. */
#define NEWCASES_MAX 500

typedef struct newcases newcases_t;

/* An empty batch, or NULL when out of memory. */
newcases_t *newcases_new(void);

/* Forgets the cases gathered (a batch begins, or one was rolled back). */
void newcases_reset(newcases_t *nc);

/* Adds intake's event `event` to the batch when it is a CaseCreated (other
 * types are ignored; a case already in the batch is added once). Returns the
 * number of cases gathered (NEWCASES_MAX: route them now), or -1 when the
 * event cannot be decoded or memory ran out (logged). */
int newcases_add(newcases_t *nc, const Gov__Envelope *event);

/* What newcases_route did. */
typedef struct {
    size_t routed;    /* new cases dispatched */
    size_t seen;      /* recorded before (a replayed event): left alone */
    size_t unrouted;  /* new cases that could not be routed (logged) */
} newcases_stats_t;

/* Routes the cases gathered in the open transaction on r->conn and forgets
 * them; adds what happened to `*stats`. Returns 0, or -1 when the batch must
 * be rolled back and retried (logged). The ladder steps are armed on
 * r->ladder (when set) once written. */
int newcases_route(newcases_t *nc, routing_t *r, newcases_stats_t *stats);

void newcases_destroy(newcases_t **self_p);

#endif
