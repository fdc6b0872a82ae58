/* plan: who must hear what. For one event of the routing or intake stream,
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
 *
 * The reporter's phone is in full only in direct messages to the members of
 * the unit the dispatch is assigned to; robots and everyone else see it
 * masked. Non-urgent messages to people wait out their quiet hours; messages
 * about an emergency (an 应急哨, or a case marked emergency) go at once. */
#ifndef NOTIFY_PLAN_H
#define NOTIFY_PLAN_H

#include <libpq-fe.h>
#include <stdint.h>

#include "envelope.h"

/* Writes the deliveries of `event` on `conn` (in the caller's transaction)
 * at `now_ms`. Events nobody must hear about write nothing. Returns the
 * number of deliveries planned, or -1 after logging. */
int plan_event(PGconn *conn, const Gov__Envelope *event, int64_t now_ms);

/* The Digest template rendered for `n` merged messages, one line per item.
 * Sets `*subject` and `*body` (the caller frees both). Returns 0 or -1. */
int plan_digest(PGconn *conn, const char *const *items, size_t n, char **subject, char **body);

#endif
