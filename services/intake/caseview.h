/* caseview: a gov.Case built from database rows, with the storage its
 * pointers borrow from. One caseview_t holds one case. */
#ifndef INTAKE_CASEVIEW_H
#define INTAKE_CASEVIEW_H

#include <jansson.h>
#include <libpq-fe.h>

#include "intake.pb-c.h"

#define CASEVIEW_MAX_PATH 8

/* An area path parsed from areas.path_json text. */
typedef struct {
    json_t *json;
    Gov__AreaRef refs[CASEVIEW_MAX_PATH];
    Gov__AreaRef *ptrs[CASEVIEW_MAX_PATH];
    size_t n;
} caseview_path_t;

typedef struct {
    Gov__Case msg;
    Gov__Location location;
    Gov__Point point;
    Gov__Reporter reporter;
    caseview_path_t path;
    json_t *media;
    char **media_ptrs;
    Gov__Caller *callers;
    Gov__Caller **caller_ptrs;
    Gov__Reporter *caller_reporters;
    json_t **caller_media;
    char ***caller_media_ptrs;
} caseview_t;

/* Parses `text` ([{code,name,level}...]) into `path`. Returns 0 or -1. */
int caseview_path_parse(caseview_path_t *path, const char *text);
void caseview_path_clear(caseview_path_t *path);

/* Fills `view` from row `row` of `res` (columns as Q_CASE_COLUMNS). The view
 * borrows strings from `res`, which must outlive it. Returns 0 or -1. */
int caseview_from_row(caseview_t *view, const PGresult *res, int row);

/* Adds the callers from `res` (columns as Q_GET_CALLERS). Returns 0 or -1. */
int caseview_add_callers(caseview_t *view, const PGresult *res);

/* Frees what the view allocated (not `res`). */
void caseview_clear(caseview_t *view);

#endif
