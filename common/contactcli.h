/* contactcli: asks intake for the reporters of cases (GetContacts). Events
 * carry a reference ("case:<id>"), not the number; a service that must reach
 * a reporter — routing, for the copy the unit that calls them reads; notify,
 * for its texts — asks with this, from a thread that may wait (a blocking
 * call, bounded by CONTACTCLI_TIMEOUT_MS). Intake answers only routing's and
 * notify's keys and logs every answer in pii_reads (docs/privacy.md).
 *
 * When intake does not answer, the caller's batch fails and is retried by
 * its subscriber: nothing is routed or sent without the reporter it needs.
 * That is one log line when intake goes and one when it answers again. */
#ifndef GOV_CONTACTCLI_H
#define GOV_CONTACTCLI_H

#include <stddef.h>
#include <stdint.h>

#include "intake.pb-c.h"

#define CONTACTCLI_TIMEOUT_MS 2000

typedef struct contactcli contactcli_t;

/* A client of intake's endpoint `endpoint` (copied); `zctx` borrowed.
 * Returns 0 and sets `*out`, or -1 after logging. */
int contactcli_new(void *zctx, const char *endpoint, contactcli_t **out);

/* The reporters of the cases `ids[0..n)` (any n; asked 500 at a time): those
 * that exist and have a phone. Returns 0 with `*out` set (the caller frees it
 * with contactcli_free), or -1 when intake did not answer or refused (logged
 * once until it answers again; `*out` untouched). */
int contactcli_fetch(contactcli_t *c, const int64_t *ids, size_t n, Gov__GetContactsReply **out);

/* The reporter of `case_id` in `r`, borrowed from it; NULL when not there. */
const Gov__Reporter *contactcli_find(const Gov__GetContactsReply *r, int64_t case_id);

/* Frees a reply of contactcli_fetch and NULLs the pointer; safe on NULL. */
void contactcli_free(Gov__GetContactsReply **reply_p);

/* How many calls were made to intake. */
uint64_t contactcli_asked(const contactcli_t *c);

void contactcli_destroy(contactcli_t **self_p);

#endif
