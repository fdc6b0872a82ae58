/* deadline: durable deadlines — rows in a table — brought to life as timers,
 * fired exactly once whatever the number of replicas, and late rather than
 * never after downtime. One engine for every service that has such rows
 * (routing's escalation ladder, deliberation's windows); the service gives
 * the SQL that finds its rows and the effect of firing one.
 *
 * How it runs:
 *  - At start, every pending row already due (due <= now) fires, marked late
 *    (the service was down when it fell due), in batches, before the loop
 *    runs; rows that firing wrote and that are due already fire late too
 *    (it looks again until a look claims nothing). Then the horizon is loaded.
 *  - The near rows — due before `armed_until`, which is now + horizon at the
 *    last refill — sit in one timerq (a heap on one uv timer). A refill every
 *    `refill_ms` (real time) moves the horizon on and arms the rows due in
 *    [armed_until, now + horizon), the rows created since the last look
 *    (by id: other replicas' rows too), and the rows overdue
 *    by more than `sweep_ms` that nobody fired: a replica that died holding
 *    them. Then it re-reads the clock and re-sets the timer, so a wall clock
 *    that jumped (a VM paused, NTP stepped it) delays a due row by at most one
 *    refill period.
 *  - Firing opens a transaction on the service's connection, and the service's
 *    fire callback claims the rows still pending (`… WHERE id = ANY ($1) AND
 *    fired IS NULL RETURNING …`) and acts on each inside it; then it commits
 *    and kicks the relay. A stale timer (the row was cancelled, or another
 *    replica fired it) claims nothing. A batch that fails is rolled back and
 *    tried again one row a transaction, so a row whose effect always fails
 *    holds up only itself; what still fails is re-armed a second later.
 *
 * Where ladder.c and windows.c had drifted apart, the engine decides:
 *  - The armed span is half-open, [from, until): a new row is armed at once
 *    when due < armed_until, and the next refill loads due >= armed_until.
 *    Every due time is covered by exactly one of the two (the windows armed
 *    with `<=` against a refill of `> armed_until`, the ladder with `<`
 *    against `>= armed_until`; each was right alone, and one shape for both
 *    is what lets them share the code).
 *  - The clock is re-read on every refill (the ladder did; the windows did
 *    not, so after a wall-clock jump a window waited out the timer's old
 *    wait, up to a horizon).
 *  - Rows due at start fire late, before the loop runs, and are counted as
 *    late (the ladder did; the windows armed them and fired them as if on
 *    time).
 *  - Rows created since the last look are armed by every replica (the ladder
 *    did; the windows left another replica's rows to the sweep): if their
 *    creator dies they fire on time, not a sweep late.
 *  - The sweep is the engine's setting for both (routing's
 *    GOV_LADDER_SWEEP_MS; deliberation keeps the 30 s it had fixed).
 *  - A batch is claimed in one transaction, and only when that fails one row
 *    a transaction (the ladder claimed a batch, so one failing step held up
 *    every step due with it; the windows claimed one row a transaction,
 *    always).
 *
 * Everything runs on the loop thread that owns `conn`. */
#ifndef GOV_DEADLINE_H
#define GOV_DEADLINE_H

#include <libpq-fe.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "relay.h"
#include "svclock.h"

typedef struct deadline deadline_t;

typedef struct {
    uint64_t armed;   /* timers set (a row can be armed twice: by two refills) */
    uint64_t fired;   /* rows this process claimed and acted on */
    uint64_t late;    /* of those, fired at start for having fallen due while down */
    uint64_t stale;   /* timers that claimed nothing (cancelled, or fired elsewhere) */
    uint64_t waiting; /* timers set and not yet fired, now: the rows due within the horizon
                       * (a row armed twice counts twice) */
} deadline_stats_t;

/* One batch of due rows for the fire callback; everything in it is borrowed
 * for the call. */
typedef struct {
    const int64_t *ids;    /* 1 <= n of them, earliest due first */
    size_t n;
    const char *id_array;  /* the same ids as a bigint[] literal: "{4,7,9}" */
    int64_t now_ms;        /* the firing time */
    int late;              /* 1: fired at start, the service was down when they fell due */
} deadline_batch_t;

