#include "matter.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chain.h"
#include "db.h"
#include "mattermsg.h"
#include "queries.h"
#include "windows.h"

int matter_lock(delib_t *d, int64_t id, matter_ref_t *out, apperr_t *err)
{
    char ids[24];
    PGresult *res = delib_exec(d, Q_MATTER_LOCK, 1, (const char *[]){delib_i64(ids, id)}, err);
    if (!res)
        return -1;
    if (PQntuples(res) == 0) {
        PQclear(res);
        return apperr_fail(err, "NOT_FOUND", "no such matter", NULL, "matter %lld", (long long) id);
    }
    memset(out, 0, sizeof *out);
    out->id = id;
    snprintf(out->scope, sizeof out->scope, "%s", PQgetvalue(res, 0, 1));
    out->area_id = delib_cell_i64(res, 0, 2);
    out->community_id = delib_cell_i64(res, 0, 3);
    snprintf(out->step, sizeof out->step, "%s", PQgetvalue(res, 0, 4));
    out->convene_required = PQgetvalue(res, 0, 5)[0] == 't';
    out->window_until_ms = delib_cell_i64(res, 0, 7);
    out->flags_open = (int) delib_cell_i64(res, 0, 9);
    out->round = (int) delib_cell_i64(res, 0, 10);
    PQclear(res);
    return 0;
}

int matter_word_in(const char *word, const char *list)
{
    size_t n = strlen(word);
    for (const char *p = list; (p = strstr(p, word)); p += n)
        if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
            return 1;
    return 0;
}

int matter_require(const matter_ref_t *m, const char *steps, const char *what, apperr_t *err)
{
    if (matter_word_in(m->step, steps))
        return 0;
    return apperr_fail(err, "WRONG_STEP", "the matter is not in a step that allows this",
                      NULL, "matter %lld is %s; %s needs %s", (long long) m->id, m->step, what,
                      steps);
}

int matter_record(delib_t *d, int64_t matter_id, const char *kind, const char *actor,
                  json_t *body, const char *event, const Gov__Envelope *cause, char **audience,
                  size_t n_audience, apperr_t *err)
{
    Gov__MatterRecord rec;
    char *buf = NULL;
    int rc = body ? chain_append(d, matter_id, kind, actor, body, &rec, &buf, err)
                  : apperr_fail(err, "INTERNAL", "out of memory", NULL, NULL);
    if (rc == 0 && event)
        rc = mattermsg_announce(d, matter_id, event, cause, &rec, audience, n_audience, err);
    free(buf);
    json_decref(body);
    return rc;
}

int matter_free(delib_t *d, int64_t matter_id, apperr_t *err)
{
    char ids[24];
    PGresult *res = delib_exec(d, Q_FLAGS_OPEN, 1, (const char *[]){delib_i64(ids, matter_id)}, err);
    if (!res)
        return -1;
    int64_t open = delib_cell_i64(res, 0, 0);
    PQclear(res);
    if (open == 0)
        return 0;
    return apperr_fail(err, "MATTER_HELD",
                      "the matter is held by a flag the owning body has not answered",
                      "the body that owns the flagged step answers it (govctl matter answer-flag)",
                      "matter %lld has %lld open flags", (long long) matter_id, (long long) open);
}

int matter_move(delib_t *d, int64_t matter_id, const char *step, const char *kind,
                int64_t window_ms, apperr_t *err)
{
    char ids[24], until[24];
    if (matter_free(d, matter_id, err))
        return -1;
    const char *params[] = {delib_i64(ids, matter_id), step,
                            window_ms > 0 ? delib_i64(until, window_ms) : NULL};
    if (delib_run(d, Q_SET_STEP, 3, params, err))
        return -1;
    if (window_ms <= 0 || !kind)
        return 0;
    PGresult *res = delib_exec(d, Q_INSERT_WINDOW, 3, (const char *[]){ids, kind, until}, err);
    if (!res)
        return -1;
    deadline_arm(d->windows, delib_cell_i64(res, 0, 0), window_ms);
    PQclear(res);
    return 0;
}

PGresult *matter_rules(delib_t *d, int64_t community_id, apperr_t *err)
{
    char ids[24];
    const char *params[] = {delib_i64(ids, community_id)};
    if (delib_run(d, Q_RULES_ENSURE, 1, params, err))
        return NULL;
    PGresult *res = delib_exec(d, Q_RULES, 1, params, err);
    if (res && PQntuples(res) != 1) {
        PQclear(res);
        apperr_fail(err, "INTERNAL", "the community has no rules", NULL, NULL);
        return NULL;
    }
    return res;
}

