#include "kpi.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "outbox.h"
#include "queries.h"
#include "text.h"

const char *const kpi_figure_names[KPI_FIGURES] = {"response", "resolution", "satisfaction",
                                                    "rating", "score"};

/* What kpi_query's items borrow from, freed by kpi_free. */
typedef struct {
    PGresult *res, *targets;
    Gov__KpiTarget *tg;       /* KPI_FIGURES a unit */
    Gov__KpiTarget **tg_ptrs;
    char **below;             /* KPI_FIGURES a unit, borrowed names */
} s_hold_t;

int kpi_figure(const char *name)
{
    for (int i = 0; name && i < KPI_FIGURES; i++)
        if (strcmp(kpi_figure_names[i], name) == 0)
            return i;
    return -1;
}

static int s_month_ok(const char *m)
{
    if (!m || strlen(m) != 7 || m[4] != '-')
        return 0;
    for (int i = 0; i < 7; i++)
        if (i != 4 && !isdigit((unsigned char) m[i]))
            return 0;
    int month = atoi(m + 5);
    return month >= 1 && month <= 12;
}

static double s_rate(double num, double den)
{
    return den > 0 ? num / den : 0.0;
}

int kpi_judged(const Gov__Kpi *k, kpi_figure_t f)
{
    switch (f) {
    case KPI_RESPONSE: return k->dispatched > 0;
    case KPI_RESOLUTION: return k->dispatched - k->passed_up > 0;
    case KPI_SATISFACTION: return k->evaluated > 0;
    case KPI_RATING: return k->rated > 0;
    default: return k->dispatched > 0 || k->evaluated > 0 || k->rated > 0;
    }
}

double kpi_value(const Gov__Kpi *k, kpi_figure_t f)
{
    switch (f) {
    case KPI_RESPONSE: return k->response_rate;
    case KPI_RESOLUTION: return k->resolution_rate;
    case KPI_SATISFACTION: return k->satisfaction_rate;
    case KPI_RATING: return k->rating_rate;
    default: return k->score;
    }
}

void kpi_rates(Gov__Kpi *k, const double weights[KPI_FIGURES])
{
    k->response_rate = s_rate(k->signed_in_time, k->dispatched);
    k->resolution_rate = s_rate(k->resolved_not_reopened, k->dispatched - k->passed_up);
    k->satisfaction_rate = s_rate(k->satisfied, k->evaluated);
    k->rating_rate = k->rated > 0 ? (k->rating_mean - 1.0) / 4.0 : 0.0;
    double sum = 0, weight = 0;
    for (int f = 0; f < KPI_SCORE; f++)
        if (kpi_judged(k, (kpi_figure_t) f) && weights[f] > 0) {
            sum += weights[f] * kpi_value(k, (kpi_figure_t) f);
            weight += weights[f];
        }
    k->score = weight > 0 ? 100.0 * sum / weight : 0.0;
}

static int s_better(const void *a, const void *b)
{
    const Gov__Kpi *x = a, *y = b;
    if (x->score != y->score)
        return x->score < y->score ? 1 : -1;
    if (x->resolution_rate != y->resolution_rate)
        return x->resolution_rate < y->resolution_rate ? 1 : -1;
    if (x->satisfaction_rate != y->satisfaction_rate)
        return x->satisfaction_rate < y->satisfaction_rate ? 1 : -1;
    if (x->response_rate != y->response_rate)
        return x->response_rate < y->response_rate ? 1 : -1;
    return strcmp(x->unit, y->unit);
}

/* The score's weights from kpi_weights; a figure without a row weighs 0. */
static int s_weights(routing_t *r, double w[KPI_FIGURES], apperr_t *err)
{
    char sqlstate[6];
    memset(w, 0, KPI_FIGURES * sizeof *w);
    PGresult *res = pstmt_exec(r->sql, Q_KPI_WEIGHTS, 0, NULL, sqlstate);
    if (!res)
        return apperr_db(err, sqlstate);
    for (int i = 0; i < PQntuples(res); i++) {
        int f = kpi_figure(PQgetvalue(res, i, 0));
        if (f >= 0 && f < KPI_SCORE)
            w[f] = strtod(PQgetvalue(res, i, 1), NULL);
    }
    PQclear(res);
    return 0;
}

/* Sets the targets of unit `k` (of `kind`) beside its figures, and the
 * figures below them: a figure with nothing under it is not judged (met). */
