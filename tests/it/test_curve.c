/* Who may talk to a service: the real gov-intake with a key folder made by
 * `govctl keys generate`, real CURVE handshakes through its ZAP handler.
 * A known key is served (requests and events); no key, an unknown key and a
 * key removed from the folder get nothing, and /metrics counts each refusal;
 * a known key not in the actors file may not act for a person; only
 * routing's and notify's keys read reporters' contacts (GetContacts). */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>

#include <cmocka.h>

#include "curve.h"
#include "envelope.h"
#include "harness.h"
#include "intake.pb-c.h"
#include "rpccli.h"

typedef struct {
    harness_svc_t svc;
    char root[64], dir[80];     /* a temporary folder; the deployment's keys in it */
    char stranger[64];          /* a folder of keys the service never saw */
    void *zctx;
    rpccli_t *cli;
} fixture_t;

static int s_setup(void **state)
{
    fixture_t *f = calloc(1, sizeof *f);
    *state = f;
    snprintf(f->root, sizeof f->root, "/tmp/gov-curve-XXXXXX");
    snprintf(f->stranger, sizeof f->stranger, "/tmp/gov-stranger-XXXXXX");
    if (!mkdtemp(f->root) || !mkdtemp(f->stranger))
        return -1;
    snprintf(f->dir, sizeof f->dir, "%s/keys", f->root);
    const char *gen[] = {"keys", "generate", f->dir, "robot", NULL};
    char out[256];
    if (harness_run("govctl", gen, NULL, out, sizeof out, 10000) != 0)
        return -1;
    /* The stranger has the right server key but a pair of its own. */
    const char *names[] = {"govctl"};
    char server[256];
    if (curve_generate(f->stranger, names, 1) != 2)
        return -1;
    snprintf(server, sizeof server, "cp %s/server.pub %s/server.pub", f->dir, f->stranger);
    if (system(server) != 0)
        return -1;
    char url[256], env_keys[128];
    snprintf(env_keys, sizeof env_keys, "GOV_KEYS_DIR=%s", f->dir);
    const char *env[] = {env_keys, NULL};
    if (harness_db_new("it_curve", url) || harness_intake_start(&f->svc, url, env))
        return -1;
    return 0;
}

static int s_teardown(void **state)
{
    fixture_t *f = *state;
    if (!f || !f->svc.pid)
        return -1;
    int status = harness_stop(&f->svc, SIGTERM);
    char rm[200];
    snprintf(rm, sizeof rm, "rm -rf %.60s %.60s", f->root, f->stranger);
    if (system(rm) != 0)
        status = -1;
    curve_reset();
    free(f);
    return status == 0 ? 0 : -1;
}

/* A client as `name` with the keys in `dir` (NULL: no CURVE at all). */
static void s_connect(fixture_t *f, const char *dir, const char *name)
{
    curve_reset();
    if (dir)
        assert_int_equal(curve_init(dir, name, 0), 0);
    f->zctx = zmq_ctx_new();
    assert_int_equal(rpccli_new(f->zctx, f->svc.endpoint, &f->cli), 0);
}

static void s_disconnect(fixture_t *f)
{
    rpccli_destroy(&f->cli);
    zmq_ctx_term(f->zctx);
    f->zctx = NULL;
    curve_reset();
}

/* Asks for case 1 (which need not exist: any answer shows the way is open),
 * as `actor` ("" for none). Returns 0 with the reply, or -ETIMEDOUT. */
static int s_ask(fixture_t *f, const char *actor, int timeout_ms, Gov__Envelope **reply)
{
    Gov__GetCase get = GOV__GET_CASE__INIT;
    get.case_id = 1;
    Gov__Actor who = GOV__ACTOR__INIT;
    who.id = (char *) actor;
    Gov__Envelope req = GOV__ENVELOPE__INIT;
    req.type = "GetCase";
    req.actor = actor[0] ? &who : NULL;
    return rpccli_call(f->cli, &req, &get.base, timeout_ms, reply);
}

