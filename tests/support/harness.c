#include "harness.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

int64_t harness_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static const char *s_env(const char *name, const char *fallback)
{
    const char *v = getenv(name);
    return v && *v ? v : fallback;
}

static void s_url(const char *db, char url[256])
{
    snprintf(url, 256, "postgresql://postgres@127.0.0.1:%s/%s", s_env("GOV_TEST_PG_PORT", "55433"),
             db);
}

int harness_db_new(const char *name, char url[256])
{
    char admin[256], sql[512];
    s_url("postgres", admin);
    PGconn *conn = PQconnectdb(admin);
    if (PQstatus(conn) != CONNECTION_OK) {
        fprintf(stderr, "harness: cannot reach the test cluster: %s", PQerrorMessage(conn));
        PQfinish(conn);
        return -1;
    }
    PQclear(PQexec(conn, "SET client_min_messages = warning"));
    snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS \"%s\" WITH (FORCE)", name);
    PQclear(PQexec(conn, sql));
    snprintf(sql, sizeof sql, "CREATE DATABASE \"%s\" TEMPLATE \"%s\"", name,
             s_env("GOV_TEST_TEMPLATE", "gov_template"));
    PGresult *res = PQexec(conn, sql);
    int rc = PQresultStatus(res) == PGRES_COMMAND_OK ? 0 : -1;
    if (rc)
        fprintf(stderr, "harness: %s", PQresultErrorMessage(res));
    PQclear(res);
    PQfinish(conn);
    s_url(name, url);
    return rc;
}

PGconn *harness_db_connect(const char *url)
{
    PGconn *conn = PQconnectdb(url);
    if (PQstatus(conn) != CONNECTION_OK)
        fail_msg("cannot connect to %s: %s", url, PQerrorMessage(conn));
    return conn;
}

int64_t harness_int(PGconn *conn, const char *sql, int nparams, const char *const *params)
{
    PGresult *res = PQexecParams(conn, sql, nparams, NULL, params, NULL, NULL, 0);
    int64_t v = -1;
    if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) > 0 && !PQgetisnull(res, 0, 0))
        v = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
    else if (PQresultStatus(res) != PGRES_TUPLES_OK)
        fprintf(stderr, "harness: %s: %s", sql, PQresultErrorMessage(res));
    PQclear(res);
    return v;
}

void harness_exec(PGconn *conn, const char *sql)
{
    PGresult *res = PQexec(conn, sql);
    ExecStatusType st = PQresultStatus(res);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
        fail_msg("%s: %s", sql, PQresultErrorMessage(res));
    PQclear(res);
}

void harness_reset(PGconn *conn)
{
    /* Stream rows first: the relay locks them before it touches the outbox. */
    harness_exec(conn, "BEGIN; DELETE FROM outbox_streams; DELETE FROM outbox;"
                       " DELETE FROM case_callers; DELETE FROM intake_requests; DELETE FROM cases;"
                       " DELETE FROM subscriber_positions; COMMIT");
    harness_exec(conn, "BEGIN; DELETE FROM whistle_ratings; DELETE FROM evaluations;"
                       " DELETE FROM deadlines; DELETE FROM dispatch_log; DELETE FROM dispatches;"
                       " DELETE FROM whistles; DELETE FROM routed_cases; COMMIT");
}

int harness_free_port(void)
{
    /* Below the kernel's range for outgoing connections (32768 and up): a
     * port from there could be taken by a reconnecting neighbour's connect()
     * before the service binds it. Each call gives another port. */
    static int next;
    if (!next)
        next = 20000 + getpid() % 1200 * 10;
    for (int tries = 0; tries < 1000; tries++) {
        int port = ++next, fd = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t) port),
                                   .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
        int ok = fd >= 0 && bind(fd, (struct sockaddr *) &addr, sizeof addr) == 0;
        if (fd >= 0)
            close(fd);
        if (ok)
            return port;
    }
    return -1;
}

const char *harness_bin(const char *name)
{
    static char path[512];
    snprintf(path, sizeof path, "%s/%s", s_env("GOV_BIN", "build/bin"), name);
    return path;
}

