#include "reporters.h"

#include <stdio.h>
#include <stdlib.h>

#include "contactcli.h"

int reporters_wanted(const dispatchmsg_t *view)
{
    const Gov__Reporter *rep = &view->reporter;
    return view->msg.case_id && view->msg.reporter && view->contact_hint &&
           view->contact_hint[0] && !(rep->phone && rep->phone[0]);
}

/* Asks intake for the reporters of `ids[0..n)`; 0 or -1 (no client: -1). */
static int s_ask(routing_t *r, const int64_t *ids, size_t n, Gov__GetContactsReply **held)
{
    if (!n)
        return 0;
    return r->contacts ? contactcli_fetch(r->contacts, ids, n, held) : -1;
}

int reporters_fill(routing_t *r, dispatchmsg_t *const *views, size_t n,
                   Gov__GetContactsReply **held)
{
    *held = NULL;
    int64_t *ids = malloc((n + 1) * sizeof *ids);
    size_t k = 0;
    for (size_t i = 0; ids && i < n; i++)
        if (reporters_wanted(views[i]))
            ids[k++] = views[i]->msg.case_id;
    int rc = ids ? s_ask(r, ids, k, held) : -1;
    for (size_t i = 0; i < n; i++) {
        if (!reporters_wanted(views[i]))
            continue;
        const Gov__Reporter *rep = contactcli_find(*held, views[i]->msg.case_id);
        if (rep) {
            views[i]->reporter.name = rep->name;
            views[i]->reporter.phone = rep->phone;
        } else { /* not answered, or erased at intake: the mask is all there is */
            dispatchmsg_mask(views[i]);
        }
    }
    free(ids);
    return rc;
}

int reporters_phone(routing_t *r, int64_t case_id, const char *copy, const char *hint, char *out,
                    size_t size)
{
    snprintf(out, size, "%s", copy);
    if (copy[0] || !hint[0])
        return 0;
    Gov__GetContactsReply *held = NULL;
    if (s_ask(r, &case_id, 1, &held))
        return -1;
    const Gov__Reporter *rep = contactcli_find(held, case_id);
    snprintf(out, size, "%s", rep ? rep->phone : "");
    contactcli_free(&held);
    return 0;
}
