/* The durable subscriber: applies each event once, in order, with its
 * position in the same transaction; catches up from the table after a
 * restart, on a gap, and after silence. Driven by the real gov-intake. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <uv.h>
#include <zmq.h>

#include <cmocka.h>

#include "harness.h"
#include "intake.pb-c.h"
#include "outbox.h"
#include "rpccli.h"
#include "sub.h"

typedef struct {
    harness_svc_t svc;
    char url[256];
    PGconn *conn;       /* the subscriber's */
    PGconn *check;      /* the test's own */
    void *zctx;
    rpccli_t *cli;
    uv_loop_t loop;
    uint64_t fail_seq;  /* apply fails once on this seq */
    int failures;
    uint64_t gathered[64];  /* the batched subscriber's events, written at its end */
    size_t n_gathered;
    int begins, ends;
    uint64_t peeked[64];    /* what the peek hook saw before each batch applied, in order */
    size_t n_peeked;
    sub_t *sub;         /* the test's; teardown closes it when a failed test left it open */
    PGconn *twin_conn;  /* a second instance of the same subscriber, as a replica runs */
    sub_t *twin;
} fixture_t;

/* The relay runs only after intake's own commits, so events the test numbers
 * itself are never published unless the test publishes them. */
static const char *const s_env[] = {"GOV_RELAY_INTERVAL_MS=60000", NULL};

static int s_setup(void **state)
{
    fixture_t *f = calloc(1, sizeof *f);
    *state = f;
    if (harness_db_new("it_sub", f->url) || harness_intake_start(&f->svc, f->url, s_env))
        return -1;
    f->conn = harness_db_connect(f->url);
    f->twin_conn = harness_db_connect(f->url);
    f->check = harness_db_connect(f->url);
    f->zctx = zmq_ctx_new();
    uv_loop_init(&f->loop);
    if (rpccli_new(f->zctx, f->svc.endpoint, &f->cli))
        return -1;
    *state = f;
    return 0;
}

static int s_teardown(void **state)
{
    fixture_t *f = *state;
    if (!f || !f->zctx)
        return -1; /* setup failed before there was anything to tear down */
    rpccli_destroy(&f->cli);
    sub_destroy(&f->sub);
    sub_destroy(&f->twin);
    uv_run(&f->loop, UV_RUN_NOWAIT);
    uv_loop_close(&f->loop);
    zmq_ctx_term(f->zctx);
    PQfinish(f->conn);
    PQfinish(f->twin_conn);
    PQfinish(f->check);
    harness_stop(&f->svc, SIGTERM);
    free(f);
    return 0;
}

static int s_clean(void **state)
{
    fixture_t *f = *state;
    sub_destroy(&f->sub);  /* a failed test's, so it cannot hold the context open */
    sub_destroy(&f->twin);
    uv_run(&f->loop, UV_RUN_NOWAIT);
    harness_exec(f->check, "SET client_min_messages = warning");
    harness_exec(f->check, "DROP TABLE IF EXISTS effects");
    harness_exec(f->check, "CREATE TABLE effects (seq bigint NOT NULL, type text NOT NULL)");
    harness_reset(f->check);
    f->fail_seq = 0;
    f->failures = 0;
    f->n_gathered = 0;
    f->begins = f->ends = 0;
    return 0;
}

/* The subscriber's effect: a row per event, in its transaction. */
static int s_apply(PGconn *conn, const Gov__Envelope *event, void *arg)
{
    fixture_t *f = arg;
    if (event->seq == f->fail_seq && f->failures == 0) {
        f->failures++;
        return -1;
    }
    char seq[24];
    snprintf(seq, sizeof seq, "%llu", (unsigned long long) event->seq);
    const char *params[] = {seq, event->type};
    PGresult *res = PQexecParams(conn, "INSERT INTO effects VALUES ($1::bigint, $2)", 2, NULL,
                                 params, NULL, NULL, 0);
    int rc = PQresultStatus(res) == PGRES_COMMAND_OK ? 0 : -1;
    PQclear(res);
    return rc;
}

/* A batched subscriber: apply only gathers, the batch's end writes. */
static int s_gather(PGconn *conn, const Gov__Envelope *event, void *arg)
{
    (void) conn;
    fixture_t *f = arg;
    if (event->seq == f->fail_seq && f->failures == 0) {
        f->failures++;
        return -1;
    }
    if (f->n_gathered == sizeof f->gathered / sizeof *f->gathered)
        return -1;
    f->gathered[f->n_gathered++] = event->seq;
    return 0;
}

