#include "steps.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chain.h"
#include "db.h"
#include "mattermsg.h"
#include "power.h"
#include "queries.h"
#include "rule.h"
#include "tasks.h"
#include "text.h"

#define DAY_MS (24 * 3600 * 1000LL)
#define MINUTE_MS (60 * 1000LL)
#define ATTACHMENTS_MAX 20

static int64_t s_rule_minutes(delib_t *d, int64_t community_id, int col, apperr_t *err)
{
    PGresult *rules = matter_rules(d, community_id, err);
    if (!rules)
        return -1;
    int64_t minutes = delib_cell_i64(rules, 0, col);
    PQclear(rules);
    return minutes;
}

/* Loads the actor and locks the matter: the start of every command on one. */
static int s_begin(delib_t *d, const Gov__Envelope *env, int64_t id, who_t *w, matter_ref_t *m,
                   delib_result_t *out, apperr_t *err)
{
    out->matter_id = id;
    if (who_load(d, env->actor, w, err) || matter_lock(d, id, m, err))
        return -1;
    return 0;
}

static const char *s_str(const char *s)
{
    return s ? s : "";
}

/* --- 提事: propose, amend, co-sign ------------------------------------------- */

/* Who may propose in an area: an adult resident in it, or a grid worker,
 * residents' committee or party committee member of its community (seed 002:
 * 村"两委"、村民或村民代表联名提出议题). */
static int s_may_propose(const who_t *w, const matter_ref_t *m)
{
    if (who_in_scope(w, m) || who_committee(w, m) || who_party(w, m))
        return 1;
    return strcmp(w->unit_kind, "grid_team") == 0 && w->unit_community_id == m->community_id;
}

static int s_check_attachments(char **urls, size_t n, apperr_t *err)
{
    return text_check_urls(urls, n, ATTACHMENTS_MAX, "attachments", err);
}

int steps_propose(delib_t *d, const Gov__Envelope *env, const ProtobufCMessage *msg,
                  delib_result_t *out, apperr_t *err)
{
    const Gov__ProposeMatter *p = (const Gov__ProposeMatter *) msg;
    who_t w;
    if (who_load(d, env->actor, &w, err))
        return -1;
    if (strcmp(s_str(p->scope), "grid") != 0 && strcmp(s_str(p->scope), "community") != 0)
        return apperr_fail(err, "BAD_SCOPE", "the scope is grid or community", NULL, "got \"%s\"",
                          s_str(p->scope));
    if (text_check(p->title, TEXT_TITLE, 1, "title", err))
        return -1;
    if (text_check(p->body, TEXT_BODY, 1, "the body", err) ||
        s_check_attachments(p->attachments, p->n_attachments, err))
        return -1;
    PGresult *area = delib_exec(d, Q_AREA, 1, (const char *[]){s_str(p->area)}, err);
    if (!area)
        return -1;
    matter_ref_t m = {0};
    int found = PQntuples(area) == 1;
    if (found) {
        snprintf(m.scope, sizeof m.scope, "%s", p->scope);
        m.area_id = delib_cell_i64(area, 0, 0);
        m.community_id = delib_cell_i64(area, 0, 2);
    }
    int level_ok = found && strcmp(PQgetvalue(area, 0, 1), p->scope) == 0;
    PQclear(area);
    if (!found)
        return apperr_fail(err, "UNKNOWN_AREA", "no such area", "see govctl areas list", "\"%s\"",
                          s_str(p->area));
    if (!level_ok)
        return apperr_fail(err, "BAD_SCOPE", "the area is not of the scope's level", NULL,
                          "%s is not a %s", p->area, p->scope);
    if (!s_may_propose(&w, &m))
        return apperr_fail(err, "OUTSIDE_SCOPE",
                          "only residents of the area, its grid workers or its committees may propose",
                          NULL, "%s", w.code);
    char b[4][24];
    char *attachments = db_text_array(p->attachments, p->n_attachments);
    const char *params[] = {p->scope, delib_i64(b[0], m.area_id), delib_i64(b[1], m.community_id),
                            p->title, p->body, attachments, w.code,
                            delib_i64(b[2], svclock_now_ms(d->clock))};
    PGresult *res = attachments ? delib_exec(d, Q_INSERT_MATTER, 8, params, err) : NULL;
    free(attachments);
    if (!res)
        return -1;
    out->matter_id = delib_cell_i64(res, 0, 0);
    PQclear(res);
    PGresult *rules = matter_rules(d, m.community_id, err);
    if (!rules)
        return -1;
    PQclear(rules);
    json_t *body = json_pack("{s:s, s:s, s:s, s:s}", "scope", p->scope, "area", p->area, "title",
                             p->title, "body", p->body);
    json_t *urls = json_array();
    for (size_t i = 0; body && urls && i < p->n_attachments; i++)
        json_array_append_new(urls, json_string(p->attachments[i]));
    if (body)
        json_object_set_new(body, "attachments", urls);
    else
        json_decref(urls);
    return matter_record(d, out->matter_id, "proposed", w.code, body, "MatterProposed", env,
                         (char **) &w.code, 1, err);
}

