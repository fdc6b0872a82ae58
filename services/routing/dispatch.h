/* dispatch: sending a piece of work to a unit, and announcing what happens to
 * it. A dispatch is sent with its deadlines (sign-by, contact-by, arrive-by,
 * resolve-by from the SLA policy, on the working-day calendar where the
 * policy says so) and the first step of its escalation ladder for each of
 * them (ladder.c writes each next step when the one before fires), all in the
 * caller's transaction. */
#ifndef ROUTING_DISPATCH_H
#define ROUTING_DISPATCH_H

#include <stddef.h>
#include <stdint.h>

#include "routing.h"

typedef struct {
    int64_t case_id;      /* 0 for a whistle about a new event */
    int64_t whistle_id;   /* 0 unless summoned by a whistle */
    int64_t unit_id;
    int64_t rule_id;      /* 0 when not chosen by a rule */
    int64_t policy_id;    /* 0: no deadlines */
    const char *role;     /* lead | assist | summoned */
    int on_site;          /* arrival required */
    int reopen;           /* sent again after a dissatisfied evaluation */
} dispatch_spec_t;

/* The deadlines a dispatch may have, in this order: sign-by, contact-by,
 * arrive-by, resolve-by (the ladder_steps.deadline names). */
#define DISPATCH_DEADLINES 4
extern const char *const dispatch_deadline_names[DISPATCH_DEADLINES];

/* The deadline named `name` (an index into dispatch_deadline_names), or -1. */
int dispatch_deadline_index(const char *name);

/* An SLA policy's spans as a dispatch has them. */
typedef struct {
    int64_t minutes[DISPATCH_DEADLINES]; /* 0: no such deadline */
    int working[DISPATCH_DEADLINES];     /* counted in working time (calendar.c) */
} dispatch_policy_t;

/* When a ladder step falls due, a pure function: `percent` of a deadline's
 * span of `minutes` after `sent_ms` (in working time on `cal` when `working`,
 * else calendar minutes), then `after_minutes` calendar minutes more. A step
 * at 100 % with no minutes after falls due at the deadline itself. */
int64_t dispatch_step_due(const calendar_t *cal, int64_t sent_ms, int64_t minutes, int working,
                          int64_t percent, int64_t after_minutes);

/* Drops the deadlines a dispatch does not have: no reporter to contact on a
 * whistle's new event (no case), no arrival unless required. */
void dispatch_policy_trim(dispatch_policy_t *p, int has_case, int on_site);

/* Inserts a dispatch sent now, its deadlines and the first ladder step of
 * each (arming the near ones), the 'sent' log line and a DispatchSent event, inside the open
 * transaction on r->conn. Returns the new id, or -1 with `err` set. */
int64_t dispatch_send(routing_t *r, const dispatch_spec_t *spec, const Gov__Actor *actor,
                      const char *trace_id, apperr_t *err);

/* Writes event `type` (a gov.DispatchEvent with the dispatch as it is now,
 * `text` and the media) to the outbox in the open transaction. Returns 0 or
 * -1 with `err` set. */
int dispatch_announce(routing_t *r, int64_t id, const char *type, const Gov__Actor *actor,
                      const char *trace_id, const char *text, char **media, size_t n_media,
                      apperr_t *err);

/* Appends to the dispatch's log. `actor` is a person code or "system:routing".
 * Returns 0 or -1 with `err` set. */
int dispatch_log(routing_t *r, int64_t id, int64_t at_ms, const char *action, const char *actor,
                 const char *text, char **media, size_t n_media, apperr_t *err);

/* The id a log line names for `actor` (NULL or empty: the service itself). */
const char *dispatch_actor_id(const Gov__Actor *actor);

#endif
