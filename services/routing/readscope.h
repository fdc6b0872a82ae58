/* readscope: which dispatches and whistles an actor may read. A department,
 * a grid team, a street office or a community sees its own unit's
 * dispatches, and the whistles it blew or was summoned by; the dispatch
 * centre and the district leadership see all; a person acting for no unit
 * (a resident) sees none. Another unit's dispatch is "not found", so ids
 * tell nothing. A request with no actor comes from a trusted process (only
 * keys allowed to act for people can name one, common/curve.h), as does the
 * operator's govctl (role operator, no unit): they see all.
 *
 * The reporter in a dispatch is personal data (docs/privacy.md): read in
 * full only by those who call the reporter — the unit the dispatch is sent
 * to, the dispatch centre — and by trusted processes; masked for everyone
 * else who sees the dispatch (the leadership), and in every list (a queue
 * shows 138****1234; opening the dispatch shows the number, and the read is
 * logged, piilog.h). */
#ifndef ROUTING_READSCOPE_H
#define ROUTING_READSCOPE_H

#include "routing.h"

typedef enum { READSCOPE_ALL, READSCOPE_UNIT, READSCOPE_NONE } readscope_kind_t;

typedef struct {
    readscope_kind_t kind;
    char unit[64]; /* READSCOPE_UNIT: the unit's code */
    int contact;   /* READSCOPE_ALL: reads every dispatch's reporter in full */
} readscope_t;

/* The rule: `actor` acting for a unit of kind `unit_kind` ("" when it names
 * no unit). */
readscope_t readscope_rule(const Gov__Actor *actor, const char *unit_kind);

/* The scope of `actor`, its unit's membership checked. Returns 0, or -1 with
 * `err` set (NOT_A_MEMBER, DB_UNAVAILABLE). */
int readscope_of(routing_t *r, const Gov__Actor *actor, readscope_t *out, apperr_t *err);

/* 1 when `s` reads the reporter of a dispatch sent to unit `dispatch_unit`
 * in full: a scope with `contact` (the centre, trusted processes), or the
 * dispatch's own unit. 0 otherwise, and for NULL `s`. */
int readscope_contact(const readscope_t *s, const char *dispatch_unit);

/* 1 when routing's event `type` refers to the dispatch's reporter
 * (Dispatch.contact_ref, "case:<id>"): only those whose subscriber (notify)
 * tells the unit that must call them — DispatchSent, DeadlineReminder,
 * DeadlineEscalated, WhistleBlown; and EvaluationRequested, whose
 * subscriber texts the reporter. No event carries the reporter itself: the
 * subscriber asks intake (GetContacts), which allows only routing's and
 * notify's keys and logs the read; a reader asks routing (GetDispatch) or
 * intake (GetCase), which decide and log. */
int readscope_event_contact(const char *type);

#endif
