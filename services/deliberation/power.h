/* power: who holds which power over a matter under "1+3" (seed 000: 社区党委
 * 行使领导权、居民代表会议行使决策权、居委会行使执行权、监督委员会行使监督评判权)
 * and the 村务商议团 (seed 002), as pure decisions with no I/O, tested apart
 * (tests/unit/test_power.c). The checks that read the actor are in who.c. */
#ifndef DELIB_POWER_H
#define DELIB_POWER_H

/* The unit kinds of the bodies. */
#define POWER_PARTY "party_committee" /* 社区党委: accepts, convenes, publishes, answers */
#define POWER_EXECUTOR "community"    /* 居委会: executes (acts, reports progress) */
#define POWER_SUPERVISION "supervision" /* 监督委员会: flags, rates the execution */

/* The council's size (seed 002: 7至9个村民代表). */
#define POWER_COUNCIL_MIN 7
#define POWER_COUNCIL_MAX 9

/* The body that owns the step a record of `kind` is, and so answers a flag
 * on it: the residents' committee for the execution (acting, progress,
 * work_done, departments_summoned, departments_done, reopened) and its own
 * review; the party committee for everything else it leads (acceptance,
 * meetings and their votes, the 公示, the windows). `review_unit` is the unit
 * kind a "reviewed" record names ("" otherwise). NULL for the supervision's
 * own records (flag, flag_answered, observation, execution_rated), which
 * cannot be flagged. */
const char *power_flag_owner(const char *kind, const char *review_unit);

/* 1 when a council of `n` members may be elected. */
int power_council_size_ok(long n);

/* 1 when the evaluations close with the matter's execution reopened: the
 * dissatisfied are more than half of those who evaluated, and it was not
 * reopened before (it is reopened once). No evaluations: 0. */
int power_reopen(long satisfied, long basic, long dissatisfied, int reopened);

/* The window that ends step `step` ("opinions", "notice", "evaluation"), or
 * NULL when the step has none: what to close when a hold on the matter is
 * lifted after its window ended. */
const char *power_window_of(const char *step);

#endif
