#include "whistle.h"

#include "readscope.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "dispatch.h"
#include "outbox.h"
#include "queries.h"
#include "readscope.h"
#include "text.h"

#define WHISTLE_MAX_DEPARTMENTS 32

static const char *s_kinds[] = {"routine", "hard", "emergency"};

void whistlemsg_clear(whistlemsg_t *view)
{
    for (size_t i = 0; view->dispatches && i < view->msg.n_dispatches; i++)
        dispatchmsg_clear(&view->dispatches[i]);
    free(view->dispatches);
    free(view->ptrs);
    free(view->reported);
    free(view->not_reported);
    areapath_clear(&view->path);
    PQclear(view->res);
    PQclear(view->dres);
    memset(view, 0, sizeof *view);
}

int whistlemsg_load(routing_t *r, int64_t id, whistlemsg_t *view, apperr_t *err)
{
    memset(view, 0, sizeof *view);
    char ids[24], sqlstate[6];
    const char *params[] = {routing_i64(ids, id)};
    if (!(view->res = pstmt_exec(r->sql, Q_WHISTLE, 1, params, sqlstate)) ||
        !(view->dres = pstmt_exec(r->sql, Q_WHISTLE_DISPATCHES, 1, params, sqlstate)))
        return apperr_db(err, sqlstate);
    if (PQntuples(view->res) == 0)
        return 0;
    PGresult *w = view->res;
    Gov__Whistle *m = &view->msg;
    gov__whistle__init(m);
    gov__point__init(&view->point);
    m->id = id;
    m->caller_unit = PQgetvalue(w, 0, 1);
    m->case_id = strtoll(PQgetvalue(w, 0, 2), NULL, 10);
    m->kind = PQgetvalue(w, 0, 3);
    m->reason = PQgetvalue(w, 0, 4);
    view->point.lon = strtod(PQgetvalue(w, 0, 5), NULL);
    view->point.lat = strtod(PQgetvalue(w, 0, 6), NULL);
    m->point = &view->point;
    if (areapath_parse(&view->path, PQgetvalue(w, 0, 7)))
        return apperr_fail(err, "INTERNAL", "bad area path", NULL, NULL);
    m->area_path = view->path.ptrs;
    m->n_area_path = view->path.n;
    m->state = PQgetvalue(w, 0, 8);
    m->created_ms = strtoll(PQgetvalue(w, 0, 9), NULL, 10);
    m->closed_ms = strtoll(PQgetvalue(w, 0, 10), NULL, 10);
    view->caller_unit_id = strtoll(PQgetvalue(w, 0, 11), NULL, 10);
    m->matter_id = strtoll(PQgetvalue(w, 0, 12), NULL, 10);
    size_t n = (size_t) PQntuples(view->dres);
    view->dispatches = calloc(n + 1, sizeof *view->dispatches);
    view->ptrs = calloc(n + 1, sizeof *view->ptrs);
    view->reported = calloc(n + 1, sizeof *view->reported);
    view->not_reported = calloc(n + 1, sizeof *view->not_reported);
    if (!view->dispatches || !view->ptrs || !view->reported || !view->not_reported)
        return apperr_fail(err, "INTERNAL", "out of memory", NULL, NULL);
    for (size_t i = 0; i < n; i++) {
        dispatchmsg_t *d = &view->dispatches[i];
        m->n_dispatches = i + 1;
        if (dispatchmsg_from_row(d, view->dres, (int) i))
            return apperr_fail(err, "INTERNAL", "bad dispatch row", NULL, NULL);
        view->ptrs[i] = &d->msg;
        /* 报到: arrived, or signed where arrival is not required; released
         * and reassigned dispatches are no longer expected. */
        const char *s = d->msg.state;
        if (d->msg.arrived_ms || (!d->msg.on_site && d->msg.signed_ms))
            view->reported[m->n_reported++] = d->msg.unit;
        else if (!strcmp(s, "sent") || !strcmp(s, "signed"))
            view->not_reported[m->n_not_reported++] = d->msg.unit;
    }
    m->dispatches = view->ptrs;
    m->reported = view->reported;
    m->not_reported = view->not_reported;
    return 1;
}

static int s_announce(routing_t *r, int64_t id, const char *type, const Gov__Actor *actor,
                      const char *trace_id, apperr_t *err)
{
    whistlemsg_t view;
    int rc = -1;
    if (whistlemsg_load(r, id, &view, err) == 1) {
        Gov__WhistleEvent ev = GOV__WHISTLE_EVENT__INIT;
        for (size_t i = 0; i < view.msg.n_dispatches; i++) /* references, not reporters */
            dispatchmsg_for_event(&view.dispatches[i], readscope_event_contact(type));
        ev.item = &view.msg;
        rc = outbox_add(r->conn, ROUTING_STREAM, type, actor, trace_id, &ev.base)
                 ? apperr_fail(err, "DB_UNAVAILABLE", "the event could not be stored",
                                "retry later", NULL)
                 : 0;
    }
    whistlemsg_clear(&view);
    return rc;
}

