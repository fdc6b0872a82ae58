/* mattermsg: a matter as the replies and events show it, read from its tables. */
#ifndef DELIB_MATTERMSG_H
#define DELIB_MATTERMSG_H

#include <jansson.h>

#include "delib.h"

typedef struct {
    Gov__Matter msg;          /* points into what follows */
    Gov__Meeting meeting;
    Gov__Tally tally;
    Gov__MatterTask *tasks;
    Gov__MatterTask **task_ptrs;
    Gov__MatterFlag *flags;
    Gov__MatterFlag **flag_ptrs;
    char **attachments;
    json_t *json;             /* parsed arrays */
    PGresult *res, *mres, *tres, *fres;
} mattermsg_t;

/* Loads matter `id` into `v` (cleared first). Returns 1, 0 when there is no
 * such matter, or -1 with `err` set. Call mattermsg_clear afterwards in every case. */
int mattermsg_load(delib_t *d, int64_t id, mattermsg_t *v, apperr_t *err);

void mattermsg_clear(mattermsg_t *v);

/* Writes event `type` about matter `id` to the outbox, in the caller's
 * transaction: the matter as it is now, the record `rec` (may be NULL) and
 * the `audience` (person codes, may be empty). Returns 0 or -1 with `err` set. */
int mattermsg_announce(delib_t *d, int64_t id, const char *type, const Gov__Envelope *cause,
                   const Gov__MatterRecord *rec, char **audience, size_t n_audience,
                   apperr_t *err);

#endif
