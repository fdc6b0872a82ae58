/* A client floods intake with the heaviest read there is — ListCases of 500
 * long cases, pipelined as fast as ZeroMQ takes them — never reads an answer,
 * and leaves. Intake's memory stays under a stated bound (256 MB) throughout,
 * another client is answered all along, and the flood is seen in /metrics as
 * requests refused at the client's bound or dropped unserved
 * (common/peers.h). The real gov-intake, a real PostgreSQL, real sockets. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <zmq.h>

#include "envelope.h"
#include "harness.h"
#include "intake.pb-c.h"
#include "rpccli.h"

/* Under AddressSanitizer a process keeps what it frees in quarantine (256 MB
 * by default) and shadows all of it, so its resident size says little: the
 * stated bound is for the real build, a loose one catches runaway growth
 * there. */
#if defined(__SANITIZE_ADDRESS__)
#define RSS_BOUND_KB (1024 * 1024)
#else
#define RSS_BOUND_KB (256 * 1024)
#endif

static long s_rss_kb(pid_t pid)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", (int) pid);
    FILE *f = fopen(path, "r");
    long kb = -1;
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, "VmRSS:", 6) == 0)
            kb = atol(line + 6);
    if (f)
        fclose(f);
    return kb;
}

static Gov__Envelope *s_call(rpccli_t *cli, const char *type, const ProtobufCMessage *m)
{
    char id[33];
    envelope_new_id(id);
    Gov__Envelope env = GOV__ENVELOPE__INIT, *reply = NULL;
    env.type = (char *) type;
    env.message_id = id;
    return rpccli_call(cli, &env, m, 5000, &reply) ? NULL : reply;
}

/* The metric `name` of intake's /metrics, or -1. */
static long long s_metric(int port, const char *name)
{
    static char body[65536];
    if (harness_http_get(port, "/metrics", body, sizeof body) != 200)
        return -1;
    char key[96];
    snprintf(key, sizeof key, "\ngov_%s{", name);
    const char *at = strstr(body, key);
    return at ? atoll(strchr(at, '}') + 1) : -1;
}

static void test_a_flood_of_reads_leaves_memory_bounded(void **state)
{
    (void) state;
    char url[256];
    harness_svc_t svc;
    const char *env[] = {"GOV_MERGE_DISTANCE_M=0", NULL};
    assert_int_equal(harness_db_new("it_flood", url), 0);
    assert_int_equal(harness_intake_start(&svc, url, env), 0);
    void *zctx = zmq_ctx_new();
    rpccli_t *cli;
    assert_int_equal(rpccli_new(zctx, svc.endpoint, &cli), 0);

    /* 600 cases of 1,000 characters each: a page of 500 would be 1.5 MB. */
    char *text = malloc(1000 * 3 + 1);
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
        Gov__Envelope *r = s_call(cli, "SubmitCase", &m.base);
        assert_non_null(r);
        assert_null(r->error);
        envelope_free(&r);
    }
    free(text);

    /* The flood: as fast as the socket takes them, for 4 s, answers never read. */
    void *flood = zmq_socket(zctx, ZMQ_DEALER);
    int zero = 0;
    zmq_setsockopt(flood, ZMQ_SNDHWM, &zero, sizeof zero); /* no bound of its own */
    zmq_setsockopt(flood, ZMQ_LINGER, &zero, sizeof zero);
    assert_int_equal(zmq_connect(flood, svc.endpoint), 0);
    Gov__ListCases list = GOV__LIST_CASES__INIT;
    list.limit = 500;
    Gov__Envelope fenv = GOV__ENVELOPE__INIT;
    fenv.type = "ListCases";
    fenv.message_id = "flood";
    size_t len;
    uint8_t *bytes = envelope_pack(&fenv, &list.base, &len);
    long max_rss = 0, sent = 0, answered = 0, unanswered = 0;
    int64_t start = harness_now_ms(), next_probe = start;
    while (harness_now_ms() - start < 7000) {
        int flooding = harness_now_ms() - start < 4000;
        for (int i = 0; flooding && i < 2000 && zmq_send(flood, bytes, len, ZMQ_DONTWAIT) >= 0; i++)
            sent++;
        if (!flooding && flood) {
            zmq_close(flood); /* and leaves */
            flood = NULL;
        }
        long rss = s_rss_kb(svc.pid);
        if (rss > max_rss)
            max_rss = rss;
        if (harness_now_ms() >= next_probe) { /* another client, all along */
            Gov__ListCases one = GOV__LIST_CASES__INIT;
            one.limit = 1;
            Gov__Envelope *r = s_call(cli, "ListCases", &one.base);
            if (r && !r->error)
                answered++;
            else
                unanswered++;
            envelope_free(&r);
            next_probe = harness_now_ms() + 100;
        }
    }
    free(bytes);
    printf("# flood: %ld requests sent; intake's largest RSS %ld kB (bound %d kB); the other client "
           "answered %ld, not %ld\n",
           sent, max_rss, RSS_BOUND_KB, answered, unanswered);
    assert_true(sent >= 1000);               /* it was a flood */
    assert_true(max_rss > 0);
    assert_true(max_rss < RSS_BOUND_KB);     /* memory bounded throughout */
    assert_true(answered >= 20);
    assert_int_equal(unanswered, 0);          /* the other client was served all along */
    int64_t until = harness_now_ms() + 3000;  /* the counters are refreshed every second */
    long long bounded = 0;
    while (harness_now_ms() < until &&
           (bounded = s_metric(svc.http_port, "requests_over_inflight_total") +
                      s_metric(svc.http_port, "requests_dropped_total")) <= 0)
        ;
    assert_true(bounded > 0);
    rpccli_destroy(&cli);
    zmq_ctx_term(zctx);
    assert_int_equal(harness_stop(&svc, SIGTERM), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_flood_of_reads_leaves_memory_bounded),
    };
    return cmocka_run_group_tests_name("flood", tests, NULL, NULL);
}
