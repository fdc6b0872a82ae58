#include "plan.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "channel.h"
#include "contactcli.h"
#include "db.h"
#include "deliberation.pb-c.h"
#include "intake.pb-c.h"
#include "log.h"
#include "queries.h"
#include "quiet.h"
#include "refs.h"
#include "render.h"
#include "routing.pb-c.h"

/* Columns of a planned delivery: stream seq kind created_at, then idem_key
 * recipient channel destination secret urgent subject body next_at held. */
#define PLAN_COLS 14
#define DESCRIPTION_MAX 600
/* Rows gathered before they are written even though the batch goes on, so a
 * batch of big audiences stays a few megabytes. */
#define PLAN_WRITE_ROWS 5000

struct plan {
    refs_t *refs;                /* this batch's reference data */
    contactcli_t *contacts;      /* intake, for reporters (borrowed); NULL: none asked */
    Gov__GetContactsReply **replies; /* this batch's answers from intake */
    size_t n_replies, cap_replies;
    int64_t *asked;              /* the cases asked this batch (a case without a phone too) */
    size_t n_asked, cap_asked;
    char **cols[PLAN_COLS];      /* one array per column, n rows */
    size_t n, cap;
};

/* One event being planned. */
typedef struct {
    plan_t *plan;
    PGconn *conn;
    const Gov__Envelope *event;
    const char *kind;            /* the template's kind */
    char seq[24], now[24];
    int64_t now_ms;
    int urgent;
    const char *phone_full;      /* the reporter's phone, for the assigned unit only */
    size_t added;
    int failed;
} job_t;

/* Words in the message's language for the codes events carry. */
static const char *s_word(const char *lang, const char *code)
{
    static const char *const zh[][2] = {
        {"normal", "一般"}, {"urgent", "紧急"}, {"emergency", "特急"},
        {"routine", "日常哨"}, {"hard", "攻坚哨"},
        {"sign", "签收"}, {"contact", "联系诉求人"}, {"arrive", "到场报到"}, {"resolve", "办结"},
        {"whistle", "吹哨"}, {"satisfied", "满意"}, {"basic", "基本满意"},
        {"dissatisfied", "不满意"}, {"other", "其他"},
        {"city_management", "城市管理"}, {"community_governance", "社区治理"},
        {"renovation", "征收改造"}, {"public_security", "社会治安"}, {"civility", "文明创建"},
        {"approve", "同意"}, {"reject", "不同意"}};
    if (strcmp(lang, "zh-CN") != 0)
        return code;
    for (size_t i = 0; i < sizeof zh / sizeof *zh; i++)
        if (strcmp(zh[i][0], code) == 0)
            return zh[i][1];
    return code;
}

static int s_add(plan_t *p, const char *const row[PLAN_COLS])
{
    if (p->n == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 16;
        for (int c = 0; c < PLAN_COLS; c++) {
            char **grown = realloc(p->cols[c], cap * sizeof *grown);
            if (!grown)
                return -1;
            p->cols[c] = grown;
        }
        p->cap = cap;
    }
    for (int c = 0; c < PLAN_COLS; c++)
        p->cols[c][p->n] = NULL;
    for (int c = 0; c < PLAN_COLS; c++)
        if (!(p->cols[c][p->n] = strdup(row[c]))) {
            for (int k = 0; k < c; k++)
                free(p->cols[k][p->n]);
            return -1;
        }
    p->n++;
    return 0;
}

/* Renders `p->kind` in `lang` with `vars` and adds one delivery. */
static void s_deliver(job_t *p, const char *recipient, const char *channel, const char *key_suffix,
                      const char *destination, const char *secret, const char *lang,
                      const render_vars_t *vars, int quiet_from, int quiet_to)
{
    if (!destination[0])
        return;
    render_vars_t local = *vars;  /* codes in words of the message's language */
    static const char *const coded[] = {"urgency", "whistle_kind", "deadline", "category",
                                        "type", "rating", "verdict"};
    for (size_t i = 0; i < sizeof coded / sizeof *coded; i++)
        for (size_t v = 0; v < local.n; v++)
            if (strcmp(local.name[v], coded[i]) == 0)
                local.value[v] = s_word(lang, local.value[v]);
    vars = &local;
    const char *params[] = {p->kind, lang};
    const PGresult *res = refs_query(p->plan->refs, p->conn, Q_TEMPLATE, 2, params);
    if (!res || PQntuples(res) == 0) {
        log_error("notify: no template for %s", p->kind);
        p->failed = 1;
        return;
    }
    char *subject = render_template(PQgetvalue(res, 0, 0), vars);
    char *body = render_template(PQgetvalue(res, 0, 1), vars);
    char key[400], next[24];
    snprintf(key, sizeof key, "%s:%" PRIu64 ":%s:%s%s", p->event->stream, p->event->seq, recipient,
             channel, key_suffix);
    int64_t until = 0;
    if (!p->urgent && quiet_from >= 0 && quiet_to >= 0)
        until = quiet_until(p->now_ms, quiet_from, quiet_to);
    snprintf(next, sizeof next, "%" PRId64, until ? until : p->now_ms);
    const char *row[PLAN_COLS] = {p->event->stream, p->seq, p->kind, p->now, key, recipient, channel,
                                  destination, secret, p->urgent ? "t" : "f", subject ? subject : "",
                                  body ? body : "", next, until ? "quiet" : ""};
    if (!subject || !body || s_add(p->plan, row))
        p->failed = 1;
    else
        p->added++;
    free(subject);
    free(body);
}

