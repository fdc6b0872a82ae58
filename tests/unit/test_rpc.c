/* rpcsrv + rpccli + zuv over real ZeroMQ sockets: the server runs on a libuv
 * loop in its own thread, clients call from the test thread. */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>
#include <zmq.h>

#include <cmocka.h>

#include "harness.h"
#include "intake.pb-c.h"
#include "rpccli.h"
#include "rpcsrv.h"
#include "zuv.h"

typedef struct {
    void *zctx;
    char endpoint[64];
    uv_loop_t loop;
    uv_async_t stop;
    uv_thread_t thread;
    uv_sem_t ready;
    rpcsrv_t *srv;
    rpc_req_t *held[16];
    int nheld;
    _Atomic int max_batch, answered;
    void *dealer; /* a test's own socket, closed by teardown if a check failed first */
} server_t;

static void s_on_batch(rpcsrv_t *srv, rpc_req_t **reqs, size_t n, void *arg)
{
    server_t *s = arg;
    if ((int) n > s->max_batch)
        s->max_batch = (int) n;
    for (size_t i = 0; i < n; i++) {
        const char *type = reqs[i]->env->type;
        if (strcmp(type, "Ping") == 0) {
            Gov__GetCase echo = GOV__GET_CASE__INIT;
            echo.case_id = (int64_t) reqs[i]->env->time_ms; /* proves we read the request */
            s->answered++; /* before the reply: a client that has it sees the count */
            rpcsrv_reply(srv, reqs[i], "Pong", &echo.base);
        } else if (strcmp(type, "Hold") == 0 && s->nheld < 16) {
            s->held[s->nheld++] = reqs[i]; /* never answered */
        } else {
            rpcsrv_fail(srv, reqs[i], "UNKNOWN_TYPE", "unknown message type", type, NULL, NULL);
        }
    }
}

static void s_on_stop(uv_async_t *async)
{
    server_t *s = async->data;
    for (int i = 0; i < s->nheld; i++)
        rpcsrv_req_free(&s->held[i]);
    rpcsrv_destroy(&s->srv);
    uv_close((uv_handle_t *) async, NULL);
}

static void s_main(void *arg)
{
    server_t *s = arg;
    uv_loop_init(&s->loop);
    uv_async_init(&s->loop, &s->stop, s_on_stop);
    s->stop.data = s;
    int rc = rpcsrv_new(&s->loop, s->zctx, s->endpoint, 256, 1024, s_on_batch, s, &s->srv);
    uv_sem_post(&s->ready);
    if (rc == 0)
        uv_run(&s->loop, UV_RUN_DEFAULT);
    uv_loop_close(&s->loop);
}

static int s_setup(void **state)
{
    server_t *s = calloc(1, sizeof *s);
    s->zctx = zmq_ctx_new();
    snprintf(s->endpoint, sizeof s->endpoint, "tcp://127.0.0.1:%d", harness_free_port());
    uv_sem_init(&s->ready, 0);
    uv_thread_create(&s->thread, s_main, s);
    uv_sem_wait(&s->ready);
    *state = s;
    return s->srv ? 0 : -1;
}

static int s_teardown(void **state)
{
    server_t *s = *state;
    uv_async_send(&s->stop);
    uv_thread_join(&s->thread);
    uv_sem_destroy(&s->ready);
    if (s->dealer)
        zmq_close(s->dealer); /* or zmq_ctx_term waits for it for ever */
    zmq_ctx_term(s->zctx);
    free(s);
    return 0;
}

static int s_call(server_t *s, rpccli_t *cli, const char *type, int timeout, Gov__Envelope **reply)
{
    (void) s;
    Gov__Envelope req = GOV__ENVELOPE__INIT;
    req.type = (char *) type;
    req.trace_id = "trace-1";
    req.time_ms = 4242;
    return rpccli_call(cli, &req, NULL, timeout, reply);
}

