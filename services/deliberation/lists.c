#include "lists.h"

#include <stdlib.h>
#include <string.h>

#include "matter.h"
#include "outbox.h"
#include "queries.h"
#include "text.h"


static const char *s_str(const char *s)
{
    return s ? s : "";
}

int64_t lists_community(delib_t *d, const char *code, apperr_t *err)
{
    PGresult *res = delib_exec(d, Q_COMMUNITY, 1, (const char *[]){s_str(code)}, err);
    if (!res)
        return -1;
    int64_t id = PQntuples(res) ? delib_cell_i64(res, 0, 0) : 0;
    PQclear(res);
    return id ? id
              : apperr_fail(err, "UNKNOWN_AREA", "no such community", NULL, "\"%s\"", s_str(code));
}

void lview_clear(lview_t *v)
{
    free(v->needs);
    free(v->need_ptrs);
    free(v->resources);
    free(v->resource_ptrs);
    free(v->projects);
    free(v->project_ptrs);
    PQclear(v->nres);
    PQclear(v->rres);
    PQclear(v->pres);
    memset(v, 0, sizeof *v);
}

int lview_load(delib_t *d, int64_t community_id, const char *code, lview_t *v, apperr_t *err)
{
    memset(v, 0, sizeof *v);
    char ids[24];
    const char *params[] = {delib_i64(ids, community_id)};
    if (!(v->nres = delib_exec(d, Q_NEEDS, 1, params, err)) ||
        !(v->rres = delib_exec(d, Q_RESOURCES, 1, params, err)) ||
        !(v->pres = delib_exec(d, Q_PROJECTS, 1, params, err)))
        return -1;
    size_t nn = (size_t) PQntuples(v->nres), nr = (size_t) PQntuples(v->rres),
           np = (size_t) PQntuples(v->pres);
    v->needs = calloc(nn + 1, sizeof *v->needs);
    v->need_ptrs = calloc(nn + 1, sizeof *v->need_ptrs);
    v->resources = calloc(nr + 1, sizeof *v->resources);
    v->resource_ptrs = calloc(nr + 1, sizeof *v->resource_ptrs);
    v->projects = calloc(np + 1, sizeof *v->projects);
    v->project_ptrs = calloc(np + 1, sizeof *v->project_ptrs);
    if (!v->needs || !v->need_ptrs || !v->resources || !v->resource_ptrs || !v->projects ||
        !v->project_ptrs)
        return apperr_fail(err, "INTERNAL", "out of memory", NULL, NULL);
    for (size_t i = 0; i < nn; i++) {
        Gov__Need *n = &v->needs[i];
        PGresult *r = v->nres;
        int k = (int) i;
        gov__need__init(n);
        n->id = delib_cell_i64(r, k, 0);
        n->community = PQgetvalue(r, k, 1);
        n->title = PQgetvalue(r, k, 2);
        n->text = PQgetvalue(r, k, 3);
        n->added_by = PQgetvalue(r, k, 4);
        n->state = PQgetvalue(r, k, 5);
        n->created_ms = delib_cell_i64(r, k, 6);
        n->category = PQgetvalue(r, k, 7);
        n->source = PQgetvalue(r, k, 8);
        n->case_id = delib_cell_i64(r, k, 9);
        n->target_unit = PQgetvalue(r, k, 10);
        v->need_ptrs[i] = n;
    }
    for (size_t i = 0; i < nr; i++) {
        Gov__Resource *n = &v->resources[i];
        PGresult *r = v->rres;
        int k = (int) i;
        gov__resource__init(n);
        n->id = delib_cell_i64(r, k, 0);
        n->unit = PQgetvalue(r, k, 1);
        n->unit_name = PQgetvalue(r, k, 2);
        n->community = PQgetvalue(r, k, 3);
        n->title = PQgetvalue(r, k, 4);
        n->text = PQgetvalue(r, k, 5);
        n->created_ms = delib_cell_i64(r, k, 6);
        v->resource_ptrs[i] = n;
    }
    for (size_t i = 0; i < np; i++) {
        Gov__Project *n = &v->projects[i];
        PGresult *r = v->pres;
        int k = (int) i;
        gov__project__init(n);
        n->id = delib_cell_i64(r, k, 0);
        n->need_id = delib_cell_i64(r, k, 1);
        n->resource_id = delib_cell_i64(r, k, 2);
        n->unit = PQgetvalue(r, k, 3);
        n->community = PQgetvalue(r, k, 4);
        n->title = PQgetvalue(r, k, 5);
        n->state = PQgetvalue(r, k, 6);
        n->unit_signed_by = PQgetvalue(r, k, 7);
        n->unit_signed_ms = delib_cell_i64(r, k, 8);
        n->community_signed_by = PQgetvalue(r, k, 9);
        n->community_signed_ms = delib_cell_i64(r, k, 10);
        n->result = PQgetvalue(r, k, 11);
        n->done_ms = delib_cell_i64(r, k, 12);
        n->claimed_by = PQgetvalue(r, k, 13);
        v->project_ptrs[i] = n;
    }
    gov__lists_reply__init(&v->msg);
    v->msg.community = (char *) code;
    v->msg.needs = v->need_ptrs;
    v->msg.n_needs = nn;
    v->msg.resources = v->resource_ptrs;
    v->msg.n_resources = nr;
    v->msg.projects = v->project_ptrs;
    v->msg.n_projects = np;
    return 0;
}