static int s_begin(PGconn *conn, void *arg)
{
    (void) conn;
    fixture_t *f = arg;
    f->begins++;
    f->n_gathered = 0;  /* a rolled-back batch's events come again */
    return 0;
}

/* Sees each batch's events before they apply: each must come before its
 * apply gathers it. */
static int s_peek(PGconn *conn, const Gov__Envelope *const *events, size_t n, void *arg)
{
    (void) conn;
    fixture_t *f = arg;
    if (f->n_gathered != 0)
        return -1; /* an apply ran before the peek */
    for (size_t i = 0; i < n && f->n_peeked < sizeof f->peeked / sizeof *f->peeked; i++)
        f->peeked[f->n_peeked++] = events[i]->seq;
    return 0;
}

static int s_end(PGconn *conn, void *arg)
{
    fixture_t *f = arg;
    f->ends++;
    for (size_t i = 0; i < f->n_gathered; i++) {
        char seq[24];
        snprintf(seq, sizeof seq, "%llu", (unsigned long long) f->gathered[i]);
        const char *params[] = {seq};
        PGresult *res = PQexecParams(conn, "INSERT INTO effects VALUES ($1::bigint, 'gathered')", 1,
                                     NULL, params, NULL, NULL, 0);
        int ok = PQresultStatus(res) == PGRES_COMMAND_OK;
        PQclear(res);
        if (!ok)
            return -1;
    }
    f->n_gathered = 0;
    return 0;
}

static void s_submit(fixture_t *f, double lat)
{
    Gov__SubmitCase req = GOV__SUBMIT_CASE__INIT;
    Gov__Location loc = GOV__LOCATION__INIT;
    Gov__Point pt = GOV__POINT__INIT;
    req.channel = "app";
    req.category = "complaint.noise";
    req.description = "广场舞音响太响";
    pt.lat = lat;
    pt.lon = 116.3125;
    loc.point = &pt;
    req.location = &loc;
    Gov__Envelope env = GOV__ENVELOPE__INIT, *reply = NULL;
    env.type = "SubmitCase";
    assert_int_equal(rpccli_call(f->cli, &env, &req.base, 5000, &reply), 0);
    assert_null(reply->error);
    envelope_free(&reply);
}

