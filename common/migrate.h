/* migrate: ordered SQL files applied once each, recorded in schema_migrations.
 *
 * Files in the directory are named NNNN_name.sql; they are applied in number
 * order, each in its own transaction together with its record, so a failing
 * file leaves the database at the previous version. */
#ifndef GOV_MIGRATE_H
#define GOV_MIGRATE_H

#include <libpq-fe.h>

/* Applies every file in `dir` whose number is above the database's version.
 * Reports each applied file on `progress` (may be NULL). Returns the number
 * applied, or -1 after logging the failing file and the server's message. */
int migrate_apply(PGconn *conn, const char *dir, void (*progress)(const char *file, void *arg),
                  void *arg);

/* The highest NNNN among the files in `dir`, or -1 if it cannot be read. */
int migrate_latest(const char *dir);

#endif
