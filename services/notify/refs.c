#include "refs.h"

#include <stdlib.h>
#include <string.h>

#include "db.h"

/* One remembered answer. Batches ask few distinct questions (a handful of
 * templates and units), so a list is enough. */
typedef struct answer {
    const char *sql;
    char *key;               /* the parameters, each ended by a 0x1f */
    PGresult *res;
    struct answer *next;
} answer_t;

struct refs {
    answer_t *answers;
    unsigned long asked;
};

refs_t *refs_new(void)
{
    return calloc(1, sizeof(refs_t));
}

static char *s_key(int nparams, const char *const *params)
{
    size_t len = 1;
    for (int i = 0; i < nparams; i++)
        len += strlen(params[i]) + 1;
    char *key = malloc(len), *p = key;
    if (!key)
        return NULL;
    for (int i = 0; i < nparams; i++) {
        size_t n = strlen(params[i]);
        memcpy(p, params[i], n);
        p += n;
        *p++ = '\x1f';
    }
    *p = '\0';
    return key;
}

const PGresult *refs_query(refs_t *refs, PGconn *conn, const char *sql, int nparams,
                           const char *const *params)
{
    char *key = s_key(nparams, params);
    if (!key)
        return NULL;
    for (answer_t *a = refs->answers; a; a = a->next)
        if (a->sql == sql && strcmp(a->key, key) == 0) {
            free(key);
            return a->res;
        }
    answer_t *a = malloc(sizeof *a);
    PGresult *res = a ? db_exec(conn, sql, nparams, params, NULL) : NULL;
    refs->asked++;
    if (!res) {
        free(a);
        free(key);
        return NULL;
    }
    *a = (answer_t){.sql = sql, .key = key, .res = res, .next = refs->answers};
    refs->answers = a;
    return res;
}

void refs_forget(refs_t *refs)
{
    while (refs->answers) {
        answer_t *a = refs->answers;
        refs->answers = a->next;
        PQclear(a->res);
        free(a->key);
        free(a);
    }
}

unsigned long refs_asked(const refs_t *refs)
{
    return refs->asked;
}

void refs_destroy(refs_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    refs_forget(*self_p);
    free(*self_p);
    *self_p = NULL;
}