int steps_amend(delib_t *d, const Gov__Envelope *env, const ProtobufCMessage *msg,
                delib_result_t *out, apperr_t *err)
{
    const Gov__AmendMatter *p = (const Gov__AmendMatter *) msg;
    who_t w;
    matter_ref_t m;
    if (s_begin(d, env, p->matter_id, &w, &m, out, err))
        return -1;
    char ids[24];
    PGresult *res = delib_exec(d,
                               "SELECT proposer, (SELECT count(*) FROM matter_cosigns"
                               " WHERE matter_id = $1) FROM matters WHERE id = $1",
                               1, (const char *[]){delib_i64(ids, m.id)}, err);
    if (!res)
        return -1;
    int mine = strcmp(PQgetvalue(res, 0, 0), w.code) == 0;
    long cosigns = atol(PQgetvalue(res, 0, 1));
    PQclear(res);
    if (!mine)
        return apperr_fail(err, "NOT_PROPOSER", "only the proposer may amend a matter", NULL, NULL);
    if (strcmp(m.step, "proposed") != 0)
        return apperr_fail(err, "RECORD_CLOSED", "the matter can no longer be edited",
                          "once accepted or declined, a matter's text is part of the record",
                          "matter %lld is %s", (long long) m.id, m.step);
    /* Residents co-signed this text, and their signatures may have made the
     * committee's acceptance a duty: it cannot become another text. */
    if (cosigns > 0)
        return apperr_fail(err, "HAS_COSIGNATURES", "a co-signed matter can no longer be edited",
                          "propose the new text as a matter of its own",
                          "matter %lld has %ld co-signatures", (long long) m.id, cosigns);
    if (text_check(p->title, TEXT_TITLE, 1, "title", err))
        return -1;
    if (text_check(p->body, TEXT_BODY, 1, "the body", err))
        return -1;
    if (delib_run(d, "UPDATE matters SET title = $2, body = $3 WHERE id = $1", 3,
                  (const char *[]){ids, p->title, p->body}, err))
        return -1;
    return matter_record(d, m.id, "amended", w.code,
                         json_pack("{s:s, s:s}", "title", p->title, "body", p->body),
                         "MatterAmended", env, NULL, 0, err);
}

/* After a co-signature: has the statutory trigger been reached? */
static int s_trigger(delib_t *d, const matter_ref_t *m, const Gov__Envelope *env,
                     apperr_t *err)
{
    char ids[24];
    PGresult *c = delib_exec(d, Q_TRIGGER_COUNTS, 1, (const char *[]){delib_i64(ids, m->id)}, err);
    if (!c)
        return -1;
    PGresult *rules = matter_rules(d, m->community_id, err);
    if (!rules) {
        PQclear(c);
        return -1;
    }
    static const char *names[] = {"residents", "households", "groups"};
    json_t *body = json_object();
    const char *met = NULL;
    for (int i = 0; i < 3; i++) {
        rule_t rule;
        int64_t whole = delib_cell_i64(c, 0, 2 * i), count = delib_cell_i64(c, 0, 2 * i + 1);
        const char *text = PQgetvalue(rules, 0, i);
        if (rule_parse(text, &rule) == 0 && rule_met(&rule, count, whole) && !met)
            met = names[i];
        json_object_set_new(body, names[i], json_pack("{s:I, s:I, s:s}", "count", (json_int_t) count,
                                                      "of", (json_int_t) whole, "rule", text));
    }
    PQclear(c);
    PQclear(rules);
    if (!met) {
        json_decref(body);
        return 0;
    }
    json_object_set_new(body, "reached_by", json_string(met));
    if (delib_run(d, Q_CONVENE_REQUIRED, 1, (const char *[]){ids}, err)) {
        json_decref(body);
        return -1;
    }
    return matter_record(d, m->id, "convene_required", "system:deliberation", body,
                         "ConveneRequired", env, NULL, 0, err);
}

