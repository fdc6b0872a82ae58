/* erase: routing's part of the retention job (common/retention.h): routing
 * keeps its own copy of each case's reporter (routed_cases, from intake's
 * CaseCreated), shown with the case's dispatches to the unit that calls
 * them. Once the case has been closed longer than the period, the copy's
 * name and phone are emptied (routed_cases.contact_erased_at notes when);
 * every dispatch of the case then shows no reporter. Nothing else changes. */
#ifndef ROUTING_ERASE_H
#define ROUTING_ERASE_H

#include <stdint.h>

/* A retention_sweep_fn; `arg` is the routing_t. */
int erase_sweep(void *arg, int64_t cutoff_ms, int64_t *erased);

#endif
