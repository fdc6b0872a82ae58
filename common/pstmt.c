#include "pstmt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "dbtime.h"
#include "log.h"

#define PSTMT_MAX 128

typedef struct {
    const char *sql;
    int prepared;
} entry_t;

struct pstmt {
    PGconn *conn;
    int session; /* the backend's process id the statements were prepared in */
    entry_t entries[PSTMT_MAX];
    int n;
};

pstmt_t *pstmt_new(PGconn *conn)
{
    pstmt_t *self = calloc(1, sizeof *self);
    if (self)
        self->conn = conn;
    return self;
}

static void s_forget_all(pstmt_t *self);

static int s_slot(pstmt_t *self, const char *sql)
{
    int pid = PQbackendPID(self->conn);
    if (pid != self->session) { /* a new session has no prepared statements */
        s_forget_all(self);
        self->session = pid;
    }
    for (int i = 0; i < self->n; i++)
        if (self->entries[i].sql == sql)
            return i;
    if (self->n == PSTMT_MAX)
        return -1;
    self->entries[self->n].sql = sql;
    return self->n++;
}

static void s_forget_all(pstmt_t *self)
{
    for (int i = 0; i < self->n; i++)
        self->entries[i].prepared = 0;
}

/* The failure path shared with db_exec's behaviour: note, reset, report. */
static PGresult *s_failed(pstmt_t *self, PGresult *res, char sqlstate[6])
{
    char state[6];
    int lost = PQstatus(self->conn) != CONNECTION_OK;
    db_failed(self->conn, res, state); /* resets a lost connection */
    if (lost)
        s_forget_all(self); /* a new session has no prepared statements */
    if (sqlstate)
        memcpy(sqlstate, state, 6);
    PQclear(res);
    return NULL;
}

PGresult *pstmt_exec(pstmt_t *self, const char *sql, int nparams, const char *const *params,
                     char sqlstate[6])
{
    int slot = s_slot(self, sql);
    if (slot < 0) /* more statements than slots: run it unprepared */
        return db_exec(self->conn, sql, nparams, params, sqlstate);
    char name[24];
    snprintf(name, sizeof name, "pstmt_%d", slot);
    for (int attempt = 0;; attempt++) {
        entry_t *e = &self->entries[slot];
        if (!e->prepared) {
            PGresult *p = PQprepare(self->conn, name, sql, nparams, NULL);
            if (PQresultStatus(p) != PGRES_COMMAND_OK) {
                char state[6];
                db_sqlstate(p, state);
                /* 42P05: the session has it already (we forgot, it did not). */
                if (strcmp(state, "42P05") != 0)
                    return s_failed(self, p, sqlstate);
            }
            PQclear(p);
            e->prepared = 1;
        }
        uint64_t start = dbtime_now_ns();
        PGresult *res = PQexecPrepared(self->conn, name, nparams, params, NULL, NULL, 0);
        dbtime_observe(dbtime_kind(sql), start);
        ExecStatusType st = PQresultStatus(res);
        if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) {
            db_succeeded();
            return res;
        }
        char state[6];
        db_sqlstate(res, state);
        if (strcmp(state, "26000") == 0 && attempt == 0) { /* the session lost them */
            PQclear(res);
            s_forget_all(self);
            continue;
        }
        return s_failed(self, res, sqlstate);
    }
}

int pstmt_prepare(pstmt_t *self, const char *sql, int nparams, char sqlstate[6])
{
    int slot = s_slot(self, sql);
    if (slot < 0) {
        log_error("pstmt: more than %d statements to prepare", PSTMT_MAX);
        if (sqlstate)
            memcpy(sqlstate, "54000", 6);
        return -1;
    }
    entry_t *e = &self->entries[slot];
    if (e->prepared)
        return 0;
    char name[24];
    snprintf(name, sizeof name, "pstmt_%d", slot);
    PGresult *p = PQprepare(self->conn, name, sql, nparams, NULL);
    if (PQresultStatus(p) != PGRES_COMMAND_OK) {
        char state[6];
        db_sqlstate(p, state);
        if (strcmp(state, "42P05") != 0) { /* 42P05: the session has it already */
            s_failed(self, p, sqlstate);
            return -1;
        }
    }
    PQclear(p);
    e->prepared = 1;
    return 0;
}

int pstmt_send(pstmt_t *self, const char *sql, int nparams, const char *const *params)
{
    for (int i = 0; i < self->n; i++)
        if (self->entries[i].sql == sql) {
            if (!self->entries[i].prepared || self->session != PQbackendPID(self->conn))
                break;
            char name[24];
            snprintf(name, sizeof name, "pstmt_%d", i);
            return PQsendQueryPrepared(self->conn, name, nparams, params, NULL, NULL, 0) ? 0 : -1;
        }
    log_error("pstmt: a statement sent unprepared (pstmt_prepare it first)");
    return -1;
}

void pstmt_destroy(pstmt_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    free(*self_p);
    *self_p = NULL;
}