/* The reporter of `case_id` among the batch's answers; `*asked` says
 * whether the batch asked for it at all. */
static const Gov__Reporter *s_find(const plan_t *plan, int64_t case_id, int *asked)
{
    *asked = 0;
    for (size_t i = 0; i < plan->n_asked && !*asked; i++)
        *asked = plan->asked[i] == case_id;
    for (size_t i = 0; *asked && i < plan->n_replies; i++) {
        const Gov__Reporter *rep = contactcli_find(plan->replies[i], case_id);
        if (rep)
            return rep;
    }
    return NULL;
}

/* Asks intake for cases `ids[0..n)` and keeps the answer for the batch.
 * Returns 0, or -1 (logged) when intake did not answer or memory ran out. */
static int s_ask(plan_t *plan, const int64_t *ids, size_t n)
{
    Gov__GetContactsReply *reply = NULL;
    if (!plan->contacts) {
        log_error("notify: reporters are asked of nobody (no intake endpoint)");
        return -1;
    }
    if (plan->n_replies == plan->cap_replies) {
        size_t cap = plan->cap_replies ? 2 * plan->cap_replies : 8;
        Gov__GetContactsReply **grown = realloc(plan->replies, cap * sizeof *grown);
        if (!grown)
            return -1;
        plan->replies = grown;
        plan->cap_replies = cap;
    }
    if (plan->n_asked + n > plan->cap_asked) {
        size_t cap = plan->cap_asked ? 2 * plan->cap_asked : 64;
        while (cap < plan->n_asked + n)
            cap *= 2;
        int64_t *grown = realloc(plan->asked, cap * sizeof *grown);
        if (!grown)
            return -1;
        plan->asked = grown;
        plan->cap_asked = cap;
    }
    if (contactcli_fetch(plan->contacts, ids, n, &reply))
        return -1;
    plan->replies[plan->n_replies++] = reply;
    memcpy(plan->asked + plan->n_asked, ids, n * sizeof *ids);
    plan->n_asked += n;
    return 0;
}

/* The reporter of case `case_id`, asked of intake once a batch: events
 * carry a reference (contact_ref), not the number. NULL when the case has no
 * phone, or when intake did not answer (then the job failed: the batch is
 * rolled back and planned again, nothing sent without its reporter). */
static const Gov__Reporter *s_contact(job_t *p, int64_t case_id)
{
    int asked;
    const Gov__Reporter *rep = s_find(p->plan, case_id, &asked);
    if (asked)
        return rep;
    if (s_ask(p->plan, &case_id, 1)) { /* not seen by plan_prefetch: asked alone */
        p->failed = 1;
        return NULL;
    }
    return s_find(p->plan, case_id, &asked);
}

/* The reporter a dispatch's event refers to: in the event itself (events
 * before contact_ref), or asked of intake by its reference. */
static const Gov__Reporter *s_dispatch_reporter(job_t *p, const Gov__Dispatch *d)
{
    if (d->reporter)
        return d->reporter;
    if (d->contact_ref && d->contact_ref[0] && d->case_id)
        return s_contact(p, d->case_id);
    return NULL;
}

/* Every member of `unit` by their channels, then the unit's robots. Members
 * of the unit the work is assigned to (`assigned`) see the reporter's phone
 * in full; robots and everyone else see what `vars` holds (masked). */
static void s_unit(job_t *p, const char *unit, int assigned, const render_vars_t *vars)
{
    const char *params[] = {unit};
    render_vars_t direct = *vars;
    if (assigned && p->phone_full)
        render_set(&direct, "reporter_phone", p->phone_full);
    const PGresult *res = refs_query(p->plan->refs, p->conn, Q_MEMBERS, 1, params);
    if (!res) {
        p->failed = 1;
        return;
    }
    for (int r = 0; r < PQntuples(res); r++) {
        const char *code = PQgetvalue(res, r, 0), *channels = PQgetvalue(res, r, 3);
        const char *lang = PQgetvalue(res, r, 4);
        int from = atoi(PQgetvalue(res, r, 5)), to = atoi(PQgetvalue(res, r, 6));
        if (strstr(channels, "email"))
            s_deliver(p, code, "email", "", PQgetvalue(res, r, 1), "", lang, &direct, from, to);
        if (strstr(channels, "sms"))
            s_deliver(p, code, "sms", "", PQgetvalue(res, r, 2), "", lang, &direct, from, to);
    }
    if (!(res = refs_query(p->plan->refs, p->conn, Q_GROUPS, 1, params))) {
        p->failed = 1;
        return;
    }
    for (int r = 0; r < PQntuples(res); r++) {
        char suffix[32];
        snprintf(suffix, sizeof suffix, "#%s", PQgetvalue(res, r, 0));
        s_deliver(p, unit, PQgetvalue(res, r, 1), suffix, PQgetvalue(res, r, 2),
                  PQgetvalue(res, r, 3), PQgetvalue(res, r, 4), vars, -1, -1);
    }
}

/* The reporter of a case, by SMS, with a resident's default quiet hours. */
static void s_reporter(job_t *p, int64_t case_id, const char *phone, const render_vars_t *vars)
{
    char recipient[40];
    snprintf(recipient, sizeof recipient, "reporter:%" PRId64, case_id);
    s_deliver(p, recipient, "sms", "", phone ? phone : "", "", "zh-CN", vars, 22 * 60, 7 * 60);
}

