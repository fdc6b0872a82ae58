#include "db.h"

#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dbtime.h"
#include "log.h"

/* --- outages: one line when the database goes, one when it returns ----------
 *
 * A lost database fails every request until it is back; a line for each would
 * bury the two that matter (3,809 lines in a 6 s outage, before this). Every
 * connection of the process shares one state: the first failure of an outage
 * logs, the rest only count, and the first connection that gets through again
 * logs the outage's length and count. */

static _Atomic int s_down;             /* 1 while the database is unreachable */
static _Atomic int64_t s_down_since_ms;
static _Atomic uint64_t s_failures;    /* queries failed for the database's absence, ever */
static _Atomic uint64_t s_outages;
static _Atomic uint64_t s_during;      /* ... of the outage under way */

static int64_t s_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* SQLSTATE classes that mean the server is away, not that the query is wrong:
 * 08 connection exception, 57P01-57P03 shutdown and startup. */
static int s_absence(const char state[6])
{
    return strncmp(state, "08", 2) == 0 || strncmp(state, "57P0", 4) == 0;
}

static _Atomic int64_t s_back_ms;       /* when the last outage ended */
static _Atomic int64_t s_next_try_ms;   /* during an outage: no reconnecting before this */
static _Atomic unsigned s_tries;        /* ... and the reconnections failed so far */

int db_retry_delay_ms(unsigned failed)
{
    int ms = failed >= 5 ? DB_RETRY_MAX_MS : DB_RETRY_MIN_MS << failed;
    return ms < DB_RETRY_MAX_MS ? ms : DB_RETRY_MAX_MS;
}

/* During an outage a broken connection is not reconnected on every query:
 * each try can hold the calling thread for up to the connect timeout (a host
 * that drops packets answers nothing). One try at a time goes, spaced by
 * db_retry_delay_ms; every other query on a broken connection fails at once
 * with 08006, so requests are refused fast while the database is away. */
static int s_may_reconnect(void)
{
    if (!atomic_load(&s_down))
        return 1;
    int64_t now = s_now_ms(), next = atomic_load(&s_next_try_ms);
    if (now < next)
        return 0;
    /* The first thread to move the time on tries; the rest wait their turn. */
    return atomic_compare_exchange_strong(&s_next_try_ms, &next,
                                          now + db_retry_delay_ms(atomic_load(&s_tries)));
}

static void s_went(const char *why, int64_t since_ms)
{
    int expected = 0;
    if (atomic_compare_exchange_strong(&s_down, &expected, 1)) {
        atomic_store(&s_down_since_ms, since_ms);
        atomic_fetch_add(&s_outages, 1);
        atomic_store(&s_tries, 0);
        atomic_store(&s_next_try_ms, s_now_ms() + db_retry_delay_ms(0));
        log_error("database unreachable (%s); requests answer DB_UNAVAILABLE until it returns, "
                  "counted in db_unavailable_total", why);
    }
}

static void s_returned(void)
{
    int expected = 1;
    if (atomic_load(&s_down) && atomic_compare_exchange_strong(&s_down, &expected, 0)) {
        atomic_store(&s_back_ms, s_now_ms());
        log_info("database reachable again after %lld ms; %llu queries failed meanwhile",
                 (long long) (s_now_ms() - atomic_load(&s_down_since_ms)),
                 (unsigned long long) atomic_exchange(&s_during, 0));
    }
}

