#include "evaluate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "dispatch.h"
#include "dispatchmsg.h"
#include "outbox.h"
#include "queries.h"
#include "reporters.h"
#include "routing.pb-c.h"
#include "rules.h"
#include "text.h"

static int s_authorise(routing_t *r, const Gov__Actor *actor, const char *reporter_phone,
                       apperr_t *err)
{
    if (actor && actor->unit && actor->unit[0]) {
        int64_t unit;
        char kind[24];
        if (routing_member(r, actor, &unit, kind, NULL, err))
            return -1;
        if (strcmp(kind, "dispatch_centre") != 0)
            return apperr_fail(err, "NOT_THE_REPORTER", "only the reporter evaluates a case",
                                "or the dispatch centre's callback (回访) on their behalf", NULL);
        return 0;
    }
    if (!actor || !actor->id || !actor->id[0] || !reporter_phone[0])
        return apperr_fail(err, "NOT_THE_REPORTER", "only the reporter evaluates a case",
                            "a resident acts as themselves (or with their phone number)", NULL);
    if (strcmp(actor->id, reporter_phone) == 0)
        return 0; /* a caller known only by the phone they reported with */
    /* A person (through the gateway): theirs when their phone is the reporter's. */
    char sqlstate[6];
    const char *params[] = {actor->id};
    PGresult *res = pstmt_exec(r->sql, "SELECT coalesce(phone, '') FROM people WHERE code = $1", 1,
                               params, sqlstate);
    if (!res)
        return apperr_db(err, sqlstate);
    int theirs = PQntuples(res) == 1 && strcmp(PQgetvalue(res, 0, 0), reporter_phone) == 0;
    PQclear(res);
    if (!theirs)
        return apperr_fail(err, "NOT_THE_REPORTER", "only the reporter evaluates a case",
                            "a resident acts as themselves (or with their phone number)", NULL);
    return 0;
}