int steps_cosign(delib_t *d, const Gov__Envelope *env, const ProtobufCMessage *msg,
                 delib_result_t *out, apperr_t *err)
{
    const Gov__MatterId *p = (const Gov__MatterId *) msg;
    who_t w;
    matter_ref_t m;
    if (s_begin(d, env, p->matter_id, &w, &m, out, err) ||
        matter_require(&m, "proposed discussing discussed", "co-signing", err) ||
        who_require_scope(&w, &m, err))
        return -1;
    char b[3][24];
    const char *params[] = {delib_i64(b[0], m.id), delib_i64(b[1], w.person_id),
                            delib_i64(b[2], svclock_now_ms(d->clock))};
    PGresult *res = delib_exec(d, Q_COSIGN, 3, params, err);
    if (!res)
        return -1;
    int fresh = PQntuples(res) == 1;
    PQclear(res);
    if (!fresh)
        return apperr_fail(err, "ALREADY_COSIGNED", "you have co-signed this matter already", NULL,
                          NULL);
    if (matter_record(d, m.id, "cosigned", w.code, json_pack("{s:s}", "person", w.code),
                      "MatterCosigned", env, NULL, 0, err))
        return -1;
    return m.convene_required ? 0 : s_trigger(d, &m, env, err);
}

/* --- 受理: the party committee accepts or declines (seed 000: 社区党委受理后) --- */

int steps_accept(delib_t *d, const Gov__Envelope *env, const ProtobufCMessage *msg,
                 delib_result_t *out, apperr_t *err)
{
    const Gov__AcceptMatter *p = (const Gov__AcceptMatter *) msg;
    who_t w;
    matter_ref_t m;
    if (s_begin(d, env, p->matter_id, &w, &m, out, err) || who_require_party(&w, &m, err) ||
        matter_require(&m, "proposed", "accepting", err))
        return -1;
    if (p->window_hours < 0 || p->window_hours > 24 * 90)
        return apperr_fail(err, "BAD_WINDOW", "the opinion window is 1 hour to 90 days", NULL,
                          "got %d hours", p->window_hours);
    int64_t now = svclock_now_ms(d->clock), window = p->window_hours * 3600000LL;
    if (!window) {
        int64_t minutes = s_rule_minutes(d, m.community_id, 9, err);
        if (minutes < 0)
            return -1;
        window = minutes * MINUTE_MS;
    }
    int64_t until = now + window, soon = until - (window / 2 < DAY_MS ? window / 2 : DAY_MS);
    if (matter_move(d, m.id, "discussing", "opinions", until, err))
        return -1;
    char ids[24], sb[24];
    PGresult *res = delib_exec(d, Q_INSERT_WINDOW, 3,
                               (const char *[]){delib_i64(ids, m.id), "closing", delib_i64(sb, soon)},
                               err);
    if (!res)
        return -1;
    deadline_arm(d->windows, delib_cell_i64(res, 0, 0), soon);
    PQclear(res);
    return matter_record(d, m.id, "accepted", w.code,
                         json_pack("{s:I}", "opinions_until_ms", (json_int_t) until),
                         "MatterAccepted", env, NULL, 0, err);
}

int steps_decline(delib_t *d, const Gov__Envelope *env, const ProtobufCMessage *msg,
                  delib_result_t *out, apperr_t *err)
{
    const Gov__DeclineMatter *p = (const Gov__DeclineMatter *) msg;
    who_t w;
    matter_ref_t m;
    if (s_begin(d, env, p->matter_id, &w, &m, out, err) || who_require_party(&w, &m, err) ||
        matter_require(&m, "proposed", "declining", err) || matter_free(d, m.id, err))
        return -1;
    if (m.convene_required)
        return apperr_fail(err, "CONVENE_REQUIRED", "the matter reached the statutory trigger",
                          "the committee must accept it and convene a meeting (组织法 art. 10)",
                          NULL);
    if (!p->reason || !p->reason[0])
        return apperr_fail(err, "REASON_REQUIRED", "a decline needs a public reason", NULL, NULL);
    if (text_check(p->reason, TEXT_BODY, 1, "the reason", err))
        return -1;
    char ids[24];
    if (delib_run(d, Q_DECLINE, 2, (const char *[]){delib_i64(ids, m.id), p->reason}, err))
        return -1;
    return matter_record(d, m.id, "declined", w.code, json_pack("{s:s}", "reason", p->reason),
                         "MatterDeclined", env, NULL, 0, err);
}

