#include "routing.h"

#include "db.h"
#include "queries.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *routing_i64(char buf[24], int64_t v)
{
    snprintf(buf, 24, "%" PRId64, v);
    return buf;
}

int routing_begin(routing_t *r, apperr_t *err)
{
    char sqlstate[6];
    PGresult *res = pstmt_exec(r->sql, "BEGIN", 0, NULL, sqlstate);
    if (!res)
        return apperr_db(err, sqlstate);
    PQclear(res);
    return 0;
}

int routing_commit(routing_t *r, apperr_t *err)
{
    char sqlstate[6];
    PGresult *res = pstmt_exec(r->sql, "COMMIT", 0, NULL, sqlstate);
    if (!res)
        return apperr_db(err, sqlstate);
    PQclear(res);
    if (r->relay)
        relay_kick(r->relay);
    return 0;
}

void routing_rollback(routing_t *r)
{
    db_run(r->conn, "ROLLBACK", 0, NULL);
}

int routing_member(routing_t *r, const Gov__Actor *actor, int64_t *unit_id, char kind[24],
                   int64_t *area_id, apperr_t *err)
{
    if (!actor || !actor->id || !actor->id[0] || !actor->unit || !actor->unit[0])
        return apperr_fail(err, "NO_ACTOR", "the request names no actor",
                            "set the envelope's actor: your person code and your unit", NULL);
    char sqlstate[6];
    const char *params[] = {actor->unit, actor->id};
    PGresult *res = pstmt_exec(r->sql, Q_MEMBER, 2, params, sqlstate);
    if (!res)
        return apperr_db(err, sqlstate);
    if (PQntuples(res) == 0) {
        PQclear(res);
        return apperr_fail(err, "NOT_A_MEMBER", "the actor is not a member of the unit", NULL,
                            "%s is not a member of %s", actor->id, actor->unit);
    }
    *unit_id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
    snprintf(kind, 24, "%s", PQgetvalue(res, 0, 1));
    if (area_id)
        *area_id = strtoll(PQgetvalue(res, 0, 2), NULL, 10);
    PQclear(res);
    return 0;
}

int routing_admin(routing_t *r, const Gov__Actor *actor, apperr_t *err)
{
    int64_t unit;
    char kind[24];
    if (actor && actor->id && actor->id[0] && (!actor->unit || !actor->unit[0]) && actor->role &&
        strcmp(actor->role, "operator") == 0)
        return 0; /* the operator's govctl: no gateway actor is an operator of no unit */
    if (actor && actor->id && actor->id[0] && (!actor->unit || !actor->unit[0]))
        return apperr_fail(err, "NOT_ADMIN", "only the admin may do this",
                           "act for a unit of kind admin (X-Gov-Unit: its code)",
                           "%s acts for no unit", actor->id);
    if (routing_member(r, actor, &unit, kind, NULL, err))
        return -1;
    if (strcmp(kind, "admin") != 0)
        return apperr_fail(err, "NOT_ADMIN", "only the admin may do this",
                           "act for a unit of kind admin (X-Gov-Unit: its code)", "%s is a %s",
                           actor->unit, kind);
    return 0;
}

int routing_calendar_refresh(routing_t *r)
{
    return calendar_refresh(r->cal, r->conn, -1);
}

int routing_calendar_at(routing_t *r, int64_t revision)
{
    return calendar_refresh(r->cal, r->conn, revision);
}
