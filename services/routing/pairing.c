#include "pairing.h"

#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "outbox.h"
#include "queries.h"
#include "readscope.h"
#include "text.h"

/* The id the row `sql` finds by `code`, 0 when none, -1 with `err` on a
 * database failure. */
static int64_t s_id(routing_t *r, const char *sql, const char *code, apperr_t *err)
{
    char sqlstate[6];
    PGresult *res = pstmt_exec(r->sql, sql, 1, (const char *[]){code ? code : ""}, sqlstate);
    if (!res)
        return apperr_db(err, sqlstate);
    int64_t id = PQntuples(res) ? strtoll(PQgetvalue(res, 0, 0), NULL, 10) : 0;
    PQclear(res);
    return id;
}

/* The unit and community a pairing command names: ids, or -1 with `err`. */
static int s_pair_ids(routing_t *r, const char *unit, const char *community, int64_t *uid,
                      int64_t *cid, apperr_t *err)
{
    if ((*uid = s_id(r, Q_UNIT_ID, unit, err)) < 0 || (*cid = s_id(r, Q_COMMUNITY_ID, community, err)) < 0)
        return -1;
    if (!*uid)
        return apperr_code(err, "UNKNOWN_UNIT", "\"%.64s\"", unit ? unit : "");
    if (!*cid)
        return apperr_fail(err, "UNKNOWN_AREA", "no such community", NULL, "\"%.64s\"",
                           community ? community : "");
    return 0;
}

static int s_announce(routing_t *r, const Gov__Envelope *env, const char *person, const char *unit,
                      apperr_t *err)
{
    Gov__DirectoryEvent ev = GOV__DIRECTORY_EVENT__INIT;
    ev.person = (char *) (person ? person : "");
    ev.unit = (char *) (unit ? unit : "");
    if (outbox_add(r->conn, ROUTING_STREAM, "PairingChanged", env->actor, env->trace_id, &ev.base))
        return apperr_fail(err, "DB_UNAVAILABLE", "the event could not be stored", "retry later", NULL);
    log_info("directory: PairingChanged by %s: person %s unit %s", env->actor->id, ev.person, ev.unit);
    return 0;
}

int pairing_pair(routing_t *r, const Gov__Envelope *env, const ProtobufCMessage *msg,
                 idem_answer_t *out, apperr_t *err)
{
    const Gov__PairUnit *m = (const Gov__PairUnit *) msg;
    int64_t uid, cid;
    if (routing_admin(r, env->actor, err) || s_pair_ids(r, m->unit, m->community, &uid, &cid, err))
        return -1;
    if (!m->kind || (strcmp(m->kind, "member") != 0 && strcmp(m->kind, "paired") != 0))
        return apperr_fail(err, "BAD_KIND", "a pairing is member (委员单位) or paired (结对共建)", NULL,
                           "\"%.32s\"", m->kind ? m->kind : "");
    char b[3][24], sqlstate[6];
    const char *params[] = {routing_i64(b[0], uid), routing_i64(b[1], cid), m->kind,
                            routing_i64(b[2], svclock_now_ms(r->clock))};
    PGresult *res = pstmt_exec(r->sql, Q_PAIR, 4, params, sqlstate);
    if (!res)
        return apperr_db(err, sqlstate);
    PQclear(res);
    out->ids[0] = uid;
    return s_announce(r, env, NULL, m->unit, err);
}

int pairing_unpair(routing_t *r, const Gov__Envelope *env, const ProtobufCMessage *msg,
                   idem_answer_t *out, apperr_t *err)
{
    const Gov__UnpairUnit *m = (const Gov__UnpairUnit *) msg;
    int64_t uid, cid;
    if (routing_admin(r, env->actor, err) || s_pair_ids(r, m->unit, m->community, &uid, &cid, err))
        return -1;
    char b[2][24], sqlstate[6];
    PGresult *res = pstmt_exec(r->sql, Q_UNPAIR, 2,
                               (const char *[]){routing_i64(b[0], uid), routing_i64(b[1], cid)}, sqlstate);
    if (!res)
        return apperr_db(err, sqlstate);
    int found = PQntuples(res) == 1;
    PQclear(res);
    if (!found)
        return apperr_fail(err, "NOT_FOUND", "the unit is not paired with the community", NULL,
                           "%.64s, %.64s", m->unit, m->community);
    out->ids[0] = uid;
    return s_announce(r, env, NULL, m->unit, err);
}