/* --- 议事: opinions ----------------------------------------------------------- */

static const char *s_window_closed_code(const matter_ref_t *m, int64_t now)
{
    return m->window_until_ms && now >= m->window_until_ms ? "WINDOW_CLOSED" : NULL;
}

int steps_opine(delib_t *d, const Gov__Envelope *env, const ProtobufCMessage *msg,
                delib_result_t *out, apperr_t *err)
{
    const Gov__OpineMatter *p = (const Gov__OpineMatter *) msg;
    who_t w;
    matter_ref_t m;
    if (s_begin(d, env, p->matter_id, &w, &m, out, err))
        return -1;
    int64_t now = svclock_now_ms(d->clock);
    if (strcmp(m.step, "discussing") != 0 || s_window_closed_code(&m, now)) {
        if (strcmp(m.step, "proposed") == 0 || strcmp(m.step, "declined") == 0)
            return matter_require(&m, "discussing", "an opinion", err);
        return apperr_fail(err, "WINDOW_CLOSED", "the opinion window has closed", NULL,
                          "matter %lld is %s", (long long) m.id, m.step);
    }
    if (who_require_scope(&w, &m, err))
        return -1;
    const char *stance = s_str(p->stance);
    if (!matter_word_in(stance, "for against neutral") || !stance[0])
        return apperr_fail(err, "BAD_STANCE", "an opinion is for, against or neutral", NULL,
                          "got \"%s\"", stance);
    if (text_check(p->text, TEXT_BODY, 0, "the opinion", err))
        return -1;
    char b[3][24];
    const char *params[] = {delib_i64(b[0], m.id), delib_i64(b[1], w.person_id), stance,
                            s_str(p->text), delib_i64(b[2], now)};
    if (delib_run(d, Q_OPINE, 5, params, err))
        return -1;
    return matter_record(d, m.id, "opinion", w.code,
                         json_pack("{s:s, s:s, s:s}", "person", w.code, "stance", stance, "text",
                                   s_str(p->text)),
                         "OpinionAdded", env, NULL, 0, err);
}

/* --- 公示: publish the decision, objections ---------------------------------- */

int steps_publish(delib_t *d, const Gov__Envelope *env, const ProtobufCMessage *msg,
                  delib_result_t *out, apperr_t *err)
{
    const Gov__MatterId *p = (const Gov__MatterId *) msg;
    who_t w;
    matter_ref_t m;
    if (s_begin(d, env, p->matter_id, &w, &m, out, err) || who_require_party(&w, &m, err) ||
        matter_require(&m, "decided rejected", "publishing", err) || matter_free(d, m.id, err))
        return -1;
    int64_t minutes = s_rule_minutes(d, m.community_id, 10, err);
    if (minutes < 0)
        return -1;
    char ids[24];
    const char *passed = strcmp(m.step, "decided") == 0 ? "passed" : "rejected";
    PGresult *head = delib_exec(d, Q_DECISION_HEAD, 2, (const char *[]){delib_i64(ids, m.id), passed},
                                err);
    if (!head)
        return -1;
    const char *decision = passed;
    json_t *body = json_pack("{s:s, s:s, s:I}", "decision_head", PQgetvalue(head, 0, 0),
                             "decision", decision,
                             "until_ms", (json_int_t) (svclock_now_ms(d->clock) + minutes * MINUTE_MS));
    PQclear(head);
    /* The supervision's flags, and their answers, are published with it. */
    PGresult *flags = body ? delib_exec(d, Q_FLAGS_JSON, 1, (const char *[]){ids}, err) : NULL;
    if (!flags) {
        json_decref(body);
        return -1;
    }
    json_object_set_new(body, "flags", json_loads(PQgetvalue(flags, 0, 0), 0, NULL));
    PQclear(flags);
    if (matter_move(d, m.id, "published", "notice", svclock_now_ms(d->clock) + minutes * MINUTE_MS, err)) {
        json_decref(body);
        return -1;
    }
    return matter_record(d, m.id, "published", w.code, body, "DecisionPublished", env, NULL, 0, err);
}

