#include "supervise.h"

#include <stdio.h>
#include <string.h>

#include "power.h"
#include "queries.h"
#include "text.h"

static const char *s_str(const char *s)
{
    return s ? s : "";
}

static int s_begin(delib_t *d, const Gov__Envelope *env, int64_t id, who_t *w, matter_ref_t *m,
                   delib_result_t *out, apperr_t *err)
{
    out->matter_id = id;
    return who_load(d, env->actor, w, err) || matter_lock(d, id, m, err) ? -1 : 0;
}

int supervise_flag(delib_t *d, const Gov__Envelope *env, const ProtobufCMessage *msg,
                   delib_result_t *out, apperr_t *err)
{
    const Gov__FlagMatter *p = (const Gov__FlagMatter *) msg;
    who_t w;
    matter_ref_t m;
    if (s_begin(d, env, p->matter_id, &w, &m, out, err) || who_require_supervisor(&w, &m, err) ||
        text_check(p->text, TEXT_BODY, 1, "the flag", err))
        return -1;
    char b[5][24];
    PGresult *res = delib_exec(d, Q_RECORD_KIND, 2,
                               (const char *[]){delib_i64(b[0], m.id), delib_i64(b[1], p->record_n)},
                               err);
    if (!res)
        return -1;
    if (PQntuples(res) == 0) {
        PQclear(res);
        return apperr_fail(err, "UNKNOWN_RECORD", "the matter has no record with that number",
                          "see govctl matter record", "record %d", p->record_n);
    }
    char kind[32];
    snprintf(kind, sizeof kind, "%s", PQgetvalue(res, 0, 0));
    const char *owner = power_flag_owner(kind, PQgetvalue(res, 0, 1));
    PQclear(res);
    if (!owner)
        return apperr_fail(err, "FLAG_TARGET", "that record cannot be flagged",
                          "flag a step of a body, not the supervision's own", "record %d is %s",
                          p->record_n, kind);
    const char *params[] = {b[0], b[1], kind, owner, p->text, delib_i64(b[2], w.person_id),
                            delib_i64(b[3], svclock_now_ms(d->clock))};
    if (!(res = delib_exec(d, Q_INSERT_FLAG, 7, params, err)))
        return -1;
    int64_t flag = delib_cell_i64(res, 0, 0);
    PQclear(res);
    return matter_record(d, m.id, "flag", w.code,
                         json_pack("{s:I, s:i, s:s, s:s, s:s}", "flag_id", (json_int_t) flag,
                                   "record_n", p->record_n, "record_kind", kind, "owner", owner,
                                   "text", p->text),
                         "StepFlagged", env, NULL, 0, err);
}

int supervise_answer(delib_t *d, const Gov__Envelope *env, const ProtobufCMessage *msg,
                     delib_result_t *out, apperr_t *err)
{
    const Gov__AnswerFlag *p = (const Gov__AnswerFlag *) msg;
    who_t w;
    matter_ref_t m;
    if (s_begin(d, env, p->matter_id, &w, &m, out, err))
        return -1;
    char b[4][24];
    const char *key[] = {delib_i64(b[0], m.id), delib_i64(b[1], p->flag_id)};
    PGresult *res = delib_exec(d, Q_FLAG_LOCK, 2, key, err);
    if (!res)
        return -1;
    if (PQntuples(res) == 0) {
        PQclear(res);
        return apperr_fail(err, "UNKNOWN_FLAG", "the matter has no such flag", NULL, "flag %lld",
                          (long long) p->flag_id);
    }
    char owner[24];
    snprintf(owner, sizeof owner, "%s", PQgetvalue(res, 0, 0));
    int answered = PQgetvalue(res, 0, 1)[0] == 't';
    PQclear(res);
    if (who_require_body(&w, &m, owner, err))
        return -1;
    if (answered)
        return apperr_fail(err, "ALREADY_ANSWERED", "the flag is answered already", NULL, NULL);
    if (text_check(p->text, TEXT_BODY, 1, "the answer", err))
        return -1;
    const char *params[] = {b[0], b[1], p->text, delib_i64(b[2], w.person_id),
                            delib_i64(b[3], svclock_now_ms(d->clock))};
    if (delib_run(d, Q_ANSWER_FLAG, 5, params, err) ||
        matter_record(d, m.id, "flag_answered", w.code,
                      json_pack("{s:I, s:s, s:s}", "flag_id", (json_int_t) p->flag_id, "unit",
                                owner, "text", p->text),
                      "FlagAnswered", env, NULL, 0, err))
        return -1;
    return steps_release(d, m.id, err);
}

int supervise_rate(delib_t *d, const Gov__Envelope *env, const ProtobufCMessage *msg,
                   delib_result_t *out, apperr_t *err)
{
    const Gov__RateExecution *p = (const Gov__RateExecution *) msg;
    who_t w;
    matter_ref_t m;
    if (s_begin(d, env, p->matter_id, &w, &m, out, err) || who_require_supervisor(&w, &m, err) ||
        matter_require(&m, "evaluating", "rating the execution", err))
        return -1;
    const char *rating = s_str(p->rating);
    if (!rating[0] || !matter_word_in(rating, "satisfied basic dissatisfied"))
        return apperr_fail(err, "BAD_RATING", "a rating is satisfied, basic or dissatisfied", NULL,
                          "got \"%s\"", rating);
    if (text_check(p->text, TEXT_BODY, 0, "the rating", err))
        return -1;
    char b[3][24];
    const char *params[] = {delib_i64(b[0], m.id), rating, s_str(p->text),
                            delib_i64(b[1], w.person_id), delib_i64(b[2], svclock_now_ms(d->clock))};
    PGresult *res = delib_exec(d, Q_RATE_EXECUTION, 5, params, err);
    if (!res)
        return -1;
    int fresh = PQntuples(res) == 1;
    PQclear(res);
    if (!fresh)
        return apperr_fail(err, "ALREADY_RATED", "the supervision has rated this execution already",
                          NULL, "round %d", m.round);
    return matter_record(d, m.id, "execution_rated", w.code,
                         json_pack("{s:i, s:s, s:s}", "round", m.round, "rating", rating, "text",
                                   s_str(p->text)),
                         "ExecutionRated", env, NULL, 0, err);
}
