/* reporters: the reporters a reader sees in full, from intake. Routing keeps
 * no copy of a reporter (newcases.h): a dispatch's view holds the phone
 * masked (contact_hint), which is all a queue shows. When a reader may see a
 * reporter in full (readscope_contact()), their number is asked of intake
 * then — one GetContacts for the views that need it, which intake answers
 * only for routing's key and logs as routing's read (docs/privacy.md) — so
 * the one copy of a reporter is intake's, and erasing it there erases it
 * everywhere. A copy made before migration 0024 is shown as it is. */
#ifndef ROUTING_REPORTERS_H
#define ROUTING_REPORTERS_H

#include <stddef.h>
#include <stdint.h>

#include "dispatchmsg.h"
#include "intake.pb-c.h"
#include "routing.h"

/* 1 when `view` must ask intake for its reporter: a case's dispatch whose
 * phone is kept masked and not copied. */
int reporters_wanted(const dispatchmsg_t *view);

/* Fills views[0..n) that reporters_wanted() with their reporters, borrowed
 * from `*held` (the caller frees it with contactcli_free() once the answer
 * is sent). A view intake gives no reporter for (it did not answer, or the
 * reporter was erased) is masked instead. Returns 0, or -1 when intake did
 * not answer (logged by contactcli, once) or memory ran out. */
int reporters_fill(routing_t *r, dispatchmsg_t *const *views, size_t n,
                   Gov__GetContactsReply **held);

/* The reporter's phone of case `case_id` whose routed_cases row keeps
 * `copy` (a copy made before 0024, or "") and `hint` (the mask, or ""):
 * into `out` (`size` bytes, "" when the case has no phone or intake has
 * none). Returns 0, or -1 when intake did not answer. */
int reporters_phone(routing_t *r, int64_t case_id, const char *copy, const char *hint, char *out,
                    size_t size);

#endif