int steps_object(delib_t *d, const Gov__Envelope *env, const ProtobufCMessage *msg,
                 delib_result_t *out, apperr_t *err)
{
    const Gov__ObjectMatter *p = (const Gov__ObjectMatter *) msg;
    who_t w;
    matter_ref_t m;
    if (s_begin(d, env, p->matter_id, &w, &m, out, err))
        return -1;
    int64_t now = svclock_now_ms(d->clock);
    if (strcmp(m.step, "approved") == 0 || strcmp(m.step, "acting") == 0 ||
        (strcmp(m.step, "published") == 0 && s_window_closed_code(&m, now)))
        return apperr_fail(err, "NOTICE_ENDED", "the notice period (公示) is over", NULL,
                          "matter %lld is %s", (long long) m.id, m.step);
    if (matter_require(&m, "published", "an objection", err) || who_require_scope(&w, &m, err) ||
        text_check(p->text, TEXT_BODY, 1, "the objection", err))
        return -1;
    char b[3][24];
    const char *params[] = {delib_i64(b[0], m.id), delib_i64(b[1], w.person_id), p->text,
                            delib_i64(b[2], now)};
    PGresult *res = delib_exec(d, Q_OBJECT, 4, params, err);
    if (!res)
        return -1;
    int64_t objection = delib_cell_i64(res, 0, 0);
    PQclear(res);
    return matter_record(d, m.id, "objection", w.code,
                         json_pack("{s:I, s:s, s:s}", "objection_id", (json_int_t) objection,
                                   "person", w.code, "text", p->text),
                         "ObjectionFiled", env, NULL, 0, err);
}

/* An objection is answered by the body that owns the decision: the party
 * committee, which accepted the matter and put it to the meeting (and, for a
 * council's matter, led the 两委 review). The answer is in the chain; the
 * last answer after the 公示 ended lets the decision take effect. */
int steps_answer_objection(delib_t *d, const Gov__Envelope *env, const ProtobufCMessage *msg,
                           delib_result_t *out, apperr_t *err)
{
    const Gov__AnswerObjection *p = (const Gov__AnswerObjection *) msg;
    who_t w;
    matter_ref_t m;
    if (s_begin(d, env, p->matter_id, &w, &m, out, err) || who_require_party(&w, &m, err) ||
        matter_require(&m, "published", "answering an objection", err) ||
        text_check(p->text, TEXT_BODY, 1, "the answer", err))
        return -1;
    char b[4][24];
    const char *key[] = {delib_i64(b[0], m.id), delib_i64(b[1], p->objection_id)};
    PGresult *res = delib_exec(d, Q_OBJECTION_LOCK, 2, key, err);
    if (!res)
        return -1;
    int found = PQntuples(res) == 1, answered = found && PQgetvalue(res, 0, 0)[0] == 't';
    char objector[64];
    snprintf(objector, sizeof objector, "%s", found ? PQgetvalue(res, 0, 1) : "");
    PQclear(res);
    if (!found)
        return apperr_fail(err, "UNKNOWN_OBJECTION", "the matter has no such objection", NULL,
                          "objection %lld", (long long) p->objection_id);
    if (answered)
        return apperr_fail(err, "ALREADY_ANSWERED", "the objection is answered already", NULL, NULL);
    const char *params[] = {b[0], b[1], p->text, delib_i64(b[2], w.person_id),
                            delib_i64(b[3], svclock_now_ms(d->clock))};
    if (delib_run(d, Q_ANSWER_OBJECTION, 5, params, err) ||
        matter_record(d, m.id, "objection_answered", w.code,
                      json_pack("{s:I, s:s}", "objection_id", (json_int_t) p->objection_id,
                                "text", p->text),
                      "ObjectionAnswered", env, (char *[]){objector}, 1, err))
        return -1;
    return steps_release(d, m.id, err);
}

/* --- 办事: act on the decision ------------------------------------------------ */