/* The value of metric `name` on the service's /metrics once it reaches
 * `at_least` (metrics refresh once a second), or the last value seen. */
static long long s_metric(fixture_t *f, const char *name, long long at_least)
{
    long long value = -1;
    for (int i = 0; i < 40 && value < at_least; i++) {
        char body[16384];
        if (harness_http_get(f->svc.http_port, "/metrics", body, sizeof body) == 200) {
            char key[96];
            snprintf(key, sizeof key, "\ngov_%s{", name);
            const char *at = strstr(body, key);
            at = at ? strstr(at, "} ") : NULL;
            value = at ? atoll(at + 2) : -1;
        }
        if (value < at_least)
            usleep(100000);
    }
    return value;
}

static void test_a_known_key_is_served_and_may_act(void **state)
{
    fixture_t *f = *state;
    s_connect(f, f->dir, "govctl");
    Gov__Envelope *reply = NULL;
    assert_int_equal(s_ask(f, "p.operator", 5000, &reply), 0);
    assert_non_null(reply);
    /* An answer from the service itself: no case 1 in a fresh database. */
    assert_string_equal(reply->type, "Error");
    assert_string_equal(reply->error->code, "NOT_FOUND");
    envelope_free(&reply);
    s_disconnect(f);
    assert_true(s_metric(f, "zap_admitted_total", 1) >= 1);
}

static void test_no_key_and_an_unknown_key_get_nothing_and_are_counted(void **state)
{
    fixture_t *f = *state;
    long long failed = s_metric(f, "handshakes_failed_total", 0);
    long long refused = s_metric(f, "zap_refused_total", 0);
    Gov__Envelope *reply = NULL;

    s_connect(f, NULL, NULL); /* plain: the NULL mechanism against a CURVE server */
    assert_int_equal(s_ask(f, "", 1000, &reply), -ETIMEDOUT);
    s_disconnect(f);
    assert_true(s_metric(f, "handshakes_failed_total", failed + 1) >= failed + 1);

    s_connect(f, f->stranger, "govctl"); /* the right server key, a key the folder lacks */
    assert_int_equal(s_ask(f, "p.operator", 1000, &reply), -ETIMEDOUT);
    s_disconnect(f);
    assert_true(s_metric(f, "zap_refused_total", refused + 1) >= refused + 1);
    assert_null(reply);
}

static void test_a_key_not_in_actors_may_not_act_for_a_person(void **state)
{
    fixture_t *f = *state;
    s_connect(f, f->dir, "robot");
    Gov__Envelope *reply = NULL;
    assert_int_equal(s_ask(f, "p.dept.chengguan.head", 5000, &reply), 0);
    assert_string_equal(reply->type, "Error");
    assert_string_equal(reply->error->code, "ACTOR_NOT_ALLOWED");
    assert_non_null(strstr(reply->error->detail, "robot"));
    envelope_free(&reply);
    /* Asking as nobody in particular is the service's to judge. */
    assert_int_equal(s_ask(f, "", 5000, &reply), 0);
    assert_string_equal(reply->error ? reply->error->code : "", "NOT_FOUND");
    envelope_free(&reply);
    s_disconnect(f);
    assert_true(s_metric(f, "actor_not_allowed_total", 1) >= 1);
}

static void test_a_removed_key_is_refused_at_its_next_handshake(void **state)
{
    fixture_t *f = *state;
    char pub[160], keep[160];
    snprintf(pub, sizeof pub, "%s/robot.pub", f->dir);
    snprintf(keep, sizeof keep, "%s/robot.pub.kept", f->dir);
    s_connect(f, f->dir, "robot"); /* its keys read, then taken out of the folder */
    assert_int_equal(rename(pub, keep), 0);
    Gov__Envelope *reply = NULL;
    assert_int_equal(s_ask(f, "", 1000, &reply), -ETIMEDOUT);
    s_disconnect(f);
    assert_int_equal(rename(keep, pub), 0);
}

