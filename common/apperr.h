/* apperr: a refusal or failure on its way to a gov.Error reply — a stable
 * code a client can act on, a short lowercase message, and a detail, hint and
 * SQLSTATE for people (PostgreSQL's error style). Services fill one where a
 * check fails and answer with it once, at the edge. */
#ifndef GOV_APPERR_H
#define GOV_APPERR_H

typedef struct {
    const char *code;    /* static, UPPER_SNAKE */
    const char *message; /* static */
    const char *hint;    /* static, may be NULL */
    char detail[256];    /* formatted; "" when none */
    char sqlstate[6];    /* "" unless the database was the cause */
} apperr_t;

/* Fills `err` and returns -1, so a check reads `return apperr_fail(...)`.
 * `detail_fmt` may be NULL. */
int apperr_fail(apperr_t *err, const char *code, const char *message, const char *hint,
                const char *detail_fmt, ...) __attribute__((format(printf, 5, 6)));

/* Fills `err` with `code`'s message and hint from the table
 * (common/errcodes.h) and a detail, and returns -1. A code missing from the
 * table is the programmer's mistake: it is answered as INTERNAL. */
int apperr_code(apperr_t *err, const char *code, const char *detail_fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The database failed: DB_UNAVAILABLE with `sqlstate` (may be NULL); -1. */
int apperr_db(apperr_t *err, const char sqlstate[6]);

#endif