static void test_call_gets_its_reply(void **state)
{
    server_t *s = *state;
    rpccli_t *cli;
    assert_int_equal(rpccli_new(s->zctx, s->endpoint, &cli), 0);
    Gov__Envelope req = GOV__ENVELOPE__INIT, *reply = NULL;
    req.type = "Ping";
    req.message_id = "ping-1";
    req.trace_id = "trace-1";
    req.time_ms = 4242;
    assert_int_equal(rpccli_call(cli, &req, NULL, 5000, &reply), 0);
    assert_string_equal(reply->type, "Pong");
    assert_string_equal(reply->correlation_id, "ping-1");
    assert_string_equal(reply->trace_id, "trace-1");
    Gov__GetCase *echo = (Gov__GetCase *) envelope_payload(reply, &gov__get_case__descriptor);
    assert_int_equal(echo->case_id, 4242);
    gov__get_case__free_unpacked(echo, NULL);
    envelope_free(&reply);
    assert_int_equal(s_call(s, cli, "Launch", 5000, &reply), 0);
    assert_string_equal(reply->type, "Error");
    assert_string_equal(reply->error->code, "UNKNOWN_TYPE");
    assert_string_equal(reply->error->detail, "Launch");
    envelope_free(&reply);
    rpccli_destroy(&cli);
}

static void test_bad_frames_get_bad_frame(void **state)
{
    server_t *s = *state;
    rpccli_t *cli;
    Gov__Envelope *reply = NULL;
    assert_int_equal(rpccli_new(s->zctx, s->endpoint, &cli), 0);
    assert_int_equal(rpccli_send_raw(cli, (const void *[]){"\xff\xff\xff"}, (size_t[]){3}, 1), 0);
    assert_int_equal(rpccli_recv(cli, 5000, &reply), 0);
    assert_string_equal(reply->error->code, "BAD_FRAME");
    assert_string_equal(reply->correlation_id, "");
    envelope_free(&reply);
    assert_int_equal(rpccli_send_raw(cli, (const void *[]){"a", "b", "c"}, (size_t[]){1, 1, 1}, 3), 0);
    assert_int_equal(rpccli_recv(cli, 5000, &reply), 0);
    assert_string_equal(reply->error->code, "BAD_FRAME");
    envelope_free(&reply);
    rpccli_destroy(&cli);
}

static void test_oversized_frame_is_dropped_and_server_lives(void **state)
{
    server_t *s = *state;
    rpccli_t *cli;
    Gov__Envelope *reply = NULL;
    assert_int_equal(rpccli_new(s->zctx, s->endpoint, &cli), 0);
    char big[2048] = {0}; /* the server's ZMQ_MAXMSGSIZE is 1024 */
    assert_int_equal(rpccli_send_raw(cli, (const void *[]){big}, (size_t[]){sizeof big}, 1), 0);
    assert_int_equal(rpccli_recv(cli, 300, &reply), -ETIMEDOUT);
    assert_int_equal(s_call(s, cli, "Ping", 5000, &reply), 0);
    assert_string_equal(reply->type, "Pong");
    envelope_free(&reply);
    rpccli_destroy(&cli);
}

static void test_timeout_then_no_stale_reply(void **state)
{
    server_t *s = *state;
    rpccli_t *cli;
    Gov__Envelope *reply = NULL;
    assert_int_equal(rpccli_new(s->zctx, s->endpoint, &cli), 0);
    assert_int_equal(s_call(s, cli, "Hold", 200, &reply), -ETIMEDOUT);
    assert_null(reply);
    Gov__Envelope req = GOV__ENVELOPE__INIT;
    req.type = "Ping";
    req.message_id = "after-timeout";
    assert_int_equal(rpccli_call(cli, &req, NULL, 5000, &reply), 0);
    assert_string_equal(reply->correlation_id, "after-timeout");
    envelope_free(&reply);
    rpccli_destroy(&cli);
}

/* Requests queued before the server drains arrive as one batch, and each is
 * answered exactly once. */
