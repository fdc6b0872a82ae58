/* plan: who must hear what. For one event of the routing, intake or
 * deliberation stream,
 * inside the subscriber's transaction, plan writes one delivery per person
 * and channel (and per unit robot) with its rendered text:
 *
 *   DispatchSent        the members and robots of the unit it went to
 *   WhistleBlown        each summoned department's members and robots
 *   DeadlineReminder    the unit the step targets (the dispatch's own)
 *   DeadlineEscalated   the supervisor or centre it climbed to
 *   WhistleClosed       the caller, asking it to rate (双考核)
 *   CaseCreated         the reporter, by SMS: received (受理)
 *   EvaluationRequested the reporter, by SMS: resolved, please rate
 *   MatterAccepted, MatterDeclined (with the reason)    the proposer
 *   ConveneRequired, DiscussionClosing, MeetingClosed (the tally),
 *   DecisionPublished (公示, with the head hash)  the proposer and the
 *                       community committee's members and robots
 *   MeetingConvened     every member of the roster (会议通知) and the committee
 *   StepFlagged .. CouncilElected  the bodies of 1+3 they concern (docs/notify.md)
 *   Task*               五定: the people and units the TaskEvent names
 *   ServiceOrderPosted  the community's volunteers (派单)
 *   ServiceOrderClaimed, ServiceOrderDone   the resident who ordered
 *
 * The events carry a reference to a case's reporter (contact_ref), not the
 * number: the planner asks intake for them (GetContacts, contactcli.h) in
 * one request a batch (plan_prefetch), and when intake does not answer the batch fails and is
 * planned again. Events written before the references carry the reporter
 * and are planned from it.
 *
 * The reporter's phone is in full only in direct messages to the members of
 * the unit the dispatch is assigned to; robots and everyone else see it
 * masked. Non-urgent messages to people wait out their quiet hours; messages
 * about an emergency (an 应急哨, or a case marked emergency) go at once. */
#ifndef NOTIFY_PLAN_H
#define NOTIFY_PLAN_H

#include <libpq-fe.h>
#include <stdint.h>

#include "contactcli.h"
#include "envelope.h"

/* A planner for batches of events: it gathers the deliveries of every
 * event of a batch and writes them in one statement, and asks the
 * reference data (refs.h) once a batch. */
typedef struct plan plan_t;

/* NULL when out of memory. */
plan_t *plan_new(void);

/* The client the plan asks intake for reporters with (borrowed; used only on
 * the planning thread). Without one, an event that refers to a reporter fails. */
void plan_set_contacts(plan_t *plan, contactcli_t *contacts);

/* Starts a batch: forgets the reference data and any deliveries an earlier
 * batch gathered and did not write (it was rolled back). */
void plan_begin(plan_t *plan);

/* Before a batch's events are planned: asks intake once for every reporter
 * they refer to (contact_ref) and keeps the answers for the batch (an event
 * this misses is asked alone as it is planned). Returns 0, or -1 when intake
 * did not answer (logged; the caller rolls the batch back). */
int plan_prefetch(plan_t *plan, const Gov__Envelope *const *events, size_t n);

/* Gathers the deliveries of `event` at `now_ms`, reading reference data on
 * `conn` (in the caller's transaction). Events nobody must hear about
 * gather nothing. A big batch may be written before it ends. Returns the
 * number of deliveries gathered, or -1 after logging (the caller rolls the
 * batch back). */
int plan_event(plan_t *plan, PGconn *conn, const Gov__Envelope *event, int64_t now_ms);

/* Writes what the batch gathered on `conn` (in the caller's transaction);
 * deliveries whose key exists already (a replayed event) are skipped.
 * Returns 0 or -1 (logged; what was gathered is kept). */
int plan_write(plan_t *plan, PGconn *conn);

void plan_destroy(plan_t **self_p);

/* The Digest template rendered for `n` merged messages, one line per item.
 * Sets `*subject` and `*body` (the caller frees both). Returns 0 or -1. */
int plan_digest(PGconn *conn, const char *const *items, size_t n, char **subject, char **body);

#endif
