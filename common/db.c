#include "db.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

PGconn *db_connect(const char *url, int wait_ms)
{
    /* A database host that vanishes without closing the connection (a crash,
     * a partition) is noticed within about a minute, not the kernel's two
     * hours, by TCP keepalives; the URL's own settings, if any, come after
     * and win. */
    const char *const keys[] = {"keepalives_idle", "keepalives_interval", "keepalives_count",
                                "dbname", NULL};
    const char *const values[] = {"30", "10", "3", url, NULL};
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
    PGresult *res = PQexecParams(conn, sql, nparams, NULL, params, NULL, NULL, 0);
    ExecStatusType st = PQresultStatus(res);
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
        return res;
    char state[6];
    db_sqlstate(res, state);
    if (PQstatus(conn) != CONNECTION_OK) {
        memcpy(state, "08006", 6);
        log_error("database connection lost; resetting");
        PQreset(conn);
    } else {
        log_error("query failed (%s): %s", state, PQresultErrorMessage(res));
    }
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
    if (PQstatus(conn) != CONNECTION_OK) {
        log_error("database connection lost; resetting");
        PQreset(conn);
        return -1;
    }
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
