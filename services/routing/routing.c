#include "routing.h"

#include "db.h"
#include "queries.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int routing_fail(routing_err_t *err, const char *code, const char *message, const char *hint,
                 const char *detail_fmt, ...)
{
    err->code = code;
    err->message = message;
    err->hint = hint;
    err->detail[0] = '\0';
    err->sqlstate[0] = '\0';
    if (detail_fmt) {
        va_list ap;
        va_start(ap, detail_fmt);
        vsnprintf(err->detail, sizeof err->detail, detail_fmt, ap);
        va_end(ap);
    }
    return -1;
}

int routing_db_fail(routing_err_t *err, const char sqlstate[6])
{
    routing_fail(err, "DB_UNAVAILABLE", "the database did not answer", "retry later", NULL);
    if (sqlstate)
        memcpy(err->sqlstate, sqlstate, 6);
    return -1;
}

const char *routing_i64(char buf[24], int64_t v)
{
    snprintf(buf, 24, "%" PRId64, v);
    return buf;
}

int routing_begin(routing_t *r, routing_err_t *err)
{
    char sqlstate[6];
    PGresult *res = pstmt_exec(r->sql, "BEGIN", 0, NULL, sqlstate);
    if (!res)
        return routing_db_fail(err, sqlstate);
    PQclear(res);
    return 0;
}

int routing_commit(routing_t *r, routing_err_t *err)
{
    char sqlstate[6];
    PGresult *res = pstmt_exec(r->sql, "COMMIT", 0, NULL, sqlstate);
    if (!res)
        return routing_db_fail(err, sqlstate);
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
                   int64_t *area_id, routing_err_t *err)
{
    if (!actor || !actor->id || !actor->id[0] || !actor->unit || !actor->unit[0])
        return routing_fail(err, "NO_ACTOR", "the request names no actor",
                            "set the envelope's actor: your person code and your unit", NULL);
    char sqlstate[6];
    const char *params[] = {actor->unit, actor->id};
    PGresult *res = pstmt_exec(r->sql, Q_MEMBER, 2, params, sqlstate);
    if (!res)
        return routing_db_fail(err, sqlstate);
    if (PQntuples(res) == 0) {
        PQclear(res);
        return routing_fail(err, "NOT_A_MEMBER", "the actor is not a member of the unit", NULL,
                            "%s is not a member of %s", actor->id, actor->unit);
    }
    *unit_id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
    snprintf(kind, 24, "%s", PQgetvalue(res, 0, 1));
    if (area_id)
        *area_id = strtoll(PQgetvalue(res, 0, 2), NULL, 10);
    PQclear(res);
    return 0;
}
