/* bench-intake: drives gov-intake with SubmitCase over ZeroMQ and prints
 * cases/s and latency percentiles.
 *
 *   bench-intake ENDPOINT[,ENDPOINT...] SECONDS CLIENTS WINDOW [RATE]
 *
 * Several endpoints (intake replicas) are all connected; each DEALER deals
 * its requests round-robin among them.
 * CLIENTS threads each keep up to WINDOW requests in flight on their own
 * DEALER. Without RATE the load is closed-loop (as fast as replies come back:
 * the peak). With RATE (cases/s over all clients) requests are sent on a
 * fixed schedule and latency is measured from the scheduled time, so a slow
 * server cannot hide its queueing (no coordinated omission). With
 * GOV_KEYS_DIR set it speaks CURVE with govctl's key. */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

#include "curve.h"
#include "envelope.h"
#include "intake.pb-c.h"

#define MAX_SAMPLES 4000000

/* The mix, like a city's hotline rather than a stress pattern: most reports
 * are new cases, and a stated share (BENCH_DUP_PCT, 10 by default) are
 * duplicates — a report of something already reported, at the same point
 * and in the same category, which intake merges into the open case. A new
 * report takes a category by weight (sanitation and noise most, food least)
 * and a point in one of the demo's 36 grids (deploy/demo/make_city.py: a 6 x
 * 6 board of 0.005-degree squares from 116.30 E, 39.90 N), busier grids
 * more often (weight 1/sqrt(rank)), uniform inside it. At intake's own merge
 * distance of 100 m a new report at a random point would join an open case
 * once the district fills, which at these rates takes seconds (real cases
 * close, these do not): the benchmarks run intake with GOV_MERGE_DISTANCE_M=0
 * unless set, so the duplicates, repeated to the metre, are what merges. */
static const struct {
    const char *code;
    int weight;
} s_categories[] = {
    {"complaint.sanitation", 20}, {"complaint.noise", 18},    {"complaint.traffic", 10},
    {"complaint.property", 10},   {"complaint.water", 8},     {"complaint.construction", 6},
    {"complaint.heating", 6},     {"report.security", 6},     {"complaint.pollution", 4},
    {"complaint.food", 4},        {"report.water", 4},        {"help.dispute", 4}};
#define NCATEGORIES (sizeof s_categories / sizeof *s_categories)
#define NGRIDS 36
#define RECENT 256 /* a duplicate repeats one of its client's last RECENT new reports */

typedef struct {
    int category;
    double lat, lon;
} report_t;

/* A value drawn from `weights` (n of them, summing to `total`). */
static int s_pick(const double *weights, int n, double total, unsigned *seed)
{
    double x = (rand_r(seed) / ((double) RAND_MAX + 1)) * total;
    for (int i = 0; i < n - 1; i++)
        if ((x -= weights[i]) < 0)
            return i;
    return n - 1;
}

/* A new report: a category by weight, a point in a grid by weight. */
static report_t s_new_report(unsigned *seed)
{
    static double cat_w[NCATEGORIES], grid_w[NGRIDS], cat_total, grid_total;
    if (!cat_total) { /* the same values from every thread: a benign first fill */
        double ct = 0, gt = 0;
        for (size_t i = 0; i < NCATEGORIES; i++)
            ct += cat_w[i] = s_categories[i].weight;
        for (int k = 0; k < NGRIDS; k++)
            gt += grid_w[k] = 1 / sqrt(k + 1.0);
        grid_total = gt;
        cat_total = ct;
    }
    report_t r;
    r.category = s_pick(cat_w, (int) NCATEGORIES, cat_total, seed);
    int rank = s_pick(grid_w, NGRIDS, grid_total, seed);
    int grid = rank * 7 % NGRIDS; /* the busiest grids scattered over the board */
    r.lat = 39.90 + 0.005 * (grid / 6) + (1 + rand_r(seed) % 4998) / 1e6;
    r.lon = 116.30 + 0.005 * (grid % 6) + (1 + rand_r(seed) % 4998) / 1e6;
    return r;
}

typedef struct {
    const char *endpoint;
    int id, window, poison_every; /* every poison_every-th request is bad (0: none) */
    int dup_pct;          /* this share of reports repeats a recent one */
    report_t recent[RECENT];
    size_t n_recent;      /* new reports made so far (the ring holds the last RECENT) */
    double seconds, rate; /* rate per client; 0 = closed loop */
    void *zctx;
    double *latencies;    /* ms */
    size_t n, errors, refused; /* errors: on good requests; refused: bad ones, as they must be */
} client_t;