int steps_act(delib_t *d, const Gov__Envelope *env, const ProtobufCMessage *msg,
              delib_result_t *out, apperr_t *err)
{
    const Gov__ActMatter *p = (const Gov__ActMatter *) msg;
    who_t w;
    matter_ref_t m;
    if (s_begin(d, env, p->matter_id, &w, &m, out, err) || who_require_committee(&w, &m, err) ||
        matter_require(&m, "approved", "acting", err) || text_check(p->text, TEXT_BODY, 0, "the text", err))
        return -1;
    if (p->n_departments == 0 && p->n_tasks == 0)
        return apperr_fail(err, "NOTHING_TO_DO", "name the departments or the committee's tasks",
                          NULL, NULL);
    char ids[24];
    delib_i64(ids, m.id);
    char *depts = db_text_array(p->departments, p->n_departments);
    if (!depts)
        return apperr_fail(err, "INTERNAL", "out of memory", NULL, NULL);
    int rc = -1;
    PGresult *res = delib_exec(d, Q_NOT_DEPARTMENTS, 1, (const char *[]){depts}, err);
    if (!res)
        goto done;
    if (PQntuples(res)) {
        apperr_fail(err, "UNKNOWN_DEPARTMENT", "no such department", "see govctl units list",
                   "\"%s\"", PQgetvalue(res, 0, 0));
        PQclear(res);
        goto done;
    }
    PQclear(res);
    json_t *body = json_pack("{s:s, s:[], s:[]}", "text", s_str(p->text), "departments", "tasks");
    if (p->n_departments &&
        delib_run(d, Q_INSERT_TASK, 4,
                  (const char *[]){ids, "dispatch", s_str(p->text[0] ? p->text : "联动办事"), depts},
                  err)) {
        json_decref(body);
        goto done;
    }
    for (size_t i = 0; i < p->n_departments; i++)
        json_array_append_new(json_object_get(body, "departments"),
                              json_string(p->departments[i]));
    for (size_t i = 0; i < p->n_tasks; i++) {
        if (text_check(p->tasks[i], TEXT_BODY, 1, "a task", err) ||
            delib_run(d, Q_INSERT_TASK, 4, (const char *[]){ids, "committee", p->tasks[i], "{}"},
                      err)) {
            json_decref(body);
            goto done;
        }
        json_array_append_new(json_object_get(body, "tasks"), json_string(p->tasks[i]));
    }
    if (matter_move(d, m.id, "acting", NULL, 0, err)) {
        json_decref(body);
        goto done;
    }
    rc = matter_record(d, m.id, "acting", w.code, body, "MatterActing", env, NULL, 0, err);
done:
    free(depts);
    return rc;
}

int steps_progress(delib_t *d, const Gov__Envelope *env, const ProtobufCMessage *msg,
                   delib_result_t *out, apperr_t *err)
{
    const Gov__ProgressMatter *p = (const Gov__ProgressMatter *) msg;
    who_t w;
    matter_ref_t m;
    if (s_begin(d, env, p->matter_id, &w, &m, out, err) || who_require_committee(&w, &m, err) ||
        matter_require(&m, "acting", "progress", err) || text_check(p->text, TEXT_BODY, 1, "the progress", err))
        return -1;
    int64_t now = svclock_now_ms(d->clock);
    char b[3][24];
    if (p->task_id) {
        const char *params[] = {delib_i64(b[0], m.id), delib_i64(b[1], p->task_id),
                                delib_i64(b[2], now)};
        PGresult *res = delib_exec(d, Q_TASK_DONE, 3, params, err);
        if (!res)
            return -1;
        int done = PQntuples(res) == 1;
        PQclear(res);
        if (!done)
            return apperr_fail(err, "UNKNOWN_TASK", "no such open task on this matter", NULL,
                              "task %lld", (long long) p->task_id);
    }
    if (p->done && tasks_require_settled(d, m.id, err))
        return -1;
    json_t *body = json_pack("{s:s, s:I, s:b}", "text", p->text, "task_id",
                             (json_int_t) p->task_id, "done", p->done);
    if (!p->done)
        return matter_record(d, m.id, "progress", w.code, body, "MatterProgress", env, NULL, 0,
                             err);
    int64_t minutes = s_rule_minutes(d, m.community_id, 11, err);
    if (minutes < 0 ||
        matter_move(d, m.id, "evaluating", "evaluation", now + minutes * MINUTE_MS, err)) {
        json_decref(body);
        return -1;
    }
    return matter_record(d, m.id, "work_done", w.code, body, "EvaluationOpened", env, NULL, 0, err);
}

/* --- 评事: evaluate; supervision ----------------------------------------------- */

