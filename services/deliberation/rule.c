#include "rule.h"

#include <stdio.h>
#include <string.h>

int rule_parse(const char *text, rule_t *out)
{
    if (!text || text[0] != '>')
        return -1;
    int strict = text[1] != '=';
    const char *p = text + (strict ? 1 : 2);
    long long num, den;
    int used = 0;
    if (p[0] < '0' || p[0] > '9' || sscanf(p, "%lld/%lld%n", &num, &den, &used) != 2 ||
        p[used] != '\0' || den <= 0 || num < 0 || num > den || den > 1000000)
        return -1;
    if (!strict && num == 0)
        return -1; /* ">=0/d" holds of anything, no one present included */
    *out = (rule_t){strict, num, den};
    return 0;
}

int rule_met(const rule_t *rule, int64_t count, int64_t whole)
{
    if (whole <= 0 || count < 0)
        return 0;
    /* count / whole (>|>=) num / den, without division. */
    int64_t lhs = count * rule->den, rhs = rule->num * whole;
    return rule->strict ? lhs > rhs : lhs >= rhs;
}

int64_t rule_needed(const rule_t *rule, int64_t whole)
{
    if (whole <= 0)
        return whole + 1;
    int64_t k = rule->strict ? rule->num * whole / rule->den + 1
                             : (rule->num * whole + rule->den - 1) / rule->den;
    return k > whole ? whole + 1 : k;
}

tally_outcome_t rule_decide(const rule_t *quorum, const rule_t *majority, int64_t roster,
                            int64_t attended, int64_t yes)
{
    if (!rule_met(quorum, attended, roster))
        return TALLY_NO_QUORUM;
    return rule_met(majority, yes, attended) ? TALLY_PASSED : TALLY_REJECTED;
}