static double s_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double) ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The bad requests of a poisoned run, one kind after another: what a broken
 * or hostile client sends. Each must be refused with its own permanent code
 * and must not slow the good requests sharing its batch. */
static void s_poison(Gov__SubmitCase *req, Gov__Envelope *env, Gov__Reporter *rep, Gov__Point *pt,
                     unsigned long seq, char *huge)
{
    switch (seq / 100 % 6) {
    case 0: req->description = "无效\xff\xfe的文字"; break;       /* not UTF-8: INVALID_TEXT */
    case 1: rep->phone = "12345"; break;                           /* INVALID_PHONE */
    case 2: req->category = "complaint.unicorns"; break;           /* UNKNOWN_CATEGORY */
    case 3: pt->lat = 31.2304, pt->lon = 121.4737; break;          /* Shanghai: OUTSIDE_AREA */
    case 4: req->idempotency_key = huge; break;                    /* 12 KB: TEXT_TOO_LONG */
    default: env->trace_id = huge; break;                          /* 12 KB trace id: TEXT_TOO_LONG */
    }
}

static void s_send(client_t *c, void *sock, unsigned long seq, unsigned *seed)
{
    static char huge[12 * 1024 + 1];
    if (!huge[0])
        memset(huge, 'k', sizeof huge - 1);
    char key[64], id[64];
    snprintf(key, sizeof key, "bench-%d-%lu-%ld", c->id, seq, (long) time(NULL));
    snprintf(id, sizeof id, "%lu", seq);
    Gov__SubmitCase req = GOV__SUBMIT_CASE__INIT;
    Gov__Location loc = GOV__LOCATION__INIT;
    Gov__Point pt = GOV__POINT__INIT;
    Gov__Reporter rep = GOV__REPORTER__INIT;
    req.channel = "hotline";
    report_t r;
    if (c->n_recent && (int) (rand_r(seed) % 100) < c->dup_pct) {
        size_t have = c->n_recent < RECENT ? c->n_recent : RECENT;
        r = c->recent[rand_r(seed) % have];
    } else {
        r = s_new_report(seed);
        c->recent[c->n_recent++ % RECENT] = r;
    }
    req.category = (char *) s_categories[r.category].code;
    req.description = "压测：小区门口垃圾堆放，气味难闻，请尽快清运";
    req.idempotency_key = key;
    pt.lat = r.lat;
    pt.lon = r.lon;
    loc.point = &pt;
    req.location = &loc;
    rep.phone = "13800001234";
    req.reporter = &rep;
    Gov__Envelope env = GOV__ENVELOPE__INIT;
    env.type = "SubmitCase";
    env.message_id = id;
    if (c->poison_every && seq % (unsigned long) c->poison_every == 0)
        s_poison(&req, &env, &rep, &pt, seq, huge);
    size_t len;
    uint8_t *bytes = envelope_pack(&env, &req.base, &len);
    zmq_send(sock, bytes, len, 0);
    free(bytes);
}

static void *s_client(void *arg)
{
    client_t *c = arg;
    void *sock = zmq_socket(c->zctx, ZMQ_DEALER);
    int linger = 0;
    zmq_setsockopt(sock, ZMQ_LINGER, &linger, sizeof linger);
    curve_client(sock); /* with GOV_KEYS_DIR, as govctl */
    char endpoints[1024];
    snprintf(endpoints, sizeof endpoints, "%s", c->endpoint);
    for (char *save, *ep = strtok_r(endpoints, ",", &save); ep; ep = strtok_r(NULL, ",", &save))
        zmq_connect(sock, ep);
    size_t cap = MAX_SAMPLES / 8;
    c->latencies = malloc(cap * sizeof *c->latencies);
    double *sent_at = calloc(1 << 22, sizeof *sent_at);
    unsigned seed = (unsigned) c->id * 2654435761u;
    double start = s_now(), end = start + c->seconds, next = start;
    unsigned long seq = 0;
    int inflight = 0;
    while (s_now() < end || inflight > 0) {
        double now = s_now();
        int may_send = now < end && inflight < c->window && seq < (1 << 22) - 1;
        if (may_send && (c->rate == 0 || now >= next)) {
            sent_at[seq] = c->rate ? next : now;
            s_send(c, sock, seq++, &seed);
            inflight++;
            next += c->rate ? 1.0 / c->rate : 0;
            continue;
        }
        /* Sleep in the poll until the next send is due (rounded up: never spin). */
        long wait = c->rate && may_send ? (long) ceil((next - now) * 1000) : 100;
        zmq_pollitem_t item = {sock, 0, ZMQ_POLLIN, 0};
        if (zmq_poll(&item, 1, wait < 0 ? 0 : wait) <= 0) {
            if (now > end + 10)
                break; /* replies lost: give up rather than hang */
            continue;
        }
        zmq_msg_t msg;
        zmq_msg_init(&msg);
        if (zmq_msg_recv(&msg, sock, 0) >= 0) {
            Gov__Envelope *env = envelope_unpack(zmq_msg_data(&msg), zmq_msg_size(&msg));
            if (env) {
                unsigned long n = strtoul(env->correlation_id, NULL, 10);
                if (env->error && c->poison_every && (!*env->correlation_id ||
                                                      n % (unsigned long) c->poison_every == 0))
                    c->refused++; /* a bad one (an unreadable id is not echoed back) */
                else if (env->error)
                    c->errors++;
                else if (c->n < cap && n < seq)
                    c->latencies[c->n++] = (s_now() - sent_at[n]) * 1000;
                inflight--;
            }
            envelope_free(&env);
        }
        zmq_msg_close(&msg);
    }
    free(sent_at);
    zmq_close(sock);
    return NULL;
}