/* Each person of `codes` by their channels (residents: SMS by default). */
static void s_people(job_t *p, char **codes, size_t n, const render_vars_t *vars)
{
    if (!n)
        return;
    char *array = db_text_array(codes, n);
    const char *params[] = {array};
    const PGresult *res = array ? refs_query(p->plan->refs, p->conn, Q_PEOPLE, 1, params) : NULL;
    free(array);
    if (!res) {
        p->failed = 1;
        return;
    }
    for (int r = 0; r < PQntuples(res); r++) {
        const char *code = PQgetvalue(res, r, 0), *channels = PQgetvalue(res, r, 3);
        const char *lang = PQgetvalue(res, r, 4);
        int from = atoi(PQgetvalue(res, r, 5)), to = atoi(PQgetvalue(res, r, 6));
        if (strstr(channels, "email"))
            s_deliver(p, code, "email", "", PQgetvalue(res, r, 1), "", lang, vars, from, to);
        if (strstr(channels, "sms"))
            s_deliver(p, code, "sms", "", PQgetvalue(res, r, 2), "", lang, vars, from, to);
    }
}

/* Text the vars of one event point into; lives as long as the event's plan. */
typedef struct {
    char case_id[24], dispatch_id[24], whistle_id[24], count[16];
    char sign_by[20], arrive_by[20], resolve_by[20], due[20];
    char phone[32], description[DESCRIPTION_MAX + 4];
    char target_name[256], caller[256], category[256];
    char matter_id[24], starts[20], until[20], tally[96], community[256];
    char note[DESCRIPTION_MAX + 4], standard[DESCRIPTION_MAX + 4], record_n[16], round[16];
    char rating[16], members[DESCRIPTION_MAX + 4];
} text_t;

static void s_unit_name(job_t *p, const char *code, char out[256])
{
    const char *params[] = {code};
    const PGresult *res = refs_query(p->plan->refs, p->conn, Q_UNIT_NAME, 1, params);
    snprintf(out, 256, "%s", res && PQgetvalue(res, 0, 0)[0] ? PQgetvalue(res, 0, 0) : code);
}

static void s_category_name(job_t *p, const char *code, char out[256])
{
    const char *params[] = {code};
    const PGresult *res = refs_query(p->plan->refs, p->conn, Q_CATEGORY_NAME, 1, params);
    snprintf(out, 256, "%s", res ? PQgetvalue(res, 0, 0) : code);
}

static const char *s_area(Gov__AreaRef **path, size_t n)
{
    return n ? path[n - 1]->name : "";
}

/* The fields of a dispatch, its reporter's phone masked. */
static void s_dispatch_vars(job_t *p, const Gov__Dispatch *d, text_t *t, render_vars_t *vars)
{
    snprintf(t->case_id, sizeof t->case_id, "%" PRId64, d->case_id);
    snprintf(t->dispatch_id, sizeof t->dispatch_id, "%" PRId64, d->id);
    snprintf(t->whistle_id, sizeof t->whistle_id, "%" PRId64, d->whistle_id);
    render_beijing_time(d->sign_by_ms, t->sign_by);
    render_beijing_time(d->arrive_by_ms, t->arrive_by);
    render_beijing_time(d->resolve_by_ms, t->resolve_by);
    snprintf(t->description, sizeof t->description, "%s", d->description);
    render_cut(t->description, DESCRIPTION_MAX);
    const Gov__Reporter *rep = s_dispatch_reporter(p, d);
    const char *phone = rep ? rep->phone : "";
    render_mask_phone(phone, t->phone, sizeof t->phone);
    p->phone_full = phone;
    render_set(vars, "case_id", t->case_id);
    render_set(vars, "dispatch_id", t->dispatch_id);
    render_set(vars, "whistle_id", t->whistle_id);
    render_set(vars, "unit", d->unit);
    render_set(vars, "unit_name", d->unit_name);
    s_category_name(p, d->category[0] ? d->category : "whistle", t->category);
    render_set(vars, "category", t->category);
    render_set(vars, "urgency", d->urgency[0] ? d->urgency : "normal");
    render_set(vars, "description", t->description);
    render_set(vars, "area", s_area(d->area_path, d->n_area_path));
    render_set(vars, "reporter_name", rep ? rep->name : "");
    render_set(vars, "reporter_phone", t->phone);
    render_set(vars, "sign_by", t->sign_by);
    render_set(vars, "arrive_by", t->arrive_by);
    render_set(vars, "resolve_by", t->resolve_by);
    p->urgent = strcmp(d->urgency, "emergency") == 0;
}

