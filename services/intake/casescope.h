/* casescope: which cases an actor may read through GetCase and ListCases,
 * and how much of the people in them.
 *
 * Personal data (the reporter's and every caller's name and phone) goes
 * only to those who need it:
 *
 *   - no actor, or the operator acting for no unit (govctl, trusted
 *     processes; only keys allowed to act for people can name an actor at
 *     all, common/curve.h): every case, in full;
 *   - the dispatch centre: every case, in full (the 12345 centre calls
 *     reporters back);
 *   - a grid team, a community or a street office: the cases inside its
 *     area, in full; any other case is "not found";
 *   - a department: every case, in full when it is the case's lead unit
 *     (the one routing sent its lead dispatch to: it calls the reporter),
 *     its people masked otherwise (names "", phones as 138****1234);
 *   - the leadership, a supervision committee, or a unit of any other kind:
 *     every case, its people masked (they oversee, they do not call);
 *   - the public (role "public" with no unit: the gateway's Open311 reads):
 *     every case, its people masked;
 *   - a person acting for no unit (a resident): the cases where their phone
 *     (people.phone) is the reporter's or a caller's, with the other people
 *     in them masked; none when they have no phone.
 *
 * A unit the actor is not a member of is refused (NOT_A_MEMBER). */
#ifndef INTAKE_CASESCOPE_H
#define INTAKE_CASESCOPE_H

#include <libpq-fe.h>
#include <stddef.h>

#include "apperr.h"
#include "envelope.pb-c.h"
#include "intake.pb-c.h"

typedef enum {
    CASESCOPE_ALL,    /* every case, in full */
    CASESCOPE_AREA,   /* the cases whose area path holds `area`, in full */
    CASESCOPE_MASKED, /* every case, its people masked */
    CASESCOPE_OWN,    /* the cases `phone` reported or called about; others' data masked */
    CASESCOPE_NONE    /* no case */
} casescope_kind_t;

typedef struct {
    casescope_kind_t kind;
    char area[128]; /* CASESCOPE_AREA: the unit's area code */
    char phone[64]; /* CASESCOPE_OWN: the person's phone */
    char unit[64];  /* CASESCOPE_MASKED: the unit's code (its own cases are in full) */
} casescope_t;

/* The rule: `actor` (may be NULL) acting for a unit of kind `unit_kind`
 * whose area is `unit_area`, the person's phone being `phone` (each "" when
 * unknown or none; NULL is taken as ""). A unit of unknown kind (""), a
 * territorial unit with no area, and a person with no phone see nothing; so
 * does one whose area code or phone does not fit the scope. The rule does
 * not check membership: casescope_of() does. */
casescope_t casescope_rule(const Gov__Actor *actor, const char *unit_kind, const char *unit_area,
                           const char *phone);

/* The scope of `actor`, read with one query on `conn` (its unit's kind and
 * area, the person's membership of it, and their phone) — none for a
 * trusted process or the operator acting for no unit. Returns 0, or -1 with
 * `err` set: NOT_A_MEMBER when the actor names a unit they are not a member
 * of (or no such unit), DB_UNAVAILABLE. */
int casescope_of(PGconn *conn, const Gov__Actor *actor, casescope_t *out, apperr_t *err);

/* 1 when `s` may read case `c`: for CASESCOPE_AREA, one of its area path's
 * codes is the scope's area; for CASESCOPE_OWN, its reporter's or one of its
 * callers' phones is the scope's phone (only the callers `c` holds are
 * looked at: GetCase's case has them all). 0 otherwise. */
int casescope_sees(const casescope_t *s, const Gov__Case *c);

/* Masks the people of case `c`, whose lead unit is `lead_unit` ("" or NULL:
 * none yet), as `s` requires: for CASESCOPE_MASKED, the reporter and every
 * caller, unless the scope's unit is the lead unit; for CASESCOPE_OWN, those
 * whose phone is not the scope's; nothing for the other kinds. A masked name becomes "" (a static
 * string), a masked phone a copy made by text_mask_phone() in one
 * block put in `*storage` (NULL when nothing was copied), which the caller
 * frees after `c` is no longer used. Returns 0, or -1 when out of memory
 * (then `c` is left unmasked, `*storage` NULL, and must not be sent). */
int casescope_mask(const casescope_t *s, Gov__Case *c, const char *lead_unit, char **storage);

/* 1 when case `c` as `s` shows it (lead unit `lead_unit`) carries someone
 * else's name or phone in full — a read the audit log records (piilog.h):
 * a non-empty name or phone that casescope_mask() leaves as it is. A
 * resident's own contact is theirs, not logged. 0 otherwise. */
int casescope_shows_contact(const casescope_t *s, const Gov__Case *c, const char *lead_unit);

#endif