void db_failed(PGconn *conn, const PGresult *res, char state[6])
{
    int64_t failed_ms = s_now_ms();
    db_sqlstate(res, state);
    if (PQstatus(conn) != CONNECTION_OK) {
        memcpy(state, "08006", 6);
        atomic_fetch_add(&s_failures, 1);
        atomic_fetch_add(&s_during, 1);
        char why[160];
        snprintf(why, sizeof why, "%s", PQerrorMessage(conn));
        why[strcspn(why, "\n")] = '\0';
        if (!s_may_reconnect())
            return; /* the database is away and another try is under way or due later */
        /* A try holds this thread for up to the connect timeout (a host
         * that drops packets). It is not cut shorter: a PGconn left half
         * connected would block the next query that reads from it. */
        PQreset(conn);
        if (PQstatus(conn) != CONNECTION_OK) {
            if (atomic_load(&s_down)) {
                /* The wait runs from the end of the try, not its start: a
                 * try can take the whole connect timeout, and the thread
                 * that made it must then answer its queue (DB_UNAVAILABLE)
                 * before it tries again, or it would do nothing but try. */
                unsigned tries = atomic_fetch_add(&s_tries, 1) + 1;
                atomic_store(&s_next_try_ms, s_now_ms() + db_retry_delay_ms(tries));
            }
            s_went(why, failed_ms);
        } else if (atomic_load(&s_down)) {
            s_returned(); /* this connection got through: the outage is over */
        } else if (s_now_ms() - atomic_load(&s_back_ms) > 10000) {
            /* Not an outage's tail (the other connections of the process
             * find theirs broken after one): a drop on its own. */
            log_warn("database connection dropped (%s); reconnected", why);
        }
    } else if (s_absence(state)) {
        atomic_fetch_add(&s_failures, 1);
        atomic_fetch_add(&s_during, 1);
        s_went(res ? PQresultErrorMessage(res) : PQerrorMessage(conn), failed_ms);
    } else {
        log_error("query failed (%s): %s", state, res ? PQresultErrorMessage(res) : PQerrorMessage(conn));
    }
}

void db_succeeded(void)
{
    if (atomic_load_explicit(&s_down, memory_order_relaxed))
        s_returned();
}

db_stats_t db_stats(void)
{
    return (db_stats_t) {.unavailable = atomic_load(&s_failures), .outages = atomic_load(&s_outages),
                         .down = atomic_load(&s_down)};
}

PGconn *db_connect(const char *url, int wait_ms)
{
    /* A database host that vanishes without closing the connection (a crash,
     * a partition) is noticed by TCP keepalives within about a minute when
     * the connection is idle, and within DB_TCP_USER_TIMEOUT_MS when a query
     * is on its way (data the server never acknowledged; the kernel's own
     * limit is about 15 minutes), so a request fails with DB_UNAVAILABLE
     * instead of hanging. A host that does not answer at all is given up
     * after DB_CONNECT_TIMEOUT_S (for each host a multi-host URL lists,
     * which libpq then tries in turn: with target_session_attrs=read-write
     * it finds the primary after a failover). The URL's own settings, if
     * any, come after and win. */
    const char *const keys[] = {"keepalives_idle", "keepalives_interval", "keepalives_count",
                                "tcp_user_timeout", "connect_timeout", "dbname", NULL};
    const char *const values[] = {"30", "10", "3", DB_TCP_USER_TIMEOUT_MS, DB_CONNECT_TIMEOUT_S,
                                  url, NULL};
    for (int waited = 0;; waited += 200) {
        PGconn *conn = PQconnectdbParams(keys, values, 1);
        if (PQstatus(conn) == CONNECTION_OK)
            return conn;
        if (waited >= wait_ms) {
            log_error("cannot connect to the database: %s", PQerrorMessage(conn));
            PQfinish(conn);
            return NULL;
        }
        PQfinish(conn);
        usleep(200 * 1000);
    }
}

void db_sqlstate(const PGresult *res, char out[6])
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    memcpy(out, state && strlen(state) == 5 ? state : "XX000", 6);
}

PGresult *db_exec(PGconn *conn, const char *sql, int nparams, const char *const *params,
                  char sqlstate[6])
{
    uint64_t start = dbtime_now_ns();
    PGresult *res = PQexecParams(conn, sql, nparams, NULL, params, NULL, NULL, 0);
    dbtime_observe(dbtime_kind(sql), start);
    ExecStatusType st = PQresultStatus(res);
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) {
        db_succeeded();
        return res;
    }
    char state[6];
    db_failed(conn, res, state);
    if (sqlstate)
        memcpy(sqlstate, state, 6);
    PQclear(res);
    return NULL;
}

int db_run(PGconn *conn, const char *sql, int nparams, const char *const *params)
{
    PGresult *res = db_exec(conn, sql, nparams, params, NULL);
    PQclear(res);
    return res ? 0 : -1;
}