/* Runs the loop until the subscriber reaches `seq` or 10 s pass. */
static void s_pump_until(fixture_t *f, sub_t *sub, uint64_t seq)
{
    int64_t deadline = harness_now_ms() + 10000;
    while (sub_position(sub) < seq && harness_now_ms() < deadline) {
        uv_run(&f->loop, UV_RUN_NOWAIT);
        struct timespec ts = {0, 2 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    assert_int_equal(sub_position(sub), seq);
}

static void s_expect_effects(fixture_t *f, int n)
{
    assert_int_equal(harness_int(f->check, "SELECT count(*) FROM effects", 0, NULL), n);
    assert_int_equal(harness_int(f->check, "SELECT count(DISTINCT seq) FROM effects", 0, NULL), n);
    assert_int_equal(harness_int(f->check, "SELECT coalesce(max(seq), 0) FROM effects", 0, NULL), n);
    assert_int_equal(harness_int(f->check,
                                 "SELECT last_seq FROM subscriber_positions WHERE subscriber = 'test'",
                                 0, NULL),
                     n);
}

static void test_catches_up_after_restart(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(sub_new(&f->loop, f->zctx, f->conn, "test", "intake", f->svc.events, 200,
                             s_apply, f, &f->sub), 0);
    for (int i = 0; i < 3; i++)
        s_submit(f, 39.9025 + 0.01 * i);
    s_pump_until(f, f->sub, 3);
    sub_destroy(&f->sub);
    uv_run(&f->loop, UV_RUN_NOWAIT);
    /* Away: three more events are published to nobody. */
    for (int i = 3; i < 6; i++)
        s_submit(f, 39.9025 + 0.005 * i);
    /* Intake answers before its relay numbers the events: wait until all
     * three are numbered (and so published, to nobody). */
    int64_t deadline = harness_now_ms() + 10000;
    while (harness_int(f->check, "SELECT coalesce(max(seq), 0) FROM outbox WHERE stream = 'intake'",
                       0, NULL) < 6 &&
           harness_now_ms() < deadline) {
        struct timespec ts = {0, 5 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    assert_int_equal(sub_new(&f->loop, f->zctx, f->conn, "test", "intake", f->svc.events, 200,
                             s_apply, f, &f->sub), 0);
    /* Caught up from the table before sub_new returned. */
    assert_int_equal(sub_position(f->sub), 6);
    s_pump_until(f, f->sub, 6);
    s_expect_effects(f, 6);
    sub_destroy(&f->sub);
}

static void test_catches_up_on_a_gap(void **state)
{
    fixture_t *f = *state;
    /* Silence catch-up effectively off: only the gap can explain success. */
    assert_int_equal(sub_new(&f->loop, f->zctx, f->conn, "test", "intake", f->svc.events, 600000,
                             s_apply, f, &f->sub), 0);
    s_submit(f, 39.9025);
    s_pump_until(f, f->sub, 1);
    /* Two events that are numbered but never published (as if PUB dropped
     * them), then one that is published: seq 4 arrives after 1. */
    Gov__GetCase p = GOV__GET_CASE__INIT;
    assert_int_equal(outbox_add(f->check, "intake", "Dropped", NULL, NULL, &p.base), 0);
    assert_int_equal(outbox_add(f->check, "intake", "Dropped", NULL, NULL, &p.base), 0);
    assert_int_equal(outbox_number(f->check, "intake", 100, NULL, NULL), 2);
    s_submit(f, 39.9125);
    s_pump_until(f, f->sub, 4);
    s_expect_effects(f, 4);
    assert_int_equal(harness_int(f->check, "SELECT count(*) FROM effects WHERE type = 'Dropped'", 0, NULL), 2);
    sub_destroy(&f->sub);
}

static void test_catches_up_after_silence(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(sub_new(&f->loop, f->zctx, f->conn, "test", "intake", f->svc.events, 100,
                             s_apply, f, &f->sub), 0);
    /* Events that are never published at all; only the table has them. */
    Gov__GetCase p = GOV__GET_CASE__INIT;
    for (int i = 0; i < 3; i++)
        assert_int_equal(outbox_add(f->check, "intake", "Quiet", NULL, NULL, &p.base), 0);
    assert_int_equal(outbox_number(f->check, "intake", 100, NULL, NULL), 3);
    s_pump_until(f, f->sub, 3);
    s_expect_effects(f, 3);
    sub_destroy(&f->sub);
}

static void test_failed_apply_is_retried_not_skipped(void **state)
{
    fixture_t *f = *state;
    f->fail_seq = 2;
    assert_int_equal(sub_new(&f->loop, f->zctx, f->conn, "test", "intake", f->svc.events, 100,
                             s_apply, f, &f->sub), 0);
    for (int i = 0; i < 3; i++)
        s_submit(f, 39.9025 + 0.01 * i);
    s_pump_until(f, f->sub, 3);
    assert_int_equal(f->failures, 1);
    s_expect_effects(f, 3);
    sub_destroy(&f->sub);
}

static void test_duplicates_are_ignored(void **state)
{
    fixture_t *f = *state;
    /* Our own publisher, so we can send the same event twice. */
    char endpoint[64];
    snprintf(endpoint, sizeof endpoint, "tcp://127.0.0.1:%d", harness_free_port());
    void *pub = zmq_socket(f->zctx, ZMQ_PUB);
    int linger = 0;
    zmq_setsockopt(pub, ZMQ_LINGER, &linger, sizeof linger);
    assert_int_equal(zmq_bind(pub, endpoint), 0);
    Gov__GetCase p = GOV__GET_CASE__INIT;
    assert_int_equal(outbox_add(f->check, "own", "Twice", NULL, NULL, &p.base), 0);
    assert_int_equal(sub_new(&f->loop, f->zctx, f->conn, "test", "own", endpoint, 600000, s_apply,
                             f, &f->sub), 0);
    assert_int_equal(sub_position(f->sub), 0); /* nothing numbered yet */
    assert_int_equal(outbox_number(f->check, "own", 100, NULL, NULL), 1);
    Gov__Envelope env = GOV__ENVELOPE__INIT;
    env.type = "Twice";
    env.stream = "own";
    env.seq = 1;
    size_t len;
    uint8_t *bytes = envelope_pack(&env, NULL, &len);
    /* Publish until heard (a SUB joins a moment after connect), then again. */
    int64_t deadline = harness_now_ms() + 5000;
    while (sub_position(f->sub) < 1 && harness_now_ms() < deadline) {
        zmq_send(pub, "Twice", 5, ZMQ_SNDMORE);
        zmq_send(pub, bytes, len, 0);
        for (int i = 0; i < 10; i++) {
            uv_run(&f->loop, UV_RUN_NOWAIT);
            struct timespec ts = {0, 2 * 1000 * 1000};
            nanosleep(&ts, NULL);
        }
    }
    for (int i = 0; i < 3; i++) {
        zmq_send(pub, "Twice", 5, ZMQ_SNDMORE);
        zmq_send(pub, bytes, len, 0);
    }
    for (int i = 0; i < 50; i++) {
        uv_run(&f->loop, UV_RUN_NOWAIT);
        struct timespec ts = {0, 2 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    free(bytes);
    assert_int_equal(harness_int(f->check, "SELECT count(*) FROM effects", 0, NULL), 1);
    sub_destroy(&f->sub);
    zmq_close(pub);
}

static void test_batch_hooks_bracket_each_batch(void **state)
{
    fixture_t *f = *state;
    f->fail_seq = 2;
    assert_int_equal(sub_new_batched(&f->loop, f->zctx, f->conn, "test", "intake", f->svc.events,
                                     100, s_gather, s_begin, s_end, s_peek, f, &f->sub), 0);
    for (int i = 0; i < 3; i++)
        s_submit(f, 39.9025 + 0.01 * i);
    s_pump_until(f, f->sub, 3);
    /* Seq 2 failed once: its batch rolled back, and what that batch had
     * gathered was forgotten at the next begin, so nothing is written twice. */
    assert_int_equal(f->failures, 1);
    s_expect_effects(f, 3);
    assert_int_equal(harness_int(f->check, "SELECT count(*) FROM effects WHERE type = 'gathered'", 0, NULL), 3);
    assert_true(f->ends >= 1);
    assert_true(f->begins > f->ends);  /* the failed batch began and never ended */
    /* The peek saw every event before it applied, seq 2 again after its
     * batch rolled back. */
    int seen[4] = {0};
    for (size_t i = 0; i < f->n_peeked; i++)
        if (f->peeked[i] >= 1 && f->peeked[i] <= 3)
            seen[f->peeked[i]]++;
    assert_true(seen[1] >= 1 && seen[2] >= 2 && seen[3] >= 1);
    sub_destroy(&f->sub);
}

static void test_two_instances_apply_each_event_once(void **state)
{
    fixture_t *f = *state;
    /* Two instances of one subscriber, each with its own connection, as two
     * replicas of a service run: both hear every event. */
    assert_int_equal(sub_new(&f->loop, f->zctx, f->conn, "test", "intake", f->svc.events, 100,
                             s_apply, f, &f->sub), 0);
    assert_int_equal(sub_new(&f->loop, f->zctx, f->twin_conn, "test", "intake", f->svc.events,
                             100, s_apply, f, &f->twin), 0);
    for (int i = 0; i < 4; i++)
        s_submit(f, 39.9025 + 0.005 * i);
    s_pump_until(f, f->sub, 4);
    s_pump_until(f, f->twin, 4);
    /* Between them, each event was applied once. */
    s_expect_effects(f, 4);
    /* And each instance goes on from where the other left the stored
     * position: one more event, one more effect. */
    s_submit(f, 39.9225);
    s_pump_until(f, f->sub, 5);
    s_pump_until(f, f->twin, 5);
    s_expect_effects(f, 5);
    sub_destroy(&f->twin);
    sub_destroy(&f->sub);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_catches_up_after_restart, s_clean),
        cmocka_unit_test_setup(test_catches_up_on_a_gap, s_clean),
        cmocka_unit_test_setup(test_catches_up_after_silence, s_clean),
        cmocka_unit_test_setup(test_failed_apply_is_retried_not_skipped, s_clean),
        cmocka_unit_test_setup(test_duplicates_are_ignored, s_clean),
        cmocka_unit_test_setup(test_batch_hooks_bracket_each_batch, s_clean),
        cmocka_unit_test_setup(test_two_instances_apply_each_event_once, s_clean),
    };
    return cmocka_run_group_tests_name("subscriber", tests, s_setup, s_teardown);
}
