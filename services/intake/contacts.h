/* contacts: the reporters of cases in full, for the services that must reach
 * them (GetContacts). Events carry a reference ("case:<id>", Case.contact_ref),
 * not the number: routing keeps the copy the unit that calls the reporter
 * reads, notify texts the reporter and renders the assigned unit's message,
 * and both ask here (docs/privacy.md, "On the buses"). */
#ifndef INTAKE_CONTACTS_H
#define INTAKE_CONTACTS_H

#include <libpq-fe.h>

#include "rpcsrv.h"

/* The most cases one GetContacts asks for. */
#define CONTACTS_MAX 500

/* 1 when the key named `peer` may ask for contacts: routing's and notify's
 * (any key when CURVE is off, as curve_peer_is says); 0 otherwise. */
int contacts_allowed(const char *peer);

/* Answers a GetContacts request and frees it: KEY_NOT_ALLOWED for any other
 * key, and for a request that names an actor (a person never reads contacts
 * this way); BAD_ARGUMENT for no ids or more than CONTACTS_MAX. The cases
 * that exist and have a phone are answered, the rest left out; when any is
 * answered, one pii_reads row (request GetContacts, role the asking key's
 * name) is written first, and a failure to write it answers DB_UNAVAILABLE
 * with nothing shown. */
void contacts_get(PGconn *conn, rpcsrv_t *srv, rpc_req_t *req);

#endif