static int s_cmp(const void *a, const void *b)
{
    double x = *(const double *) a, y = *(const double *) b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    if (argc < 5) {
        fprintf(stderr, "usage: bench-intake ENDPOINT[,ENDPOINT...] SECONDS CLIENTS WINDOW [RATE]\n");
        return 2;
    }
    if (curve_init(getenv("GOV_KEYS_DIR"), "govctl", 0))
        return 1;
    double seconds = atof(argv[2]), rate = argc > 5 ? atof(argv[5]) : 0;
    int clients = atoi(argv[3]), window = atoi(argv[4]);
    int poison = getenv("BENCH_POISON_PCT") ? atoi(getenv("BENCH_POISON_PCT")) : 0;
    if (poison < 0 || poison > 50 || (poison && 100 % poison)) {
        fprintf(stderr, "bench-intake: BENCH_POISON_PCT is a divisor of 100, at most 50\n");
        return 2;
    }
    int dup = getenv("BENCH_DUP_PCT") ? atoi(getenv("BENCH_DUP_PCT")) : 10;
    if (dup < 0 || dup > 100) {
        fprintf(stderr, "bench-intake: BENCH_DUP_PCT is a share in percent, 0 to 100\n");
        return 2;
    }
    void *zctx = zmq_ctx_new();
    client_t *c = calloc((size_t) clients, sizeof *c);
    pthread_t *threads = calloc((size_t) clients, sizeof *threads);
    double start = s_now();
    for (int i = 0; i < clients; i++) {
        c[i] = (client_t){.endpoint = argv[1], .id = i, .window = window, .seconds = seconds,
                          .rate = rate / clients, .zctx = zctx,
                          .poison_every = poison ? 100 / poison : 0, .dup_pct = dup};
        pthread_create(&threads[i], NULL, s_client, &c[i]);
    }
    size_t total = 0, errors = 0, refused = 0;
    for (int i = 0; i < clients; i++) {
        pthread_join(threads[i], NULL);
        total += c[i].n;
        errors += c[i].errors;
        refused += c[i].refused;
    }
    double elapsed = s_now() - start;
    double *all = malloc((total + 1) * sizeof *all);
    size_t k = 0;
    for (int i = 0; i < clients; i++) {
        memcpy(all + k, c[i].latencies, c[i].n * sizeof *all);
        k += c[i].n;
        free(c[i].latencies);
    }
    qsort(all, total, sizeof *all, s_cmp);
    double p50 = total ? all[total / 2] : NAN, p99 = total ? all[(size_t) (total * 0.99)] : NAN;
    char poisoned[64] = "";
    if (poison)
        snprintf(poisoned, sizeof poisoned, ", %d %% bad requests: %zu refused", poison, refused);
    printf("%s: %zu cases in %.1f s = %.0f cases/s (%d clients x %d in flight%s, %d %% duplicates),"
           " errors %zu%s, p50 %.2f ms, p99 %.2f ms\n",
           rate ? "paced" : "peak", total, elapsed, total / elapsed, clients, window,
           rate ? ", paced" : "", dup, errors, poisoned, p50, p99);
    printf("RESULT %.1f %.3f %.3f\n", total / elapsed, p50, p99);
    free(all);
    free(c);
    free(threads);
    zmq_ctx_term(zctx);
    return errors ? 1 : 0;
}
