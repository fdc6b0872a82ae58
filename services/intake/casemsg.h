/* casemsg: a gov.Case built from database rows, with the storage its
 * pointers borrow from. One casemsg_t holds one case. */
#ifndef INTAKE_CASEMSG_H
#define INTAKE_CASEMSG_H

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
    char *masked; /* the masked phones the people point into (casescope_mask) */
} casemsg_t;

/* Fills `view` from row `row` of `res` (columns as Q_CASE_COLUMNS). The view
 * borrows strings from `res`, which must outlive it. Returns 0 or -1. */
int casemsg_from_row(casemsg_t *view, const PGresult *res, int row);

/* Adds the callers from `res` (columns as Q_GET_CALLERS). Returns 0 or -1. */
int casemsg_add_callers(casemsg_t *view, const PGresult *res);

/* Frees what the message allocated (not `res`). */
void casemsg_clear(casemsg_t *view);

#endif