static void s_routing(job_t *p, const char *type, text_t *t, render_vars_t *vars)
{
    const Gov__Envelope *e = p->event;
    if (strcmp(type, "DispatchSent") == 0) {
        Gov__DispatchEvent *ev =
            (Gov__DispatchEvent *) envelope_payload(e, &gov__dispatch_event__descriptor);
        if (!ev || !ev->item)
            p->failed = 1;
        else if (!ev->item->whistle_id) {  /* a whistle's dispatches: see WhistleBlown */
            p->kind = "DispatchSent";
            s_dispatch_vars(p, ev->item, t, vars);
            s_unit(p, ev->item->unit, 1, vars);
        }
        if (ev)
            gov__dispatch_event__free_unpacked(ev, NULL);
    } else if (strcmp(type, "WhistleBlown") == 0 || strcmp(type, "WhistleClosed") == 0) {
        Gov__WhistleEvent *ev =
            (Gov__WhistleEvent *) envelope_payload(e, &gov__whistle_event__descriptor);
        if (!ev || !ev->item) {
            p->failed = 1;
        } else {
            Gov__Whistle *w = ev->item;
            s_unit_name(p, w->caller_unit, t->caller);
            snprintf(t->description, sizeof t->description, "%s", w->reason);
            render_cut(t->description, DESCRIPTION_MAX);
            render_set(vars, "caller", t->caller);
            render_set(vars, "whistle_kind", w->kind);
            if (strcmp(type, "WhistleBlown") == 0) {
                p->kind = "WhistleSummoned";
                for (size_t i = 0; i < w->n_dispatches && !p->failed; i++) {
                    render_vars_t one = *vars;
                    s_dispatch_vars(p, w->dispatches[i], t, &one);
                    render_set(&one, "description", t->description);
                    render_set(&one, "whistle_kind", w->kind);
                    p->urgent = strcmp(w->kind, "emergency") == 0;
                    s_unit(p, w->dispatches[i]->unit, 1, &one);
                }
            } else {
                p->kind = "WhistleClosed";
                snprintf(t->whistle_id, sizeof t->whistle_id, "%" PRId64, w->id);
                render_set(vars, "whistle_id", t->whistle_id);
                s_unit(p, w->caller_unit, 0, vars);
            }
        }
        if (ev)
            gov__whistle_event__free_unpacked(ev, NULL);
    } else if (strcmp(type, "DeadlineReminder") == 0 || strcmp(type, "DeadlineEscalated") == 0) {
        Gov__DeadlineStep *ev =
            (Gov__DeadlineStep *) envelope_payload(e, &gov__deadline_step__descriptor);
        if (!ev || !ev->item || !ev->target_unit[0]) {
            p->failed = 1;
        } else {
            p->kind = type;
            s_dispatch_vars(p, ev->item, t, vars);
            render_beijing_time(ev->due_ms, t->due);
            s_unit_name(p, ev->target_unit, t->target_name);
            render_set(vars, "due", t->due);
            render_set(vars, "deadline", ev->deadline);
            render_set(vars, "target_name", t->target_name);
            s_unit(p, ev->target_unit, strcmp(ev->target_unit, ev->item->unit) == 0, vars);
        }
        if (ev)
            gov__deadline_step__free_unpacked(ev, NULL);
    } else if (strcmp(type, "EvaluationRequested") == 0) {
        Gov__CaseEvaluation *ev =
            (Gov__CaseEvaluation *) envelope_payload(e, &gov__case_evaluation__descriptor);
        if (!ev) {
            p->failed = 1;
        } else {
            p->kind = type;
            if (ev->item)
                s_dispatch_vars(p, ev->item, t, vars);
            p->urgent = 0;
            render_set(vars, "text", ev->text[0] ? ev->text : (ev->item ? ev->item->note : ""));
            const Gov__Reporter *rep = ev->reporter; /* events before contact_ref */
            if (!rep && ev->contact_ref[0] && !p->failed)
                rep = s_contact(p, ev->case_id);
            s_reporter(p, ev->case_id, rep ? rep->phone : "", vars);
        }
        if (ev)
            gov__case_evaluation__free_unpacked(ev, NULL);
    }
}

static void s_intake(job_t *p, const char *type, text_t *t, render_vars_t *vars)
{
    if (strcmp(type, "CaseCreated") != 0)
        return;
    Gov__CaseCreated *ev =
        (Gov__CaseCreated *) envelope_payload(p->event, &gov__case_created__descriptor);
    /* the reporter in the event (events before contact_ref), or asked of intake */
    const Gov__Reporter *rep = NULL;
    if (!ev || !ev->item)
        p->failed = 1;
    else if (ev->item->reporter)
        rep = ev->item->reporter;
    else if (ev->item->contact_ref[0])
        rep = s_contact(p, ev->item->id);
    if (rep && rep->phone[0]) {
        p->kind = "CaseReceived";
        snprintf(t->case_id, sizeof t->case_id, "%" PRId64, ev->item->id);
        render_set(vars, "case_id", t->case_id);
        s_category_name(p, ev->item->category, t->category);
        render_set(vars, "category", t->category);
        s_reporter(p, ev->item->id, rep->phone, vars);
    }
    if (ev)
        gov__case_created__free_unpacked(ev, NULL);
}

/* 3+1 lists: a new need tells the units the event names (the paired ones,
 * or the one it is aimed at); a signed project its unit and the community's
 * committee. */
