#include "apperr.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "errcodes.h"

static int s_fill(apperr_t *err, const char *code, const char *message, const char *hint,
                  const char *detail_fmt, va_list ap)
{
    err->code = code;
    err->message = message;
    err->hint = hint;
    err->detail[0] = '\0';
    err->sqlstate[0] = '\0';
    if (detail_fmt)
        vsnprintf(err->detail, sizeof err->detail, detail_fmt, ap);
    return -1;
}

int apperr_fail(apperr_t *err, const char *code, const char *message, const char *hint,
                const char *detail_fmt, ...)
{
    va_list ap;
    va_start(ap, detail_fmt);
    s_fill(err, code, message, hint, detail_fmt, ap);
    va_end(ap);
    return -1;
}

int apperr_code(apperr_t *err, const char *code, const char *detail_fmt, ...)
{
    const errcode_t *row = errcode_find(code);
    if (!row)
        row = errcode_find("INTERNAL");
    va_list ap;
    va_start(ap, detail_fmt);
    s_fill(err, row->code, row->message, row->hint, detail_fmt, ap);
    va_end(ap);
    return -1;
}

int apperr_db(apperr_t *err, const char sqlstate[6])
{
    apperr_code(err, "DB_UNAVAILABLE", NULL);
    if (sqlstate)
        memcpy(err->sqlstate, sqlstate, 6);
    return -1;
}