/* The event for a change to community `community_id`'s lists, telling the
 * `n_units` units `units` (borrowed; may be NULL). */
static int s_announce_to(delib_t *d, int64_t community_id, const char *type, int64_t changed,
                         char **units, size_t n_units, const Gov__Envelope *env, apperr_t *err)
{
    char ids[24];
    PGresult *res = delib_exec(d, "SELECT code FROM areas WHERE id = $1", 1,
                               (const char *[]){delib_i64(ids, community_id)}, err);
    if (!res)
        return -1;
    lview_t v;
    int rc = lview_load(d, community_id, PQgetvalue(res, 0, 0), &v, err);
    if (rc == 0) {
        Gov__ListsEvent ev = GOV__LISTS_EVENT__INIT;
        ev.lists = &v.msg;
        ev.changed_id = changed;
        ev.units = units;
        ev.n_units = n_units;
        if (outbox_add(d->conn, DELIB_STREAM, type, env->actor, env->trace_id, &ev.base))
            rc = apperr_fail(err, "DB_UNAVAILABLE", "the event could not be written", NULL, NULL);
    }
    lview_clear(&v);
    PQclear(res);
    return rc;
}

static int s_announce(delib_t *d, int64_t community_id, const char *type, int64_t changed,
                      const Gov__Envelope *env, apperr_t *err)
{
    return s_announce_to(d, community_id, type, changed, NULL, 0, env, err);
}

/* As s_announce, telling one unit (its code, borrowed). */
static int s_announce_unit(delib_t *d, int64_t community_id, const char *type, int64_t changed,
                           const char *unit, const Gov__Envelope *env, apperr_t *err)
{
    char *units[] = {(char *) unit};
    return s_announce_to(d, community_id, type, changed, units, 1, env, err);
}

/* NeedAdded for need `id` of community `community_id`: told are its target
 * unit, or else every unit paired with the community. */
static int s_announce_need(delib_t *d, int64_t community_id, int64_t id, const char *target,
                           const Gov__Envelope *env, apperr_t *err)
{
    if (target[0])
        return s_announce_unit(d, community_id, "NeedAdded", id, target, env, err);
    char cs[24];
    PGresult *res = delib_exec(d, Q_PAIRED_UNITS, 1, (const char *[]){delib_i64(cs, community_id)}, err);
    if (!res)
        return -1;
    size_t n = (size_t) PQntuples(res);
    char **units = calloc(n + 1, sizeof *units);
    int rc = -1;
    if (!units) {
        apperr_fail(err, "INTERNAL", "out of memory", NULL, NULL);
    } else {
        for (size_t i = 0; i < n; i++)
            units[i] = PQgetvalue(res, (int) i, 0);
        rc = s_announce_to(d, community_id, "NeedAdded", id, units, n, env, err);
    }
    free(units);
    PQclear(res);
    return rc;
}

static int s_title_text(const char *title, const char *text, apperr_t *err)
{
    return text_check(title, TEXT_TITLE, 1, "title", err) ||
                   text_check(text, TEXT_BODY, 0, "text", err)
               ? -1
               : 0;
}