int whistle_maybe_close(routing_t *r, int64_t id, const Gov__Actor *actor, const char *trace_id,
                        apperr_t *err)
{
    char ids[24], at[24], sqlstate[6];
    const char *params[] = {routing_i64(ids, id), routing_i64(at, svclock_now_ms(r->clock))};
    PGresult *res = pstmt_exec(r->sql, Q_WHISTLE_LOCK, 1, params, sqlstate);
    if (!res)
        return apperr_db(err, sqlstate);
    PQclear(res);
    res = pstmt_exec(r->sql, Q_WHISTLE_CLOSE, 2, params, sqlstate);
    if (!res)
        return apperr_db(err, sqlstate);
    int closed = PQntuples(res) == 1;
    PQclear(res);
    return closed ? s_announce(r, id, "WhistleClosed", actor, trace_id, err) : 0;
}

/* Adds to `depts` (`*n` of them) the units paired with the community of
 * `area` as `pairing` asks (member or paired), skipping those named already.
 * 0, or -1 with `err`: BAD_KIND, NO_PAIRED_UNITS (none: the place is in no
 * community, or its community has none), NO_DEPARTMENTS (over 32 in all). */
static int s_paired(routing_t *r, const char *pairing, int64_t area, int64_t *depts, size_t *n,
                    apperr_t *err)
{
    if (strcmp(pairing, "member") != 0 && strcmp(pairing, "paired") != 0)
        return apperr_fail(err, "BAD_KIND", "a whistle's pairing is member (委员单位) or paired (结对共建)",
                           NULL, "\"%.32s\"", pairing);
    char b[24], sqlstate[6];
    PGresult *res = pstmt_exec(r->sql, Q_WHISTLE_PAIRED, 2, (const char *[]){routing_i64(b, area), pairing},
                               sqlstate);
    if (!res)
        return apperr_db(err, sqlstate);
    int found = PQntuples(res), rc = 0;
    for (int i = 0; i < found && rc == 0; i++) {
        int64_t id = strtoll(PQgetvalue(res, i, 0), NULL, 10);
        int named = 0;
        for (size_t j = 0; j < *n; j++)
            named |= depts[j] == id;
        if (named)
            continue;
        if (*n == WHISTLE_MAX_DEPARTMENTS)
            rc = apperr_fail(err, "NO_DEPARTMENTS", "a whistle summons 1 to 32 departments", NULL,
                             "more with the community's %s units", pairing);
        else
            depts[(*n)++] = id;
    }
    PQclear(res);
    if (rc == 0 && found == 0)
        rc = apperr_fail(err, "NO_PAIRED_UNITS", "the place's community has no such paired units",
                         "see govctl pairing list --community C", "pairing %s", pairing);
    return rc;
}

/* Checks the request; fills the place (lon, lat, area) and the summoned
 * units' ids (`*n` of them): the departments named, then the paired units
 * the pairing asks for. */
