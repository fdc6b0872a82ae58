#include "migrate.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "log.h"

typedef struct {
    int version;
    char name[256];
} s_file_t;

static int s_cmp(const void *a, const void *b)
{
    return ((const s_file_t *) a)->version - ((const s_file_t *) b)->version;
}

/* Lists NNNN_*.sql files, sorted. Returns the count, or -1. */
static int s_list(const char *dir, s_file_t *files, int cap)
{
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < cap) {
        size_t len = strlen(e->d_name);
        if (len < 9 || len >= sizeof files[0].name || strcmp(e->d_name + len - 4, ".sql") ||
            e->d_name[4] != '_')
            continue;
        files[n].version = atoi(e->d_name);
        snprintf(files[n].name, sizeof files[n].name, "%s", e->d_name);
        if (files[n].version > 0)
            n++;
    }
    closedir(d);
    qsort(files, (size_t) n, sizeof *files, s_cmp);
    return n;
}

static char *s_slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    rewind(f);
    char *text = size >= 0 ? malloc((size_t) size + 1) : NULL;
    if (text && fread(text, 1, (size_t) size, f) == (size_t) size)
        text[size] = '\0';
    else {
        free(text);
        text = NULL;
    }
    fclose(f);
    return text;
}

int migrate_latest(const char *dir)
{
    s_file_t files[512];
    int n = s_list(dir, files, 512);
    return n < 0 ? -1 : n == 0 ? 0 : files[n - 1].version;
}

static int s_apply_one(PGconn *conn, const char *dir, const s_file_t *file)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, file->name);
    char *sql = s_slurp(path);
    if (!sql) {
        log_error("cannot read migration %s", path);
        return -1;
    }
    char version[16];
    snprintf(version, sizeof version, "%d", file->version);
    const char *params[] = {version, file->name};
    int rc = db_run(conn, "BEGIN", 0, NULL);
    /* A simple-query string may hold many statements; that is what a file is. */
    PGresult *res = rc ? NULL : PQexec(conn, sql);
    if (!rc && PQresultStatus(res) != PGRES_COMMAND_OK && PQresultStatus(res) != PGRES_TUPLES_OK) {
        log_error("migration %s failed: %s", file->name, PQresultErrorMessage(res));
        rc = -1;
    }
    PQclear(res);
    if (!rc)
        rc = db_run(conn, "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", 2, params);
    rc = rc ? rc : db_run(conn, "COMMIT", 0, NULL);
    if (rc)
        db_run(conn, "ROLLBACK", 0, NULL);
    free(sql);
    return rc;
}

static int s_apply_all(PGconn *conn, const char *dir, void (*progress)(const char *file, void *arg),
                       void *arg);

int migrate_apply(PGconn *conn, const char *dir, void (*progress)(const char *file, void *arg),
                  void *arg)
{
    /* Two migrators at once (two `make up`s, two containers) take turns. */
    if (db_run(conn, "SELECT pg_advisory_lock(hashtext('gov_migrate'))", 0, NULL))
        return -1;
    int applied = db_run(conn,
                         "CREATE TABLE IF NOT EXISTS schema_migrations ("
                         " version int PRIMARY KEY, name text NOT NULL,"
                         " applied_at timestamptz NOT NULL DEFAULT now())",
                         0, NULL)
                      ? -1
                      : s_apply_all(conn, dir, progress, arg);
    db_run(conn, "SELECT pg_advisory_unlock(hashtext('gov_migrate'))", 0, NULL);
    return applied;
}

static int s_apply_all(PGconn *conn, const char *dir, void (*progress)(const char *file, void *arg),
                       void *arg)
{
    int current = db_schema_version(conn);
    s_file_t files[512];
    int n = s_list(dir, files, 512);
    if (n < 0 || current < 0) {
        log_error("cannot list migrations in %s", dir);
        return -1;
    }
    int applied = 0;
    for (int i = 0; i < n; i++) {
        if (files[i].version <= current)
            continue;
        if (s_apply_one(conn, dir, &files[i]))
            return -1;
        if (progress)
            progress(files[i].name, arg);
        applied++;
    }
    return applied;
}
