/* match: who owns each new case, decided for a whole batch at once without
 * touching the database. The caller loads the enabled rules (in the order
 * they are tried: rank, then id) and, for each case, the facts a rule looks
 * at — its category, the areas holding it, the teams of those areas and its
 * dispatch centre — and gets one decision per case: the first rule that
 * matches and has an owner (with its assisting units), else the centre
 * (兜底), else nobody. A returned case is matched again with the units that
 * have led it passed over (rules_route_next); the centre takes it back even
 * from a unit that returned it. */
#ifndef ROUTING_MATCH_H
#define ROUTING_MATCH_H

#include <stddef.h>
#include <stdint.h>

/* The tier a rule sends to: a team of the case's own grid, community or
 * street, or a named department. */
typedef enum { MATCH_GRID, MATCH_COMMUNITY, MATCH_STREET, MATCH_DEPARTMENT } match_tier_t;

/* One enabled rule. Strings and arrays are borrowed. */
typedef struct {
    int64_t id;
    const char *category_kind;    /* NULL: any */
    const char *category_subject; /* NULL: any */
    int64_t area_id;              /* 0: anywhere */
    match_tier_t tier;
    int64_t lead_unit_id;         /* the department (MATCH_DEPARTMENT only) */
    const int64_t *assists;       /* assisting units (协办) */
    size_t n_assists;
    int on_site;
} match_rule_t;

/* What a rule needs to know about a case. Strings and arrays are borrowed. */
typedef struct {
    const char *category;   /* "kind.subject" */
    const int64_t *path;    /* area ids, district first (empty: unplaced) */
    size_t n_path;
    int64_t team[3];        /* the grid team, community and street office of the
                             * case's areas (index by match_tier_t), 0 none */
    int64_t centre;         /* its dispatch centre, 0 none */
    const int64_t *led;     /* units that have led it: no rule sends it to them again */
    size_t n_led;
} match_case_t;

typedef enum {
    MATCH_BY_RULE,   /* `rule` names the rule; `unit_id` its owner for this case */
    MATCH_TO_CENTRE, /* no rule has an owner for it: the centre assigns by hand */
    MATCH_NOBODY     /* no rule and no centre: it cannot be routed */
} match_how_t;

typedef struct {
    match_how_t how;
    const match_rule_t *rule; /* MATCH_BY_RULE only: points into the rules given */
    int64_t unit_id;          /* the lead's unit (0 for MATCH_NOBODY) */
    int on_site;
} match_decision_t;

/* Decides case `c` against `rules` (n of them, in the order they are tried). */
match_decision_t match_case(const match_case_t *c, const match_rule_t *rules, size_t n);

/* Decides `n_cases` cases, out[i] for cases[i]. */
void match_batch(const match_case_t *cases, size_t n_cases, const match_rule_t *rules,
                 size_t n_rules, match_decision_t *out);

#endif
