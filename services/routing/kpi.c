#include "kpi.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "queries.h"

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

static double s_rate(int num, int den)
{
    return den ? (double) num / den : 0.0;
}

static int s_better(const void *a, const void *b)
{
    const Gov__Kpi *x = a, *y = b;
    if (x->resolution_rate != y->resolution_rate)
        return x->resolution_rate < y->resolution_rate ? 1 : -1;
    if (x->satisfaction_rate != y->satisfaction_rate)
        return x->satisfaction_rate < y->satisfaction_rate ? 1 : -1;
    if (x->response_rate != y->response_rate)
        return x->response_rate < y->response_rate ? 1 : -1;
    return strcmp(x->unit, y->unit);
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
    char sqlstate[6];
    const char *params[] = {unit ? unit : "", month, kind ? kind : ""};
    PGresult *res = pstmt_exec(r->sql, Q_KPI, 3, params, sqlstate);
    if (!res)
        return apperr_db(err, sqlstate);
    int rows = PQntuples(res);
    Gov__Kpi *k = calloc((size_t) rows + 1, sizeof *k);
    if (!k) {
        PQclear(res);
        return apperr_fail(err, "INTERNAL", "out of memory", NULL, NULL);
    }
    size_t used = 0;
    for (int i = 0; i < rows; i++) {
        Gov__Kpi *x = &k[used];
        gov__kpi__init(x);
        x->unit = PQgetvalue(res, i, 0);
        x->unit_name = PQgetvalue(res, i, 1);
        x->month = (char *) month;
        x->dispatched = atoi(PQgetvalue(res, i, 2));
        x->signed_in_time = atoi(PQgetvalue(res, i, 3));
        x->resolved_not_reopened = atoi(PQgetvalue(res, i, 4));
        x->evaluated = atoi(PQgetvalue(res, i, 5));
        x->satisfied = atoi(PQgetvalue(res, i, 6));
        x->response_rate = s_rate(x->signed_in_time, x->dispatched);
        x->resolution_rate = s_rate(x->resolved_not_reopened, x->dispatched);
        x->satisfaction_rate = s_rate(x->satisfied, x->evaluated);
        if (!ranked || x->dispatched > 0)
            used++;
    }
    if (ranked)
        qsort(k, used, sizeof *k, s_better);
    *items = k;
    *n = used;
    *res_out = res;
    return 0;
}

void kpi_free(Gov__Kpi *items, void *res)
{
    free(items);
    PQclear(res);
}