static int s_check(routing_t *r, const Gov__BlowWhistle *m, int64_t caller, double *lon,
                   double *lat, int64_t *area, int64_t *depts, size_t *n, apperr_t *err)
{
    int pairing = m->pairing && m->pairing[0];
    int kind_ok = 0;
    for (size_t i = 0; i < 3; i++)
        kind_ok |= m->kind && strcmp(m->kind, s_kinds[i]) == 0;
    if (!kind_ok)
        return apperr_fail(err, "BAD_KIND", "unknown whistle kind",
                            "routine (日常哨), hard (攻坚哨) or emergency (应急哨)", "got \"%s\"",
                            m->kind ? m->kind : "");
    if (text_check(m->reason, TEXT_BODY, 1, "reason", err))
        return -1;
    if ((m->n_departments == 0 && !pairing) || m->n_departments > WHISTLE_MAX_DEPARTMENTS)
        return apperr_fail(err, "NO_DEPARTMENTS", "a whistle summons 1 to 32 departments", NULL,
                            "got %zu", m->n_departments);
    char sqlstate[6], b[3][32];
    if (m->point) {
        *lon = m->point->lon;
        *lat = m->point->lat;
    } else if (m->case_id) {
        const char *cp[] = {routing_i64(b[0], m->case_id)};
        PGresult *res = pstmt_exec(r->sql, Q_CASE_POINT, 1, cp, sqlstate);
        if (!res)
            return apperr_db(err, sqlstate);
        int ok = PQntuples(res) == 1 && !PQgetisnull(res, 0, 0);
        int known = PQntuples(res) == 1;
        if (ok) {
            *lon = strtod(PQgetvalue(res, 0, 0), NULL);
            *lat = strtod(PQgetvalue(res, 0, 1), NULL);
        }
        PQclear(res);
        if (!known)
            return apperr_fail(err, "NOT_FOUND", "no such case", NULL, "case %s", b[0]);
        if (!ok)
            return apperr_fail(err, "MISSING_LOCATION", "the case has no point; give one", NULL,
                                NULL);
    } else {
        return apperr_fail(err, "MISSING_LOCATION", "a whistle needs a place or a case", NULL,
                            NULL);
    }
    snprintf(b[1], sizeof b[1], "%.7f", *lon);
    snprintf(b[2], sizeof b[2], "%.7f", *lat);
    const char *pp[] = {routing_i64(b[0], caller), b[1], b[2]};
    PGresult *place = pstmt_exec(r->sql, Q_WHISTLE_PLACE, 3, pp, sqlstate);
    if (!place)
        return apperr_db(err, sqlstate);
    int inside = PQgetvalue(place, 0, 0)[0] == 't';
    *area = inside ? strtoll(PQgetvalue(place, 0, 1), NULL, 10) : 0;
    PQclear(place);
    if (!inside)
        return apperr_fail(err, "OUTSIDE_AREA", "the place is outside the caller's area",
                            "a street or community may whistle only within its own area",
                            "%s, %s", b[2], b[1]);
    char *codes = db_text_array(m->departments, m->n_departments);
    if (!codes)
        return apperr_fail(err, "INTERNAL", "out of memory", NULL, NULL);
    const char *dp[] = {codes};
    PGresult *res = pstmt_exec(r->sql, Q_DEPARTMENTS, 1, dp, sqlstate);
    free(codes);
    if (!res)
        return apperr_db(err, sqlstate);
    int rc = 0;
    for (int i = 0; i < PQntuples(res) && rc == 0; i++) {
        if (PQgetisnull(res, i, 1))
            rc = apperr_fail(err, "UNKNOWN_DEPARTMENT", "no such department",
                              "see govctl units list --kind department", "\"%s\"",
                              PQgetvalue(res, i, 0));
        depts[i] = strtoll(PQgetvalue(res, i, 1), NULL, 10);
        for (int j = 0; j < i && rc == 0; j++)
            if (depts[j] == depts[i])
                rc = apperr_fail(err, "DUPLICATE_DEPARTMENT", "a department is named twice",
                                  NULL, "\"%s\"", PQgetvalue(res, i, 0));
    }
    PQclear(res);
    *n = m->n_departments;
    return rc == 0 && pairing ? s_paired(r, m->pairing, *area, depts, n, err) : rc;
}

static int64_t s_blow(routing_t *r, const Gov__Envelope *env, const Gov__BlowWhistle *m,
                      apperr_t *err)
{
    int64_t caller, area = 0, depts[WHISTLE_MAX_DEPARTMENTS];
    char kind[24];
    double lon = 0, lat = 0;
    if (routing_member(r, env->actor, &caller, kind, NULL, err))
        return -1;
    if (strcmp(kind, "street_office") != 0 && strcmp(kind, "community") != 0)
        return apperr_fail(err, "NOT_A_CALLER", "only a street office or community may whistle",
                            "a department reports (报到); it does not whistle", "%s is a %s",
                            env->actor->unit, kind);
    size_t n = 0;
    if (s_check(r, m, caller, &lon, &lat, &area, depts, &n, err))
        return -1;
    char b[7][32], sqlstate[6];
    PGresult *res = pstmt_exec(r->sql, Q_POLICY_FOR_WHISTLE, 1, (const char *[]){m->kind}, sqlstate);
    if (!res)
        return apperr_db(err, sqlstate);
    int64_t policy = PQntuples(res) ? strtoll(PQgetvalue(res, 0, 0), NULL, 10) : 0;
    PQclear(res);
    int64_t now = svclock_now_ms(r->clock);
    snprintf(b[2], sizeof b[2], "%.7f", lon);
    snprintf(b[3], sizeof b[3], "%.7f", lat);
    const char *params[] = {routing_i64(b[0], caller), routing_i64(b[1], m->case_id), m->kind,
                            m->reason, b[2], b[3], routing_i64(b[4], area), env->actor->id,
                            routing_i64(b[5], now), routing_i64(b[6], m->matter_id)};
    if (!(res = pstmt_exec(r->sql, Q_INSERT_WHISTLE, 10, params, sqlstate))) {
        /* A case routing has never seen violates the foreign key. */
        if (strcmp(sqlstate, "23503") == 0)
            return apperr_fail(err, "NOT_FOUND", "no such case", NULL, "case %lld",
                                (long long) m->case_id);
        return apperr_db(err, sqlstate);
    }
    int64_t id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
    PQclear(res);
    for (size_t i = 0; i < n; i++) {
        dispatch_spec_t spec = {.case_id = m->case_id, .whistle_id = id, .unit_id = depts[i],
                                .policy_id = policy, .role = "summoned", .on_site = 1};
        if (dispatch_send(r, &spec, env->actor, env->trace_id, err) < 0)
            return -1;
    }
    return s_announce(r, id, "WhistleBlown", env->actor, env->trace_id, err) ? -1 : id;
}

