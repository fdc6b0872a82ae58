/* bench-notify: the parts of the notify benchmark that are not gov-notify.
 *
 *   bench-notify receiver PORT        a webhook receiver (libmicrohttpd,
 *                                     keep-alive) answering 200 to every POST
 *   bench-notify events N UNIT        N WhistleBlown events on the routing
 *                                     stream, each summoning UNIT, committed
 *                                     and numbered ($GOV_DB_URL)
 *   bench-notify baseline URL N       the same receiver driven by a plain
 *                                     libcurl loop: one handle, N POSTs of a
 *                                     body like notify's; prints the rate
 *   bench-notify wait N SECONDS       returns when every event is planned
 *                                     and every delivery settled, and how
 *                                     many were sent (N or more: exit 0)
 *                                     ($GOV_DB_URL); it looks every 20 ms on
 *                                     one connection, by index (a psql, or
 *                                     a count, a look would cost the
 *                                     database a share of notify's time)
 *
 * bench/notify/run.sh puts them together. */
#include <curl/curl.h>
#include <inttypes.h>
#include <microhttpd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <uv.h>

#include "db.h"
#include "outbox.h"
#include "routing.pb-c.h"

static enum MHD_Result s_answer(void *cls, struct MHD_Connection *c, const char *url,
                                const char *method, const char *version, const char *data,
                                size_t *size, void **state)
{
    (void) cls;
    (void) url;
    (void) method;
    (void) version;
    (void) data;
    if (!*state) {          /* the headers: wait for the body */
        *state = c;
        return MHD_YES;
    }
    if (*size) {            /* a piece of the body: swallow it */
        *size = 0;
        return MHD_YES;
    }
    static const char ok[] = "{\"ok\":true}";
    struct MHD_Response *r =
        MHD_create_response_from_buffer(sizeof ok - 1, (void *) ok, MHD_RESPMEM_PERSISTENT);
    enum MHD_Result rc = MHD_queue_response(c, MHD_HTTP_OK, r);
    MHD_destroy_response(r);
    return rc;
}

static int s_receiver(int port)
{
    struct MHD_Daemon *d = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL, (uint16_t) port, NULL, NULL, s_answer,
        NULL, MHD_OPTION_THREAD_POOL_SIZE, 2U, MHD_OPTION_CONNECTION_LIMIT, 1000U, MHD_OPTION_END);
    if (!d) {
        fprintf(stderr, "bench-notify: cannot listen on %d\n", port);
        return 1;
    }
    printf("receiver on 127.0.0.1:%d\n", port);
    fflush(stdout);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigprocmask(SIG_BLOCK, &set, NULL);
    int sig;
    sigwait(&set, &sig);
    MHD_stop_daemon(d);
    return 0;
}

static void s_numbered(uint64_t seq, const char *type, const uint8_t *envelope, size_t len,
                       void *arg)
{
    (void) seq;
    (void) type;
    (void) envelope;
    (void) len;
    (*(long *) arg)++;
}

static int s_events(long n, const char *unit)
{
    PGconn *conn = db_connect(getenv("GOV_DB_URL"), 5000);
    if (!conn || db_run(conn, "BEGIN", 0, NULL))
        return 1;
    for (long i = 0; i < n; i++) {
        Gov__Dispatch d = GOV__DISPATCH__INIT;
        d.id = i + 1;
        d.whistle_id = i + 1;
        d.unit = (char *) unit;
        d.unit_name = (char *) unit;
        d.role = "summoned";
        d.state = "sent";
        d.urgency = "normal";
        d.description = "bench: 路面塌陷";
        Gov__Dispatch *ds[] = {&d};
        Gov__Whistle w = GOV__WHISTLE__INIT;
        w.id = i + 1;
        w.caller_unit = "so.s1";
        w.kind = "routine";
        w.reason = "bench: 路面塌陷";
        w.state = "open";
        w.n_dispatches = 1;
        w.dispatches = ds;
        Gov__WhistleEvent ev = GOV__WHISTLE_EVENT__INIT;
        ev.item = &w;
        if (outbox_add(conn, "routing", "WhistleBlown", NULL, NULL, (ProtobufCMessage *) &ev))
            return 1;
    }
    if (db_run(conn, "COMMIT", 0, NULL))
        return 1;
    long numbered = 0;
    int got;
    while ((got = outbox_number(conn, "routing", 10000, s_numbered, &numbered)) > 0)
        ;
    PQfinish(conn);
    printf("events n=%ld numbered=%ld\n", n, numbered);
    return got < 0;
}