/* The actor's unit must be a unit that serves communities (not a community). */
static int s_unit_member(const who_t *w, const Gov__Envelope *env, apperr_t *err)
{
    if (!w->unit_kind[0] || strcmp(w->unit_kind, "community") == 0 ||
        strcmp(w->unit_kind, "supervision") == 0)
        return apperr_fail(err, "NOT_A_UNIT", "only a unit's member may offer or claim",
                          "act as a member of a department or other unit (--unit …)", "%s",
                          env->actor->unit ? env->actor->unit : "");
    return 0;
}

int lists_add_need(delib_t *d, const Gov__Envelope *env, const ProtobufCMessage *msg,
                   delib_result_t *out, apperr_t *err)
{
    const Gov__AddNeed *p = (const Gov__AddNeed *) msg;
    who_t w;
    if (who_load(d, env->actor, &w, err))
        return -1;
    int64_t community = lists_community(d, p->community, err);
    if (community < 0)
        return -1;
    matter_ref_t m = {.community_id = community};
    if (who_require_committee(&w, &m, err) || s_title_text(p->title, s_str(p->text), err))
        return -1;
    const char *category = p->category && p->category[0] ? p->category : "other";
    const char *source = p->source && p->source[0] ? p->source : "other";
    if (text_check(category, TEXT_TITLE, 1, "category", err))
        return -1;
    if (!matter_word_in(source, "visit forum case other") || (strcmp(source, "case") == 0) != (p->case_id > 0))
        return apperr_fail(err, "BAD_SOURCE", "a need's source is visit, forum, case (with case_id) or other",
                          NULL, "source \"%s\", case_id %lld", source, (long long) p->case_id);
    char b[5][24];
    int64_t target = 0;
    const char *unit = s_str(p->unit);
    if (unit[0]) {
        PGresult *res = delib_exec(d, Q_PAIRED, 2, (const char *[]){unit, delib_i64(b[0], community)}, err);
        if (!res)
            return -1;
        target = PQntuples(res) ? delib_cell_i64(res, 0, 0) : 0;
        PQclear(res);
        if (!target)
            return apperr_fail(err, "UNIT_NOT_PAIRED", "a need can be aimed only at a unit paired with the community",
                              "see govctl pairing list --community C", "\"%s\"", unit);
    }
    const char *params[] = {delib_i64(b[0], community), p->title, s_str(p->text), w.code,
                            delib_i64(b[1], svclock_now_ms(d->clock)), category, source,
                            delib_i64(b[2], p->case_id), delib_i64(b[3], target)};
    PGresult *res = delib_exec(d, Q_INSERT_NEED, 9, params, err);
    if (!res)
        return -1;
    out->item_id = delib_cell_i64(res, 0, 0);
    out->community_id = community;
    PQclear(res);
    return s_announce_need(d, community, out->item_id, unit, env, err);
}

int lists_add_resource(delib_t *d, const Gov__Envelope *env, const ProtobufCMessage *msg,
                       delib_result_t *out, apperr_t *err)
{
    const Gov__AddResource *p = (const Gov__AddResource *) msg;
    who_t w;
    if (who_load(d, env->actor, &w, err) || s_unit_member(&w, env, err))
        return -1;
    int64_t community = lists_community(d, p->community, err);
    if (community < 0)
        return -1;
    if (s_title_text(p->title, s_str(p->text), err))
        return -1;
    char b[2][24];
    const char *params[] = {env->actor->unit, delib_i64(b[0], community), p->title, s_str(p->text),
                            w.code, delib_i64(b[1], svclock_now_ms(d->clock))};
    PGresult *res = delib_exec(d, Q_INSERT_RESOURCE, 6, params, err);
    if (!res)
        return -1;
    out->item_id = delib_cell_i64(res, 0, 0);
    out->community_id = community;
    PQclear(res);
    return s_announce(d, community, "ResourceAdded", out->item_id, env, err);
}

