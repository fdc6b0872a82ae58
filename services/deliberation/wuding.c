#include "wuding.h"

#include <stddef.h>
#include <string.h>

#define DAY_MINUTES 1440

const char *const wuding_types =
    "city_management community_governance renovation public_security civility other";

static int s_empty(const char *s)
{
    return !s || !s[0];
}

static int s_word_in(const char *word, const char *list)
{
    size_t n = strlen(word);
    for (const char *p = list; n && (p = strstr(p, word)); p += n)
        if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
            return 1;
    return 0;
}

const char *wuding_assign_refusal(const char *type, const char *owner_unit, const char *owner,
                                  const char *standard, int due_days)
{
    if (s_empty(type) || !s_word_in(type, wuding_types))
        return "BAD_TASK_TYPE";
    if (s_empty(owner_unit) || s_empty(owner))
        return "TASK_NO_OWNER";
    if (s_empty(standard))
        return "TASK_NO_STANDARD";
    if (due_days == 0)
        return "TASK_NO_DUE";
    if (due_days < 0 || due_days > WUDING_MAX_DAYS)
        return "BAD_DUE";
    return NULL;
}

int wuding_decided(const char *step)
{
    return step && (strcmp(step, "approved") == 0 || strcmp(step, "acting") == 0);
}

const char *wuding_report_refusal(const char *state)
{
    return state && strcmp(state, "open") == 0 ? NULL : "TASK_NOT_OPEN";
}

const char *wuding_check_refusal(const char *state)
{
    return state && strcmp(state, "reported") == 0 ? NULL : "TASK_NOT_REPORTED";
}

const char *wuding_after_check(int passed, int reopens)
{
    return passed ? "done" : reopens == 0 ? "open" : "failed";
}

static const wuding_step_t s_steps[WUDING_STEPS] = {
    {"TaskReminder", "owner", 50, 0},
    {"TaskReminder", "owner", 80, 0},
    {"TaskEscalated", "party", 100, 0},
    {"TaskEscalated", "street", 100, 1},
};

const wuding_step_t *wuding_step(int n)
{
    return n >= 0 && n < WUDING_STEPS ? &s_steps[n] : NULL;
}

int64_t wuding_due(const calendar_t *cal, int64_t start_ms, int due_days)
{
    return calendar_add(cal, start_ms, (int64_t) due_days * DAY_MINUTES, 1);
}

int64_t wuding_step_due(const calendar_t *cal, int64_t start_ms, int due_days, int n)
{
    const wuding_step_t *s = wuding_step(n);
    if (!s)
        return 0;
    int64_t span = (int64_t) due_days * DAY_MINUTES;
    int64_t at = calendar_add(cal, start_ms, span * s->percent / 100, 1);
    return s->after_days ? calendar_add(cal, at, (int64_t) s->after_days * DAY_MINUTES, 1) : at;
}
