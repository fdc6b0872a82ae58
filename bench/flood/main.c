/* bench-flood: another client's latency while one client floods a service
 * (issue 17: "the flood leaves ... another client's p99 within 2x of its
 * quiet value"). tests/it/test_flood.c asserts the memory half; this prints
 * the latency half as figures, never an assertion on time.
 *
 *   bench-flood ENDPOINT PID [FLOOD_REQUESTS] [QUIET_S]
 *
 * 1. 600 cases of 1,000 characters are filed, so a page of 500 is ~1.5 MB.
 * 2. Quiet: the other client reads a page of 20 cases (a console's list)
 *    every 20 ms for QUIET_S seconds, one request in flight; each latency is
 *    from its send to its answer (a timeout counts as its 5 s).
 * 3. Flooded: the same, while a client of its own thread pipelines
 *    FLOOD_REQUESTS (120,000) ListCases(limit 500) as fast as ZeroMQ takes
 *    them, never reads an answer, and leaves; probing goes on until QUIET_S
 *    seconds after it left.
 * Prints the quiet p50/p99, the flooded p50/p99, their ratio against the
 * target 2, and the service's largest RSS (/proc/PID) in each phase. */
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "envelope.h"
#include "intake.pb-c.h"
#include "rpccli.h"

#define PROBE_EVERY_MS 20
#define PROBE_TIMEOUT_MS 5000

static int64_t s_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static long s_rss_kb(int pid)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", pid);
    FILE *f = fopen(path, "r");
    long kb = -1;
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, "VmRSS:", 6) == 0)
            kb = atol(line + 6);
    if (f)
        fclose(f);
    return kb;
}

static int s_call(rpccli_t *cli, const char *type, const ProtobufCMessage *m, int timeout_ms)
{
    char id[33];
    envelope_new_id(id);
    Gov__Envelope env = GOV__ENVELOPE__INIT, *reply = NULL;
    env.type = (char *) type;
    env.message_id = id;
    int rc = rpccli_call(cli, &env, m, timeout_ms, &reply);
    int ok = rc == 0 && reply && !reply->error;
    envelope_free(&reply);
    return ok ? 0 : -1;
}

typedef struct {
    void *zctx;
    const char *endpoint;
    long requests;
    _Atomic long sent;
    _Atomic int done;
    _Atomic int64_t left_us; /* when it closed its socket */
} flood_t;

static void *s_flood(void *arg)
{
    flood_t *f = arg;
    void *sock = zmq_socket(f->zctx, ZMQ_DEALER);
    int zero = 0;
    zmq_setsockopt(sock, ZMQ_SNDHWM, &zero, sizeof zero); /* no bound of its own */
    zmq_setsockopt(sock, ZMQ_LINGER, &zero, sizeof zero);
    zmq_connect(sock, f->endpoint);
    Gov__ListCases list = GOV__LIST_CASES__INIT;
    list.limit = 500;
    Gov__Envelope env = GOV__ENVELOPE__INIT;
    env.type = "ListCases";
    char id[33];
    size_t len;
    for (long i = 0; i < f->requests; i++) {
        envelope_new_id(id);
        env.message_id = id;
        uint8_t *bytes = envelope_pack(&env, &list.base, &len);
        if (!bytes || zmq_send(sock, bytes, len, 0) < 0) {
            free(bytes);
            break;
        }
        free(bytes);
        atomic_fetch_add(&f->sent, 1);
    }
    zmq_close(sock); /* and leaves, its answers unread */
    atomic_store(&f->left_us, s_now_us());
    atomic_store(&f->done, 1);
    return NULL;
}

static int s_cmp(const void *a, const void *b)
{
    int64_t x = *(const int64_t *) a, y = *(const int64_t *) b;
    return x < y ? -1 : x > y;
}

static double s_pct(int64_t *v, size_t n, double p)
{
    if (!n)
        return 0;
    qsort(v, n, sizeof *v, s_cmp);
    size_t k = (size_t) (p * (double) n);
    return (double) v[k >= n ? n - 1 : k] / 1000.0;
}

typedef struct {
    int64_t *lat;
    size_t n, cap;
    long failed;
    long max_rss;
} phase_t;