/* GetContacts for `ids[0..n)` as `actor` ("" for none). */
static int s_contacts(fixture_t *f, const char *actor, int64_t *ids, size_t n, Gov__Envelope **reply)
{
    Gov__GetContacts m = GOV__GET_CONTACTS__INIT;
    m.case_ids = ids;
    m.n_case_ids = n;
    Gov__Actor who = GOV__ACTOR__INIT;
    who.id = (char *) actor;
    Gov__Envelope req = GOV__ENVELOPE__INIT;
    req.type = "GetContacts";
    req.actor = actor[0] ? &who : NULL;
    return rpccli_call(f->cli, &req, &m.base, 5000, reply);
}

static void s_expect_code(Gov__Envelope *reply, const char *code)
{
    assert_non_null(reply);
    assert_string_equal(reply->error ? reply->error->code : reply->type, code);
}

static void test_only_routing_and_notify_read_contacts(void **state)
{
    fixture_t *f = *state;
    Gov__Envelope *reply = NULL;
    /* A case with a reporter, filed as govctl files it. */
    s_connect(f, f->dir, "govctl");
    Gov__Point pt = GOV__POINT__INIT;
    pt.lat = 39.9075; /* apart from the other tests' cases: none merges with it */
    pt.lon = 116.3025;
    Gov__Location loc = GOV__LOCATION__INIT;
    loc.point = &pt;
    Gov__Reporter rep = GOV__REPORTER__INIT;
    rep.name = "张三";
    rep.phone = "13800000077";
    Gov__SubmitCase sub = GOV__SUBMIT_CASE__INIT;
    sub.channel = "hotline";
    sub.category = "report.construction";
    sub.description = "施工";
    sub.location = &loc;
    sub.reporter = &rep;
    Gov__Envelope req = GOV__ENVELOPE__INIT;
    req.type = "SubmitCase";
    assert_int_equal(rpccli_call(f->cli, &req, &sub.base, 5000, &reply), 0);
    s_expect_code(reply, "SubmitCaseReply");
    Gov__SubmitCaseReply *made =
        (Gov__SubmitCaseReply *) envelope_payload(reply, &gov__submit_case_reply__descriptor);
    int64_t ids[501] = {made->case_id, made->case_id + 1000};
    gov__submit_case_reply__free_unpacked(made, NULL);
    envelope_free(&reply);
    /* govctl's key, which may act for people, may not read contacts, as
     * nobody or as a person. */
    assert_int_equal(s_contacts(f, "", ids, 1, &reply), 0);
    s_expect_code(reply, "KEY_NOT_ALLOWED");
    envelope_free(&reply);
    assert_int_equal(s_contacts(f, "p.operator", ids, 1, &reply), 0);
    s_expect_code(reply, "KEY_NOT_ALLOWED");
    envelope_free(&reply);
    s_disconnect(f);
    /* Nor the gateway's. */
    s_connect(f, f->dir, "gateway");
    assert_int_equal(s_contacts(f, "", ids, 1, &reply), 0);
    s_expect_code(reply, "KEY_NOT_ALLOWED");
    envelope_free(&reply);
    s_disconnect(f);
    /* Routing's and notify's may: the case's reporter, the unknown one left out. */
    const char *readers[] = {"routing", "notify"};
    for (int k = 0; k < 2; k++) {
        s_connect(f, f->dir, readers[k]);
        assert_int_equal(s_contacts(f, "", ids, 2, &reply), 0);
        s_expect_code(reply, "GetContactsReply");
        Gov__GetContactsReply *r = (Gov__GetContactsReply *) envelope_payload(
            reply, &gov__get_contacts_reply__descriptor);
        assert_non_null(r);
        assert_int_equal(r->n_items, 1);
        assert_int_equal(r->items[0]->case_id, ids[0]);
        assert_string_equal(r->items[0]->reporter->phone, "13800000077");
        assert_string_equal(r->items[0]->reporter->name, "张三");
        gov__get_contacts_reply__free_unpacked(r, NULL);
        envelope_free(&reply);
        s_disconnect(f);
    }
    /* Asking for none, or for more than 500 at once, is refused. */
    s_connect(f, f->dir, "notify");
    assert_int_equal(s_contacts(f, "", ids, 0, &reply), 0);
    s_expect_code(reply, "BAD_ARGUMENT");
    envelope_free(&reply);
    assert_int_equal(s_contacts(f, "", ids, 501, &reply), 0);
    s_expect_code(reply, "BAD_ARGUMENT");
    envelope_free(&reply);
    s_disconnect(f);
}