int harness_http_get(int port, const char *path, char *body, size_t cap)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t) port),
                               .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    struct timeval tv = {2, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    if (connect(fd, (struct sockaddr *) &addr, sizeof addr) != 0) {
        close(fd);
        return -1;
    }
    char req[256], buf[16384];
    int n = snprintf(req, sizeof req, "GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n", path);
    if (write(fd, req, (size_t) n) != n) {
        close(fd);
        return -1;
    }
    size_t got = 0;
    ssize_t r;
    while (got < sizeof buf - 1 && (r = read(fd, buf + got, sizeof buf - 1 - got)) > 0)
        got += (size_t) r;
    buf[got] = '\0';
    close(fd);
    int status = -1;
    if (sscanf(buf, "HTTP/1.%*d %d", &status) != 1)
        return -1;
    const char *start = strstr(buf, "\r\n\r\n");
    if (body && cap)
        snprintf(body, cap, "%s", start ? start + 4 : "");
    return status;
}

static pid_t s_spawn(const char *name, const char *const *argv, const char *const *env,
                     const char *log_name, int out_fd)
{
    mkdir("build/test-logs", 0755);
    char log_path[512];
    snprintf(log_path, sizeof log_path, "build/test-logs/%s.log", log_name);
    pid_t pid = fork();
    if (pid != 0)
        return pid;
    int log_fd = open(log_path, O_WRONLY | O_CREAT | O_APPEND, 0644);
    dup2(log_fd, 2);
    dup2(out_fd >= 0 ? out_fd : log_fd, 1);
    for (int i = 0; env && env[i]; i++)
        putenv((char *) env[i]);
    const char *args[64] = {harness_bin(name)};
    for (int i = 0; argv && argv[i] && i < 62; i++)
        args[i + 1] = argv[i];
    execv(args[0], (char *const *) args);
    _exit(127);
}

static int s_start(harness_svc_t *svc, const char *const *extra)
{
    char e1[128], e2[128], e3[128], e4[300], e5[128], e6[128], bin[64], upper[16];
    size_t i;
    for (i = 0; svc->name[i] && i < sizeof upper - 1; i++)
        upper[i] = (char) (svc->name[i] - 'a' + 'A');
    upper[i] = '\0';
    snprintf(e1, sizeof e1, "GOV_%s_ENDPOINT=%s", upper, svc->endpoint);
    snprintf(e2, sizeof e2, "GOV_%s_EVENTS=%s", upper, svc->events);
    snprintf(e3, sizeof e3, "GOV_%s_HTTP_PORT=%d", upper, svc->http_port);
    snprintf(e4, sizeof e4, "GOV_DB_URL=%s", svc->db_url);
    /* The stream each service follows: routing follows intake, intake routing. */
    snprintf(e5, sizeof e5, "GOV_%s_EVENTS=%s", strcmp(svc->name, "intake") == 0 ? "ROUTING" : "INTAKE",
             svc->upstream);
    const char *env[32] = {e1, e2, e3, e4};
    int n = 4;
    if (svc->upstream[0])
        env[n++] = e5;
    snprintf(e6, sizeof e6, "GOV_INTAKE_ENDPOINT=%s", svc->intake);
    if (svc->intake[0])
        env[n++] = e6;
    for (int k = 0; extra && extra[k] && n < 31; k++)
        env[n++] = extra[k];
    snprintf(bin, sizeof bin, "gov-%s", svc->name);
    svc->pid = s_spawn(bin, NULL, env, svc->name, -1);
    for (int64_t deadline = harness_now_ms() + 10000; harness_now_ms() < deadline;) {
        if (harness_http_get(svc->http_port, "/healthz", NULL, 0) == 200)
            return 0;
        int status;
        if (waitpid(svc->pid, &status, WNOHANG) == svc->pid) {
            svc->pid = 0;
            return -1;
        }
        usleep(20 * 1000);
    }
    harness_stop(svc, SIGKILL);
    return -1;
}