static void s_lists(job_t *p, const char *type, text_t *t, render_vars_t *vars)
{
    Gov__ListsEvent *ev = (Gov__ListsEvent *) envelope_payload(p->event, &gov__lists_event__descriptor);
    const Gov__ListsReply *l = ev ? ev->lists : NULL;
    if (!l) {
        p->failed = 1;
        goto done;
    }
    p->kind = type;
    const char *params[] = {l->community};
    const PGresult *name = refs_query(p->plan->refs, p->conn, Q_AREA_NAME, 1, params);
    snprintf(t->community, sizeof t->community, "%s", name ? PQgetvalue(name, 0, 0) : l->community);
    render_set(vars, "community", t->community);
    snprintf(t->matter_id, sizeof t->matter_id, "%" PRId64, ev->changed_id);
    render_set(vars, "need_id", t->matter_id);
    render_set(vars, "project_id", t->matter_id);
    for (size_t i = 0; i < l->n_needs; i++)
        if (strcmp(type, "NeedAdded") == 0 && l->needs[i]->id == ev->changed_id) {
            render_set(vars, "title", l->needs[i]->title);
            render_set(vars, "category", l->needs[i]->category);
        }
    for (size_t i = 0; i < l->n_projects; i++)
        if (strcmp(type, "ProjectSigned") == 0 && l->projects[i]->id == ev->changed_id) {
            render_set(vars, "title", l->projects[i]->title);
            s_unit_name(p, l->projects[i]->unit, t->target_name);
            render_set(vars, "unit", t->target_name);
        }
    for (size_t i = 0; i < ev->n_units && !p->failed; i++)
        s_unit(p, ev->units[i], 0, vars);
    if (strcmp(type, "ProjectSigned") == 0 && !p->failed) {
        const PGresult *unit = refs_query(p->plan->refs, p->conn, Q_COMMUNITY_UNIT, 1, params);
        if (!unit)
            p->failed = 1;
        else if (PQgetvalue(unit, 0, 0)[0])
            s_unit(p, PQgetvalue(unit, 0, 0), 0, vars);
    }
done:
    if (ev)
        gov__lists_event__free_unpacked(ev, NULL);
}

/* A joint meeting (联席会议) made on its day: its community's member units
 * and party committee, which the event names, are told when it starts. */
static void s_joint(job_t *p, const char *type, text_t *t, render_vars_t *vars)
{
    Gov__JointEvent *ev = (Gov__JointEvent *) envelope_payload(p->event, &gov__joint_event__descriptor);
    const Gov__JointMeeting *m = ev ? ev->item : NULL;
    if (!m) {
        p->failed = 1;
    } else {
        p->kind = type;
        const char *params[] = {m->community};
        const PGresult *name = refs_query(p->plan->refs, p->conn, Q_AREA_NAME, 1, params);
        snprintf(t->community, sizeof t->community, "%s", name ? PQgetvalue(name, 0, 0) : m->community);
        render_set(vars, "community", t->community);
        snprintf(t->matter_id, sizeof t->matter_id, "%" PRId64, m->id);
        render_set(vars, "meeting_id", t->matter_id);
        render_set(vars, "title", m->title);
        render_beijing_time(m->starts_ms, t->until);
        render_set(vars, "starts", t->until);
        for (size_t i = 0; i < ev->n_units && !p->failed; i++)
            s_unit(p, ev->units[i], 0, vars);
    }
    if (ev)
        gov__joint_event__free_unpacked(ev, NULL);
}

/* A text of up to DESCRIPTION_MAX characters into `out`. */
static const char *s_cut(char out[DESCRIPTION_MAX + 4], const char *text)
{
    snprintf(out, DESCRIPTION_MAX + 4, "%s", text ? text : "");
    render_cut(out, DESCRIPTION_MAX);
    return out;
}

/* 五定 tasks: the people and units the event names (the owner and its unit,
 * the checkers, the party committee or street office escalated to). */
static void s_tasks(job_t *p, const char *type, text_t *t, render_vars_t *vars)
{
    Gov__TaskEvent *ev = (Gov__TaskEvent *) envelope_payload(p->event, &gov__task_event__descriptor);
    if (!ev || !ev->item) {
        p->failed = 1;
        goto done;
    }
    const Gov__MatterTask *k = ev->item;
    p->kind = type;
    snprintf(t->matter_id, sizeof t->matter_id, "%" PRId64, k->id);
    render_set(vars, "task_id", t->matter_id);
    render_set(vars, "title", ev->title);
    render_set(vars, "text", s_cut(t->description, k->text));
    render_set(vars, "type", k->type);
    render_set(vars, "standard", s_cut(t->standard, k->standard));
    render_set(vars, "report", s_cut(t->members, k->report));
    render_set(vars, "note", s_cut(t->note, k->check_note));
    render_beijing_time(k->due_ms, t->due);
    render_set(vars, "due", t->due);
    s_unit_name(p, k->owner_unit, t->target_name);
    render_set(vars, "owner_unit", t->target_name);
    s_people(p, ev->audience, ev->n_audience, vars);
    for (size_t i = 0; i < ev->n_units && !p->failed; i++)
        s_unit(p, ev->units[i], 0, vars);
done:
    if (ev)
        gov__task_event__free_unpacked(ev, NULL);
}

/* The body of kind `kind` of the matter's community, told. */
static void s_body(job_t *p, const char *community, const char *kind, const render_vars_t *vars)
{
    const char *params[] = {community, kind};
    const PGresult *unit = refs_query(p->plan->refs, p->conn, Q_BODY_UNIT, 2, params);
    if (!unit)
        p->failed = 1;
    else if (PQgetvalue(unit, 0, 0)[0])
        s_unit(p, PQgetvalue(unit, 0, 0), 0, vars);
}

/* What a matter's record says, as vars: its text, rating, the record a flag
 * is about, a review's verdict, the round; `body` is the parsed record. */
