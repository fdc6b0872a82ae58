/* rules: who owns a case. The routing_rules table (see 0003_routing.sql) is
 * read at every decision, so an edited rule applies to the next case without
 * a restart. A case goes to the first matching rule's owner, with the rule's
 * assisting units (协办) alongside; a returned case goes to the next matching
 * rule whose owner has not led it; when none is left, to the dispatch centre
 * (兜底), which alone may send it back to a unit that returned it. New cases
 * from intake are matched to the same rules a batch at a time (match.c,
 * newcases.c). */
#ifndef ROUTING_RULES_H
#define ROUTING_RULES_H

#include <stdint.h>

#include "match.h"
#include "routing.pb-c.h"
#include "routing.h"

/* The enabled rules, read once for a batch or a case, as match.c takes them. */
typedef struct {
    match_rule_t *rules; /* in the order they are tried */
    size_t n;
    PGresult *res;       /* the rows their strings borrow */
    int64_t *pool;       /* their assisting units */
} rules_enabled_t;

/* Reads the enabled rules into `out` (clear it with rules_enabled_clear, also
 * after a failure). Returns 0, or -1 with `sqlstate` set ("53200" out of
 * memory). */
int rules_enabled_load(routing_t *r, rules_enabled_t *out, char sqlstate[6]);
/* As rules_enabled_load, from the result `res` of Q_RULES_ENABLED run by the
 * caller (a pipeline's), which `out` then owns (also after a failure). */
int rules_enabled_from(PGresult *res, rules_enabled_t *out, char sqlstate[6]);
void rules_enabled_clear(rules_enabled_t *e);

/* Sends case `case_id` to its next owner by the rules, or to the centre, as a
 * new lead dispatch. Returns the new dispatch id, or -1 with `err` set. */
int64_t rules_route_next(routing_t *r, int64_t case_id, const Gov__Actor *actor,
                         const char *trace_id, int with_assists, apperr_t *err);

/* The dispatch centre responsible for area `area_id` (0: the first). Returns
 * its unit id, or -1 with `err` set. */
int64_t rules_centre(routing_t *r, int64_t area_id, apperr_t *err);

/* Applies the SetRule in `env` inside the caller's transaction: the
 * dispatch centre, or the admin (who keeps the rules, issue 13), turns rule
 * `rule_id` on or off. Returns 0 with the rule in
 * out->ids[0] and out->ids[1] 1 (on) or 0 (off), or -1 with `err` set
 * (NOT_CENTRE, NOT_FOUND). */
int rules_set(routing_t *r, const Gov__Envelope *env, const ProtobufCMessage *msg,
              idem_answer_t *out, apperr_t *err);

/* Every rule, in the order they are tried, for `actor` (a unit's member,
 * or a trusted process; a person of no unit is OUTSIDE_SCOPE), into `out`
 * (free it with rules_list_free). Returns 0, or -1 with `err`. */
int rules_list(routing_t *r, const Gov__Actor *actor, Gov__ListRulesReply *out, apperr_t *err);
void rules_list_free(Gov__ListRulesReply *out);

/* The SLA policy for case `case_id` (0 when none applies), or -1 with `err`. */
int64_t rules_case_policy(routing_t *r, int64_t case_id, apperr_t *err);

#endif