/* Claims those of `batch`'s rows that are still pending and acts on each,
 * inside the transaction the engine opened on its connection. Returns how
 * many it claimed (0..n), or a negative error code after logging: the
 * engine rolls the transaction back and tries again. It must not commit or
 * roll back itself. It may arm new rows (deadline_arm). */
typedef int (*deadline_fire_fn)(const deadline_batch_t *batch, void *arg);

/* One service's table of deadlines: its SQL (string literals, run with
 * db_exec; times are ms since the epoch, as text parameters; "pending" means
 * not fired and not cancelled) and its effect. Static in the service. */
typedef struct {
    const char *name;  /* for log lines, e.g. "ladder" */
    /* $1 from, $2 until, $3 the highest id seen, $4 swept before: the pending
     * rows due before $2 and either due at or after $1, or with an id above
     * $3, or due before $4. Columns: 0 id, 1 due (ms). */
    const char *sql_load;
    /* $1 now, $2 limit: the pending rows due at or before $1, earliest first,
     * at most $2. Column: 0 id. */
    const char *sql_overdue;
    /* The highest id the table has given (0 when none). Column: 0. */
    const char *sql_last_id;
    deadline_fire_fn fire;
} deadline_table_t;

/* The settings (from the service's environment). */
typedef struct {
    int64_t horizon_ms;   /* arm rows due within this (> 0) */
    int refill_ms;        /* look for new rows this often, real time (> 0) */
    int64_t sweep_ms;     /* take over pending rows overdue by more than this (> 0) */
} deadline_config_t;

/* Starts the deadlines of `table` on `loop`: fires the rows already due
 * (late), loads the horizon and starts the refill timer. `conn`, `clock`,
 * `relay` (may be NULL: nothing to kick), `table` and `arg` are borrowed and
 * must outlive the engine; `config` is copied. `table->fire(…, arg)` is
 * called for the late rows before this returns (a late row that cannot fire
 * is left to the first refill, which arms it). Returns 0 and sets `*out`,
 * -ENOMEM, or -EIO when the rows could not be read (logged). */
int deadline_new(uv_loop_t *loop, PGconn *conn, svclock_t *clock, relay_t *relay,
                 const deadline_table_t *table, void *arg, const deadline_config_t *config,
                 deadline_t **out);

/* Arms row `id` due at `due_ms` if it falls in what is armed already
 * (deadline_arms_now); a later row is left for the refill that reaches it.
 * Call it for rows the caller just inserted, even inside a transaction that
 * may roll back: the timer of a row that never was claims nothing. Safe on a
 * NULL engine (a tool that runs no timers). */
void deadline_arm(deadline_t *self, int64_t id, int64_t due_ms);

/* The service clock jumped forward (a test moved it): refills at once and
 * re-sets the timer, so what is now due fires on the next loop iteration.
 * Returns 0, or -EIO when the refill failed (logged; the next one retries).
 * Safe on a NULL engine. */
int deadline_clock_jumped(deadline_t *self);

/* Counters since start; all zero for a NULL engine. */
deadline_stats_t deadline_stats(const deadline_t *self);

/* Stops the timers and frees the engine (in the handles' close callbacks,
 * so run the loop afterwards). NULLs the pointer; safe on NULL. Not from
 * inside the fire callback. */
void deadline_destroy(deadline_t **self_p);

/* --- the decisions, pure (exposed for tests) ------------------------------- */

/* What one refill asks the load statement for. */
typedef struct {
    int64_t from;          /* $1: what was armed ends here */
    int64_t until;         /* $2: and now ends here */
    int64_t swept_before;  /* $4: pending rows due before this were dropped by somebody */
} deadline_span_t;

/* The refill at `now` after everything due before `armed_until` was armed:
 * the span to load is [armed_until, max(armed_until, now + horizon)); rows
 * due before now - sweep are taken over. The horizon never moves back (a
 * wall clock stepped back would otherwise load the same rows again). */
deadline_span_t deadline_plan(int64_t now, int64_t armed_until, int64_t horizon_ms,
                              int64_t sweep_ms);

/* 1 when a row due at `due_ms` belongs to the armed span ending at
 * `armed_until` (arm it now), 0 when the refill that reaches it will load it. */
int deadline_arms_now(int64_t due_ms, int64_t armed_until);

#endif
