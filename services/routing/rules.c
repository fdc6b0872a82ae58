#include "rules.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "dispatch.h"
#include "outbox.h"
#include "queries.h"
#include "readscope.h"
#include "routing.pb-c.h"

int64_t rules_centre(routing_t *r, int64_t area_id, apperr_t *err)
{
    char ids[24], sqlstate[6];
    const char *params[] = {routing_i64(ids, area_id)};
    PGresult *res = pstmt_exec(r->sql, Q_CENTRE, 1, params, sqlstate);
    if (!res)
        return apperr_db(err, sqlstate);
    int64_t id = PQntuples(res) ? strtoll(PQgetvalue(res, 0, 0), NULL, 10) : -1;
    PQclear(res);
    if (id < 0)
        return apperr_fail(err, "NO_CENTRE", "no dispatch centre is configured",
                            "add a unit of kind dispatch_centre", NULL);
    return id;
}

int64_t rules_case_policy(routing_t *r, int64_t case_id, apperr_t *err)
{
    char ids[24], sqlstate[6];
    const char *cp[] = {routing_i64(ids, case_id)};
    PGresult *c = pstmt_exec(r->sql, Q_CASE, 1, cp, sqlstate);
    if (!c)
        return apperr_db(err, sqlstate);
    if (PQntuples(c) == 0) {
        PQclear(c);
        return apperr_fail(err, "NOT_FOUND", "no such case", NULL, "case %s", ids);
    }
    const char *pp[] = {PQgetvalue(c, 0, 0), PQgetvalue(c, 0, 1)};
    PGresult *p = pstmt_exec(r->sql, Q_POLICY_FOR_CASE, 2, pp, sqlstate);
    PQclear(c);
    if (!p)
        return apperr_db(err, sqlstate);
    int64_t id = PQntuples(p) ? strtoll(PQgetvalue(p, 0, 0), NULL, 10) : 0;
    PQclear(p);
    return id;
}

/* Sends the rule's assisting units their dispatches. `ids` is a bigint[] literal. */
static int s_send_assists(routing_t *r, int64_t case_id, int64_t rule_id, int64_t policy_id,
                          const char *ids, const Gov__Actor *actor, const char *trace_id,
                          apperr_t *err)
{
    const char *p = ids;
    while (*p) {
        char *end;
        long long unit = strtoll(p + (*p == '{' || *p == ','), &end, 10);
        if (end == p + (*p == '{' || *p == ','))
            break;
        dispatch_spec_t spec = {.case_id = case_id, .unit_id = unit, .rule_id = rule_id,
                                .policy_id = policy_id, .role = "assist"};
        if (dispatch_send(r, &spec, actor, trace_id, err) < 0)
            return -1;
        p = end;
    }
    return 0;
}

int64_t rules_route_next(routing_t *r, int64_t case_id, const Gov__Actor *actor,
                         const char *trace_id, int with_assists, apperr_t *err)
{
    int64_t policy = rules_case_policy(r, case_id, err);
    if (policy < 0)
        return -1;
    char ids[24], sqlstate[6];
    const char *params[] = {routing_i64(ids, case_id)};
    PGresult *rule = pstmt_exec(r->sql, Q_NEXT_RULE, 1, params, sqlstate);
    if (!rule)
        return apperr_db(err, sqlstate);
    dispatch_spec_t spec = {.case_id = case_id, .policy_id = policy, .role = "lead"};
    int64_t id = -1;
    if (PQntuples(rule) == 1) {
        spec.rule_id = strtoll(PQgetvalue(rule, 0, 0), NULL, 10);
        spec.unit_id = strtoll(PQgetvalue(rule, 0, 1), NULL, 10);
        spec.on_site = PQgetvalue(rule, 0, 2)[0] == 't';
    } else {
        /* 兜底: nothing (more) matches; the centre assigns by hand. */
        PGresult *c = pstmt_exec(r->sql, Q_CASE, 1, params, sqlstate);
        int64_t area = c && PQntuples(c) ? strtoll(PQgetvalue(c, 0, 2), NULL, 10) : 0;
        PQclear(c);
        if ((spec.unit_id = rules_centre(r, area, err)) < 0)
            goto done;
    }
    if ((id = dispatch_send(r, &spec, actor, trace_id, err)) < 0)
        goto done;
    if (with_assists && spec.rule_id &&
        s_send_assists(r, case_id, spec.rule_id, policy, PQgetvalue(rule, 0, 3), actor, trace_id,
                       err))
        id = -1;
done:
    PQclear(rule);
    return id;
}

int rules_route_case(routing_t *r, const Gov__Case *c, const char *trace_id, apperr_t *err)
{
    char b[4][24], lon[32], lat[32], sqlstate[6];
    const char *area = c->n_area_path ? c->area_path[c->n_area_path - 1]->code : NULL;
    int placed = c->location && c->location->point;
    if (placed) {
        snprintf(lon, sizeof lon, "%.7f", c->location->point->lon);
        snprintf(lat, sizeof lat, "%.7f", c->location->point->lat);
    }
    const char *params[] = {routing_i64(b[0], c->id), c->category, c->urgency, c->description,
                            area, placed ? lon : NULL, placed ? lat : NULL,
                            c->reporter ? c->reporter->name : "",
                            c->reporter ? c->reporter->phone : "",
                            routing_i64(b[1], c->created_ms)};
    PGresult *res = pstmt_exec(r->sql, Q_INSERT_CASE, 10, params, sqlstate);
    if (!res)
        return apperr_db(err, sqlstate);
    int fresh = PQntuples(res) == 1;
    PQclear(res);
    if (!fresh)
        return 0;
    return rules_route_next(r, c->id, NULL, trace_id, 1, err) < 0 ? -1 : 0;
}

