#include "council.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "power.h"
#include "queries.h"
#include "text.h"

int council_check_slate(delib_t *d, const matter_ref_t *m, const Gov__ConveneMeeting *p,
                        apperr_t *err)
{
    if (!p->roster_kind || strcmp(p->roster_kind, "representatives") != 0)
        return apperr_fail(err, "BAD_ROSTER", "a council is elected by the representatives' meeting",
                          "convene --roster representatives", NULL);
    if (!power_council_size_ok((long) p->n_elect))
        return apperr_fail(err, "COUNCIL_SIZE", "a 村务商议团 has 7 to 9 members",
                          "seed 002: 7至9个村民代表", "got %zu", p->n_elect);
    for (size_t i = 0; i < p->n_elect; i++)
        for (size_t j = 0; j < i; j++)
            if (strcmp(p->elect[i], p->elect[j]) == 0)
                return apperr_fail(err, "BAD_COUNCIL", "a member is named twice", NULL, "\"%s\"",
                                  p->elect[i]);
    if (p->term_months < 1 || p->term_months > 60)
        return apperr_fail(err, "BAD_TERM", "a council's term is 1 to 60 months", NULL,
                          "got %d", p->term_months);
    char *codes = db_text_array(p->elect, p->n_elect);
    char ids[24];
    PGresult *res = codes ? delib_exec(d, Q_REPRESENTATIVES, 2,
                                       (const char *[]){delib_i64(ids, m->community_id), codes}, err)
                          : NULL;
    free(codes);
    if (!res)
        return -1;
    size_t n = (size_t) delib_cell_i64(res, 0, 0);
    PQclear(res);
    if (n != p->n_elect)
        return apperr_fail(err, "NOT_A_REPRESENTATIVE",
                          "council members are residents' representatives of the community", NULL,
                          "%zu of %zu are", n, p->n_elect);
    return 0;
}

int council_install(delib_t *d, const matter_ref_t *m, int64_t meeting_id, int64_t now_ms,
                    const Gov__Envelope *env, const char *actor, apperr_t *err)
{
    char b[4][24];
    const char *c = delib_i64(b[0], m->community_id), *mt = delib_i64(b[1], meeting_id),
               *now = delib_i64(b[2], now_ms);
    if (delib_run(d, Q_COUNCIL_END, 2, (const char *[]){c, now}, err))
        return -1;
    PGresult *res = delib_exec(d, Q_COUNCIL_INSERT, 3, (const char *[]){c, mt, now}, err);
    if (!res)
        return -1;
    int64_t council = delib_cell_i64(res, 0, 0), until = delib_cell_i64(res, 0, 1);
    PQclear(res);
    if (delib_run(d, Q_COUNCIL_MEMBERS, 2, (const char *[]){delib_i64(b[3], council), mt}, err))
        return -1;
    if (!(res = delib_exec(d, Q_COUNCIL_NOW, 2, (const char *[]){c, now}, err)))
        return -1;
    json_t *members = PQntuples(res) ? json_loads(PQgetvalue(res, 0, 4), 0, NULL) : NULL;
    PQclear(res);
    return matter_record(d, m->id, "council_elected", actor,
                         json_pack("{s:I, s:I, s:o, s:I, s:I}", "council_id", (json_int_t) council,
                                   "meeting_id", (json_int_t) meeting_id, "members",
                                   members ? members : json_array(), "term_from_ms",
                                   (json_int_t) now_ms, "term_until_ms", (json_int_t) until),
                         "CouncilElected", env, NULL, 0, err);
}

