#include "piilog.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

static const char *s_or_empty(const char *s)
{
    return s ? s : "";
}

/* The ids `ids[0..n)` but zeros as an array literal (malloc'd), or NULL. */
static char *s_array(const int64_t *ids, size_t n)
{
    size_t cap = 3 + n * 22; /* "{" + each id (20 digits and a sign) and a comma + "}" */
    char *text = malloc(cap);
    if (!text)
        return NULL;
    size_t at = 0, put = 0;
    text[at++] = '{';
    for (size_t i = 0; i < n; i++)
        if (ids[i])
            at += (size_t) snprintf(text + at, cap - at, "%s%" PRId64, put++ ? "," : "", ids[i]);
    text[at++] = '}';
    text[at] = '\0';
    return text;
}

int piilog_row(piilog_row_t *row, const char *service, const Gov__Envelope *env,
               const char *subject, const int64_t *ids, const int64_t *case_ids, size_t n)
{
    char *text = s_array(ids, n), *cases = text ? s_array(case_ids, n) : NULL;
    if (!cases) {
        free(text);
        return -1;
    }
    const Gov__Actor *a = env ? env->actor : NULL;
    row->ids_text = text;
    row->cases_text = cases;
    row->params[0] = service;
    row->params[1] = a ? s_or_empty(a->id) : "";
    row->params[2] = a ? s_or_empty(a->unit) : "";
    row->params[3] = a ? s_or_empty(a->role) : "";
    row->params[4] = env ? s_or_empty(env->type) : "";
    row->params[5] = env ? s_or_empty(env->message_id) : "";
    row->params[6] = env ? s_or_empty(env->trace_id) : "";
    row->params[7] = subject;
    row->params[8] = text;
    row->params[9] = cases;
    return 0;
}

void piilog_row_clear(piilog_row_t *row)
{
    free(row->ids_text);
    free(row->cases_text);
    row->ids_text = row->cases_text = NULL;
}
