#include "feedscope.h"

#include <stdio.h>
#include <string.h>

#include "deliberation.pb-c.h"
#include "intake.pb-c.h"
#include "routing.pb-c.h"

int feedscope_related(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (!la || !lb)
        return 0;
    const char *shorter = la <= lb ? a : b, *longer = la <= lb ? b : a;
    size_t n = la <= lb ? la : lb;
    return strncmp(shorter, longer, n) == 0 && (longer[n] == '\0' || longer[n] == '.');
}

static int s_is(const ProtobufCMessage *msg, const ProtobufCMessageDescriptor *desc)
{
    return msg->descriptor == desc;
}

static int s_member(const feedscope_t *s, const char *unit)
{
    for (int i = 0; unit && i < s->nunits; i++)
        if (strcmp(s->units[i].code, unit) == 0)
            return 1;
    return 0;
}

static int s_dispatch(const feedscope_t *s, const Gov__Dispatch *d)
{
    return d && s_member(s, d->unit);
}

/* The caller of whistle `id` as learnt, or NULL when not learnt. */
static const char *s_caller(const feedscope_t *s, int64_t id)
{
    unsigned n = s->nwhistles < FEEDSCOPE_WHISTLES ? s->nwhistles : FEEDSCOPE_WHISTLES;
    for (unsigned i = 0; id && i < n; i++)
        if (s->whistles[i].id == id)
            return s->whistles[i].caller;
    return NULL;
}

/* A dispatch a whistle of one of `s`'s units summoned. */
static int s_called(const feedscope_t *s, const Gov__Dispatch *d)
{
    const char *caller = d ? s_caller(s, d->whistle_id) : NULL;
    return caller && s_member(s, caller);
}

/* The dispatch an event of stream routing is about, for the two kinds a
 * whistle's caller follows; NULL otherwise. */
static const Gov__Dispatch *s_followed(const ProtobufCMessage *msg)
{
    if (s_is(msg, &gov__dispatch_event__descriptor))
        return ((const Gov__DispatchEvent *) msg)->item;
    if (s_is(msg, &gov__deadline_step__descriptor))
        return ((const Gov__DeadlineStep *) msg)->item;
    return NULL;
}

static int s_routing(const feedscope_t *s, const ProtobufCMessage *msg)
{
    if (s_is(msg, &gov__dispatch_event__descriptor)) {
        const Gov__Dispatch *d = ((const Gov__DispatchEvent *) msg)->item;
        return s_dispatch(s, d) || s_called(s, d);
    }
    if (s_is(msg, &gov__deadline_step__descriptor)) {
        const Gov__DeadlineStep *d = (const Gov__DeadlineStep *) msg;
        return s_member(s, d->target_unit) || s_dispatch(s, d->item) || s_called(s, d->item);
    }
    if (s_is(msg, &gov__case_evaluation__descriptor))
        return s_dispatch(s, ((const Gov__CaseEvaluation *) msg)->item);
    if (s_is(msg, &gov__whistle_event__descriptor)) {
        const Gov__Whistle *w = ((const Gov__WhistleEvent *) msg)->item;
        if (!w)
            return 0;
        if (s_member(s, w->caller_unit))
            return 1;
        for (size_t i = 0; i < w->n_dispatches; i++)
            if (s_dispatch(s, w->dispatches[i]))
                return 1;
    }
    return 0;
}

/* A new case: to the territorial units whose area holds its smallest area. */
static int s_intake(const feedscope_t *s, const ProtobufCMessage *msg)
{
    Gov__AreaRef **path = NULL;
    size_t n = 0;
    if (s_is(msg, &gov__case_created__descriptor) && ((const Gov__CaseCreated *) msg)->item) {
        path = ((const Gov__CaseCreated *) msg)->item->area_path;
        n = ((const Gov__CaseCreated *) msg)->item->n_area_path;
    } else if (s_is(msg, &gov__case_merged__descriptor)) {
        path = ((const Gov__CaseMerged *) msg)->area_path;
        n = ((const Gov__CaseMerged *) msg)->n_area_path;
    }
    if (n == 0)
        return 0;
    const char *where = path[n - 1]->code;
    for (int i = 0; i < s->nunits; i++) {
        const feedscope_unit_t *u = &s->units[i];
        int territorial = strcmp(u->kind, "grid_team") == 0 || strcmp(u->kind, "community") == 0 ||
                          strcmp(u->kind, "street_office") == 0;
        if (territorial && feedscope_related(u->area, where) && strlen(u->area) <= strlen(where))
            return 1;
    }
    return 0;
}

