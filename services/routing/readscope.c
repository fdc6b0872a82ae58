#include "readscope.h"

#include <stdio.h>
#include <string.h>

readscope_t readscope_rule(const Gov__Actor *actor, const char *unit_kind)
{
    readscope_t s = {READSCOPE_NONE, "", 0};
    int has_unit = actor && actor->unit && actor->unit[0];
    if (!actor || !actor->id || !actor->id[0] ||
        (!has_unit && actor->role && strcmp(actor->role, "operator") == 0)) {
        s.kind = READSCOPE_ALL;
        s.contact = 1;
    } else if (has_unit && strcmp(unit_kind, "dispatch_centre") == 0) {
        s.kind = READSCOPE_ALL;
        s.contact = 1;
    } else if (has_unit && strcmp(unit_kind, "leadership") == 0) {
        s.kind = READSCOPE_ALL;
    } else if (has_unit) {
        s.kind = READSCOPE_UNIT;
        snprintf(s.unit, sizeof s.unit, "%s", actor->unit);
    }
    return s;
}

int readscope_of(routing_t *r, const Gov__Actor *actor, readscope_t *out, apperr_t *err)
{
    char kind[24] = "";
    int64_t unit_id;
    if (actor && actor->id && actor->id[0] && actor->unit && actor->unit[0] &&
        routing_member(r, actor, &unit_id, kind, NULL, err))
        return -1;
    *out = readscope_rule(actor, kind);
    return 0;
}

int readscope_contact(const readscope_t *s, const char *dispatch_unit)
{
    if (!s)
        return 0;
    if (s->kind == READSCOPE_ALL)
        return s->contact;
    return s->kind == READSCOPE_UNIT && dispatch_unit && strcmp(s->unit, dispatch_unit) == 0;
}

int readscope_event_contact(const char *type)
{
    static const char *const with[] = {"DispatchSent", "DeadlineReminder", "DeadlineEscalated",
                                       "WhistleBlown", "EvaluationRequested"};
    for (size_t i = 0; type && i < sizeof with / sizeof *with; i++)
        if (strcmp(type, with[i]) == 0)
            return 1;
    return 0;
}