static void s_record_vars(const json_t *body, text_t *t, render_vars_t *vars)
{
    render_set(vars, "text", s_cut(t->note, json_string_value(json_object_get(body, "text"))));
    snprintf(t->rating, sizeof t->rating, "%s", json_string_value(json_object_get(body, "rating"))
                                                    ? json_string_value(json_object_get(body, "rating"))
                                                    : "");
    render_set(vars, "rating", t->rating);
    snprintf(t->record_n, sizeof t->record_n, "%" JSON_INTEGER_FORMAT,
             json_integer_value(json_object_get(body, "record_n")));
    render_set(vars, "record_n", t->record_n);
    const char *kind = json_string_value(json_object_get(body, "record_kind"));
    render_set(vars, "record_kind", kind ? kind : "");
    render_set(vars, "verdict", json_is_true(json_object_get(body, "approve")) ? "approve" : "reject");
    snprintf(t->round, sizeof t->round, "%" JSON_INTEGER_FORMAT,
             json_integer_value(json_object_get(body, "round")));
    render_set(vars, "round", t->round);
    size_t used = 0, i;
    json_t *m;
    t->members[0] = '\0';
    json_array_foreach(json_object_get(body, "members"), i, m)
        if (json_is_string(m) && used + strlen(json_string_value(m)) + 2 < sizeof t->members)
            used += (size_t) snprintf(t->members + used, sizeof t->members - used, "%s%s",
                                      used ? "、" : "", json_string_value(m));
    render_set(vars, "members", t->members);
}

/* Matters (由民做主) and service orders: the people an event concerns. */
static void s_deliberation(job_t *p, const char *type, text_t *t, render_vars_t *vars)
{
    /* committee: the residents' committee; party, supervision: those bodies;
     * owner: the body a flag names (the record's "owner"); members: the
     * council the record installs */
    static const struct {
        const char *type, *kind;
        int audience, proposer, committee, party, supervision, owner, members;
    } rules[] = {
        {"MatterAccepted", "MatterAccepted", 0, 1, 0, 0, 0, 0, 0},
        {"MatterDeclined", "MatterDeclined", 0, 1, 0, 0, 0, 0, 0},
        {"ConveneRequired", "ConveneRequired", 0, 1, 1, 0, 0, 0, 0},
        {"DiscussionClosing", "DiscussionClosing", 0, 1, 1, 0, 0, 0, 0},
        {"MeetingConvened", "MeetingNotice", 1, 0, 1, 0, 0, 0, 0},
        {"MeetingClosed", "MeetingResult", 0, 1, 1, 0, 0, 0, 0},
        {"DecisionPublished", "DecisionPublished", 0, 1, 1, 0, 0, 0, 0},
        {"StepFlagged", "StepFlagged", 0, 0, 0, 0, 0, 1, 0},
        {"FlagAnswered", "FlagAnswered", 0, 0, 0, 0, 1, 0, 0},
        {"ObjectionAnswered", "ObjectionAnswered", 1, 0, 0, 0, 1, 0, 0},
        {"MatterReviewed", "MatterReviewed", 0, 1, 1, 1, 0, 0, 0},
        {"ExecutionRated", "ExecutionRated", 0, 0, 1, 1, 0, 0, 0},
        {"MatterReopened", "MatterReopened", 0, 1, 1, 1, 1, 0, 0},
        {"CouncilElected", "CouncilElected", 0, 0, 1, 1, 0, 0, 1},
    };
    const Gov__Envelope *e = p->event;
    if (strncmp(type, "ServiceOrder", 12) == 0) {
        Gov__OrderEvent *ev = (Gov__OrderEvent *) envelope_payload(e, &gov__order_event__descriptor);
        if (!ev || !ev->item) {
            p->failed = 1;
        } else {
            Gov__ServiceOrder *o = ev->item;
            p->kind = type;
            snprintf(t->matter_id, sizeof t->matter_id, "%" PRId64, o->id);
            snprintf(t->description, sizeof t->description, "%s", o->result[0] ? o->result : o->text);
            render_cut(t->description, DESCRIPTION_MAX);
            render_set(vars, "order_id", t->matter_id);
            render_set(vars, "title", o->title);
            render_set(vars, "text", t->description);
            render_set(vars, "volunteer", o->volunteer);
            render_set(vars, "rating", o->rating);
            render_beijing_time(o->take_by_ms, t->until);
            render_set(vars, "until", t->until);
            if (strcmp(type, "ServiceOrderPublished") == 0) {
                snprintf(t->description, sizeof t->description, "%s", o->publication);
                render_cut(t->description, DESCRIPTION_MAX);
            }
            /* the event names whom it is for: people, and units */
            s_people(p, ev->audience, ev->n_audience, vars);
            for (size_t i = 0; i < ev->n_units && !p->failed; i++)
                s_unit(p, ev->units[i], 0, vars);
        }
        if (ev)
            gov__order_event__free_unpacked(ev, NULL);
        return;
    }
    if (strcmp(type, "NeedAdded") == 0 || strcmp(type, "ProjectSigned") == 0) {
        s_lists(p, type, t, vars);
        return;
    }
    if (strcmp(type, "JointMeetingScheduled") == 0) {
        s_joint(p, type, t, vars);
        return;
    }
    if (strncmp(type, "Task", 4) == 0) {
        s_tasks(p, type, t, vars);
        return;
    }
    size_t r = 0;
    while (r < sizeof rules / sizeof *rules && strcmp(rules[r].type, type) != 0)
        r++;
    if (r == sizeof rules / sizeof *rules)
        return;
    Gov__MatterEvent *ev = (Gov__MatterEvent *) envelope_payload(e, &gov__matter_event__descriptor);
    if (!ev || !ev->item) {
        p->failed = 1;
    } else {
        Gov__Matter *m = ev->item;
        p->kind = rules[r].kind;
        snprintf(t->matter_id, sizeof t->matter_id, "%" PRId64, m->id);
        render_set(vars, "matter_id", t->matter_id);
        render_set(vars, "title", m->title);
        const char *params[] = {m->community};
        const PGresult *name = refs_query(p->plan->refs, p->conn, Q_AREA_NAME, 1, params);
        snprintf(t->community, sizeof t->community, "%s", name ? PQgetvalue(name, 0, 0) : m->community);
        render_set(vars, "community", t->community);
        render_beijing_time(m->window_until_ms, t->until);
        render_set(vars, "until", t->until);
        snprintf(t->description, sizeof t->description, "%s", m->decline_reason);
        render_cut(t->description, DESCRIPTION_MAX);
        render_set(vars, "reason", t->description);
        render_set(vars, "head", m->decision_head);
        const Gov__Meeting *mt = m->meeting;
        if (mt) {
            render_set(vars, "motion", mt->motion);
            render_beijing_time(mt->starts_ms, t->starts);
            render_set(vars, "starts", t->starts);
            const Gov__Tally *tl = mt->tally;
            if (tl && mt->closed_ms)
                snprintf(t->tally, sizeof t->tally, "%s（应到%d，实到%d，同意%d，反对%d，弃权%d）",
                         tl->passed ? "通过" : tl->valid ? "未通过" : "未达法定人数，不生效",
                         tl->roster_size, tl->attended, tl->yes, tl->no, tl->abstain);
            render_set(vars, "tally", t->tally);
        }
        json_t *body = ev->record && ev->record->body[0] ? json_loads(ev->record->body, 0, NULL) : NULL;
        if (body)
            s_record_vars(body, t, vars);
        if (rules[r].audience)
            s_people(p, ev->audience, ev->n_audience, vars);
        if (rules[r].proposer)
            s_people(p, &m->proposer, 1, vars);
        if (rules[r].committee && !p->failed) {
            const PGresult *unit = refs_query(p->plan->refs, p->conn, Q_COMMUNITY_UNIT, 1, params);
            if (!unit)
                p->failed = 1;
            else if (PQgetvalue(unit, 0, 0)[0])
                s_unit(p, PQgetvalue(unit, 0, 0), 0, vars);
        }
        if (rules[r].party && !p->failed)
            s_body(p, m->community, "party_committee", vars);
        if (rules[r].supervision && !p->failed)
            s_body(p, m->community, "supervision", vars);
        const char *owner = json_string_value(json_object_get(body, "owner"));
        if (rules[r].owner && owner && !p->failed)
            s_body(p, m->community, owner, vars);
        json_t *members = json_object_get(body, "members");
        size_t n = json_array_size(members);
        char **codes = rules[r].members && n ? calloc(n, sizeof *codes) : NULL;
        for (size_t i = 0; codes && i < n; i++)
            codes[i] = (char *) (json_string_value(json_array_get(members, i))
                                     ? json_string_value(json_array_get(members, i))
                                     : "");
        if (codes && !p->failed)
            s_people(p, codes, n, vars);
        free(codes);
        json_decref(body);
    }
    if (ev)
        gov__matter_event__free_unpacked(ev, NULL);
}

