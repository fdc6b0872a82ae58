/* who: the person behind a command and what they may do in a matter — live
 * in its scope (居民), sit on its community's committee (居委会), or on its
 * supervision committee (监督委员会). */
#ifndef DELIB_WHO_H
#define DELIB_WHO_H

#include "delib.h"

typedef struct {
    int64_t person_id;
    const char *code;       /* borrowed from the envelope */
    int resident, adult, household_rep, representative;
    int64_t grid_id, community_id;
    char unit_kind[24];     /* "" when the actor names no unit */
    int64_t unit_area_id, unit_community_id;
} who_t;

/* The matter fields the checks need. */
typedef struct {
    int64_t id;
    char scope[12];
    int64_t area_id, community_id;
    char step[16];
    int convene_required;
    int64_t window_until_ms;
} matter_ref_t;

/* Resolves the envelope's actor: the person must exist; a unit, when named,
 * must have them as a member. Returns 0, or -1 with NO_ACTOR, UNKNOWN_PERSON
 * or NOT_A_MEMBER. */
int who_load(delib_t *d, const Gov__Actor *actor, who_t *out, apperr_t *err);

/* 1 when the person is an adult resident of the matter's grid or community. */
int who_in_scope(const who_t *w, const matter_ref_t *m);

/* 1 when the actor acts for the residents' committee of the matter's community. */
int who_committee(const who_t *w, const matter_ref_t *m);

/* 1 when the actor acts for the supervision committee of the matter's community. */
int who_supervisor(const who_t *w, const matter_ref_t *m);

/* Refusals in one place: -1 with OUTSIDE_SCOPE / NOT_COMMITTEE / NOT_SUPERVISOR. */
int who_require_scope(const who_t *w, const matter_ref_t *m, apperr_t *err);
int who_require_committee(const who_t *w, const matter_ref_t *m, apperr_t *err);
int who_require_supervisor(const who_t *w, const matter_ref_t *m, apperr_t *err);

#endif
