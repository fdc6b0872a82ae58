#include "match.h"

#include <string.h>

/* Whether `category` ("kind.subject") has `part` as its kind (which 0) or
 * subject (which 1), as split_part(category, '.', which + 1) = part. */
static int s_part_is(const char *category, int which, const char *part)
{
    const char *dot = strchr(category, '.');
    const char *start = which == 0 ? category : dot ? dot + 1 : category + strlen(category);
    size_t len;
    if (which == 0)
        len = dot ? (size_t) (dot - category) : strlen(category);
    else {
        const char *next = dot ? strchr(start, '.') : NULL;
        len = next ? (size_t) (next - start) : strlen(start);
    }
    return strlen(part) == len && strncmp(start, part, len) == 0;
}

static int s_in(const int64_t *ids, size_t n, int64_t id)
{
    for (size_t i = 0; i < n; i++)
        if (ids[i] == id)
            return 1;
    return 0;
}

match_decision_t match_case(const match_case_t *c, const match_rule_t *rules, size_t n)
{
    match_decision_t d = {.how = MATCH_NOBODY};
    for (size_t i = 0; i < n; i++) {
        const match_rule_t *r = &rules[i];
        if (r->category_kind && !s_part_is(c->category, 0, r->category_kind))
            continue;
        if (r->category_subject && !s_part_is(c->category, 1, r->category_subject))
            continue;
        if (r->area_id && !s_in(c->path, c->n_path, r->area_id))
            continue;
        int64_t owner = r->tier == MATCH_DEPARTMENT ? r->lead_unit_id : c->team[r->tier];
        if (!owner || s_in(c->led, c->n_led, owner))
            continue; /* no such team where the case is, or it had the case: the next rule */
        d.how = MATCH_BY_RULE;
        d.rule = r;
        d.unit_id = owner;
        d.on_site = r->on_site;
        return d;
    }
    if (c->centre) {
        d.how = MATCH_TO_CENTRE;
        d.unit_id = c->centre;
    }
    return d;
}

void match_batch(const match_case_t *cases, size_t n_cases, const match_rule_t *rules,
                 size_t n_rules, match_decision_t *out)
{
    for (size_t i = 0; i < n_cases; i++)
        out[i] = match_case(&cases[i], rules, n_rules);
}