static void s_targets(Gov__Kpi *k, const char *kind, PGresult *t, Gov__KpiTarget *tg,
                      Gov__KpiTarget **ptrs, char **below)
{
    k->targets = ptrs;
    k->below = below;
    for (int i = 0; i < PQntuples(t) && k->n_targets < KPI_FIGURES; i++) {
        int f = kpi_figure(PQgetvalue(t, i, 1));
        if (f < 0 || strcmp(PQgetvalue(t, i, 0), kind) != 0)
            continue;
        Gov__KpiTarget *x = &tg[k->n_targets];
        gov__kpi_target__init(x);
        x->figure = (char *) kpi_figure_names[f];
        x->target = strtod(PQgetvalue(t, i, 2), NULL);
        x->source = PQgetvalue(t, i, 3);
        x->value = kpi_value(k, (kpi_figure_t) f);
        x->met = !kpi_judged(k, (kpi_figure_t) f) || x->value >= x->target;
        ptrs[k->n_targets++] = x;
        if (!x->met)
            below[k->n_below++] = x->figure;
    }
}

int kpi_query(routing_t *r, const char *unit, const char *kind, const char *month, int ranked,
              Gov__Kpi **items, size_t *n, void **res_out, apperr_t *err)
{
    *items = NULL;
    *n = 0;
    *res_out = NULL;
    if (!s_month_ok(month))
        return apperr_fail(err, "BAD_MONTH", "the month must be YYYY-MM", NULL, "got \"%s\"",
                            month ? month : "");
    double weights[KPI_FIGURES];
    if (s_weights(r, weights, err))
        return -1;
    char sqlstate[6];
    const char *params[] = {unit ? unit : "", month, kind ? kind : ""};
    s_hold_t *h = calloc(1, sizeof *h);
    Gov__Kpi *k = NULL;
    if (!h)
        return apperr_fail(err, "INTERNAL", "out of memory", NULL, NULL);
    if (!(h->res = pstmt_exec(r->sql, Q_KPI, 3, params, sqlstate)) ||
        !(h->targets = pstmt_exec(r->sql, Q_KPI_TARGETS, 1, params + 2, sqlstate))) {
        apperr_db(err, sqlstate);
        goto fail;
    }
    int rows = PQntuples(h->res);
    size_t slots = ((size_t) rows + 1) * KPI_FIGURES;
    k = calloc((size_t) rows + 1, sizeof *k);
    h->tg = calloc(slots, sizeof *h->tg);
    h->tg_ptrs = calloc(slots, sizeof *h->tg_ptrs);
    h->below = calloc(slots, sizeof *h->below);
    if (!k || !h->tg || !h->tg_ptrs || !h->below) {
        apperr_fail(err, "INTERNAL", "out of memory", NULL, NULL);
        goto fail;
    }
    size_t used = 0;
    for (int i = 0; i < rows; i++) {
        Gov__Kpi *x = &k[used];
        gov__kpi__init(x);
        x->unit = PQgetvalue(h->res, i, 0);
        x->unit_name = PQgetvalue(h->res, i, 1);
        x->month = (char *) month;
        x->dispatched = atoi(PQgetvalue(h->res, i, 2));
        x->signed_in_time = atoi(PQgetvalue(h->res, i, 3));
        x->resolved_not_reopened = atoi(PQgetvalue(h->res, i, 4));
        x->evaluated = atoi(PQgetvalue(h->res, i, 5));
        x->satisfied = atoi(PQgetvalue(h->res, i, 6));
        x->passed_up = atoi(PQgetvalue(h->res, i, 7));
        x->rated = atoi(PQgetvalue(h->res, i, 8));
        x->rating_mean = s_rate(strtod(PQgetvalue(h->res, i, 9), NULL), x->rated);
        kpi_rates(x, weights);
        size_t at = used * KPI_FIGURES;
        s_targets(x, PQgetvalue(h->res, i, 10), h->targets, h->tg + at, h->tg_ptrs + at,
                  h->below + at);
        if (!ranked || (x->dispatched > 0 && (ranked < 2 || x->n_below > 0)))
            used++;
    }
    if (ranked)
        qsort(k, used, sizeof *k, s_better);
    *items = k;
    *n = used;
    *res_out = h;
    return 0;
fail:
    free(k);
    kpi_free(NULL, h);
    return -1;
}