static int s_evaluate(routing_t *r, const Gov__Envelope *env, const Gov__EvaluateCase *m,
                      char state[24], int64_t *next_id, apperr_t *err)
{
    static const char *results = " satisfied basic dissatisfied ";
    char pat[32];
    snprintf(pat, sizeof pat, " %s ", m->result ? m->result : "");
    if (!m->result || !m->result[0] || !strstr(results, pat))
        return apperr_fail(err, "BAD_RESULT", "unknown evaluation",
                            "satisfied, basic (basically satisfied) or dissatisfied", "got \"%s\"",
                            m->result ? m->result : "");
    if (text_check(m->text, TEXT_BODY, 0, "text", err))
        return -1;
    char b[4][24], sqlstate[6];
    const char *cp[] = {routing_i64(b[0], m->case_id)};
    PGresult *c = pstmt_exec(r->sql, Q_CASE, 1, cp, sqlstate);
    if (!c)
        return apperr_db(err, sqlstate);
    int rc = -1;
    PGresult *lead = NULL, *ins = NULL;
    if (PQntuples(c) == 0) {
        apperr_fail(err, "NOT_FOUND", "no such case", NULL, "case %s", b[0]);
        goto done;
    }
    char phone[64]; /* the reporter's, from intake (reporters.h) */
    if (reporters_phone(r, m->case_id, PQgetvalue(c, 0, 6), PQgetvalue(c, 0, 7), phone,
                        sizeof phone)) {
        apperr_fail(err, "SERVICE_TIMEOUT", "intake did not answer", "retry with the same message id",
                    "the reporter of case %s is intake's to give", b[0]);
        goto done;
    }
    if (s_authorise(r, env->actor, phone, err))
        goto done;
    /* A caller known only by their phone acts by it; from here on — the
     * evaluation's row, the dispatch log, the events — they are named by
     * reference, so their number goes no further (docs/privacy.md). */
    Gov__Envelope by_ref;
    Gov__Actor ref_actor;
    char ref[40];
    if (env->actor && env->actor->id && env->actor->id[0] &&
        strcmp(env->actor->id, phone) == 0) {
        snprintf(ref, sizeof ref, "reporter:%s", b[0]);
        ref_actor = *env->actor;
        ref_actor.id = ref;
        by_ref = *env;
        by_ref.actor = &ref_actor;
        env = &by_ref;
    }
    if (strcmp(PQgetvalue(c, 0, 3), "resolved") != 0) {
        apperr_fail(err, "NOT_RESOLVED", "the case is not waiting for an evaluation", NULL,
                     "case %s is %s", b[0], PQgetvalue(c, 0, 3));
        goto done;
    }
    int reopened = atoi(PQgetvalue(c, 0, 4));
    if (!(lead = pstmt_exec(r->sql, Q_RESOLVED_LEAD, 1, cp, sqlstate)) || PQntuples(lead) != 1) {
        apperr_db(err, sqlstate);
        goto done;
    }
    int64_t dispatch_id = strtoll(PQgetvalue(lead, 0, 0), NULL, 10);
    int64_t now = svclock_now_ms(r->clock);
    const char *ip[] = {b[0], PQgetvalue(lead, 0, 0), m->result, m->text ? m->text : "",
                        dispatch_actor_id(env->actor), routing_i64(b[1], now)};
    if (!(ins = pstmt_exec(r->sql, Q_INSERT_EVALUATION, 6, ip, sqlstate))) {
        apperr_db(err, sqlstate);
        goto done;
    }
    *next_id = 0;
    if (strcmp(m->result, "dissatisfied") != 0) {
        snprintf(state, 24, "closed");
    } else {
        /* Reopen: to the lead unit once, then to the centre. */
        dispatch_spec_t spec = {.case_id = m->case_id, .role = "lead", .reopen = 1,
                                .policy_id = strtoll(PQgetvalue(lead, 0, 2), NULL, 10),
                                .unit_id = strtoll(PQgetvalue(lead, 0, 1), NULL, 10),
                                .on_site = PQgetvalue(lead, 0, 3)[0] == 't',
                                .rule_id = strtoll(PQgetvalue(lead, 0, 4), NULL, 10)};
        if (reopened > 0 &&
            (spec.unit_id = rules_centre(r, strtoll(PQgetvalue(c, 0, 2), NULL, 10), err)) < 0)
            goto done;
        if ((*next_id = dispatch_send(r, &spec, env->actor, env->trace_id, err)) < 0)
            goto done;
        snprintf(state, 24, "dispatched");
        reopened++;
    }
    char at[24];
    const char *sp[] = {b[0], state, routing_i64(b[2], reopened),
                        routing_i64(at, svclock_now_ms(r->clock))};
    PGresult *u = pstmt_exec(r->sql, Q_CASE_STATE, 4, sp, sqlstate);
    if (!u) {
        apperr_db(err, sqlstate);
        goto done;
    }
    PQclear(u);
    dispatchmsg_t view;
    PGresult *row;
    if (dispatchmsg_load(r, dispatch_id, 0, &view, &row, sqlstate) <= 0) {
        apperr_db(err, sqlstate);
    } else {
        Gov__CaseEvaluation ev = GOV__CASE_EVALUATION__INIT;
        ev.case_id = m->case_id;
        dispatchmsg_for_event(&view, 0); /* nobody it goes to needs them (readscope.h) */
        ev.item = &view.msg;
        ev.result = m->result;
        ev.text = m->text;
        if (outbox_add(r->conn, ROUTING_STREAM, "CaseEvaluated", env->actor, env->trace_id,
                       &ev.base) == 0)
            rc = 0;
        else
            apperr_fail(err, "DB_UNAVAILABLE", "the event could not be stored", "retry later",
                         NULL);
    }
    dispatchmsg_clear(&view);
    PQclear(row);
done:
    PQclear(c);
    PQclear(lead);
    PQclear(ins);
    return rc;
}

int evaluate_case(routing_t *r, const Gov__Envelope *env, const ProtobufCMessage *msg,
                  idem_answer_t *out, apperr_t *err)
{
    const Gov__EvaluateCase *m = (const Gov__EvaluateCase *) msg;
    char state[24] = "";
    int rc = s_evaluate(r, env, m, state, &out->ids[1], err);
    if (rc == 0) {
        out->ids[0] = m->case_id;
        snprintf(out->note, sizeof out->note, "%s", state);
    }
    return rc;
}
