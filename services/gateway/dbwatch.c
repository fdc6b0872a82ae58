#include "dbwatch.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "envelope.h"
#include "log.h"

#define RETRY_MS 1000 /* at most one new connection a second while the database is away */

struct dbwatch {
    pthread_mutex_t lock;
    PGconn *conn; /* NULL while lost */
    char *url, *listen;
    uint64_t generation;
    int64_t tried_ms;
    int ending; /* the server said FATAL: the connection is closing */
};

/* A message the server sends on its own: FATAL comes before it closes the
 * connection (an administrator ended it, the server shuts down), and may be
 * read before the close is; from then on nothing more will be heard. */
static void s_notice(void *arg, const PGresult *res)
{
    dbwatch_t *w = arg;
    const char *severity = PQresultErrorField(res, PG_DIAG_SEVERITY_NONLOCALIZED);
    if (severity && (strcmp(severity, "FATAL") == 0 || strcmp(severity, "PANIC") == 0))
        w->ending = 1;
}

/* Forgets the connection: whatever was cached while it listened may be stale. */
static void s_lost(dbwatch_t *w)
{
    if (w->conn) {
        log_warn("dbwatch: lost its connection (%s); caching nothing until it listens again",
                 PQerrorMessage(w->conn));
        PQfinish(w->conn);
        w->conn = NULL;
    }
    w->ending = 0;
    w->generation++;
}

/* A new connection that LISTENs (waiting up to `wait_ms` for the server to
 * start), tried at most once every RETRY_MS. */
static void s_connect(dbwatch_t *w, int wait_ms)
{
    int64_t now = envelope_now_ms();
    if (w->tried_ms && now - w->tried_ms < RETRY_MS)
        return;
    w->tried_ms = now;
    PGconn *conn = db_connect(w->url, wait_ms);
    if (!conn)
        return;
    PQsetNoticeReceiver(conn, s_notice, w);
    if (db_run(conn, w->listen, 0, NULL)) {
        PQfinish(conn);
        return;
    }
    w->conn = conn;
    w->generation++; /* nothing from before the LISTEN is known to be true */
}

int dbwatch_new(const char *db_url, const char *channel, dbwatch_t **out)
{
    dbwatch_t *w = calloc(1, sizeof *w);
    size_t size = strlen(channel) + 16;
    if (!w || !(w->url = strdup(db_url)) || !(w->listen = malloc(size))) {
        if (w)
            free(w->url);
        free(w);
        return -1;
    }
    snprintf(w->listen, size, "LISTEN %s", channel);
    pthread_mutex_init(&w->lock, NULL);
    s_connect(w, 10000);
    if (!w->conn) {
        dbwatch_destroy(&w);
        return -1;
    }
    *out = w;
    return 0;
}

uint64_t dbwatch_generation(dbwatch_t *w)
{
    pthread_mutex_lock(&w->lock);
    if (w->conn && (PQstatus(w->conn) != CONNECTION_OK || !PQconsumeInput(w->conn)))
        s_lost(w);
    if (w->conn) { /* what was read is parsed here: notifications, and a FATAL on its way out */
        PGnotify *n;
        while ((n = PQnotifies(w->conn))) {
            w->generation++;
            PQfreemem(n);
        }
        if (w->ending || PQstatus(w->conn) != CONNECTION_OK)
            s_lost(w);
    }
    if (!w->conn)
        s_connect(w, 0);
    uint64_t g = w->conn ? w->generation : 0;
    pthread_mutex_unlock(&w->lock);
    return g;
}

void dbwatch_touch(dbwatch_t *w)
{
    pthread_mutex_lock(&w->lock);
    w->generation++;
    pthread_mutex_unlock(&w->lock);
}

void dbwatch_destroy(dbwatch_t **self_p)
{
    dbwatch_t *w = *self_p;
    if (!w)
        return;
    *self_p = NULL;
    if (w->conn)
        PQfinish(w->conn);
    pthread_mutex_destroy(&w->lock);
    free(w->url);
    free(w->listen);
    free(w);
}
