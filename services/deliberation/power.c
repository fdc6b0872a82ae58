#include "power.h"

#include <stddef.h>
#include <string.h>

static int s_in(const char *word, const char *const *list)
{
    for (; *list; list++)
        if (strcmp(word, *list) == 0)
            return 1;
    return 0;
}

const char *power_flag_owner(const char *kind, const char *review_unit)
{
    static const char *const unflaggable[] = {"flag", "flag_answered", "observation",
                                              "execution_rated", NULL};
    static const char *const execution[] = {"acting", "progress", "work_done",
                                            "departments_summoned", "departments_done",
                                            "reopened", NULL};
    if (!kind || !*kind || s_in(kind, unflaggable))
        return NULL;
    if (s_in(kind, execution))
        return POWER_EXECUTOR;
    if (strcmp(kind, "reviewed") == 0 && review_unit && strcmp(review_unit, POWER_EXECUTOR) == 0)
        return POWER_EXECUTOR;
    return POWER_PARTY;
}

int power_council_size_ok(long n)
{
    return n >= POWER_COUNCIL_MIN && n <= POWER_COUNCIL_MAX;
}

int power_reopen(long satisfied, long basic, long dissatisfied, int reopened)
{
    long all = satisfied + basic + dissatisfied;
    return !reopened && all > 0 && dissatisfied * 2 > all;
}

const char *power_window_of(const char *step)
{
    if (strcmp(step, "discussing") == 0)
        return "opinions";
    if (strcmp(step, "published") == 0)
        return "notice";
    if (strcmp(step, "evaluating") == 0)
        return "evaluation";
    return NULL;
}
