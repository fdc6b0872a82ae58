/* piilog: the audit log of reads of personal data in full (pii_reads,
 * migration 0017, docs/privacy.md). A service that answers a read carrying
 * someone's name or phone unmasked writes one row first — who read (the
 * envelope's actor), which request, which cases or dispatches — and sends
 * the answer only when the row is written, so no full read goes unlogged.
 * The table is append-only (a trigger refuses UPDATE, DELETE, TRUNCATE).
 *
 * The row is built here and executed by the service on its own connection
 * (intake's db_exec, routing's statement cache), with PIILOG_INSERT. */
#ifndef GOV_PIILOG_H
#define GOV_PIILOG_H

#include <stddef.h>
#include <stdint.h>

#include "envelope.pb-c.h"

/* $1 service, $2 person, $3 unit, $4 role, $5 request type, $6 message id,
 * $7 trace id, $8 subject (case | dispatch), $9 ids, $10 their cases' ids
 * (bigint[] literals) */
#define PIILOG_INSERT                                                                          \
    "INSERT INTO pii_reads (service, person, unit, role, request, message_id, trace_id,"       \
    " subject, ids, case_ids) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::bigint[],"           \
    " $10::bigint[])"
#define PIILOG_NPARAMS 10

typedef struct {
    const char *params[PIILOG_NPARAMS]; /* borrowed from the envelope, and ids_text */
    char *ids_text;                     /* owned: the ids as an array literal */
    char *cases_text;                   /* owned: the cases' ids likewise */
} piilog_row_t;

/* Fills `row` for a read by request `env` (its actor may be absent: a
 * trusted process, logged with person "") answered by `service`, showing
 * `subject` ("case" or "dispatch") ids `ids[0..n)` in full, whose cases are
 * `case_ids[0..n)` (the same array for cases; a 0 is left out). The row borrows
 * the strings of `env` and `service`, which must outlive it. Returns 0, or
 * -1 when out of memory (then nothing is to be freed). */
int piilog_row(piilog_row_t *row, const char *service, const Gov__Envelope *env,
               const char *subject, const int64_t *ids, const int64_t *case_ids, size_t n);

/* Frees what piilog_row() allocated; safe twice. */
void piilog_row_clear(piilog_row_t *row);

#endif