static void test_queued_requests_are_batched(void **state)
{
    server_t *s = *state;
    enum { N = 50 };
    void *dealer = s->dealer = zmq_socket(s->zctx, ZMQ_DEALER);
    int linger = 0, timeout = 5000;
    zmq_setsockopt(dealer, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt(dealer, ZMQ_RCVTIMEO, &timeout, sizeof timeout);
    assert_int_equal(zmq_connect(dealer, s->endpoint), 0);
    int before = s->answered;
    for (int i = 0; i < N; i++) {
        Gov__Envelope env = GOV__ENVELOPE__INIT;
        char id[16];
        snprintf(id, sizeof id, "q%d", i);
        env.type = "Ping";
        env.message_id = id;
        size_t len;
        uint8_t *bytes = envelope_pack(&env, NULL, &len);
        zmq_send(dealer, bytes, len, 0);
        free(bytes);
    }
    char seen[N] = {0};
    for (int i = 0; i < N; i++) {
        uint8_t buf[512];
        int n = zmq_recv(dealer, buf, sizeof buf, 0);
        assert_true(n > 0);
        Gov__Envelope *env = envelope_unpack(buf, (size_t) n);
        int k = atoi(env->correlation_id + 1);
        assert_int_equal(seen[k]++, 0);
        envelope_free(&env);
    }
    uint8_t extra[64];
    int more = 200;
    zmq_setsockopt(dealer, ZMQ_RCVTIMEO, &more, sizeof more);
    assert_int_equal(zmq_recv(dealer, extra, sizeof extra, 0), -1); /* nothing twice */
    assert_int_equal(s->answered - before, N);
    assert_true(s->max_batch > 1);
    zmq_close(dealer);
    s->dealer = NULL;
}

/* zuv's edge-trigger hazard: thousands of messages already queued when the
 * loop starts, drained a few per pass, must all arrive without any new
 * traffic to wake the descriptor. Longer messages keep ZUV_MAX_PARTS frames. */
typedef struct {
    int received, passes, longest;
} drain_t;

static void s_on_msg(zuv_t *z, zmq_msg_t *parts, size_t nparts, void *arg)
{
    (void) z, (void) parts;
    drain_t *d = arg;
    d->received++;
    if ((int) nparts > d->longest)
        d->longest = (int) nparts;
}

static void s_on_drained(zuv_t *z, void *arg)
{
    (void) z;
    ((drain_t *) arg)->passes++;
}

static void test_zuv_drains_what_was_queued(void **state)
{
    server_t *s = *state;
    enum { N = 10000 };
    void *push = zmq_socket(s->zctx, ZMQ_PUSH), *pull = zmq_socket(s->zctx, ZMQ_PULL);
    int hwm = 0, linger = 0;
    zmq_setsockopt(push, ZMQ_SNDHWM, &hwm, sizeof hwm);
    zmq_setsockopt(pull, ZMQ_RCVHWM, &hwm, sizeof hwm);
    zmq_setsockopt(push, ZMQ_LINGER, &linger, sizeof linger);
    assert_int_equal(zmq_bind(pull, "inproc://drain"), 0);
    assert_int_equal(zmq_connect(push, "inproc://drain"), 0);
    for (int i = 0; i < N - 1; i++)
        zmq_send(push, "x", 1, 0);
    for (int i = 0; i < 11; i++) /* one message of 12 frames */
        zmq_send(push, "f", 1, ZMQ_SNDMORE);
    zmq_send(push, "f", 1, 0);
    uv_loop_t loop;
    uv_loop_init(&loop);
    drain_t d = {0};
    zuv_t *z;
    assert_int_equal(zuv_new(&loop, pull, 7, s_on_msg, s_on_drained, &d, &z), 0);
    int64_t deadline = harness_now_ms() + 10000;
    while (d.received < N && harness_now_ms() < deadline)
        uv_run(&loop, UV_RUN_NOWAIT);
    assert_int_equal(d.received, N);
    assert_true(d.passes >= N / 7);
    assert_int_equal(d.longest, ZUV_MAX_PARTS);
    zuv_destroy(&z);
    assert_null(z);
    uv_run(&loop, UV_RUN_NOWAIT);
    assert_int_equal(uv_loop_close(&loop), 0);
    zmq_close(push);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_call_gets_its_reply),
        cmocka_unit_test(test_bad_frames_get_bad_frame),
        cmocka_unit_test(test_oversized_frame_is_dropped_and_server_lives),
        cmocka_unit_test(test_timeout_then_no_stale_reply),
        cmocka_unit_test(test_queued_requests_are_batched),
        cmocka_unit_test(test_zuv_drains_what_was_queued),
    };
    return cmocka_run_group_tests_name("rpc", tests, s_setup, s_teardown);
}