int lists_claim(delib_t *d, const Gov__Envelope *env, const ProtobufCMessage *msg,
                delib_result_t *out, apperr_t *err)
{
    const Gov__ClaimNeed *p = (const Gov__ClaimNeed *) msg;
    who_t w;
    if (who_load(d, env->actor, &w, err) || s_unit_member(&w, env, err))
        return -1;
    char b[4][24];
    const char *params[] = {delib_i64(b[0], p->need_id)};
    PGresult *res = delib_exec(d, Q_NEED_LOCK, 1, params, err);
    if (!res)
        return -1;
    int theirs = PQntuples(res) == 1 && PQgetvalue(res, 0, 2)[0] &&
                 strcmp(PQgetvalue(res, 0, 0), "open") == 0 &&
                 strcmp(PQgetvalue(res, 0, 2), env->actor->unit) != 0;
    PQclear(res);
    if (theirs)
        return apperr_fail(err, "NOT_YOUR_NEED", "the need is aimed at another unit", NULL,
                          "need %lld", (long long) p->need_id);
    if (!(res = delib_exec(d, Q_CLAIM_NEED, 1, params, err)))
        return -1;
    int64_t community = PQntuples(res) ? delib_cell_i64(res, 0, 0) : 0;
    PQclear(res);
    if (!community) {
        if (!(res = delib_exec(d, Q_NEED_STATE, 1, params, err)))
            return -1;
        int exists = PQntuples(res) == 1;
        PQclear(res);
        return exists ? apperr_fail(err, "ALREADY_CLAIMED", "another unit has claimed this need",
                                   NULL, "need %lld", (long long) p->need_id)
                      : apperr_fail(err, "NOT_FOUND", "no such need", NULL, "need %lld",
                                   (long long) p->need_id);
    }
    delib_i64(b[1], p->resource_id);
    delib_i64(b[2], community);
    if (p->resource_id) {
        if (!(res = delib_exec(d, Q_RESOURCE_OF, 3,
                               (const char *[]){b[1], env->actor->unit, b[2]}, err)))
            return -1;
        int mine = PQntuples(res) == 1;
        PQclear(res);
        if (!mine)
            return apperr_fail(err, "NOT_YOUR_RESOURCE",
                              "the resource is not your unit's offer to this community", NULL,
                              "resource %lld", (long long) p->resource_id);
    }
    const char *ins[] = {b[0], b[1], b[2], env->actor->unit, w.code,
                         delib_i64(b[3], svclock_now_ms(d->clock))};
    if (!(res = delib_exec(d, Q_INSERT_PROJECT, 6, ins, err)))
        return -1;
    out->item_id = delib_cell_i64(res, 0, 0);
    out->community_id = community;
    PQclear(res);
    return s_announce(d, community, "NeedClaimed", out->item_id, env, err);
}

/* Locks project `id`: its state (16 bytes), community, unit code (64 bytes)
 * and who claimed it (16 bytes, may be NULL). */
static int s_project_by(delib_t *d, int64_t id, char state[16], int64_t *community,
                        char unit[64], char *by, apperr_t *err)
{
    char ids[24];
    PGresult *res = delib_exec(d, Q_PROJECT_LOCK, 1, (const char *[]){delib_i64(ids, id)}, err);
    if (!res)
        return -1;
    if (PQntuples(res) == 0) {
        PQclear(res);
        return apperr_fail(err, "NOT_FOUND", "no such project", NULL, "project %lld", (long long) id);
    }
    snprintf(state, 16, "%s", PQgetvalue(res, 0, 0));
    *community = delib_cell_i64(res, 0, 1);
    snprintf(unit, 64, "%s", PQgetvalue(res, 0, 2));
    if (by)
        snprintf(by, 16, "%s", PQgetvalue(res, 0, 3));
    PQclear(res);
    return 0;
}

static int s_project(delib_t *d, int64_t id, char state[16], int64_t *community, char unit[64],
                     apperr_t *err)
{
    return s_project_by(d, id, state, community, unit, NULL, err);
}