static size_t s_drop(char *data, size_t size, size_t n, void *arg)
{
    (void) data;
    (void) arg;
    return size * n;
}

static int s_baseline(const char *url, long n)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    CURL *easy = curl_easy_init();
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json; charset=utf-8");
    h = curl_slist_append(h, "X-Gov-Idempotency-Key: routing:1:bench:webhook#1");
    h = curl_slist_append(h, "X-Gov-Timestamp: 1700000000000");
    const char *body =
        "{\"idempotency_key\":\"routing:1:bench:webhook#1\",\"kind\":\"WhistleSummoned\","
        "\"recipient\":\"bench\",\"subject\":\"【吹哨报到】日常哨 #1\",\"text\":\"bench：青山街道办事处"
        " 吹哨（日常哨）：bench: 路面塌陷 位置：。请于 前到场报到。\"}";
    curl_easy_setopt(easy, CURLOPT_URL, url);
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(easy, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, s_drop);
    uint64_t t0 = uv_hrtime();
    long ok = 0;
    for (long i = 0; i < n; i++) {
        long status = 0;
        if (curl_easy_perform(easy) == CURLE_OK &&
            curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status) == CURLE_OK && status == 200)
            ok++;
    }
    double secs = (double) (uv_hrtime() - t0) / 1e9;
    printf("baseline n=%ld ok=%ld secs=%.3f rate=%.0f\n", n, ok, secs, (double) ok / secs);
    curl_slist_free_all(h);
    curl_easy_cleanup(easy);
    curl_global_cleanup();
    return ok != n;
}

/* Every event on the routing stream planned, and no delivery left to
 * settle: two index lookups, so the looking costs the database little. */
static const char s_settled[] =
    "SELECT coalesce((SELECT last_seq FROM subscriber_positions"
    "                 WHERE subscriber = 'notify' AND stream = 'routing'), 0)"
    "       >= (SELECT max(seq) FROM outbox WHERE stream = 'routing')"
    "   AND NOT EXISTS (SELECT 1 FROM deliveries WHERE settled IS NULL)";

static int s_wait(long want, double seconds)
{
    PGconn *conn = db_connect(getenv("GOV_DB_URL"), 5000);
    if (!conn)
        return 1;
    int settled = 0;
    uint64_t until = uv_hrtime() + (uint64_t) (seconds * 1e9);
    while (!settled && uv_hrtime() < until) {
        PGresult *res = db_exec(conn, s_settled, 0, NULL, NULL);
        settled = res && PQntuples(res) == 1 && PQgetvalue(res, 0, 0)[0] == 't';
        PQclear(res);
        if (!settled)
            usleep(20000);
    }
    PGresult *res = db_exec(conn, "SELECT count(*) FROM deliveries WHERE settled = 'sent'", 0,
                            NULL, NULL);
    long sent = res && PQntuples(res) == 1 ? atol(PQgetvalue(res, 0, 0)) : -1;
    PQclear(res);
    PQfinish(conn);
    printf("wait settled=%d sent=%ld\n", settled, sent);
    return sent < want;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "receiver") == 0)
        return s_receiver(atoi(argv[2]));
    if (argc == 4 && strcmp(argv[1], "events") == 0 && atol(argv[2]) > 0)
        return s_events(atol(argv[2]), argv[3]);
    if (argc == 4 && strcmp(argv[1], "baseline") == 0 && atol(argv[3]) > 0)
        return s_baseline(argv[2], atol(argv[3]));
    if (argc == 4 && strcmp(argv[1], "wait") == 0 && atol(argv[2]) > 0)
        return s_wait(atol(argv[2]), atof(argv[3]));
    fprintf(stderr, "usage: bench-notify receiver PORT | events N UNIT | baseline URL N | wait N SECONDS\n");
    return 2;
}