static void test_events_reach_a_known_subscriber_only(void **state)
{
    fixture_t *f = *state;
    void *subs[2], *ctxs[2];
    for (int i = 0; i < 2; i++) {
        curve_reset();
        if (i == 0)
            assert_int_equal(curve_init(f->dir, "routing", 0), 0);
        ctxs[i] = zmq_ctx_new();
        subs[i] = zmq_socket(ctxs[i], ZMQ_SUB);
        int linger = 0;
        zmq_setsockopt(subs[i], ZMQ_LINGER, &linger, sizeof linger);
        zmq_setsockopt(subs[i], ZMQ_SUBSCRIBE, "", 0);
        assert_int_equal(curve_client(subs[i]), 0);
        assert_int_equal(zmq_connect(subs[i], f->svc.events), 0);
    }
    usleep(300000); /* let both handshakes run (one to fail) before the event */
    s_connect(f, f->dir, "govctl");
    Gov__SubmitCase req = GOV__SUBMIT_CASE__INIT;
    Gov__Location loc = GOV__LOCATION__INIT;
    Gov__Point pt = GOV__POINT__INIT;
    Gov__Reporter rep = GOV__REPORTER__INIT;
    req.channel = "hotline";
    req.category = "complaint.noise";
    req.description = "工地夜间施工噪音";
    req.reporter = &rep;
    pt.lat = 39.9025;
    pt.lon = 116.3025;
    loc.point = &pt;
    req.location = &loc;
    Gov__Envelope env = GOV__ENVELOPE__INIT, *reply = NULL;
    env.type = "SubmitCase";
    assert_int_equal(rpccli_call(f->cli, &env, &req.base, 5000, &reply), 0);
    assert_null(reply->error);
    envelope_free(&reply);
    s_disconnect(f);

    zmq_pollitem_t items[] = {{subs[0], 0, ZMQ_POLLIN, 0}, {subs[1], 0, ZMQ_POLLIN, 0}};
    assert_int_equal(zmq_poll(items, 1, 5000), 1); /* the known key hears CaseCreated */
    char type[64] = "";
    int n = zmq_recv(subs[0], type, sizeof type - 1, 0);
    assert_true(n > 0);
    type[n] = '\0';
    assert_string_equal(type, "CaseCreated");
    assert_int_equal(zmq_poll(&items[1], 1, 500), 0); /* the plain one hears nothing */
    for (int i = 0; i < 2; i++) {
        zmq_close(subs[i]);
        zmq_ctx_term(ctxs[i]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_known_key_is_served_and_may_act),
        cmocka_unit_test(test_no_key_and_an_unknown_key_get_nothing_and_are_counted),
        cmocka_unit_test(test_a_key_not_in_actors_may_not_act_for_a_person),
        cmocka_unit_test(test_a_removed_key_is_refused_at_its_next_handshake),
        cmocka_unit_test(test_only_routing_and_notify_read_contacts),
        cmocka_unit_test(test_events_reach_a_known_subscriber_only),
    };
    return cmocka_run_group_tests_name("curve", tests, s_setup, s_teardown);
}