static int s_named(const feedscope_t *s, char **audience, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s->person[0] && strcmp(audience[i], s->person) == 0)
            return 1;
    return 0;
}

/* A community's business: to its members, its residents, those named. */
static int s_deliberation(const feedscope_t *s, const ProtobufCMessage *msg)
{
    const char *community = NULL;
    if (s_is(msg, &gov__matter_event__descriptor)) {
        const Gov__MatterEvent *e = (const Gov__MatterEvent *) msg;
        if (s_named(s, e->audience, e->n_audience))
            return 1;
        community = e->item ? e->item->community : NULL;
    } else if (s_is(msg, &gov__lists_event__descriptor)) {
        const Gov__ListsEvent *e = (const Gov__ListsEvent *) msg;
        community = e->lists ? e->lists->community : NULL;
    } else if (s_is(msg, &gov__task_event__descriptor)) {
        const Gov__TaskEvent *e = (const Gov__TaskEvent *) msg;
        if (s_named(s, e->audience, e->n_audience))
            return 1;
        for (size_t k = 0; k < e->n_units; k++) /* the owner unit, the bodies told */
            for (int i = 0; i < s->nunits; i++)
                if (strcmp(s->units[i].code, e->units[k]) == 0)
                    return 1;
        community = e->community;
    } else if (s_is(msg, &gov__order_event__descriptor)) {
        const Gov__OrderEvent *e = (const Gov__OrderEvent *) msg;
        if (s_named(s, e->audience, e->n_audience))
            return 1;
        community = e->item ? e->item->community : NULL;
    } else if (s_is(msg, &gov__joint_event__descriptor)) {
        const Gov__JointEvent *e = (const Gov__JointEvent *) msg;
        for (size_t i = 0; i < e->n_units; i++) /* a member unit (a department, often) is told */
            for (int k = 0; k < s->nunits; k++)
                if (strcmp(e->units[i], s->units[k].code) == 0)
                    return 1;
        community = e->item ? e->item->community : e->schedule ? e->schedule->community : NULL;
    }
    if (!community || !community[0])
        return 0;
    if (feedscope_related(s->home, community))
        return 1;
    for (int i = 0; i < s->nunits; i++)
        if (feedscope_related(s->units[i].area, community) &&
            strcmp(s->units[i].kind, "department") != 0)
            return 1;
    return 0;
}

int64_t feedscope_whistle_wanted(const feedscope_t *s, const char *stream,
                                 const ProtobufCMessage *msg)
{
    if (s->all || strcmp(stream, "routing") != 0)
        return 0;
    const Gov__Dispatch *d = s_followed(msg);
    if (!d || d->whistle_id <= 0 || s_caller(s, d->whistle_id))
        return 0;
    int caller = 0; /* only a unit that blows whistles follows them */
    for (int i = 0; i < s->nunits; i++)
        caller |= strcmp(s->units[i].kind, "street_office") == 0 ||
                  strcmp(s->units[i].kind, "community") == 0;
    return caller && !s_routing(s, msg) ? d->whistle_id : 0;
}

void feedscope_learn_whistle(feedscope_t *s, int64_t id, const char *caller)
{
    feedscope_whistle_t *w = &s->whistles[s->nwhistles++ % FEEDSCOPE_WHISTLES];
    w->id = id;
    snprintf(w->caller, sizeof w->caller, "%s", caller ? caller : "");
}

int feedscope_visible(const feedscope_t *s, const char *stream, const ProtobufCMessage *msg)
{
    if (s->all)
        return 1;
    if (strcmp(stream, "routing") == 0)
        return s_routing(s, msg);
    if (strcmp(stream, "intake") == 0)
        return s_intake(s, msg);
    if (strcmp(stream, "deliberation") == 0)
        return s_deliberation(s, msg);
    return 0;
}