static void s_drop_rows(plan_t *p, size_t from)
{
    for (int c = 0; c < PLAN_COLS; c++)
        for (size_t i = from; i < p->n; i++)
            free(p->cols[c][i]);
    p->n = from;
}

plan_t *plan_new(void)
{
    plan_t *p = calloc(1, sizeof *p);
    if (p && !(p->refs = refs_new())) {
        free(p);
        p = NULL;
    }
    return p;
}

static void s_forget_contacts(plan_t *p)
{
    for (size_t i = 0; i < p->n_replies; i++)
        contactcli_free(&p->replies[i]);
    p->n_replies = 0;
    p->n_asked = 0;
}

/* Adds `d`'s case to `ids` when its event refers to the reporter. */
static void s_wants(const Gov__Dispatch *d, int64_t *ids, size_t *n, size_t cap)
{
    if (d && !d->reporter && d->contact_ref && d->contact_ref[0] && d->case_id && *n < cap)
        ids[(*n)++] = d->case_id;
}

int plan_prefetch(plan_t *plan, const Gov__Envelope *const *events, size_t n)
{
    size_t cap = 2 * n + 16, k = 0;
    int64_t *ids = malloc(cap * sizeof *ids);
    if (!ids)
        return -1;
    for (size_t i = 0; i < n; i++) {
        const Gov__Envelope *e = events[i];
        const char *type = e->type ? e->type : "";
        if (strcmp(type, "CaseCreated") == 0) {
            Gov__CaseCreated *ev =
                (Gov__CaseCreated *) envelope_payload(e, &gov__case_created__descriptor);
            if (ev && ev->item && !ev->item->reporter && ev->item->contact_ref[0] && k < cap)
                ids[k++] = ev->item->id;
            if (ev)
                gov__case_created__free_unpacked(ev, NULL);
        } else if (strcmp(type, "DispatchSent") == 0) {
            Gov__DispatchEvent *ev =
                (Gov__DispatchEvent *) envelope_payload(e, &gov__dispatch_event__descriptor);
            if (ev) {
                s_wants(ev->item, ids, &k, cap);
                gov__dispatch_event__free_unpacked(ev, NULL);
            }
        } else if (strcmp(type, "DeadlineReminder") == 0 || strcmp(type, "DeadlineEscalated") == 0) {
            Gov__DeadlineStep *ev =
                (Gov__DeadlineStep *) envelope_payload(e, &gov__deadline_step__descriptor);
            if (ev) {
                s_wants(ev->item, ids, &k, cap);
                gov__deadline_step__free_unpacked(ev, NULL);
            }
        } else if (strcmp(type, "EvaluationRequested") == 0) {
            Gov__CaseEvaluation *ev =
                (Gov__CaseEvaluation *) envelope_payload(e, &gov__case_evaluation__descriptor);
            if (ev && !ev->reporter && ev->contact_ref[0] && ev->case_id && k < cap)
                ids[k++] = ev->case_id;
            if (ev)
                gov__case_evaluation__free_unpacked(ev, NULL);
        }
        /* WhistleBlown's dispatches (rarely of a case) are asked as they come. */
    }
    size_t fresh = 0; /* once each, and not what the batch asked already */
    for (size_t i = 0; i < k; i++) {
        int seen = 0, asked;
        for (size_t j = 0; j < fresh && !seen; j++)
            seen = ids[j] == ids[i];
        s_find(plan, ids[i], &asked);
        if (!seen && !asked)
            ids[fresh++] = ids[i];
    }
    int rc = fresh ? s_ask(plan, ids, fresh) : 0;
    free(ids);
    return rc;
}