int pairing_report(routing_t *r, const Gov__Envelope *env, const ProtobufCMessage *msg,
                   idem_answer_t *out, apperr_t *err)
{
    const Gov__ReportMember *m = (const Gov__ReportMember *) msg;
    int64_t uid, area;
    char kind[24], sqlstate[6], b[5][24];
    if (routing_member(r, env->actor, &uid, kind, &area, err))
        return -1;
    PGresult *res = pstmt_exec(r->sql, Q_GRID, 1, (const char *[]){m->grid ? m->grid : ""}, sqlstate);
    if (!res)
        return apperr_db(err, sqlstate);
    int64_t grid = PQntuples(res) ? strtoll(PQgetvalue(res, 0, 0), NULL, 10) : 0;
    int64_t community = PQntuples(res) ? strtoll(PQgetvalue(res, 0, 1), NULL, 10) : 0;
    PQclear(res);
    if (!grid)
        return apperr_fail(err, "UNKNOWN_AREA", "no such grid", "report to a grid of your home community",
                           "\"%.64s\"", m->grid ? m->grid : "");
    int64_t person = s_id(r, Q_PERSON_ID, env->actor->id, err), zone = 0;
    if (person <= 0)
        return person < 0 ? -1 : apperr_code(err, "UNKNOWN_PERSON", "\"%.64s\"", env->actor->id);
    if (m->zone && m->zone[0]) { /* a 责任区 of that grid */
        if (!(res = pstmt_exec(r->sql, Q_ZONE, 1, (const char *[]){m->zone}, sqlstate)))
            return apperr_db(err, sqlstate);
        int in_grid = PQntuples(res) && strtoll(PQgetvalue(res, 0, 1), NULL, 10) == grid;
        zone = PQntuples(res) ? strtoll(PQgetvalue(res, 0, 0), NULL, 10) : 0;
        PQclear(res);
        if (!in_grid)
            return apperr_fail(err, "BAD_ZONE", "no such 责任区 in that grid", "see govctl pairing list --community C",
                               "\"%.64s\" in %.64s", m->zone, m->grid);
    }
    char zb[24];
    const char *params[] = {routing_i64(b[0], person), routing_i64(b[1], uid), routing_i64(b[2], community),
                            routing_i64(b[3], grid), routing_i64(b[4], svclock_now_ms(r->clock)),
                            routing_i64(zb, zone)};
    if (!(res = pstmt_exec(r->sql, Q_REPORT, 6, params, sqlstate)))
        return apperr_db(err, sqlstate);
    PQclear(res);
    out->ids[0] = uid;
    return s_announce(r, env, env->actor->id, env->actor->unit, err);
}

int pairing_zone(routing_t *r, const Gov__Envelope *env, const ProtobufCMessage *msg,
                 idem_answer_t *out, apperr_t *err)
{
    const Gov__SetDutyZone *m = (const Gov__SetDutyZone *) msg;
    char sqlstate[6], b[3][24];
    if (routing_admin(r, env->actor, err) || text_check(m->code, TEXT_NAME, 1, "code", err) ||
        text_check(m->name, TEXT_NAME, 1, "name", err))
        return -1;
    if (m->n_buildings == 0 || m->n_buildings > 200)
        return apperr_fail(err, "BAD_ZONE", "a 责任区 has 1 to 200 buildings of its grid", NULL, "got %zu",
                           m->n_buildings);
    PGresult *res = pstmt_exec(r->sql, Q_GRID, 1, (const char *[]){m->grid ? m->grid : ""}, sqlstate);
    if (!res)
        return apperr_db(err, sqlstate);
    int64_t grid = PQntuples(res) ? strtoll(PQgetvalue(res, 0, 0), NULL, 10) : 0;
    int64_t community = PQntuples(res) ? strtoll(PQgetvalue(res, 0, 1), NULL, 10) : 0;
    PQclear(res);
    if (!grid)
        return apperr_fail(err, "UNKNOWN_AREA", "no such grid", NULL, "\"%.64s\"", m->grid ? m->grid : "");
    const char *zp[] = {m->code, m->name, routing_i64(b[0], grid)};
    if (!(res = pstmt_exec(r->sql, Q_PUT_ZONE, 3, zp, sqlstate)))
        return apperr_db(err, sqlstate);
    int64_t zone = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
    PQclear(res);
    const char *cp[] = {routing_i64(b[1], zone)};
    if (!(res = pstmt_exec(r->sql, Q_CLEAR_ZONE, 1, cp, sqlstate)))
        return apperr_db(err, sqlstate);
    PQclear(res);
    for (size_t i = 0; i < m->n_buildings; i++) {
        const char *bp[] = {b[1], m->buildings[i], b[0]};
        if (!(res = pstmt_exec(r->sql, Q_ZONE_BUILDING, 3, bp, sqlstate)))
            return apperr_db(err, sqlstate);
        int building = PQntuples(res) == 1;
        int64_t holder = building ? strtoll(PQgetvalue(res, 0, 1), NULL, 10) : 0;
        PQclear(res);
        if (!building)
            return apperr_fail(err, "BAD_ZONE", "a 责任区's buildings are buildings of its grid", NULL,
                               "\"%.64s\" in %.64s", m->buildings[i], m->grid);
        if (holder != zone)
            return apperr_fail(err, "BAD_ZONE", "the building is in another 责任区", "redraw that one first",
                               "\"%.64s\"", m->buildings[i]);
    }
    out->ids[0] = 0;
    out->ids[1] = community;
    return s_announce(r, env, NULL, NULL, err);
}