void kpi_free(Gov__Kpi *items, void *res)
{
    s_hold_t *h = res;
    free(items);
    if (!h)
        return;
    PQclear(h->res);
    PQclear(h->targets);
    free(h->tg);
    free(h->tg_ptrs);
    free(h->below);
    free(h);
}

int kpi_target_view(routing_t *r, const idem_answer_t *a, kpi_target_view_t *view, apperr_t *err)
{
    char sqlstate[6];
    memset(view, 0, sizeof *view);
    gov__set_kpi_target_reply__init(&view->msg);
    snprintf(view->kind, sizeof view->kind, "%s", a->note);
    char *figure = strchr(view->kind, ' ');
    if (!figure)
        return apperr_fail(err, "INTERNAL", "a target's answer without its figure", NULL, NULL);
    *figure++ = '\0';
    const char *params[] = {view->kind, figure};
    if (!(view->res = pstmt_exec(r->sql, Q_KPI_TARGET, 2, params, sqlstate)))
        return apperr_db(err, sqlstate);
    view->msg.unit_kind = view->kind;
    view->msg.figure = figure;
    view->msg.cleared = PQntuples(view->res) == 0;
    view->msg.source = view->msg.cleared ? "" : PQgetvalue(view->res, 0, 1);
    view->msg.target = view->msg.cleared ? 0 : strtod(PQgetvalue(view->res, 0, 0), NULL);
    return 0;
}

void kpi_target_view_clear(kpi_target_view_t *view)
{
    PQclear(view->res);
    view->res = NULL;
}

int kpi_set_target(routing_t *r, const Gov__Envelope *env, const ProtobufCMessage *msg,
                   idem_answer_t *out, apperr_t *err)
{
    const Gov__SetKpiTarget *m = (const Gov__SetKpiTarget *) msg;
    char sqlstate[6], target[40];
    if (routing_admin(r, env->actor, err))
        return -1;
    const char *kind = m->unit_kind ? m->unit_kind : "";
    int f = kpi_figure(m->figure);
    if (f < 0)
        return apperr_fail(err, "BAD_FIGURE", "unknown figure",
                           "response, resolution, satisfaction, rating or score", "got \"%s\"",
                           m->figure ? m->figure : "");
    const char *params[] = {kind, kpi_figure_names[f], target, m->source ? m->source : ""};
    PGresult *res = pstmt_exec(r->sql, Q_KIND_EXISTS, 1, params, sqlstate);
    if (!res)
        return apperr_db(err, sqlstate);
    int known = PQgetvalue(res, 0, 0)[0] == 't';
    PQclear(res);
    if (!known)
        return apperr_fail(err, "BAD_KIND", "no unit is of that kind", "see govctl units list",
                           "got \"%s\"", kind);
    double most = f == KPI_SCORE ? 100.0 : 1.0;
    if (!m->clear) {
        if (!(m->target >= 0.0 && m->target <= most)) /* NaN fails too */
            return apperr_fail(err, "BAD_TARGET", "the target is out of range",
                               f == KPI_SCORE ? "a score is 0 to 100" : "a rate is 0 to 1",
                               "got %g for %s", m->target, kpi_figure_names[f]);
        if (text_check(m->source, TEXT_TITLE, 1, "source", err))
            return -1;
    }
    snprintf(target, sizeof target, "%.17g", m->target);
    res = pstmt_exec(r->sql, m->clear ? Q_KPI_TARGET_CLEAR : Q_KPI_TARGET_SET, m->clear ? 2 : 4,
                     params, sqlstate);
    if (!res)
        return apperr_db(err, sqlstate);
    PQclear(res);
    snprintf(out->note, sizeof out->note, "%s %s", kind, kpi_figure_names[f]);
    /* An event with every change: the gateways' caches of routing's reads
     * (the KPIs among them) move with the streams (gateway/cache.h). */
    kpi_target_view_t view;
    int rc = kpi_target_view(r, out, &view, err);
    if (rc == 0 && outbox_add(r->conn, ROUTING_STREAM, "KpiTargetChanged", env->actor,
                              env->trace_id, &view.msg.base))
        rc = apperr_fail(err, "DB_UNAVAILABLE", "the event could not be stored", "retry later",
                         NULL);
    kpi_target_view_clear(&view);
    return rc;
}
