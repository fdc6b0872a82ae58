/* dbwatch: what the database says has changed, as a generation number.
 *
 * The gateway keeps a few of the database's answers in memory (Open311 api
 * keys and category names, open311.c; who a session or API token is, auth.c)
 * so that a filing or a request's session check costs no query. They stay
 * true while nothing in their tables changes: a trigger on those tables
 * sends NOTIFY on `channel` when one does (migrations 0014, 0023), and this watch,
 * on a connection of its own that LISTENs, moves its generation when a
 * notification arrives. Answers are cached with the generation read before
 * the query (cache.h), so an answer that a change overtook is never served.
 *
 * Every call first reads whatever notifications have reached the socket, so
 * a change committed before a request arrives is felt by that request. When
 * the watch has no connection (the database restarted, the backend was
 * ended) nothing can be known: the generation is 0, which callers take as
 * "cache nothing, ask the database", and a new connection is tried at most
 * once a second. Thread-safe. */
#ifndef GOV_GATEWAY_DBWATCH_H
#define GOV_GATEWAY_DBWATCH_H

#include <stdint.h>

typedef struct dbwatch dbwatch_t;

/* Connects to `db_url` and LISTENs on `channel` (an SQL identifier). */
int dbwatch_new(const char *db_url, const char *channel, dbwatch_t **out);

/* The generation now (never 0 while the watch listens), or 0 when the
 * watch cannot listen. */
uint64_t dbwatch_generation(dbwatch_t *w);

/* Moves the generation on, as a notification would, for a change this
 * process made itself (a logout): whatever was cached before it is not
 * served again, even before the change's own notification arrives. */
void dbwatch_touch(dbwatch_t *w);

void dbwatch_destroy(dbwatch_t **self_p);

#endif