int64_t whistle_blow_in(routing_t *r, const Gov__Envelope *env, const Gov__BlowWhistle *m,
                        apperr_t *err)
{
    return s_blow(r, env, m, err);
}

int whistle_blow(routing_t *r, const Gov__Envelope *env, const ProtobufCMessage *msg,
                 idem_answer_t *out, apperr_t *err)
{
    const Gov__BlowWhistle *m = (const Gov__BlowWhistle *) msg;
    /* Only routing itself names a matter (decisions.c, for a decision): one
     * from a caller could pass a whistle off as another community's work. */
    if (m->matter_id) {
        apperr_fail(err, "BAD_ORIGIN", "a caller cannot name the matter a whistle carries out",
                    "leave matter_id 0; a decision's whistle is blown by routing", "got %lld",
                    (long long) m->matter_id);
        return -1;
    }
    int64_t id = s_blow(r, env, m, err);
    if (id < 0)
        return -1;
    out->ids[0] = id;
    return 0;
}

static int s_rate(routing_t *r, const Gov__Envelope *env, const Gov__RateWhistle *m,
                  const char **direction, apperr_t *err)
{
    int64_t unit;
    char kind[24];
    if (routing_member(r, env->actor, &unit, kind, NULL, err))
        return -1;
    whistlemsg_t w;
    int rc = -1, found = whistlemsg_load(r, m->whistle_id, &w, err);
    if (found <= 0) {
        if (found == 0)
            apperr_fail(err, "NOT_FOUND", "no such whistle", NULL, "whistle %lld",
                         (long long) m->whistle_id);
        goto done;
    }
    const dispatchmsg_t *d = NULL;
    for (size_t i = 0; i < w.msg.n_dispatches; i++)
        if (w.dispatches[i].msg.id == m->dispatch_id)
            d = &w.dispatches[i];
    if (!d) {
        apperr_fail(err, "NOT_FOUND", "no such dispatch in this whistle", NULL,
                     "dispatch %lld", (long long) m->dispatch_id);
        goto done;
    }
    if (strcmp(w.msg.state, "closed") != 0) {
        apperr_fail(err, "WHISTLE_OPEN", "a whistle is rated once it has closed", NULL, NULL);
        goto done;
    }
    if (unit == w.caller_unit_id) {
        *direction = "caller";
        if (m->score < 1 || m->score > 5) {
            apperr_fail(err, "BAD_SCORE", "the caller rates a department from 1 to 5", NULL,
                         "got %d", m->score);
            goto done;
        }
    } else if (unit == d->unit_id) {
        *direction = "department";
    } else {
        apperr_fail(err, "NOT_A_PARTY", "only the caller and the department rate", NULL, NULL);
        goto done;
    }
    char b[4][24], sqlstate[6];
    int caller = strcmp(*direction, "caller") == 0;
    const char *params[] = {routing_i64(b[0], m->whistle_id), routing_i64(b[1], m->dispatch_id),
                            *direction, caller ? routing_i64(b[2], m->score) : NULL,
                            !caller && m->unnecessary ? "true" : "false",
                            m->text ? m->text : "", env->actor->id,
                            routing_i64(b[3], svclock_now_ms(r->clock))};
    PGresult *res = pstmt_exec(r->sql, Q_RATE, 8, params, sqlstate);
    if (!res) {
        apperr_db(err, sqlstate);
        goto done;
    }
    int fresh = PQntuples(res) == 1;
    PQclear(res);
    if (!fresh) {
        apperr_fail(err, "ALREADY_RATED", "this side has rated this dispatch already", NULL,
                     NULL);
        goto done;
    }
    rc = 0;
done:
    whistlemsg_clear(&w);
    return rc;
}

int whistle_rate(routing_t *r, const Gov__Envelope *env, const ProtobufCMessage *msg,
                 idem_answer_t *out, apperr_t *err)
{
    const Gov__RateWhistle *m = (const Gov__RateWhistle *) msg;
    const char *direction = "";
    int rc = text_check(m->text, TEXT_BODY, 0, "text", err);
    if (rc == 0 && (rc = s_rate(r, env, m, &direction, err)) == 0) {
        out->ids[0] = m->whistle_id;
        out->ids[1] = m->dispatch_id;
        snprintf(out->note, sizeof out->note, "%s", direction);
    }
    return rc;
}