int rules_set(routing_t *r, const Gov__Envelope *env, const ProtobufCMessage *msg,
              idem_answer_t *out, apperr_t *err)
{
    const Gov__SetRule *m = (const Gov__SetRule *) msg;
    int64_t unit;
    char kind[24], b[24], sqlstate[6];
    if (routing_member(r, env->actor, &unit, kind, NULL, err))
        return -1;
    if (strcmp(kind, "dispatch_centre") != 0 && strcmp(kind, "admin") != 0)
        return apperr_fail(err, "NOT_CENTRE",
                           "only the dispatch centre or the admin may change the rules", NULL,
                           "%s is a %s", env->actor->unit, kind);
    const char *params[] = {routing_i64(b, m->rule_id), m->enabled ? "true" : "false"};
    PGresult *res = pstmt_exec(r->sql, Q_SET_RULE, 2, params, sqlstate);
    if (!res)
        return apperr_db(err, sqlstate);
    int found = PQntuples(res) == 1;
    PQclear(res);
    if (!found)
        return apperr_fail(err, "NOT_FOUND", "no such rule", "see govctl rules list", "rule %lld",
                           (long long) m->rule_id);
    out->ids[0] = m->rule_id;
    out->ids[1] = m->enabled;
    /* An event with every change: the gateways' caches of routing's reads
     * (the rules among them) move with the streams (gateway/cache.h). */
    Gov__SetRuleReply ev = GOV__SET_RULE_REPLY__INIT;
    ev.rule_id = m->rule_id;
    ev.enabled = m->enabled;
    if (outbox_add(r->conn, ROUTING_STREAM, "RuleChanged", env->actor, env->trace_id, &ev.base))
        return apperr_fail(err, "DB_UNAVAILABLE", "the event could not be stored", "retry later",
                           NULL);
    return 0;
}

int rules_list(routing_t *r, const Gov__Actor *actor, Gov__ListRulesReply *out, apperr_t *err)
{
    readscope_t scope;
    if (readscope_of(r, actor, &scope, err))
        return -1;
    if (scope.kind == READSCOPE_NONE)
        return apperr_fail(err, "OUTSIDE_SCOPE", "only units read the rules", "act for your unit",
                           NULL);
    char sqlstate[6];
    PGresult *res = pstmt_exec(
        r->sql,
        "SELECT r.id, r.rank, coalesce(r.category_kind, '*') || '.' || coalesce(r.category_subject, '*'),"
        " coalesce(a.code, '*'), r.tier, coalesce(u.code, ''),"
        " coalesce((SELECT string_agg(x.code, ',' ORDER BY x.code) FROM units x"
        "  WHERE x.id = ANY (r.assist_unit_ids)), ''), r.on_site, r.enabled, coalesce(r.note, '')"
        " FROM routing_rules r LEFT JOIN areas a ON a.id = r.area_id"
        " LEFT JOIN units u ON u.id = r.lead_unit_id ORDER BY r.rank, r.id LIMIT 10000",
        0, NULL, sqlstate);
    if (!res)
        return apperr_db(err, sqlstate);
    size_t n = (size_t) PQntuples(res);
    gov__list_rules_reply__init(out);
    out->items = calloc(n + 1, sizeof *out->items);
    for (size_t i = 0; out->items && i < n; i++) {
        Gov__Rule *rule = calloc(1, sizeof *rule);
        if (!rule)
            break;
        gov__rule__init(rule);
        out->items[out->n_items++] = rule;
        int row = (int) i;
        rule->id = strtoll(PQgetvalue(res, row, 0), NULL, 10);
        rule->rank = atoi(PQgetvalue(res, row, 1));
        rule->category = strdup(PQgetvalue(res, row, 2));
        rule->area = strdup(PQgetvalue(res, row, 3));
        rule->tier = strdup(PQgetvalue(res, row, 4));
        rule->lead = strdup(PQgetvalue(res, row, 5));
        rule->on_site = strcmp(PQgetvalue(res, row, 7), "t") == 0;
        rule->enabled = strcmp(PQgetvalue(res, row, 8), "t") == 0;
        rule->note = strdup(PQgetvalue(res, row, 9));
        char *assists = PQgetvalue(res, row, 6), *save = NULL;
        size_t cap = 1;
        for (const char *c = assists; *c; c++)
            cap += *c == ',';
        rule->assists = calloc(cap, sizeof *rule->assists);
        for (char *a = strtok_r(assists, ",", &save); rule->assists && a; a = strtok_r(NULL, ",", &save))
            rule->assists[rule->n_assists++] = strdup(a);
    }
    PQclear(res);
    if (!out->items || out->n_items < n) {
        rules_list_free(out);
        return apperr_fail(err, "OVERLOADED", "out of memory", "retry later", NULL);
    }
    return 0;
}

void rules_list_free(Gov__ListRulesReply *out)
{
    for (size_t i = 0; i < out->n_items; i++) {
        Gov__Rule *rule = out->items[i];
        free(rule->category);
        free(rule->area);
        free(rule->tier);
        free(rule->lead);
        free(rule->note);
        for (size_t k = 0; k < rule->n_assists; k++)
            free(rule->assists[k]);
        free(rule->assists);
        free(rule);
    }
    free(out->items);
    out->items = NULL;
    out->n_items = 0;
}
