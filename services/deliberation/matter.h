/* matter: the primitives every step on a matter is made of, for the steps
 * (steps.c), the meetings (meeting.c) and the windows (windows.c): lock it and
 * read what the checks need, require a step, move it on (opening a window),
 * append an entry to its hash-chained record with its event, and read its
 * community's rules. All in the caller's transaction. */
#ifndef DELIB_MATTER_H
#define DELIB_MATTER_H

#include <jansson.h>

#include "delib.h"
#include "who.h"

/* Locks matter `id` and reads what the checks need: 0, or -1 (NOT_FOUND). */
int matter_lock(delib_t *d, int64_t id, matter_ref_t *out, apperr_t *err);

/* 1 if `word` is one of the space-separated words of `list`. */
int matter_word_in(const char *word, const char *list);

/* -1 with WRONG_STEP unless the matter is in one of `steps` (space-separated). */
int matter_require(const matter_ref_t *m, const char *steps, const char *what,
                   apperr_t *err);

/* Appends the entry (`body` is stolen) and, when `event` is not NULL, writes
 * the event with `audience`. 0 or -1. */
int matter_record(delib_t *d, int64_t matter_id, const char *kind, const char *actor,
                  json_t *body, const char *event, const Gov__Envelope *cause, char **audience,
                  size_t n_audience, apperr_t *err);

/* 0 when no flag of the supervision committee holds the matter, else -1 with
 * MATTER_HELD: a held matter takes no further step until the flagged step's
 * owner answers (seed 000's 监督评判权). */
int matter_free(delib_t *d, int64_t matter_id, apperr_t *err);

/* Moves the matter to `step`; `window_ms` > 0 also opens window `kind` closing
 * then (and arms it). Refused with MATTER_HELD while a flag is open
 * (matter_free). 0 or -1. */
int matter_move(delib_t *d, int64_t matter_id, const char *step, const char *kind,
                int64_t window_ms, apperr_t *err);

/* The community's rules row: the caller PQclear()s it. NULL with `err` set. */
PGresult *matter_rules(delib_t *d, int64_t community_id, apperr_t *err);

#endif
