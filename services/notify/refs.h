/* refs: the reference data planning reads — templates, a unit's members and
 * robots, unit and category names — asked of the database once a batch.
 *
 * The subscriber plans a batch of events in one transaction. Within it, each
 * distinct question (a statement and its parameters) goes to the database
 * the first time and is answered from memory after that; refs_forget at the
 * start of the next batch drops every answer. So a batch is planned from the
 * reference data as it was when the batch first needed it, and a change
 * (a new template, a member added, a robot disabled) is seen by the next
 * batch: at most one batch late, never a TTL late. */
#ifndef NOTIFY_REFS_H
#define NOTIFY_REFS_H

#include <libpq-fe.h>

typedef struct refs refs_t;

/* An empty cache. NULL when out of memory. */
refs_t *refs_new(void);

/* The result of `sql` (a string literal: its address is part of the key)
 * with `nparams` text parameters on `conn`, from memory when this batch
 * asked the same already. The result is borrowed: it lives until
 * refs_forget or refs_destroy. NULL after a database error (logged; nothing
 * is remembered) or when out of memory. */
const PGresult *refs_query(refs_t *refs, PGconn *conn, const char *sql, int nparams,
                           const char *const *params);

/* Drops every answer (the start of a batch). */
void refs_forget(refs_t *refs);

/* How many questions went to the database since refs_new (for tests). */
unsigned long refs_asked(const refs_t *refs);

void refs_destroy(refs_t **self_p);

#endif
