#include "delib.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

PGresult *delib_exec(delib_t *d, const char *sql, int n, const char *const *params,
                     apperr_t *err)
{
    char sqlstate[6];
    PGresult *res = pstmt_exec(d->sql, sql, n, params, sqlstate);
    if (!res)
        apperr_db(err, sqlstate);
    return res;
}

int delib_run(delib_t *d, const char *sql, int n, const char *const *params, apperr_t *err)
{
    PGresult *res = delib_exec(d, sql, n, params, err);
    PQclear(res);
    return res ? 0 : -1;
}

const char *delib_i64(char buf[24], int64_t v)
{
    snprintf(buf, 24, "%" PRId64, v);
    return buf;
}

int64_t delib_cell_i64(const PGresult *res, int row, int col)
{
    return PQgetisnull(res, row, col) ? 0 : strtoll(PQgetvalue(res, row, col), NULL, 10);
}
