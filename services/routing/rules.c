#include "rules.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "pgarray.h"
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

int rules_enabled_load(routing_t *r, rules_enabled_t *out, char sqlstate[6])
{
    memset(out, 0, sizeof *out);
    PGresult *res = pstmt_exec(r->sql, Q_RULES_ENABLED, 0, NULL, sqlstate);
    return res ? rules_enabled_from(res, out, sqlstate) : -1;
}

int rules_enabled_from(PGresult *res, rules_enabled_t *out, char sqlstate[6])
{
    memset(out, 0, sizeof *out);
    out->res = res;
    int n = PQntuples(res);
    size_t room = 1;
    for (int i = 0; i < n; i++)
        room += strlen(PQgetvalue(res, i, 6)) / 2 + 1;
    out->pool = malloc(room * sizeof *out->pool);
    out->rules = calloc((size_t) n + 1, sizeof *out->rules);
    if (!out->pool || !out->rules) {
        memcpy(sqlstate, "53200", 6);
        return -1;
    }
    size_t used = 0;
    for (int i = 0; i < n; i++) {
        match_rule_t *m = &out->rules[i];
        m->id = strtoll(PQgetvalue(res, i, 0), NULL, 10);
        m->category_kind = PQgetisnull(res, i, 1) ? NULL : PQgetvalue(res, i, 1);
        m->category_subject = PQgetisnull(res, i, 2) ? NULL : PQgetvalue(res, i, 2);
        m->area_id = strtoll(PQgetvalue(res, i, 3), NULL, 10);
        const char *tier = PQgetvalue(res, i, 4);
        m->tier = strcmp(tier, "grid") == 0        ? MATCH_GRID
                  : strcmp(tier, "community") == 0 ? MATCH_COMMUNITY
                  : strcmp(tier, "street") == 0    ? MATCH_STREET
                                                   : MATCH_DEPARTMENT;
        m->lead_unit_id = strtoll(PQgetvalue(res, i, 5), NULL, 10);
        m->assists = out->pool + used;
        m->n_assists = pgarray_parse_ints(PQgetvalue(res, i, 6), out->pool + used);
        used += m->n_assists;
        m->on_site = PQgetvalue(res, i, 7)[0] == 't';
    }
    out->n = (size_t) n;
    return 0;
}

void rules_enabled_clear(rules_enabled_t *e)
{
    PQclear(e->res);
    free(e->rules);
    free(e->pool);
    memset(e, 0, sizeof *e);
}

int64_t rules_route_next(routing_t *r, int64_t case_id, const Gov__Actor *actor,
                         const char *trace_id, int with_assists, apperr_t *err)
{
    int64_t policy = rules_case_policy(r, case_id, err); /* locks the case */
    if (policy < 0)
        return -1;
    char ids[24], sqlstate[6];
    const char *params[] = {routing_i64(ids, case_id)};
    rules_enabled_t rules = {0};
    int64_t id = -1, *path = NULL, *led = NULL;
    PGresult *facts = pstmt_exec(r->sql, Q_CASE_FACTS, 1, params, sqlstate);
    if (!facts || rules_enabled_load(r, &rules, sqlstate)) {
        apperr_db(err, sqlstate);
        goto done;
    }
    if (PQntuples(facts) != 1) {
        apperr_fail(err, "NOT_FOUND", "no such case", NULL, "case %s", ids);
        goto done;
    }
    path = malloc((strlen(PQgetvalue(facts, 0, 1)) / 2 + 1) * sizeof *path);
    led = malloc((strlen(PQgetvalue(facts, 0, 6)) / 2 + 1) * sizeof *led);
    if (!path || !led) {
        apperr_fail(err, "INTERNAL", "out of memory", NULL, NULL);
        goto done;
    }
    match_case_t c = {.category = PQgetvalue(facts, 0, 0), .path = path,
                      .n_path = pgarray_parse_ints(PQgetvalue(facts, 0, 1), path),
                      .centre = strtoll(PQgetvalue(facts, 0, 5), NULL, 10), .led = led,
                      .n_led = pgarray_parse_ints(PQgetvalue(facts, 0, 6), led)};
    for (int t = 0; t < 3; t++)
        c.team[t] = strtoll(PQgetvalue(facts, 0, 2 + t), NULL, 10);
    match_decision_t d = match_case(&c, rules.rules, rules.n);
    if (d.how == MATCH_NOBODY) {
        apperr_fail(err, "NO_CENTRE", "no dispatch centre is configured",
                    "add a unit of kind dispatch_centre", NULL);
        goto done;
    }
    /* 兜底: when nothing (more) matches, the centre assigns by hand. */
    dispatch_spec_t spec = {.case_id = case_id, .policy_id = policy, .role = "lead",
                            .unit_id = d.unit_id, .on_site = d.on_site,
                            .rule_id = d.how == MATCH_BY_RULE ? d.rule->id : 0};
    if ((id = dispatch_send(r, &spec, actor, trace_id, err)) < 0)
        goto done;
    for (size_t i = 0; with_assists && d.how == MATCH_BY_RULE && i < d.rule->n_assists; i++) {
        dispatch_spec_t assist = {.case_id = case_id, .unit_id = d.rule->assists[i],
                                  .rule_id = d.rule->id, .policy_id = policy, .role = "assist"};
        if (dispatch_send(r, &assist, actor, trace_id, err) < 0) {
            id = -1;
            break;
        }
    }
done:
    PQclear(facts);
    rules_enabled_clear(&rules);
    free(path);
    free(led);
    return id;
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
