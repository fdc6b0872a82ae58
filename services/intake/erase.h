/* erase: intake's part of the retention job (common/retention.h): the
 * contact details of cases closed before the cutoff — the reporter's and
 * every caller's name and phone — are emptied, in batches, and the case
 * notes when (cases.contact_erased_at). The rest of the case stays: what,
 * where, when, its category, area and status are the public record and the
 * statistics. Nothing else is touched: an open, dispatched or resolved case,
 * or one closed since the cutoff, keeps its contact. */
#ifndef INTAKE_ERASE_H
#define INTAKE_ERASE_H

#include <libpq-fe.h>
#include <stdint.h>

/* A retention_sweep_fn; `arg` is the loop's PGconn. */
int erase_sweep(void *arg, int64_t cutoff_ms, int64_t *erased);

#endif