int db_schema_version(PGconn *conn)
{
    PGresult *res = PQexec(conn, "SELECT coalesce(max(version), 0) FROM schema_migrations");
    int version = PQresultStatus(res) == PGRES_TUPLES_OK ? atoi(PQgetvalue(res, 0, 0)) : -1;
    if (version < 0) {
        char state[6];
        db_sqlstate(res, state);
        version = strcmp(state, "42P01") == 0 ? 0 : -1; /* no table: nothing applied */
    }
    PQclear(res);
    return version;
}

int db_require_schema(PGconn *conn, int expected)
{
    int version = db_schema_version(conn);
    if (version == expected)
        return 0;
    log_error("database schema is at version %d, this build needs %d; hint: run `govctl db migrate` "
              "with the migrations of this build",
              version, expected);
    return -1;
}

int db_pipeline_collect(PGconn *conn, int n, PGresult **out, char sqlstate[6])
{
    uint64_t start = dbtime_now_ns(); /* the batch and its sync were flushed just before */
    int rc = 0;
    for (int i = 0; i < n; i++) {
        out[i] = NULL;
        PGresult *res;
        while ((res = PQgetResult(conn))) {
            if (out[i])
                PQclear(out[i]);
            out[i] = res;
        }
        ExecStatusType st = out[i] ? PQresultStatus(out[i]) : PGRES_FATAL_ERROR;
        if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK && rc == 0) {
            rc = -1;
            char state[6];
            db_sqlstate(out[i], state);
            if (PQstatus(conn) != CONNECTION_OK)
                memcpy(state, "08006", 6);
            if (sqlstate)
                memcpy(sqlstate, state, 6);
            if (PQstatus(conn) == CONNECTION_OK && !s_absence(state))
                log_error("pipelined query %d failed (%s): %s", i, state,
                          out[i] ? PQresultErrorMessage(out[i]) : PQerrorMessage(conn));
        }
    }
    /* The sync's own result, then the NULL that ends it. */
    PGresult *sync = PQgetResult(conn);
    if (PQresultStatus(sync) != PGRES_PIPELINE_SYNC && rc == 0) {
        rc = -1;
        if (sqlstate)
            db_sqlstate(sync, sqlstate);
    }
    PQclear(sync);
    dbtime_observe(DBTIME_PIPELINE, start);
    if (PQstatus(conn) != CONNECTION_OK) {
        char state[6];
        db_failed(conn, NULL, state);
        return -1;
    }
    if (rc == 0)
        db_succeeded();
    return rc;
}

char *db_text_array(char *const *items, size_t n)
{
    size_t cap = 3;
    for (size_t i = 0; i < n; i++)
        cap += 2 * strlen(items[i]) + 3;
    char *out = malloc(cap), *p = out;
    if (!out)
        return NULL;
    *p++ = '{';
    for (size_t i = 0; i < n; i++) {
        if (i)
            *p++ = ',';
        *p++ = '"';
        for (const char *s = items[i]; *s; s++) {
            if (*s == '"' || *s == '\\')
                *p++ = '\\';
            *p++ = *s;
        }
        *p++ = '"';
    }
    *p++ = '}';
    *p = '\0';
    return out;
}

int db_prepare(PGconn *conn, const db_statement_t *stmts, size_t n)
{
    PGresult *have = db_exec(conn, "SELECT name FROM pg_prepared_statements", 0, NULL, NULL);
    if (!have)
        return -1;
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        int found = 0;
        for (int r = 0; !found && r < PQntuples(have); r++)
            found = strcmp(PQgetvalue(have, r, 0), stmts[i].name) == 0;
        if (found)
            continue;
        PGresult *res = PQprepare(conn, stmts[i].name, stmts[i].sql, stmts[i].nparams, NULL);
        if (PQresultStatus(res) != PGRES_COMMAND_OK) {
            log_error("cannot prepare %s: %s", stmts[i].name, PQresultErrorMessage(res));
            rc = -1;
        }
        PQclear(res);
    }
    PQclear(have);
    return rc;
}