static char *s_dup(const char *s)
{
    return strdup(s ? s : "");
}

int pairing_of(routing_t *r, int64_t unit_id, int64_t community_id, Gov__ListPairingsReply **out,
               apperr_t *err)
{
    *out = NULL;
    char b[2][24], sqlstate[6];
    const char *params[] = {routing_i64(b[0], unit_id), routing_i64(b[1], community_id)};
    PGresult *pr = pstmt_exec(r->sql, Q_PAIRINGS, 2, params, sqlstate), *rr = NULL;
    if (!pr || !(rr = pstmt_exec(r->sql, Q_REPORTS, 2, params, sqlstate))) {
        PQclear(pr);
        return apperr_db(err, sqlstate);
    }
    size_t np = (size_t) PQntuples(pr), nr = (size_t) PQntuples(rr);
    Gov__ListPairingsReply *reply = malloc(sizeof *reply);
    int ok = 0;
    if (!reply)
        goto done;
    gov__list_pairings_reply__init(reply);
    reply->items = calloc(np + 1, sizeof *reply->items);
    reply->reports = calloc(nr + 1, sizeof *reply->reports);
    if (!reply->items || !reply->reports)
        goto done;
    for (; reply->n_items < np; reply->n_items++) {
        int k = (int) reply->n_items;
        Gov__Pairing *p = malloc(sizeof *p);
        if (!p)
            goto done;
        gov__pairing__init(p);
        reply->items[k] = p;
        p->unit = s_dup(PQgetvalue(pr, k, 0));
        p->unit_name = s_dup(PQgetvalue(pr, k, 1));
        p->community = s_dup(PQgetvalue(pr, k, 2));
        p->community_name = s_dup(PQgetvalue(pr, k, 3));
        p->kind = s_dup(PQgetvalue(pr, k, 4));
        p->since_ms = strtoll(PQgetvalue(pr, k, 5), NULL, 10);
        if (!p->unit || !p->unit_name || !p->community || !p->community_name || !p->kind)
            goto done;
    }
    for (; reply->n_reports < nr; reply->n_reports++) {
        int k = (int) reply->n_reports;
        Gov__MemberReport *m = malloc(sizeof *m);
        if (!m)
            goto done;
        gov__member_report__init(m);
        reply->reports[k] = m;
        m->person = s_dup(PQgetvalue(rr, k, 0));
        m->person_name = s_dup(PQgetvalue(rr, k, 1));
        m->unit = s_dup(PQgetvalue(rr, k, 2));
        m->community = s_dup(PQgetvalue(rr, k, 3));
        m->grid = s_dup(PQgetvalue(rr, k, 4));
        m->reported_ms = strtoll(PQgetvalue(rr, k, 5), NULL, 10);
        m->zone = s_dup(PQgetvalue(rr, k, 6));
        if (!m->person || !m->person_name || !m->unit || !m->community || !m->grid || !m->zone)
            goto done;
    }
    *out = reply;
    reply = NULL;
    ok = 1;
done:
    PQclear(pr);
    PQclear(rr);
    if (reply)
        protobuf_c_message_free_unpacked(&reply->base, NULL);
    return ok ? 0 : apperr_code(err, "OVERLOADED", "out of memory");
}

int pairing_list(routing_t *r, const Gov__Actor *actor, const Gov__ListPairings *q,
                 Gov__ListPairingsReply **out, apperr_t *err)
{
    *out = NULL;
    readscope_t scope;
    if (readscope_of(r, actor, &scope, err))
        return -1;
    if (scope.kind == READSCOPE_NONE)
        return apperr_fail(err, "OUTSIDE_SCOPE", "only units read the pairings", "act for your unit", NULL);
    int has_unit = q->unit && q->unit[0], has_community = q->community && q->community[0];
    if (has_unit == has_community)
        return apperr_fail(err, "BAD_ARGUMENT", "name a unit or a community, one of the two", NULL, NULL);
    int64_t uid = 0, cid = 0;
    if (has_unit ? (uid = s_id(r, Q_UNIT_ID, q->unit, err)) < 0
                 : (cid = s_id(r, Q_COMMUNITY_ID, q->community, err)) < 0)
        return -1;
    if (has_unit && !uid)
        return apperr_code(err, "UNKNOWN_UNIT", "\"%.64s\"", q->unit);
    if (has_community && !cid)
        return apperr_fail(err, "UNKNOWN_AREA", "no such community", NULL, "\"%.64s\"", q->community);
    return pairing_of(r, uid, cid, out, err);
}