int council_review(delib_t *d, const Gov__Envelope *env, const ProtobufCMessage *msg,
                   delib_result_t *out, apperr_t *err)
{
    const Gov__ReviewMatter *p = (const Gov__ReviewMatter *) msg;
    who_t w;
    matter_ref_t m;
    out->matter_id = p->matter_id;
    if (who_load(d, env->actor, &w, err) || matter_lock(d, p->matter_id, &m, err))
        return -1;
    const char *unit = who_party(&w, &m) ? POWER_PARTY : who_committee(&w, &m) ? POWER_EXECUTOR : NULL;
    if (!unit)
        return apperr_fail(err, "NOT_REVIEWER",
                          "only the 两委 (party committee and residents' committee) review",
                          "act as a member of pc.… or cm.…", "%s acts for %s", w.code,
                          w.unit_kind[0] ? w.unit_kind : "no unit");
    if (matter_require(&m, "reviewing", "a review", err) ||
        text_check(p->text, TEXT_BODY, 1, "the review", err))
        return -1;
    char b[3][24];
    const char *params[] = {delib_i64(b[0], m.id), unit, p->approve ? "t" : "f", p->text,
                            delib_i64(b[1], w.person_id), delib_i64(b[2], svclock_now_ms(d->clock))};
    PGresult *res = delib_exec(d, Q_REVIEW, 6, params, err);
    if (!res)
        return -1;
    int fresh = PQntuples(res) == 1;
    PQclear(res);
    if (!fresh)
        return apperr_fail(err, "ALREADY_REVIEWED", "this body has reviewed the matter already",
                          NULL, "%s", unit);
    if (!(res = delib_exec(d, Q_REVIEWS, 1, (const char *[]){b[0]}, err)))
        return -1;
    int64_t n = delib_cell_i64(res, 0, 0), approve = delib_cell_i64(res, 0, 1);
    PQclear(res);
    const char *next = n < 2 ? "" : approve == 2 ? "decided" : "rejected";
    if (*next && matter_move(d, m.id, next, NULL, 0, err))
        return -1;
    return matter_record(d, m.id, "reviewed", w.code,
                         json_pack("{s:s, s:b, s:s, s:s}", "unit", unit, "approve", p->approve,
                                   "text", p->text, "next", *next ? next : "reviewing"),
                         "MatterReviewed", env, NULL, 0, err);
}

void council_reply(delib_t *d, rpcsrv_t *srv, rpc_req_t *req, const Gov__GetCouncil *m)
{
    apperr_t err;
    char b[2][24];
    const char *code = m->community ? m->community : "";
    PGresult *res = delib_exec(d, Q_COMMUNITY, 1, (const char *[]){code}, &err), *c = NULL;
    if (!res) {
        rpcsrv_fail_err(srv, req, &err);
        return;
    }
    if (PQntuples(res) == 0) {
        rpcsrv_fail(srv, req, "UNKNOWN_AREA", "no such community", "see govctl areas list", NULL,
                    NULL);
        goto done;
    }
    const char *params[] = {PQgetvalue(res, 0, 0), delib_i64(b[0], svclock_now_ms(d->clock))};
    if (!(c = delib_exec(d, Q_COUNCIL_NOW, 2, params, &err))) {
        rpcsrv_fail_err(srv, req, &err);
        goto done;
    }
    if (PQntuples(c) == 0) {
        rpcsrv_fail(srv, req, "NO_COUNCIL", "the community has no standing council in its term",
                    "elect one: convene the representatives with --elect", NULL, NULL);
        goto done;
    }
    json_t *members = json_loads(PQgetvalue(c, 0, 4), 0, NULL);
    size_t n = json_is_array(members) ? json_array_size(members) : 0;
    char **codes = calloc(n + 1, sizeof *codes);
    for (size_t i = 0; codes && i < n; i++)
        codes[i] = (char *) json_string_value(json_array_get(members, i));
    Gov__CouncilReply reply = GOV__COUNCIL_REPLY__INIT;
    reply.community = (char *) code;
    reply.council_id = delib_cell_i64(c, 0, 0);
    reply.meeting_id = delib_cell_i64(c, 0, 1);
    reply.term_from_ms = delib_cell_i64(c, 0, 2);
    reply.term_until_ms = delib_cell_i64(c, 0, 3);
    reply.members = codes;
    reply.n_members = codes ? n : 0;
    rpcsrv_reply(srv, req, "CouncilReply", &reply.base);
    free(codes);
    json_decref(members);
done:
    PQclear(c);
    PQclear(res);
}
