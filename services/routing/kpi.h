/* kpi: 三率 for a unit and a month — response, resolution and satisfaction
 * rates with their counts — computed by one query over the dispatch log and
 * the evaluations each time it is asked (docs/kpi.md states the formulas).
 * Nothing is counted along the way, so nothing can drift. */
#ifndef ROUTING_KPI_H
#define ROUTING_KPI_H

#include "routing.h"
#include "routing.pb-c.h"

/* Fills `out` with the KPIs of every unit matching `unit` (a code, "" any)
 * and `kind` ("" any) for `month` (YYYY-MM): `*items` is a malloc'd array of
 * `*n` Kpi messages whose strings borrow from `*res` (the caller frees both
 * with kpi_free). When `ranked`, only units with dispatches, best first.
 * Returns 0 or -1 with `err` set. */
int kpi_query(routing_t *r, const char *unit, const char *kind, const char *month, int ranked,
              Gov__Kpi **items, size_t *n, void **res, apperr_t *err);

void kpi_free(Gov__Kpi *items, void *res);

#endif
