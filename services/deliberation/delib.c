#include "delib.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int delib_fail(delib_err_t *err, const char *code, const char *message, const char *hint,
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

int delib_db_fail(delib_err_t *err, const char sqlstate[6])
{
    delib_fail(err, "DB_UNAVAILABLE", "the database did not answer", "retry later", NULL);
    if (sqlstate)
        memcpy(err->sqlstate, sqlstate, 6);
    return -1;
}

PGresult *delib_exec(delib_t *d, const char *sql, int n, const char *const *params,
                     delib_err_t *err)
{
    char sqlstate[6];
    PGresult *res = pstmt_exec(d->sql, sql, n, params, sqlstate);
    if (!res)
        delib_db_fail(err, sqlstate);
    return res;
}

int delib_run(delib_t *d, const char *sql, int n, const char *const *params, delib_err_t *err)
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
