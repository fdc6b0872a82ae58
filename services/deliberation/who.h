/* who: the person behind a command and what they may do in a matter — live
 * in its scope (居民), or act for one of its community's "1+3" bodies (seed
 * 000): the party committee (社区党委, unit kind party_committee), the
 * residents' committee (居委会, kind community) or the supervision committee
 * (监督委员会, kind supervision). Which body holds which power: power.h. */
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
    int flags_open;          /* unanswered flags: the matter is held */
    int round;               /* the execution's round: 1, or 2 once reopened */
} matter_ref_t;

/* Resolves the envelope's actor: the person must exist; a unit, when named,
 * must have them as a member. Returns 0, or -1 with NO_ACTOR, UNKNOWN_PERSON
 * or NOT_A_MEMBER. */
int who_load(delib_t *d, const Gov__Actor *actor, who_t *out, apperr_t *err);

/* 1 when the person is an adult resident of the matter's grid or community. */
int who_in_scope(const who_t *w, const matter_ref_t *m);

/* 1 when the actor acts for the residents' committee of the matter's community. */
int who_committee(const who_t *w, const matter_ref_t *m);

/* 1 when the actor acts for the unit of kind `kind` of the matter's community. */
int who_acts_for(const who_t *w, const matter_ref_t *m, const char *kind);

/* 1 when the actor acts for the party committee of the matter's community. */
int who_party(const who_t *w, const matter_ref_t *m);

/* 1 when the actor acts for the supervision committee of the matter's community. */
int who_supervisor(const who_t *w, const matter_ref_t *m);

/* Refusals in one place: -1 with OUTSIDE_SCOPE / NOT_COMMITTEE / NOT_SUPERVISOR /
 * NOT_PARTY_COMMITTEE; who_require_body refuses with the code of body `kind`
 * (party_committee, community or supervision). */
int who_require_party(const who_t *w, const matter_ref_t *m, apperr_t *err);
int who_require_body(const who_t *w, const matter_ref_t *m, const char *kind, apperr_t *err);
int who_require_scope(const who_t *w, const matter_ref_t *m, apperr_t *err);
int who_require_committee(const who_t *w, const matter_ref_t *m, apperr_t *err);
int who_require_supervisor(const who_t *w, const matter_ref_t *m, apperr_t *err);

#endif