static int s_new(harness_svc_t *svc, const char *name, const char *db_url, const char *upstream,
                 const char *intake, const char *const *env)
{
    memset(svc, 0, sizeof *svc);
    snprintf(svc->intake, sizeof svc->intake, "%s", intake ? intake : "");
    svc->name = name;
    snprintf(svc->upstream, sizeof svc->upstream, "%s", upstream ? upstream : "");
    snprintf(svc->endpoint, sizeof svc->endpoint, "tcp://127.0.0.1:%d", harness_free_port());
    snprintf(svc->events, sizeof svc->events, "tcp://127.0.0.1:%d", harness_free_port());
    svc->http_port = harness_free_port();
    snprintf(svc->db_url, sizeof svc->db_url, "%s", db_url);
    return s_start(svc, env);
}

int harness_intake_start(harness_svc_t *svc, const char *db_url, const char *const *env)
{
    /* No routing publishes here: intake follows routing's stream through the
     * table alone (and never a routing that happens to run on this machine). */
    char routing[64];
    snprintf(routing, sizeof routing, "tcp://127.0.0.1:%d", harness_free_port());
    return s_new(svc, "intake", db_url, routing, NULL, env);
}

int harness_routing_start(harness_svc_t *svc, const char *db_url, const harness_svc_t *intake,
                          const char *const *env)
{
    return s_new(svc, "routing", db_url, intake->events, intake->endpoint, env);
}

int harness_notify_start(harness_svc_t *svc, const char *db_url, const char *const *env)
{
    char intake[64], routing[96], deliberation[96];
    snprintf(intake, sizeof intake, "tcp://127.0.0.1:%d", harness_free_port());
    snprintf(routing, sizeof routing, "GOV_ROUTING_EVENTS=tcp://127.0.0.1:%d", harness_free_port());
    snprintf(deliberation, sizeof deliberation, "GOV_DELIBERATION_EVENTS=tcp://127.0.0.1:%d",
             harness_free_port());
    const char *all[32] = {routing, deliberation};
    int n = 2;
    for (int k = 0; env && env[k] && n < 31; k++)
        all[n++] = env[k];
    return s_new(svc, "notify", db_url, intake, NULL, all);
}

int harness_restart(harness_svc_t *svc, const char *const *env)
{
    return s_start(svc, env);
}

int harness_stop(harness_svc_t *svc, int sig)
{
    if (svc->pid <= 0)
        return -1;
    kill(svc->pid, sig);
    int status = 0;
    waitpid(svc->pid, &status, 0);
    svc->pid = 0;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int harness_run(const char *name, const char *const *argv, const char *const *env, char *out,
                size_t cap, int timeout_ms)
{
    int fds[2];
    if (pipe(fds))
        return -1;
    pid_t pid = s_spawn(name, argv, env, name, fds[1]);
    close(fds[1]);
    fcntl(fds[0], F_SETFL, O_NONBLOCK);
    size_t got = 0;
    int status = -1;
    int64_t deadline = harness_now_ms() + timeout_ms;
    for (;;) {
        char buf[4096];
        ssize_t r = read(fds[0], buf, sizeof buf);
        if (r > 0 && out) {
            size_t take = (size_t) r < cap - 1 - got ? (size_t) r : cap - 1 - got;
            memcpy(out + got, buf, take);
            got += take;
        }
        if (r > 0)
            continue;
        int st;
        if (waitpid(pid, &st, WNOHANG) == pid) {
            while (out && (r = read(fds[0], buf, sizeof buf)) > 0) {
                size_t take = (size_t) r < cap - 1 - got ? (size_t) r : cap - 1 - got;
                memcpy(out + got, buf, take);
                got += take;
            }
            status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
            break;
        }
        if (harness_now_ms() > deadline) {
            kill(pid, SIGKILL);
            waitpid(pid, NULL, 0);
            status = -1;
            break;
        }
        usleep(5 * 1000);
    }
    close(fds[0]);
    if (out)
        out[got] = '\0';
    return status;
}