void plan_set_contacts(plan_t *p, contactcli_t *contacts)
{
    p->contacts = contacts;
}

void plan_begin(plan_t *p)
{
    refs_forget(p->refs);
    s_forget_contacts(p);
    s_drop_rows(p, 0);
}

int plan_event(plan_t *plan, PGconn *conn, const Gov__Envelope *event, int64_t now_ms)
{
    job_t p = {.plan = plan, .conn = conn, .event = event, .now_ms = now_ms};
    snprintf(p.seq, sizeof p.seq, "%" PRIu64, event->seq);
    snprintf(p.now, sizeof p.now, "%" PRId64, now_ms);
    size_t first = plan->n;
    text_t t;
    memset(&t, 0, sizeof t);
    render_vars_t vars = {0};
    if (strcmp(event->stream, "routing") == 0)
        s_routing(&p, event->type, &t, &vars);
    else if (strcmp(event->stream, "intake") == 0)
        s_intake(&p, event->type, &t, &vars);
    else if (strcmp(event->stream, "deliberation") == 0)
        s_deliberation(&p, event->type, &t, &vars);
    if (!p.failed && plan->n >= PLAN_WRITE_ROWS && plan_write(plan, conn))
        p.failed = 1;
    if (p.failed) {
        if (plan->n >= first)
            s_drop_rows(plan, first);
        log_error("notify: %s %s at seq %" PRIu64 " not planned", event->stream, event->type,
                  event->seq);
        return -1;
    }
    return (int) p.added;
}

int plan_write(plan_t *p, PGconn *conn)
{
    if (!p->n)
        return 0;
    char *arrays[PLAN_COLS] = {0};
    int rc = -1;
    for (int c = 0; c < PLAN_COLS; c++)
        if (!(arrays[c] = db_text_array(p->cols[c], p->n)))
            goto out;
    rc = db_run(conn, Q_PLAN, PLAN_COLS, (const char *const *) arrays);
out:
    for (int c = 0; c < PLAN_COLS; c++)
        free(arrays[c]);
    if (rc == 0)
        s_drop_rows(p, 0);
    return rc;
}

void plan_destroy(plan_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    plan_t *p = *self_p;
    *self_p = NULL;
    s_drop_rows(p, 0);
    for (int c = 0; c < PLAN_COLS; c++)
        free(p->cols[c]);
    refs_destroy(&p->refs);
    s_forget_contacts(p);
    free(p->replies);
    free(p->asked);
    free(p);
}

int plan_digest(PGconn *conn, const char *const *items, size_t n, char **subject, char **body)
{
    size_t len = 1;
    for (size_t i = 0; i < n; i++)
        len += strlen(items[i]) + 4;
    char *list = malloc(len), count[16];
    if (!list)
        return -1;
    size_t o = 0;
    for (size_t i = 0; i < n; i++)
        o += (size_t) snprintf(list + o, len - o, "%s- %s", i ? "\n" : "", items[i]);
    list[o] = '\0';
    snprintf(count, sizeof count, "%zu", n);
    render_vars_t vars = {0};
    render_set(&vars, "count", count);
    render_set(&vars, "items", list);
    const char *params[] = {"Digest", "zh-CN"};
    PGresult *res = db_exec(conn, Q_TEMPLATE, 2, params, NULL);
    int rc = -1;
    *subject = *body = NULL;
    if (res && PQntuples(res) == 1) {
        *subject = render_template(PQgetvalue(res, 0, 0), &vars);
        *body = render_template(PQgetvalue(res, 0, 1), &vars);
        rc = *subject && *body ? 0 : -1;
    }
    PQclear(res);
    free(list);
    if (rc) {
        free(*subject);
        free(*body);
        *subject = *body = NULL;
    }
    return rc;
}
