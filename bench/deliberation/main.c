/* bench-deliberation: every voter of a meeting casts a vote over ZeroMQ, as
 * fast as replies come back, and the run prints votes/s and latency.
 *
 *   bench-deliberation ENDPOINT MATTER_ID VOTER_PREFIX VOTERS CLIENTS WINDOW
 *
 * Voter i (1 <= i <= VOTERS) is the person VOTER_PREFIX<i>. CLIENTS threads
 * each own a DEALER and a share of the voters, and keep up to WINDOW votes in
 * flight. A vote answered with an error counts as an error, not a vote. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

#include "curve.h"
#include "deliberation.pb-c.h"
#include "envelope.h"

typedef struct {
    const char *endpoint, *prefix;
    long long matter;
    int first, count, window;
    void *zctx;
    double *latencies; /* ms, one per vote answered */
    int n, errors;
} client_t;

static double s_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double) ts.tv_sec + ts.tv_nsec / 1e9;
}

static int s_send(client_t *c, void *sock, int voter)
{
    char who[96], id[32];
    snprintf(who, sizeof who, "%s%d", c->prefix, voter + 1);
    snprintf(id, sizeof id, "%d", voter);
    Gov__Actor actor = GOV__ACTOR__INIT;
    actor.id = who;
    Gov__CastVote vote = GOV__CAST_VOTE__INIT;
    vote.matter_id = c->matter;
    vote.choice = voter % 3 == 0 ? "no" : "yes";
    Gov__Envelope env = GOV__ENVELOPE__INIT;
    env.type = "CastVote";
    env.message_id = id;
    env.actor = &actor;
    size_t len;
    uint8_t *bytes = envelope_pack(&env, &vote.base, &len);
    if (!bytes)
        return -1;
    int rc = zmq_send(sock, bytes, len, 0);
    free(bytes);
    return rc < 0 ? -1 : 0;
}

static void *s_client(void *arg)
{
    client_t *c = arg;
    void *sock = zmq_socket(c->zctx, ZMQ_DEALER);
    int linger = 0;
    zmq_setsockopt(sock, ZMQ_LINGER, &linger, sizeof linger);
    curve_client(sock); /* with GOV_KEYS_DIR, as govctl */
    if (zmq_connect(sock, c->endpoint) != 0)
        return NULL;
    double *sent = calloc((size_t) c->count, sizeof *sent);
    int next = 0, inflight = 0;
    while ((next < c->count || inflight > 0) && sent) {
        while (next < c->count && inflight < c->window) {
            sent[next] = s_now();
            if (s_send(c, sock, c->first + next) == 0)
                inflight++;
            else
                c->errors++;
            next++;
        }
        zmq_pollitem_t item = {sock, 0, ZMQ_POLLIN, 0};
        if (zmq_poll(&item, 1, 10000) <= 0)
            break; /* nothing for 10 s: count the rest as lost */
        zmq_msg_t msg;
        zmq_msg_init(&msg);
        if (zmq_msg_recv(&msg, sock, 0) >= 0) {
            Gov__Envelope *reply = envelope_unpack(zmq_msg_data(&msg), zmq_msg_size(&msg));
            int voter = reply && reply->correlation_id ? atoi(reply->correlation_id) : -1;
            inflight--;
            if (!reply || reply->error || voter < c->first || voter >= c->first + c->count)
                c->errors++;
            else
                c->latencies[c->n++] = (s_now() - sent[voter - c->first]) * 1000.0;
            envelope_free(&reply);
        }
        zmq_msg_close(&msg);
    }
    c->errors += inflight;
    free(sent);
    zmq_close(sock);
    return NULL;
}

static int s_cmp(const void *a, const void *b)
{
    double x = *(const double *) a, y = *(const double *) b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    if (argc != 7) {
        fprintf(stderr, "usage: bench-deliberation ENDPOINT MATTER_ID VOTER_PREFIX VOTERS CLIENTS WINDOW\n");
        return 2;
    }
    int voters = atoi(argv[4]), clients = atoi(argv[5]), window = atoi(argv[6]);
    if (voters <= 0 || clients <= 0 || clients > 64 || window <= 0)
        return 2;
    if (curve_init(getenv("GOV_KEYS_DIR"), "govctl", 0))
        return 1;
    void *zctx = zmq_ctx_new();
    client_t *cs = calloc((size_t) clients, sizeof *cs);
    pthread_t *threads = calloc((size_t) clients, sizeof *threads);
    double *all = calloc((size_t) voters, sizeof *all);
    if (!cs || !threads || !all)
        return 1;
    int per = voters / clients, at = 0;
    double t0 = s_now();
    for (int i = 0; i < clients; i++) {
        int count = i == clients - 1 ? voters - at : per;
        cs[i] = (client_t){argv[1], argv[3], atoll(argv[2]), at, count, window, zctx,
                           all + at, 0, 0};
        at += count;
        pthread_create(&threads[i], NULL, s_client, &cs[i]);
    }
    int n = 0, errors = 0;
    for (int i = 0; i < clients; i++) {
        pthread_join(threads[i], NULL);
        memmove(all + n, cs[i].latencies, (size_t) cs[i].n * sizeof *all);
        n += cs[i].n;
        errors += cs[i].errors;
    }
    double elapsed = s_now() - t0;
    qsort(all, (size_t) n, sizeof *all, s_cmp);
    printf("votes=%d seconds=%.2f rate=%.0f errors=%d p50_ms=%.2f p99_ms=%.2f (%d clients x %d in flight)\n",
           n, elapsed, n / elapsed, errors, n ? all[n / 2] : 0.0, n ? all[(int) (n * 0.99)] : 0.0,
           clients, window);
    free(cs);
    free(threads);
    free(all);
    zmq_ctx_term(zctx);
    return errors ? 1 : 0;
}
