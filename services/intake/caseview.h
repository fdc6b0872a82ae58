/* caseview: a gov.Case built from database rows, with the storage its
 * pointers borrow from. One caseview_t holds one case. */
#ifndef INTAKE_CASEVIEW_H
#define INTAKE_CASEVIEW_H

#include <jansson.h>
#include <libpq-fe.h>

#include "areapath.h"
#include "intake.pb-c.h"

typedef struct {
    Gov__Case msg;
    Gov__Location location;
    Gov__Point point;
    Gov__Reporter reporter;
    areapath_t path;
    json_t *media;
    char **media_ptrs;
    Gov__Caller *callers;
    Gov__Caller **caller_ptrs;
    Gov__Reporter *caller_reporters;
    json_t **caller_media;
    char ***caller_media_ptrs;
} caseview_t;

/* Fills `view` from row `row` of `res` (columns as Q_CASE_COLUMNS). The view
 * borrows strings from `res`, which must outlive it. Returns 0 or -1. */
int caseview_from_row(caseview_t *view, const PGresult *res, int row);

/* Adds the callers from `res` (columns as Q_GET_CALLERS). Returns 0 or -1. */
int caseview_add_callers(caseview_t *view, const PGresult *res);

/* Frees what the view allocated (not `res`). */
void caseview_clear(caseview_t *view);

#endif
