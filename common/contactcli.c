#include "contactcli.h"

#include <stdlib.h>
#include <string.h>

#include "envelope.h"
#include "log.h"
#include "rpccli.h"

#define S_CHUNK 500 /* intake's CONTACTS_MAX */

struct contactcli {
    rpccli_t *cli;
    int failing;    /* the last call failed: said once */
    uint64_t asked;
};

int contactcli_new(void *zctx, const char *endpoint, contactcli_t **out)
{
    contactcli_t *c = calloc(1, sizeof *c);
    if (!c || rpccli_new(zctx, endpoint, &c->cli)) {
        log_error("cannot make a client of intake at %s for contacts", endpoint);
        free(c);
        return -1;
    }
    *out = c;
    return 0;
}

/* One call for ids[0..n), n <= S_CHUNK; its items appended to `all`. */
static int s_call(contactcli_t *c, const int64_t *ids, size_t n, Gov__GetContactsReply *all)
{
    Gov__GetContacts m = GOV__GET_CONTACTS__INIT;
    m.case_ids = (int64_t *) ids;
    m.n_case_ids = n;
    Gov__Envelope req = GOV__ENVELOPE__INIT;
    req.type = "GetContacts";
    Gov__Envelope *reply = NULL;
    c->asked++;
    int rc = rpccli_call(c->cli, &req, &m.base, CONTACTCLI_TIMEOUT_MS, &reply);
    if (rc || !reply || reply->error) {
        if (!c->failing)
            log_error("intake did not give the reporters' contacts: %s%s%s (retrying; said once)",
                      rc ? "no answer" : reply && reply->error ? reply->error->code : "?",
                      reply && reply->error ? ": " : "",
                      reply && reply->error ? reply->error->message : "");
        c->failing = 1;
        envelope_free(&reply);
        return -1;
    }
    Gov__GetContactsReply *r = (Gov__GetContactsReply *) envelope_payload(
        reply, &gov__get_contacts_reply__descriptor);
    envelope_free(&reply);
    if (!r) {
        log_error("intake's GetContactsReply cannot be decoded");
        return -1;
    }
    Gov__Contact **grown = realloc(all->items, (all->n_items + r->n_items + 1) * sizeof *grown);
    if (!grown) {
        gov__get_contacts_reply__free_unpacked(r, NULL);
        log_error("out of memory reading contacts");
        return -1;
    }
    all->items = grown;
    if (r->n_items) /* an empty answer has no array (memcpy from NULL is undefined) */
        memcpy(all->items + all->n_items, r->items, r->n_items * sizeof *r->items);
    all->n_items += r->n_items;
    /* the items now belong to `all`: free the reply's shell only */
    free(r->items);
    r->items = NULL;
    r->n_items = 0;
    gov__get_contacts_reply__free_unpacked(r, NULL);
    if (c->failing)
        log_info("intake gives the reporters' contacts again");
    c->failing = 0;
    return 0;
}

int contactcli_fetch(contactcli_t *c, const int64_t *ids, size_t n, Gov__GetContactsReply **out)
{
    Gov__GetContactsReply *all = malloc(sizeof *all);
    if (!all)
        return -1;
    gov__get_contacts_reply__init(all);
    for (size_t at = 0; at < n; at += S_CHUNK)
        if (s_call(c, ids + at, n - at < S_CHUNK ? n - at : S_CHUNK, all)) {
            contactcli_free(&all);
            return -1;
        }
    *out = all;
    return 0;
}

const Gov__Reporter *contactcli_find(const Gov__GetContactsReply *r, int64_t case_id)
{
    for (size_t i = 0; r && i < r->n_items; i++)
        if (r->items[i]->case_id == case_id)
            return r->items[i]->reporter;
    return NULL;
}

void contactcli_free(Gov__GetContactsReply **reply_p)
{
    Gov__GetContactsReply *r = *reply_p;
    if (!r)
        return;
    *reply_p = NULL;
    gov__get_contacts_reply__free_unpacked(r, NULL); /* items were unpacked with the default allocator */
}

uint64_t contactcli_asked(const contactcli_t *c)
{
    return c->asked;
}

void contactcli_destroy(contactcli_t **self_p)
{
    contactcli_t *c = *self_p;
    if (!c)
        return;
    *self_p = NULL;
    rpccli_destroy(&c->cli);
    free(c);
}