int lists_sign(delib_t *d, const Gov__Envelope *env, const ProtobufCMessage *msg,
               delib_result_t *out, apperr_t *err)
{
    const Gov__SignProject *p = (const Gov__SignProject *) msg;
    who_t w;
    char state[16], unit[64], by[16], b[2][24];
    int64_t community;
    if (who_load(d, env->actor, &w, err) ||
        s_project_by(d, p->project_id, state, &community, unit, by, err))
        return -1;
    /* The side that has not signed: the committee after a unit's claim, the
     * unit after the community took up its resource. */
    int unit_signs = strcmp(by, "community") == 0;
    matter_ref_t m = {.community_id = community};
    if (!unit_signs && who_require_committee(&w, &m, err))
        return -1;
    if (unit_signs && (!env->actor->unit || strcmp(env->actor->unit, unit) != 0))
        return apperr_fail(err, "NOT_A_PARTY", "only the unit whose resource was taken up signs it",
                          "act as a member of the unit (--unit …)", "project %lld is %s's",
                          (long long) p->project_id, unit);
    if (strcmp(state, "claimed") != 0)
        return apperr_fail(err, "ALREADY_SIGNED", "both sides have signed this project already",
                          NULL, "project %lld is %s", (long long) p->project_id, state);
    const char *params[] = {delib_i64(b[0], p->project_id), w.code,
                            delib_i64(b[1], svclock_now_ms(d->clock))};
    if (delib_run(d, unit_signs ? Q_UNIT_SIGN_PROJECT : Q_SIGN_PROJECT, 3, params, err))
        return -1;
    out->item_id = p->project_id;
    out->community_id = community;
    return s_announce_unit(d, community, "ProjectSigned", p->project_id, unit, env, err);
}

int lists_complete(delib_t *d, const Gov__Envelope *env, const ProtobufCMessage *msg,
                   delib_result_t *out, apperr_t *err)
{
    const Gov__CompleteProject *p = (const Gov__CompleteProject *) msg;
    who_t w;
    char state[16], unit[64], b[2][24];
    int64_t community;
    if (who_load(d, env->actor, &w, err) || s_project(d, p->project_id, state, &community, unit, err))
        return -1;
    matter_ref_t m = {.community_id = community};
    int ours = who_committee(&w, &m) || (env->actor->unit && strcmp(env->actor->unit, unit) == 0);
    if (!ours)
        return apperr_fail(err, "NOT_A_PARTY", "only the unit or the community's committee may report it done",
                          NULL, NULL);
    if (strcmp(state, "signed") != 0)
        return apperr_fail(err, "NOT_SIGNED", "both sides must sign before the project is done",
                          NULL, "project %lld is %s", (long long) p->project_id, state);
    if (text_check(p->result, TEXT_BODY, 1, "result (what was done)", err))
        return -1;
    const char *params[] = {delib_i64(b[0], p->project_id), p->result,
                            delib_i64(b[1], svclock_now_ms(d->clock))};
    if (delib_run(d, Q_COMPLETE_PROJECT, 3, params, err))
        return -1;
    out->item_id = p->project_id;
    out->community_id = community;
    return s_announce(d, community, "ProjectDone", p->project_id, env, err);
}

int lists_take_resource(delib_t *d, const Gov__Envelope *env, const ProtobufCMessage *msg,
                        delib_result_t *out, apperr_t *err)
{
    const Gov__TakeResource *p = (const Gov__TakeResource *) msg;
    who_t w;
    char b[5][24], unit[64];
    if (who_load(d, env->actor, &w, err))
        return -1;
    PGresult *res = delib_exec(d, Q_RESOURCE_LOCK, 1, (const char *[]){delib_i64(b[0], p->resource_id)}, err);
    if (!res)
        return -1;
    if (PQntuples(res) == 0) {
        PQclear(res);
        return apperr_fail(err, "NOT_FOUND", "no such resource", NULL, "resource %lld",
                          (long long) p->resource_id);
    }
    int64_t community = delib_cell_i64(res, 0, 0), unit_id = delib_cell_i64(res, 0, 2);
    snprintf(unit, sizeof unit, "%s", PQgetvalue(res, 0, 1));
    PQclear(res);
    matter_ref_t m = {.community_id = community};
    if (who_require_committee(&w, &m, err))
        return -1;
    const char *params[] = {b[0], delib_i64(b[1], unit_id), delib_i64(b[2], community), w.code,
                            delib_i64(b[3], svclock_now_ms(d->clock))};
    if (!(res = delib_exec(d, Q_TAKE_RESOURCE, 5, params, err)))
        return -1;
    int64_t id = PQntuples(res) ? delib_cell_i64(res, 0, 0) : 0;
    PQclear(res);
    if (!id)
        return apperr_fail(err, "ALREADY_TAKEN", "the community has taken up this resource already",
                          NULL, "resource %lld", (long long) p->resource_id);
    out->item_id = id;
    out->community_id = community;
    return s_announce_unit(d, community, "ResourceTaken", id, unit, env, err);
}