/* One probe: a page of 20, its latency recorded. */
static void s_probe(rpccli_t *cli, phase_t *ph)
{
    Gov__ListCases page = GOV__LIST_CASES__INIT;
    page.limit = 20;
    int64_t t0 = s_now_us();
    int rc = s_call(cli, "ListCases", &page.base, PROBE_TIMEOUT_MS);
    int64_t us = s_now_us() - t0;
    if (rc)
        ph->failed++;
    if (ph->n == ph->cap) {
        ph->cap = ph->cap ? 2 * ph->cap : 1024;
        ph->lat = realloc(ph->lat, ph->cap * sizeof *ph->lat);
    }
    ph->lat[ph->n++] = us;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: bench-flood ENDPOINT PID [FLOOD_REQUESTS] [QUIET_S]\n");
        return 2;
    }
    const char *endpoint = argv[1];
    int pid = atoi(argv[2]);
    long requests = argc > 3 ? atol(argv[3]) : 120000;
    int quiet_s = argc > 4 ? atoi(argv[4]) : 5;
    void *zctx = zmq_ctx_new();
    rpccli_t *cli;
    if (rpccli_new(zctx, endpoint, &cli))
        return 1;

    char *text = malloc(3001);
    for (int i = 0; i < 1000; i++)
        memcpy(text + 3 * i, "噪", 3);
    text[3000] = '\0';
    for (int i = 0; i < 600; i++) {
        Gov__Point pt = GOV__POINT__INIT;
        pt.lat = 39.9005 + (i % 25) * 0.001;
        pt.lon = 116.3005 + (i / 25) * 0.001;
        Gov__Location loc = GOV__LOCATION__INIT;
        loc.point = &pt;
        Gov__SubmitCase m = GOV__SUBMIT_CASE__INIT;
        m.channel = "hotline";
        m.category = "complaint.noise";
        m.description = text;
        m.location = &loc;
        if (s_call(cli, "SubmitCase", &m.base, 10000)) {
            fprintf(stderr, "bench-flood: case %d was not filed\n", i);
            return 1;
        }
    }
    free(text);

    phase_t quiet = {0}, flooded = {0};
    int64_t end = s_now_us() + (int64_t) quiet_s * 1000000;
    while (s_now_us() < end) {
        int64_t next = s_now_us() + PROBE_EVERY_MS * 1000;
        s_probe(cli, &quiet);
        long rss = s_rss_kb(pid);
        if (rss > quiet.max_rss)
            quiet.max_rss = rss;
        while (s_now_us() < next)
            usleep(500);
    }

    flood_t f = {.zctx = zctx, .endpoint = endpoint, .requests = requests};
    pthread_t th;
    int64_t flood_start = s_now_us();
    pthread_create(&th, NULL, s_flood, &f);
    for (;;) {
        int64_t next = s_now_us() + PROBE_EVERY_MS * 1000;
        s_probe(cli, &flooded);
        long rss = s_rss_kb(pid);
        if (rss > flooded.max_rss)
            flooded.max_rss = rss;
        if (atomic_load(&f.done) && s_now_us() - atomic_load(&f.left_us) >= (int64_t) quiet_s * 1000000)
            break;
        while (s_now_us() < next)
            usleep(500);
    }
    pthread_join(th, NULL);
    double flood_s = (double) (atomic_load(&f.left_us) - flood_start) / 1e6;

    size_t qn = quiet.n, fn = flooded.n;
    double q50 = s_pct(quiet.lat, qn, 0.50), q99 = s_pct(quiet.lat, qn, 0.99);
    double f50 = s_pct(flooded.lat, fn, 0.50), f99 = s_pct(flooded.lat, fn, 0.99);
    double fmax = fn ? (double) flooded.lat[fn - 1] / 1000.0 : 0;
    printf("flood: %ld of %ld ListCases(limit 500) sent in %.2f s, answers never read, then left\n",
           atomic_load(&f.sent), requests, flood_s);
    printf("other client (ListCases limit 20 every %d ms): quiet %zu probes p50 %.2f ms p99 %.2f ms "
           "(failed %ld); flooded %zu probes p50 %.2f ms p99 %.2f ms max %.2f ms (failed %ld)\n",
           PROBE_EVERY_MS, qn, q50, q99, quiet.failed, fn, f50, f99, fmax, flooded.failed);
    printf("service RSS: quiet max %ld kB, flooded max %ld kB\n", quiet.max_rss, flooded.max_rss);
    double ratio = q99 > 0 ? f99 / q99 : 0;
    printf("p99 flooded / quiet = %.2f / %.2f ms = %.2f (target <= 2.0: %s)\n", f99, q99, ratio,
           ratio <= 2.0 ? "met" : "NOT met");
    free(quiet.lat);
    free(flooded.lat);
    rpccli_destroy(&cli);
    zmq_ctx_term(zctx);
    return 0;
}