int steps_evaluate(delib_t *d, const Gov__Envelope *env, const ProtobufCMessage *msg,
                   delib_result_t *out, apperr_t *err)
{
    const Gov__EvaluateMatter *p = (const Gov__EvaluateMatter *) msg;
    who_t w;
    matter_ref_t m;
    if (s_begin(d, env, p->matter_id, &w, &m, out, err))
        return -1;
    int64_t now = svclock_now_ms(d->clock);
    if (strcmp(m.step, "closed") == 0 ||
        (strcmp(m.step, "evaluating") == 0 && s_window_closed_code(&m, now)))
        return apperr_fail(err, "EVALUATION_CLOSED", "the evaluation has closed", NULL, NULL);
    if (matter_require(&m, "evaluating", "an evaluation", err) || who_require_scope(&w, &m, err))
        return -1;
    const char *rating = s_str(p->rating);
    if (!rating[0] || !matter_word_in(rating, "satisfied basic dissatisfied"))
        return apperr_fail(err, "BAD_RATING", "a rating is satisfied, basic or dissatisfied", NULL,
                          "got \"%s\"", rating);
    if (text_check(p->text, TEXT_BODY, 0, "the evaluation", err))
        return -1;
    char b[3][24];
    const char *params[] = {delib_i64(b[0], m.id), delib_i64(b[1], w.person_id), rating,
                            s_str(p->text), delib_i64(b[2], now)};
    PGresult *res = delib_exec(d, Q_EVALUATE, 5, params, err);
    if (!res)
        return -1;
    int fresh = PQntuples(res) == 1;
    PQclear(res);
    if (!fresh)
        return apperr_fail(err, "ALREADY_EVALUATED", "you have evaluated this matter already", NULL,
                          NULL);
    return matter_record(d, m.id, "evaluation", w.code,
                         json_pack("{s:s, s:s, s:s}", "person", w.code, "rating", rating, "text",
                                   s_str(p->text)),
                         "MatterEvaluated", env, NULL, 0, err);
}

int steps_observe(delib_t *d, const Gov__Envelope *env, const ProtobufCMessage *msg,
                  delib_result_t *out, apperr_t *err)
{
    const Gov__ObserveMatter *p = (const Gov__ObserveMatter *) msg;
    who_t w;
    matter_ref_t m;
    if (s_begin(d, env, p->matter_id, &w, &m, out, err) || who_require_supervisor(&w, &m, err) ||
        text_check(p->text, TEXT_BODY, 1, "the observation", err))
        return -1;
    char b[3][24];
    const char *params[] = {delib_i64(b[0], m.id), delib_i64(b[1], w.person_id), m.step, p->text,
                            delib_i64(b[2], svclock_now_ms(d->clock))};
    if (delib_run(d, Q_OBSERVE, 5, params, err))
        return -1;
    return matter_record(d, m.id, "observation", w.code,
                         json_pack("{s:s, s:s, s:s}", "person", w.code, "step", m.step, "text",
                                   p->text),
                         "ObservationAdded", env, NULL, 0, err);
}

/* --- what the clock and routing move ------------------------------------------- */

/* --- the windows closing on their own (windows.c) --------------------------- */

/* Each builds the record's body from the matter and says the step it moves
 * to (NULL: it stays). */
static json_t *s_closing_soon(const Gov__Matter *v, const char **to)
{
    *to = NULL;
    return json_pack("{s:I}", "until_ms", (json_int_t) v->window_until_ms);
}

static json_t *s_opinions_closed(const Gov__Matter *v, const char **to)
{
    *to = "discussed";
    return json_pack("{s:i, s:i, s:i}", "for", v->opinions_for, "against", v->opinions_against,
                     "neutral", v->opinions_neutral);
}

/* An unanswered objection holds the decision: the 公示 ends, the matter stays
 * published until the party committee has answered every objection. A
 * rejection, and an election (its council took office at the close), have
 * nothing to execute: they close. */
static json_t *s_notice_ended(const Gov__Matter *v, const char **to)
{
    int passed = strcmp(v->decision, "passed") == 0;
    int election = v->meeting && v->meeting->n_elect > 0;
    *to = v->objections_open ? NULL : passed && !election ? "approved" : "closed";
    return json_pack("{s:i, s:i, s:s}", "objections", v->objections, "unanswered",
                     v->objections_open, "next", *to ? *to : "held");
}

/* A dissatisfied majority reopens the execution once (power_reopen). */
static json_t *s_evaluation_closed(const Gov__Matter *v, const char **to)
{
    int reopen = power_reopen(v->rated_satisfied, v->rated_basic, v->rated_dissatisfied,
                              v->reopened);
    *to = reopen ? "acting" : "closed";
    return json_pack("{s:i, s:i, s:i, s:i, s:s}", "round", v->round, "satisfied",
                     v->rated_satisfied, "basic", v->rated_basic, "dissatisfied",
                     v->rated_dissatisfied, "next", *to);
}

