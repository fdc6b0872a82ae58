/* rule: the thresholds of self-government, as data.
 *
 * A rule is a fraction of a whole with a comparison: ">1/2" is "more than
 * half", ">=2/3" is "at least two thirds". Quorums (who must attend), majorities
 * (who must agree) and the statutory trigger (who must co-sign) are all rules,
 * kept per community in deliberation_rules. Arithmetic is exact (integers), so
 * 5 of 10 is not more than half, and 2 of 3 is at least two thirds. */
#ifndef DELIB_RULE_H
#define DELIB_RULE_H

#include <stdint.h>

typedef struct {
    int strict;       /* 1: more than; 0: at least */
    int64_t num, den; /* den > 0, num <= den */
} rule_t;

/* Parses "(>|>=)N/D" with 0 <= N <= D, 0 < D <= 1000000, and N > 0 after
 * ">=" (at least none is no rule). Returns 0, or -1 (and `out` untouched)
 * for anything else. */
int rule_parse(const char *text, rule_t *out);

/* 1 when `count` of `whole` meets the rule, else 0. An empty whole (0) never
 * meets a rule: a meeting with nobody on its roster decides nothing. */
int rule_met(const rule_t *rule, int64_t count, int64_t whole);

/* The least count of `whole` that meets the rule (whole + 1 when none does). */
int64_t rule_needed(const rule_t *rule, int64_t whole);

/* What a closed meeting decided. */
typedef enum { TALLY_NO_QUORUM, TALLY_REJECTED, TALLY_PASSED } tally_outcome_t;

/* Quorum over the roster, then majority of yes over those attending. */
tally_outcome_t rule_decide(const rule_t *quorum, const rule_t *majority, int64_t roster,
                            int64_t attended, int64_t yes);

#endif
