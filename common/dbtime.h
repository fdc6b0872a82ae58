/* dbtime: how long the database takes to answer, per statement kind, for
 * /metrics (gov_db_duration_seconds{service=...,kind=...}).
 *
 * Every round trip a service makes goes through common/: db_exec,
 * pstmt_exec, db_pipeline_collect, pgasync, outbox_write. Each times its
 * round trip here — from handing the statement to libpq to the last result
 * read — so the figures are what the loop thread waited for the database
 * (the network both ways, the server's work, lock waits), not the service's
 * own work around it. The kind is the statement's first keyword (select,
 * insert, update, delete, with, begin, commit, rollback; other for the rest),
 * "pipeline" for a pipelined batch (timed from its sync's flush to the
 * sync's result: the batch's transaction in one round trip) and "prepared"
 * for a statement sent by name without its text at hand.
 *
 * The histograms belong to the process, as the database's outages do
 * (db.h): every connection of every thread observes into them (atomics),
 * and the health listener prints those that observed anything. */
#ifndef GOV_DBTIME_H
#define GOV_DBTIME_H

#include <stddef.h>
#include <stdint.h>

typedef enum {
    DBTIME_SELECT,
    DBTIME_INSERT,
    DBTIME_UPDATE,
    DBTIME_DELETE,
    DBTIME_WITH,
    DBTIME_BEGIN,
    DBTIME_COMMIT,
    DBTIME_ROLLBACK,
    DBTIME_OTHER,
    DBTIME_PIPELINE,
    DBTIME_PREPARED,
    DBTIME_NKINDS
} dbtime_kind_t;

/* The kind of statement `sql` is, by its first keyword, any case, after
 * blanks, `(` and SQL comments; DBTIME_OTHER when it is none of the eight
 * (or NULL). Pure. */
dbtime_kind_t dbtime_kind(const char *sql);

/* The label value of `kind` ("select" ... "prepared"). */
const char *dbtime_name(dbtime_kind_t kind);

/* A monotonic clock in nanoseconds, to pass back as `start_ns`. */
uint64_t dbtime_now_ns(void);

/* Counts one round trip of `kind` that began at `start_ns` and ends now. */
void dbtime_observe(dbtime_kind_t kind, uint64_t start_ns);

/* The number of round trips of `kind` counted so far (for tests). */
uint64_t dbtime_count(dbtime_kind_t kind);

/* Appends the family gov_db_duration_seconds (HELP, TYPE, and the lines of
 * every kind that counted anything, labelled `service="<service>"` and
 * `kind`) to `out` at `*n`, at most `cap` bytes in all. Prints nothing when
 * no round trip was counted yet. */
void dbtime_format(const char *service, char *out, size_t *n, size_t cap);

/* The most dbtime_format can write, for sizing the buffer. */
#define DBTIME_FORMAT_MAX (256 + DBTIME_NKINDS * 17 * 120)

#endif