/* What a window closing does to a matter still at step `from`: record
 * `record` announcing `event`, and move on. A matter that left the step
 * already (the committee convened early, say) is left alone. */
static const struct {
    const char *kind, *from, *record, *event;
    json_t *(*body)(const Gov__Matter *v, const char **to);
} s_window_moves[] = {
    {"closing", "discussing", "closing_soon", "DiscussionClosing", s_closing_soon},
    {"opinions", "discussing", "discussion_closed", "DiscussionClosed", s_opinions_closed},
    {"notice", "published", "notice_ended", "NoticeEnded", s_notice_ended},
    {"evaluation", "evaluating", "evaluation_closed", "MatterClosed", s_evaluation_closed},
};

int steps_window_closed(delib_t *d, int64_t matter_id, const char *kind, apperr_t *err)
{
    size_t k = 0, n = sizeof s_window_moves / sizeof *s_window_moves;
    while (k < n && strcmp(s_window_moves[k].kind, kind) != 0)
        k++;
    if (k == n)
        return apperr_fail(err, "INTERNAL", "unknown window kind", NULL, "\"%s\"", kind);
    matter_ref_t m;
    if (matter_lock(d, matter_id, &m, err))
        return -1;
    if (strcmp(m.step, s_window_moves[k].from) != 0)
        return 0;
    mattermsg_t v;
    if (mattermsg_load(d, m.id, &v, err) != 1) {
        mattermsg_clear(&v);
        return -1;
    }
    const char *to = NULL, *record = s_window_moves[k].record, *event = s_window_moves[k].event;
    json_t *body = s_window_moves[k].body(&v.msg, &to);
    mattermsg_clear(&v);
    int held = strcmp(kind, "closing") != 0 && (!to || m.flags_open > 0);
    if (held) {
        /* A flag (or, for the 公示, an objection) holds the matter: the
         * window is over, the step waits for the answer (steps_release). */
        json_object_set_new(body, "window", json_string(kind));
        json_object_set_new(body, "flags_open", json_integer(m.flags_open));
        return matter_record(d, m.id, "window_held", "system:deliberation", body, NULL, NULL,
                             NULL, 0, err);
    }
    if (to && matter_move(d, m.id, to, NULL, 0, err)) {
        json_decref(body);
        return -1;
    }
    if (strcmp(kind, "evaluation") == 0 && strcmp(to, "acting") == 0) {
        char ids[24];
        if (delib_run(d, Q_REOPEN, 1, (const char *[]){delib_i64(ids, m.id)}, err)) {
            json_decref(body);
            return -1;
        }
        record = "reopened";
        event = "MatterReopened";
    }
    return matter_record(d, m.id, record, "system:deliberation", body, event, NULL, NULL, 0, err);
}

int steps_release(delib_t *d, int64_t matter_id, apperr_t *err)
{
    matter_ref_t m;
    if (matter_lock(d, matter_id, &m, err))
        return -1;
    const char *window = power_window_of(m.step);
    if (m.flags_open || !window || !m.window_until_ms ||
        svclock_now_ms(d->clock) < m.window_until_ms)
        return 0;
    return steps_window_closed(d, m.id, window, err);
}

int steps_whistle(delib_t *d, int64_t matter_id, int64_t whistle_id, int closed,
                  apperr_t *err)
{
    matter_ref_t m;
    if (matter_lock(d, matter_id, &m, err))
        return -1;
    char b[3][24];
    const char *params[] = {delib_i64(b[0], matter_id), delib_i64(b[1], whistle_id),
                            delib_i64(b[2], svclock_now_ms(d->clock))};
    PGresult *res = delib_exec(d, closed ? Q_TASK_BY_WHISTLE : Q_TASK_WHISTLE, closed ? 3 : 2,
                               params, err);
    if (!res)
        return -1;
    int changed = PQntuples(res) > 0;
    PQclear(res);
    if (!changed)
        return 0;
    return matter_record(d, matter_id, closed ? "departments_done" : "departments_summoned",
                         "system:routing", json_pack("{s:I}", "whistle_id", (json_int_t) whistle_id),
                         "MatterProgress", NULL, NULL, 0, err);
}
