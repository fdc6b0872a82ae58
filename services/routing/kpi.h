/* kpi: 三率 for a unit and a month — response, resolution and satisfaction
 * rates with their counts — the streets' 双考核 ratings, the monthly score
 * they make together, and the targets of the unit's kind, computed by one
 * query over the dispatch log, the evaluations and the ratings each time it
 * is asked (docs/kpi.md states the formulas). Nothing is counted along the
 * way, so nothing can drift. */
#ifndef ROUTING_KPI_H
#define ROUTING_KPI_H

#include "routing.h"
#include "routing.pb-c.h"

/* The figures a score weighs and a target names, in this order. */
typedef enum { KPI_RESPONSE, KPI_RESOLUTION, KPI_SATISFACTION, KPI_RATING, KPI_SCORE, KPI_FIGURES } kpi_figure_t;
extern const char *const kpi_figure_names[KPI_FIGURES];

/* The figure named `name`, or -1. */
int kpi_figure(const char *name);

/* Fills in the rates of `k` from its counts (dispatched, signed_in_time,
 * resolved_not_reopened, passed_up, evaluated, satisfied, rated and
 * rating_mean): response = signed in time ÷ dispatched; resolution =
 * resolved not reopened ÷ (dispatched − passed up); satisfaction =
 * satisfied ÷ evaluated; rating = (mean − 1) ÷ 4. A rate with nothing
 * under it is 0. Then the score: 100 × Σ weight × rate ÷ Σ weight over the
 * rates that have something under them (`weights` by kpi_figure_t, the
 * score's own slot unused); 0 when none has. Pure. */
void kpi_rates(Gov__Kpi *k, const double weights[KPI_FIGURES]);

/* Whether figure `f` of `k` has something under it (a dispatch, an
 * evaluation, a rating); the score has when any rate has. Pure. */
int kpi_judged(const Gov__Kpi *k, kpi_figure_t f);

/* The value of figure `f` of `k` (a rate 0–1, the score 0–100). Pure. */
double kpi_value(const Gov__Kpi *k, kpi_figure_t f);

/* Fills `*items` with the KPIs of every unit matching `unit` (a code, "" any)
 * and `kind` ("" any) for `month` (YYYY-MM), each with the targets of its
 * kind and the figures below them: `*items` is a malloc'd array of `*n` Kpi
 * messages whose strings borrow from `*res` (the caller frees both with
 * kpi_free). `ranked` 0: every unit; 1: only units with dispatches, best
 * score first (then resolution, satisfaction, response rate); 2: as 1, only
 * those below a target. Returns 0 or -1 with `err` set. */
int kpi_query(routing_t *r, const char *unit, const char *kind, const char *month, int ranked,
              Gov__Kpi **items, size_t *n, void **res, apperr_t *err);

void kpi_free(Gov__Kpi *items, void *res);

/* SetKpiTarget, by the admin, inside the caller's transaction: sets (or
 * clears) the target of one figure for one unit kind and writes the
 * KpiTargetChanged event. Refused: not the admin (NOT_ADMIN), a kind no unit
 * has (BAD_KIND), an unknown figure (BAD_FIGURE), a rate outside 0–1 or a
 * score outside 0–100 (BAD_TARGET), no source or too long a one (text_check's codes). On success
 * out->note holds "kind figure" for kpi_target_reply. Returns 0 or -1 with
 * `err` set. */
int kpi_set_target(routing_t *r, const Gov__Envelope *env, const ProtobufCMessage *msg,
                   idem_answer_t *out, apperr_t *err);

/* A target as it is now, for SetKpiTarget's reply and event: `msg`'s strings
 * borrow from the view. */
typedef struct {
    char kind[80];
    PGresult *res;
    Gov__SetKpiTargetReply msg;
} kpi_target_view_t;

/* Reads the target a SetKpiTarget answer `a` names (cleared when it has no
 * row). Returns 0 or -1 with `err` set; clear the view either way. */
int kpi_target_view(routing_t *r, const idem_answer_t *a, kpi_target_view_t *view,
                    apperr_t *err);
void kpi_target_view_clear(kpi_target_view_t *view);

#endif
