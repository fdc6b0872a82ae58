/* The intake service end to end: the real gov-intake binary, a real
 * PostgreSQL with the demo city, real ZeroMQ sockets. */
#define _GNU_SOURCE /* memmem */
#include <errno.h>
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

#include "envelope.h"
#include "harness.h"
#include "intake.pb-c.h"
#include "rpccli.h"

typedef struct {
    harness_svc_t svc;
    PGconn *conn;
    void *zctx;
    rpccli_t *cli;
} fixture_t;

/* Grid centres of the demo city (deploy/demo/city.geojson). */
#define S1C1G1_LAT 39.9025
#define S1C1G1_LON 116.3025
#define S3C3G4_LAT 39.9275
#define S3C3G4_LON 116.3275

static int s_setup(void **state)
{
    fixture_t *f = calloc(1, sizeof *f);
    *state = f;
    char url[256];
    if (harness_db_new("it_intake", url) || harness_intake_start(&f->svc, url, NULL))
        return -1;
    f->conn = harness_db_connect(url);
    f->zctx = zmq_ctx_new();
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
    zmq_ctx_term(f->zctx);
    PQfinish(f->conn);
    int status = harness_stop(&f->svc, SIGTERM);
    free(f);
    return status == 0 ? 0 : -1; /* a clean shutdown is part of the contract */
}

/* Each test starts from an empty case history. */
static int s_clean(void **state)
{
    fixture_t *f = *state;
    harness_reset(f->conn);
    return 0;
}

typedef struct {
    const char *channel, *category, *text, *phone, *address, *key, *urgency;
    double lat, lon;
    int no_point;
} s_case_t;

static Gov__Envelope *s_call(fixture_t *f, const char *type, const ProtobufCMessage *payload)
{
    Gov__Envelope req = GOV__ENVELOPE__INIT, *reply = NULL;
    req.type = (char *) type;
    assert_int_equal(rpccli_call(f->cli, &req, payload, 5000, &reply), 0);
    return reply;
}

static Gov__Envelope *s_submit(fixture_t *f, const s_case_t *c)
{
    Gov__SubmitCase req = GOV__SUBMIT_CASE__INIT;
    Gov__Location loc = GOV__LOCATION__INIT;
    Gov__Point pt = GOV__POINT__INIT;
    Gov__Reporter rep = GOV__REPORTER__INIT;
    req.channel = (char *) (c->channel ? c->channel : "hotline");
    req.category = (char *) (c->category ? c->category : "complaint.noise");
    req.description = (char *) (c->text ? c->text : "工地夜间施工噪音");
    req.urgency = (char *) (c->urgency ? c->urgency : "");
    req.idempotency_key = (char *) (c->key ? c->key : "");
    rep.phone = (char *) (c->phone ? c->phone : "");
    req.reporter = &rep;
    pt.lat = c->lat;
    pt.lon = c->lon;
    loc.point = c->no_point ? NULL : &pt;
    loc.address = (char *) (c->address ? c->address : "");
    req.location = &loc;
    return s_call(f, "SubmitCase", &req.base);
}

static Gov__SubmitCaseReply *s_ok(Gov__Envelope *env)
{
    assert_non_null(env);
    if (env->error)
        fail_msg("unexpected error %s: %s", env->error->code, env->error->message);
    assert_string_equal(env->type, "SubmitCaseReply");
    Gov__SubmitCaseReply *r =
        (Gov__SubmitCaseReply *) envelope_payload(env, &gov__submit_case_reply__descriptor);
    assert_non_null(r);
    envelope_free(&env);
    return r;
}

static void s_expect_error(Gov__Envelope *env, const char *code)
{
    assert_non_null(env);
    assert_string_equal(env->type, "Error");
    assert_non_null(env->error);
    assert_string_equal(env->error->code, code);
    assert_true(strlen(env->error->message) > 0);
    envelope_free(&env);
}

static int64_t s_rows(fixture_t *f, const char *table)
{
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", table);
    return harness_int(f->conn, sql, 0, NULL);
}

static void s_expect_nothing_written(fixture_t *f)
{
    assert_int_equal(s_rows(f, "cases"), 0);
    assert_int_equal(s_rows(f, "case_callers"), 0);
    assert_int_equal(s_rows(f, "intake_requests"), 0);
    assert_int_equal(s_rows(f, "outbox"), 0);
}

static void test_submit_places_case_on_its_grid(void **state)
{
    fixture_t *f = *state;
    Gov__SubmitCaseReply *r = s_ok(s_submit(f, &(s_case_t){.lat = S1C1G1_LAT, .lon = S1C1G1_LON}));
    assert_true(r->case_id > 0);
    assert_string_equal(r->status, "open");
    assert_false(r->merged);
    assert_int_equal(r->n_area_path, 4);
    assert_string_equal(r->area_path[0]->code, "demo");
    assert_string_equal(r->area_path[1]->code, "demo.s1");
    assert_string_equal(r->area_path[2]->code, "demo.s1.c1");
    assert_string_equal(r->area_path[3]->code, "demo.s1.c1.g1");
    assert_string_equal(r->area_path[3]->level, "grid");
    gov__submit_case_reply__free_unpacked(r, NULL);

    r = s_ok(s_submit(f, &(s_case_t){.lat = S3C3G4_LAT, .lon = S3C3G4_LON}));
    assert_string_equal(r->area_path[3]->code, "demo.s3.c3.g4");
    gov__submit_case_reply__free_unpacked(r, NULL);
    /* Stored where the reply says, with one caller each and one event each. */
    assert_int_equal(harness_int(f->conn,
                                 "SELECT count(*) FROM cases c JOIN areas a ON a.id = c.area_id"
                                 " WHERE a.code IN ('demo.s1.c1.g1', 'demo.s3.c3.g4')",
                                 0, NULL),
                     2);
    assert_int_equal(s_rows(f, "case_callers"), 2);
    assert_int_equal(harness_int(f->conn, "SELECT count(*) FROM outbox WHERE type = 'CaseCreated'", 0, NULL), 2);
}

static void test_address_only_case_is_accepted_unplaced(void **state)
{
    fixture_t *f = *state;
    Gov__SubmitCaseReply *r =
        s_ok(s_submit(f, &(s_case_t){.no_point = 1, .address = "青山街道翠湖路12号"}));
    assert_int_equal(r->n_area_path, 0);
    assert_false(r->merged);
    gov__submit_case_reply__free_unpacked(r, NULL);
    assert_int_equal(harness_int(f->conn, "SELECT count(*) FROM cases WHERE area_id IS NULL", 0, NULL), 1);
}

static void test_nearby_open_case_of_same_category_is_merged(void **state)
{
    fixture_t *f = *state;
    Gov__SubmitCaseReply *first = s_ok(s_submit(f, &(s_case_t){.lat = 39.9025, .lon = 116.3025}));
    /* ~55 m north: same case, one more caller. */
    Gov__SubmitCaseReply *second = s_ok(s_submit(
        f, &(s_case_t){.lat = 39.9030, .lon = 116.3025, .channel = "app", .phone = "13912345678"}));
    assert_true(second->merged);
    assert_int_equal(second->case_id, first->case_id);
    assert_int_equal(second->caller_count, 2);
    /* Another category at the same spot: its own case. */
    Gov__SubmitCaseReply *other =
        s_ok(s_submit(f, &(s_case_t){.lat = 39.9030, .lon = 116.3025, .category = "complaint.sanitation"}));
    assert_false(other->merged);
    assert_int_not_equal(other->case_id, first->case_id);
    /* ~165 m away: beyond the default 100 m, a new case. */
    Gov__SubmitCaseReply *far = s_ok(s_submit(f, &(s_case_t){.lat = 39.9040, .lon = 116.3025}));
    assert_false(far->merged);
    assert_int_equal(s_rows(f, "cases"), 3);
    assert_int_equal(s_rows(f, "case_callers"), 4);
    assert_int_equal(harness_int(f->conn, "SELECT count(*) FROM outbox WHERE type = 'CaseMerged'", 0, NULL), 1);
    assert_int_equal(harness_int(f->conn, "SELECT caller_count FROM cases ORDER BY id LIMIT 1", 0, NULL), 2);
    gov__submit_case_reply__free_unpacked(first, NULL);
    gov__submit_case_reply__free_unpacked(second, NULL);
    gov__submit_case_reply__free_unpacked(other, NULL);
    gov__submit_case_reply__free_unpacked(far, NULL);
}

static void test_old_or_closed_cases_are_not_merged(void **state)
{
    fixture_t *f = *state;
    Gov__SubmitCaseReply *a = s_ok(s_submit(f, &(s_case_t){.lat = 39.9025, .lon = 116.3025}));
    /* 73 hours ago: outside the 72 h window. */
    harness_exec(f->conn, "UPDATE cases SET created_at = now() - interval '73 hours'");
    Gov__SubmitCaseReply *b = s_ok(s_submit(f, &(s_case_t){.lat = 39.9025, .lon = 116.3025}));
    assert_false(b->merged);
    /* Resolved: a new report starts a new case. */
    harness_exec(f->conn, "UPDATE cases SET status = 'resolved'");
    Gov__SubmitCaseReply *c = s_ok(s_submit(f, &(s_case_t){.lat = 39.9025, .lon = 116.3025}));
    assert_false(c->merged);
    assert_int_equal(s_rows(f, "cases"), 3);
    gov__submit_case_reply__free_unpacked(a, NULL);
    gov__submit_case_reply__free_unpacked(b, NULL);
    gov__submit_case_reply__free_unpacked(c, NULL);
}

static void test_replay_returns_the_original_answer(void **state)
{
    fixture_t *f = *state;
    s_case_t c = {.lat = 39.9025, .lon = 116.3025, .key = "hotline-20261123-0001"};
    Gov__SubmitCaseReply *first = s_ok(s_submit(f, &c));
    Gov__SubmitCaseReply *again = s_ok(s_submit(f, &c));
    assert_false(first->replayed);
    assert_true(again->replayed);
    assert_int_equal(again->case_id, first->case_id);
    assert_int_equal(again->merged, first->merged);
    assert_int_equal(again->n_area_path, 4);
    assert_int_equal(s_rows(f, "cases"), 1);
    assert_int_equal(s_rows(f, "case_callers"), 1);
    assert_int_equal(s_rows(f, "outbox"), 1); /* no second event */
    /* The same key with other content is refused, and changes nothing. */
    c.text = "另一件事";
    s_expect_error(s_submit(f, &c), "IDEMPOTENCY_CONFLICT");
    assert_int_equal(s_rows(f, "cases"), 1);
    assert_int_equal(s_rows(f, "case_callers"), 1);
    assert_int_equal(s_rows(f, "outbox"), 1);
    gov__submit_case_reply__free_unpacked(first, NULL);
    gov__submit_case_reply__free_unpacked(again, NULL);
}

static void test_retry_with_same_message_id_is_idempotent(void **state)
{
    fixture_t *f = *state;
    Gov__SubmitCase req = GOV__SUBMIT_CASE__INIT;
    Gov__Location loc = GOV__LOCATION__INIT;
    Gov__Point pt = GOV__POINT__INIT;
    req.channel = "wechat";
    req.category = "report.water";
    req.description = "路面积水";
    pt.lat = 39.9125;
    pt.lon = 116.3125;
    loc.point = &pt;
    req.location = &loc;
    Gov__Envelope env = GOV__ENVELOPE__INIT, *r1 = NULL, *r2 = NULL;
    env.type = "SubmitCase";
    env.message_id = "retry-me-0001";
    assert_int_equal(rpccli_call(f->cli, &env, &req.base, 5000, &r1), 0);
    assert_int_equal(rpccli_call(f->cli, &env, &req.base, 5000, &r2), 0);
    Gov__SubmitCaseReply *a = s_ok(r1), *b = s_ok(r2);
    assert_int_equal(a->case_id, b->case_id);
    assert_true(b->replayed);
    assert_int_equal(s_rows(f, "cases"), 1);
    gov__submit_case_reply__free_unpacked(a, NULL);
    gov__submit_case_reply__free_unpacked(b, NULL);
}

static void test_bad_input_is_refused_and_changes_nothing(void **state)
{
    fixture_t *f = *state;
    s_expect_error(s_submit(f, &(s_case_t){.lat = 39.9025, .lon = 116.3025, .category = "complaint.unicorns"}),
                   "UNKNOWN_CATEGORY");
    s_expect_error(s_submit(f, &(s_case_t){.lat = 31.2304, .lon = 121.4737}), "OUTSIDE_AREA");
    s_expect_error(s_submit(f, &(s_case_t){.no_point = 1}), "MISSING_LOCATION");
    s_expect_error(s_submit(f, &(s_case_t){.lat = 39.9025, .lon = 116.3025, .phone = "12345"}),
                   "INVALID_PHONE");
    s_expect_error(s_submit(f, &(s_case_t){.lat = 39.9025, .lon = 116.3025, .channel = "pigeon"}),
                   "INVALID_CHANNEL");
    s_expect_error(s_submit(f, &(s_case_t){.lat = 39.9025, .lon = 116.3025, .urgency = "whenever"}),
                   "INVALID_URGENCY");
    char *longtext = malloc(4001 * 3 + 1);
    for (int i = 0; i < 4001; i++)
        memcpy(longtext + 3 * i, "噪", 3);
    longtext[4001 * 3] = '\0';
    s_expect_error(s_submit(f, &(s_case_t){.lat = 39.9025, .lon = 116.3025, .text = longtext}),
                   "TEXT_TOO_LONG");
    longtext[4000 * 3] = '\0'; /* exactly 4000 characters is allowed */
    Gov__SubmitCaseReply *ok = s_ok(s_submit(f, &(s_case_t){.lat = 39.9125, .lon = 116.3125, .text = longtext}));
    gov__submit_case_reply__free_unpacked(ok, NULL);
    free(longtext);
    harness_reset(f->conn);
    /* A wrong payload inside a good envelope. */
    Gov__Envelope req = GOV__ENVELOPE__INIT, *reply = NULL;
    req.type = "SubmitCase";
    size_t len;
    uint8_t garbage[] = {0xff, 0xff, 0xff, 0xff, 0x0f};
    req.payload.data = garbage;
    req.payload.len = sizeof garbage;
    uint8_t *bytes = envelope_pack(&req, NULL, &len);
    assert_int_equal(rpccli_send_raw(f->cli, (const void *[]){bytes}, (size_t[]){len}, 1), 0);
    free(bytes);
    assert_int_equal(rpccli_recv(f->cli, 5000, &reply), 0);
    s_expect_error(reply, "BAD_PAYLOAD");
    /* A NUL inside the reporter's phone: protobuf-c alone would store
     * "13800001234"; it is refused, naming the field. */
    Gov__Point point = GOV__POINT__INIT;
    point.lat = 39.9025;
    point.lon = 116.3025;
    Gov__Location where = GOV__LOCATION__INIT;
    where.point = &point;
    Gov__Reporter who = GOV__REPORTER__INIT;
    who.phone = "13800001234XXXXXXXXX";
    Gov__SubmitCase m = GOV__SUBMIT_CASE__INIT;
    m.channel = "app";
    m.category = "complaint.noise";
    m.description = "噪音";
    m.location = &where;
    m.reporter = &who;
    size_t plen = gov__submit_case__get_packed_size(&m);
    uint8_t *payload = malloc(plen);
    gov__submit_case__pack(&m, payload);
    uint8_t *at = memmem(payload, plen, "XXXXXXXXX", 9);
    memcpy(at, "\0; rm -rf", 9);
    req.payload.data = payload;
    req.payload.len = plen;
    bytes = envelope_pack(&req, NULL, &len);
    assert_int_equal(rpccli_send_raw(f->cli, (const void *[]){bytes}, (size_t[]){len}, 1), 0);
    free(bytes);
    free(payload);
    assert_int_equal(rpccli_recv(f->cli, 5000, &reply), 0);
    assert_non_null(reply->error);
    assert_string_equal(reply->error->detail, "reporter.phone is not UTF-8 or holds a NUL");
    s_expect_error(reply, "INVALID_TEXT");
    /* Bytes that are not UTF-8 in the envelope's own strings: refused, and not
     * echoed back (the reply has no correlation id). */
    Gov__GetCase get = GOV__GET_CASE__INIT;
    get.case_id = 1;
    Gov__Envelope bad = GOV__ENVELOPE__INIT;
    bad.type = "GetCase";
    bad.message_id = "id-\xff\xfe";
    bytes = envelope_pack(&bad, &get.base, &len);
    assert_int_equal(rpccli_send_raw(f->cli, (const void *[]){bytes}, (size_t[]){len}, 1), 0);
    free(bytes);
    assert_int_equal(rpccli_recv(f->cli, 5000, &reply), 0);
    assert_non_null(reply->error);
    assert_string_equal(reply->correlation_id, "");
    assert_string_equal(reply->error->detail, "the envelope's message_id is not UTF-8 or holds a NUL");
    s_expect_error(reply, "INVALID_TEXT");
    /* A 12 KB message id, or idempotency key: refused as too long before any
     * index is asked to hold it (PostgreSQL's would fail, and that is no
     * reason to retry). */
    char *huge = malloc(12 * 1024 + 1);
    memset(huge, 'k', 12 * 1024);
    huge[12 * 1024] = '\0';
    bad.message_id = huge;
    bytes = envelope_pack(&bad, &get.base, &len);
    assert_int_equal(rpccli_send_raw(f->cli, (const void *[]){bytes}, (size_t[]){len}, 1), 0);
    free(bytes);
    assert_int_equal(rpccli_recv(f->cli, 5000, &reply), 0);
    assert_string_equal(reply->correlation_id, "");
    s_expect_error(reply, "TEXT_TOO_LONG");
    who.phone = "13800001234";
    m.idempotency_key = huge;
    s_expect_error(s_call(f, "SubmitCase", &m.base), "TEXT_TOO_LONG");
    free(huge);
    s_expect_nothing_written(f);
}

static void test_bad_frames_and_unknown_types_are_answered(void **state)
{
    fixture_t *f = *state;
    Gov__Envelope *reply = NULL;
    const char garbage[] = "this is not protobuf \xff\xfe";
    assert_int_equal(rpccli_send_raw(f->cli, (const void *[]){garbage}, (size_t[]){sizeof garbage}, 1), 0);
    assert_int_equal(rpccli_recv(f->cli, 5000, &reply), 0);
    s_expect_error(reply, "BAD_FRAME");
    /* Two frames where one is expected. */
    assert_int_equal(rpccli_send_raw(f->cli, (const void *[]){"a", "b"}, (size_t[]){1, 1}, 2), 0);
    assert_int_equal(rpccli_recv(f->cli, 5000, &reply), 0);
    s_expect_error(reply, "BAD_FRAME");
    /* A well-formed envelope of a type intake does not know. */
    Gov__GetCase get = GOV__GET_CASE__INIT;
    s_expect_error(s_call(f, "LaunchRocket", &get.base), "UNKNOWN_TYPE");
    /* A frame above GOV_MAX_MSG_SIZE (1 MiB) is dropped by ZeroMQ with the
     * connection; the service lives on and answers the next client. */
    size_t big = (1 << 20) + 100;
    char *huge = calloc(1, big);
    assert_int_equal(rpccli_send_raw(f->cli, (const void *[]){huge}, (size_t[]){big}, 1), 0);
    free(huge);
    assert_int_equal(rpccli_recv(f->cli, 500, &reply), -ETIMEDOUT);
    s_expect_error(s_call(f, "LaunchRocket", &get.base), "UNKNOWN_TYPE");
    s_expect_nothing_written(f);
}

static void test_get_and_list_cases(void **state)
{
    fixture_t *f = *state;
    Gov__SubmitCaseReply *a = s_ok(s_submit(f, &(s_case_t){.lat = S1C1G1_LAT, .lon = S1C1G1_LON, .phone = "13800001234"}));
    Gov__SubmitCaseReply *b = s_ok(s_submit(f, &(s_case_t){.lat = S1C1G1_LAT, .lon = S1C1G1_LON, .channel = "app"}));
    Gov__SubmitCaseReply *c = s_ok(s_submit(f, &(s_case_t){.lat = S3C3G4_LAT, .lon = S3C3G4_LON, .category = "report.water"}));
    assert_true(b->merged);

    Gov__GetCase get = GOV__GET_CASE__INIT;
    get.case_id = a->case_id;
    Gov__Envelope *env = s_call(f, "GetCase", &get.base);
    assert_string_equal(env->type, "GetCaseReply");
    Gov__GetCaseReply *got = (Gov__GetCaseReply *) envelope_payload(env, &gov__get_case_reply__descriptor);
    envelope_free(&env);
    assert_int_equal(got->item->id, a->case_id);
    assert_string_equal(got->item->category, "complaint.noise");
    assert_int_equal(got->item->caller_count, 2);
    assert_int_equal(got->item->n_callers, 2);
    assert_string_equal(got->item->callers[1]->channel, "app");
    assert_string_equal(got->item->reporter->phone, "13800001234");
    assert_true(got->item->location->point->lat > 39.90 && got->item->location->point->lat < 39.91);
    gov__get_case_reply__free_unpacked(got, NULL);

    get.case_id = 999999;
    s_expect_error(s_call(f, "GetCase", &get.base), "NOT_FOUND");

    Gov__ListCases list = GOV__LIST_CASES__INIT;
    list.area = "demo.s3";
    env = s_call(f, "ListCases", &list.base);
    Gov__ListCasesReply *lr = (Gov__ListCasesReply *) envelope_payload(env, &gov__list_cases_reply__descriptor);
    envelope_free(&env);
    assert_int_equal(lr->n_items, 1);
    assert_int_equal(lr->items[0]->id, c->case_id);
    gov__list_cases_reply__free_unpacked(lr, NULL);

    list.area = "";
    list.category = "complaint.noise";
    list.status = "open";
    list.limit = 1;
    env = s_call(f, "ListCases", &list.base);
    lr = (Gov__ListCasesReply *) envelope_payload(env, &gov__list_cases_reply__descriptor);
    envelope_free(&env);
    assert_int_equal(lr->n_items, 1);
    assert_int_equal(lr->items[0]->id, a->case_id);
    gov__list_cases_reply__free_unpacked(lr, NULL);

    list.category = "";
    list.status = "";
    list.limit = 1;
    env = s_call(f, "ListCases", &list.base);
    lr = (Gov__ListCasesReply *) envelope_payload(env, &gov__list_cases_reply__descriptor);
    envelope_free(&env);
    assert_int_equal(lr->items[0]->id, c->case_id); /* newest first */
    assert_int_equal(lr->next_before_id, c->case_id);
    list.before_id = lr->next_before_id;
    gov__list_cases_reply__free_unpacked(lr, NULL);
    env = s_call(f, "ListCases", &list.base);
    lr = (Gov__ListCasesReply *) envelope_payload(env, &gov__list_cases_reply__descriptor);
    envelope_free(&env);
    assert_int_equal(lr->items[0]->id, a->case_id);
    gov__list_cases_reply__free_unpacked(lr, NULL);

    list.before_id = 0;
    list.limit = 0;
    list.area = "nowhere";
    s_expect_error(s_call(f, "ListCases", &list.base), "UNKNOWN_AREA");
    list.area = "";
    list.status = "lost";
    s_expect_error(s_call(f, "ListCases", &list.base), "INVALID_STATUS");
    list.status = "";
    list.limit = 501;
    s_expect_error(s_call(f, "ListCases", &list.base), "INVALID_LIMIT");
    gov__submit_case_reply__free_unpacked(a, NULL);
    gov__submit_case_reply__free_unpacked(b, NULL);
    gov__submit_case_reply__free_unpacked(c, NULL);
}

static void test_events_are_published_in_order(void **state)
{
    fixture_t *f = *state;
    void *sub = zmq_socket(f->zctx, ZMQ_SUB);
    int linger = 0, timeout = 5000;
    zmq_setsockopt(sub, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt(sub, ZMQ_RCVTIMEO, &timeout, sizeof timeout);
    zmq_setsockopt(sub, ZMQ_SUBSCRIBE, "", 0);
    assert_int_equal(zmq_connect(sub, f->svc.events), 0);
    /* A SUB connection takes a moment; wait on the metric of a probe case's
     * event instead of sleeping: retry until the subscriber hears one. */
    Gov__SubmitCaseReply *probe = s_ok(s_submit(f, &(s_case_t){.lat = 39.9225, .lon = 116.3025}));
    gov__submit_case_reply__free_unpacked(probe, NULL);
    int64_t deadline = harness_now_ms() + 5000;
    char buf[65536];
    uint64_t last = 0;
    while (harness_now_ms() < deadline && last == 0) {
        zmq_pollitem_t item = {sub, 0, ZMQ_POLLIN, 0};
        if (zmq_poll(&item, 1, 100) == 1) {
            zmq_recv(sub, buf, sizeof buf, 0);
            int n = zmq_recv(sub, buf, sizeof buf, 0);
            Gov__Envelope *env = envelope_unpack((uint8_t *) buf, (size_t) n);
            last = env->seq;
            envelope_free(&env);
        } else {
            probe = s_ok(s_submit(f, &(s_case_t){.lat = 39.9225, .lon = 116.3025}));
            gov__submit_case_reply__free_unpacked(probe, NULL);
        }
    }
    assert_true(last > 0);
    /* Drain what the probes caused, then watch two events in order. */
    zmq_pollitem_t item = {sub, 0, ZMQ_POLLIN, 0};
    int64_t published = harness_int(f->conn, "SELECT max(seq) FROM outbox", 0, NULL);
    while (last < (uint64_t) published && zmq_poll(&item, 1, 2000) == 1) {
        zmq_recv(sub, buf, sizeof buf, 0);
        int n = zmq_recv(sub, buf, sizeof buf, 0);
        Gov__Envelope *env = envelope_unpack((uint8_t *) buf, (size_t) n);
        last = env->seq;
        envelope_free(&env);
    }
    Gov__SubmitCaseReply *a = s_ok(s_submit(f, &(s_case_t){.lat = S1C1G1_LAT, .lon = S1C1G1_LON}));
    Gov__SubmitCaseReply *b = s_ok(s_submit(f, &(s_case_t){.lat = S1C1G1_LAT, .lon = S1C1G1_LON}));
    const char *want[] = {"CaseCreated", "CaseMerged"};
    for (int i = 0; i < 2; i++) {
        int n = zmq_recv(sub, buf, sizeof buf, 0);
        assert_true(n > 0);
        buf[n] = '\0';
        assert_string_equal(buf, want[i]); /* the topic frame */
        n = zmq_recv(sub, buf, sizeof buf, 0);
        Gov__Envelope *env = envelope_unpack((uint8_t *) buf, (size_t) n);
        assert_non_null(env);
        assert_string_equal(env->type, want[i]);
        assert_string_equal(env->stream, "intake");
        assert_int_equal(env->seq, last + 1);
        last = env->seq;
        if (i == 0) {
            Gov__CaseCreated *ev = (Gov__CaseCreated *) envelope_payload(env, &gov__case_created__descriptor);
            assert_int_equal(ev->item->id, a->case_id);
            assert_string_equal(ev->item->area_path[3]->code, "demo.s1.c1.g1");
            gov__case_created__free_unpacked(ev, NULL);
        } else {
            Gov__CaseMerged *ev = (Gov__CaseMerged *) envelope_payload(env, &gov__case_merged__descriptor);
            assert_int_equal(ev->case_id, a->case_id);
            assert_int_equal(ev->caller_count, 2);
            assert_null(ev->caller->reporter); /* personal data stays in intake (docs/privacy.md) */
            gov__case_merged__free_unpacked(ev, NULL);
        }
        envelope_free(&env);
    }
    zmq_close(sub);
    gov__submit_case_reply__free_unpacked(a, NULL);
    gov__submit_case_reply__free_unpacked(b, NULL);
}

static int64_t s_batches(fixture_t *f)
{
    char body[16384];
    assert_int_equal(harness_http_get(f->svc.http_port, "/metrics", body, sizeof body), 200);
    const char *at = strstr(body, "gov_batches_total{service=\"intake\"} ");
    assert_non_null(at);
    return strtoll(strchr(at, '}') + 2, NULL, 10);
}

/* Requests sent back to back are served in one batch (one transaction);
 * the answers must be what one-by-one service would give: a report near a
 * case made earlier in the same batch joins it, a repeated key replays, a
 * bad request is refused alone. */
static void test_a_burst_is_answered_as_if_one_by_one(void **state)
{
    fixture_t *f = *state;
    s_case_t burst[] = {
        {.lat = 39.9125, .lon = 116.3125, .key = "burst-a"},
        {.lat = 39.9127, .lon = 116.3125, .key = "burst-b"},                 /* ~22 m: joins a */
        {.lat = 39.9125, .lon = 116.3125, .key = "burst-a"},                 /* replay of a */
        {.lat = 39.9125, .lon = 116.3125, .key = "burst-c", .category = "complaint.unicorns"},
        {.lat = 39.9125, .lon = 116.3125, .key = "burst-a", .text = "不同的内容"}, /* conflict */
        {.lat = 39.9126, .lon = 116.3126, .key = "burst-d"},                 /* joins a too */
        {.lat = 39.9225, .lon = 116.3125, .key = "burst-e"},                 /* far: its own */
    };
    enum { N = sizeof burst / sizeof *burst };
    char ids[N][8];
    int64_t batches_before = s_batches(f);
    for (int i = 0; i < N; i++) {
        Gov__SubmitCase req = GOV__SUBMIT_CASE__INIT;
        Gov__Location loc = GOV__LOCATION__INIT;
        Gov__Point pt = GOV__POINT__INIT;
        req.channel = "hotline";
        req.category = (char *) (burst[i].category ? burst[i].category : "complaint.noise");
        req.description = (char *) (burst[i].text ? burst[i].text : "工地夜间施工噪音");
        req.idempotency_key = (char *) burst[i].key;
        pt.lat = burst[i].lat;
        pt.lon = burst[i].lon;
        loc.point = &pt;
        req.location = &loc;
        Gov__Envelope env = GOV__ENVELOPE__INIT;
        env.type = "SubmitCase";
        snprintf(ids[i], sizeof ids[i], "b%d", i);
        env.message_id = ids[i];
        size_t len;
        uint8_t *bytes = envelope_pack(&env, &req.base, &len);
        assert_int_equal(rpccli_send_raw(f->cli, (const void *[]){bytes}, (size_t[]){len}, 1), 0);
        free(bytes);
    }
    Gov__Envelope *replies[N] = {0};
    for (int k = 0; k < N; k++) {
        Gov__Envelope *r = NULL;
        assert_int_equal(rpccli_recv(f->cli, 5000, &r), 0);
        int i = atoi(r->correlation_id + 1);
        assert_null(replies[i]);
        replies[i] = r;
    }
    /* Usually one batch; never one per request (then this test would not
     * exercise the in-batch paths at all). */
    assert_true(s_batches(f) - batches_before < N);
    Gov__SubmitCaseReply *a = s_ok(replies[0]), *b = s_ok(replies[1]), *c = s_ok(replies[2]);
    Gov__SubmitCaseReply *d = s_ok(replies[5]), *e = s_ok(replies[6]);
    s_expect_error(replies[3], "UNKNOWN_CATEGORY");
    s_expect_error(replies[4], "IDEMPOTENCY_CONFLICT");
    assert_false(a->merged);
    assert_true(b->merged);
    assert_int_equal(b->case_id, a->case_id);
    assert_int_equal(b->caller_count, 2);
    assert_true(c->replayed);
    assert_int_equal(c->case_id, a->case_id);
    assert_int_equal(c->caller_count, 1); /* the answer a got, again */
    assert_true(d->merged);
    assert_int_equal(d->case_id, a->case_id);
    assert_int_equal(d->caller_count, 3);
    assert_false(e->merged);
    assert_string_equal(b->area_path[3]->code, a->area_path[3]->code);
    /* Stored as answered: two cases, four callers, four keys, four events. */
    assert_int_equal(s_rows(f, "cases"), 2);
    assert_int_equal(s_rows(f, "case_callers"), 4);
    assert_int_equal(s_rows(f, "intake_requests"), 4);
    assert_int_equal(s_rows(f, "outbox"), 4);
    char id[24];
    snprintf(id, sizeof id, "%lld", (long long) a->case_id);
    const char *p[] = {id};
    assert_int_equal(harness_int(f->conn, "SELECT caller_count FROM cases WHERE id = $1::bigint", 1, p), 3);
    gov__submit_case_reply__free_unpacked(a, NULL);
    gov__submit_case_reply__free_unpacked(b, NULL);
    gov__submit_case_reply__free_unpacked(c, NULL);
    gov__submit_case_reply__free_unpacked(d, NULL);
    gov__submit_case_reply__free_unpacked(e, NULL);
}

/* Categories for bursts that keep both lanes busy at once. */
static const char *s_burst_categories[] = {"complaint.sanitation", "complaint.noise",
                                           "complaint.water",      "complaint.traffic",
                                           "report.water",         "help.dispute"};

/* kill -9 in the middle of a stream of submissions in `ncategories`
 * categories: every answered case is stored, and resending everything with
 * the same keys makes each case exactly once, with one event each, numbered
 * without gaps. */
static void s_kill_mid_burst(fixture_t *f, int ncategories)
{
    enum { N = 300 };
    void *dealer = zmq_socket(f->zctx, ZMQ_DEALER);
    int linger = 0;
    zmq_setsockopt(dealer, ZMQ_LINGER, &linger, sizeof linger);
    assert_int_equal(zmq_connect(dealer, f->svc.endpoint), 0);
    uint8_t *frames[N];
    size_t lens[N];
    for (int i = 0; i < N; i++) {
        char key[32], id[16];
        snprintf(key, sizeof key, "kill-%d", i);
        snprintf(id, sizeof id, "k%d", i);
        Gov__SubmitCase req = GOV__SUBMIT_CASE__INIT;
        Gov__Location loc = GOV__LOCATION__INIT;
        Gov__Point pt = GOV__POINT__INIT;
        req.channel = "app";
        req.category = (char *) s_burst_categories[i % ncategories];
        req.description = "垃圾满溢";
        req.idempotency_key = key;
        pt.lat = 39.9005 + (i % 20) * 0.0014; /* ~155 m apart: many cases */
        pt.lon = 116.3005 + (i / 20) * 0.0018;
        loc.point = &pt;
        req.location = &loc;
        Gov__Envelope env = GOV__ENVELOPE__INIT;
        env.type = "SubmitCase";
        env.message_id = id;
        frames[i] = envelope_pack(&env, &req.base, &lens[i]);
        zmq_send(dealer, frames[i], lens[i], 0);
    }
    /* Take the answers that come in the first moments, then kill. */
    int64_t answered[N] = {0};
    int nanswered = 0;
    int64_t deadline = harness_now_ms() + 5000;
    while (nanswered < N / 3 && harness_now_ms() < deadline) {
        zmq_pollitem_t item = {dealer, 0, ZMQ_POLLIN, 0};
        if (zmq_poll(&item, 1, 100) != 1)
            continue;
        uint8_t buf[4096];
        int n = zmq_recv(dealer, buf, sizeof buf, 0);
        Gov__Envelope *env = envelope_unpack(buf, (size_t) n);
        int i = atoi(env->correlation_id + 1);
        Gov__SubmitCaseReply *r = s_ok(env);
        answered[i] = r->case_id;
        nanswered++;
        gov__submit_case_reply__free_unpacked(r, NULL);
    }
    assert_int_equal(harness_stop(&f->svc, SIGKILL), 128 + SIGKILL);
    zmq_close(dealer);
    assert_true(nanswered > 0);

    /* Every answer given is in the database. */
    for (int i = 0; i < N; i++) {
        if (!answered[i])
            continue;
        char key[32], id[24];
        snprintf(key, sizeof key, "kill-%d", i);
        snprintf(id, sizeof id, "%lld", (long long) answered[i]);
        const char *p[] = {key, id};
        assert_int_equal(harness_int(f->conn,
                                     "SELECT count(*) FROM intake_requests r JOIN cases c"
                                     " ON c.id = r.case_id WHERE r.key = $1 AND c.id = $2::bigint",
                                     2, p),
                         1);
    }

    /* After a restart, the client resends everything it sent. */
    assert_int_equal(harness_restart(&f->svc, NULL), 0);
    rpccli_t *cli;
    assert_int_equal(rpccli_new(f->zctx, f->svc.endpoint, &cli), 0);
    for (int i = 0; i < N; i++) {
        assert_int_equal(rpccli_send_raw(cli, (const void *[]){frames[i]}, &lens[i], 1), 0);
        Gov__Envelope *reply = NULL;
        assert_int_equal(rpccli_recv(cli, 5000, &reply), 0);
        Gov__SubmitCaseReply *r = s_ok(reply);
        if (answered[i]) {
            assert_true(r->replayed);
            assert_int_equal(r->case_id, answered[i]);
        }
        gov__submit_case_reply__free_unpacked(r, NULL);
        free(frames[i]);
    }
    rpccli_destroy(&cli);
    assert_int_equal(s_rows(f, "intake_requests"), N);
    assert_int_equal(s_rows(f, "case_callers"), N);
    assert_int_equal(s_rows(f, "outbox"), N);
    /* The relay numbers what the killed process committed but never
     * published, and everything after: N in a row, no gap, no repeat. (Not
     * necessarily from 1: the previous test's relay may number its events
     * just as this test's reset deletes them.) */
    deadline = harness_now_ms() + 5000;
    while (harness_int(f->conn, "SELECT count(*) FROM outbox WHERE seq IS NULL", 0, NULL) > 0 &&
           harness_now_ms() < deadline)
        usleep(10 * 1000);
    assert_int_equal(harness_int(f->conn, "SELECT count(DISTINCT seq) FROM outbox", 0, NULL), N);
    assert_int_equal(harness_int(f->conn, "SELECT max(seq) - min(seq) + 1 FROM outbox", 0, NULL), N);
}

static void test_nothing_accepted_is_lost_on_kill(void **state)
{
    s_kill_mid_burst(*state, 1);
}

/* The same with six categories, so both lanes commit at once: still no
 * answer before COMMIT, and the outbox still numbered without gaps. */
static void test_nothing_accepted_is_lost_on_kill_across_lanes(void **state)
{
    s_kill_mid_burst(*state, (int) (sizeof s_burst_categories / sizeof *s_burst_categories));
}

/* Two replicas (each with its lanes) take a flood of reports from one spot
 * at the same moment: exactly one case is made, every other report joins
 * it, and its caller count is the number of reports. */
static void test_two_replicas_merge_into_one_case(void **state)
{
    fixture_t *f = *state;
    enum { N = 60 };
    harness_svc_t second;
    assert_int_equal(harness_intake_start(&second, f->svc.db_url, NULL), 0);
    void *dealers[2];
    const char *endpoints[2] = {f->svc.endpoint, second.endpoint};
    int linger = 0;
    for (int k = 0; k < 2; k++) {
        dealers[k] = zmq_socket(f->zctx, ZMQ_DEALER);
        zmq_setsockopt(dealers[k], ZMQ_LINGER, &linger, sizeof linger);
        assert_int_equal(zmq_connect(dealers[k], endpoints[k]), 0);
    }
    for (int i = 0; i < N; i++) {
        char key[32], id[16];
        snprintf(key, sizeof key, "flood-%d", i);
        snprintf(id, sizeof id, "f%d", i);
        Gov__SubmitCase req = GOV__SUBMIT_CASE__INIT;
        Gov__Location loc = GOV__LOCATION__INIT;
        Gov__Point pt = GOV__POINT__INIT;
        req.channel = "hotline";
        req.category = "complaint.water";
        req.description = "水管爆裂";
        req.idempotency_key = key;
        pt.lat = 39.9075 + (i % 5) * 0.00005; /* within ~25 m of each other */
        pt.lon = 116.3075 + (i % 7) * 0.00005;
        loc.point = &pt;
        req.location = &loc;
        Gov__Envelope env = GOV__ENVELOPE__INIT;
        env.type = "SubmitCase";
        env.message_id = id;
        size_t len;
        uint8_t *frame = envelope_pack(&env, &req.base, &len);
        zmq_send(dealers[i % 2], frame, len, 0);
        free(frame);
    }
    int answered = 0, created = 0;
    int64_t case_id = 0;
    int64_t deadline = harness_now_ms() + 10000;
    while (answered < N && harness_now_ms() < deadline) {
        zmq_pollitem_t items[2] = {{dealers[0], 0, ZMQ_POLLIN, 0}, {dealers[1], 0, ZMQ_POLLIN, 0}};
        if (zmq_poll(items, 2, 100) < 1)
            continue;
        for (int k = 0; k < 2; k++) {
            if (!(items[k].revents & ZMQ_POLLIN))
                continue;
            uint8_t buf[4096];
            int n = zmq_recv(dealers[k], buf, sizeof buf, 0);
            Gov__SubmitCaseReply *r = s_ok(envelope_unpack(buf, (size_t) n));
            created += !r->merged;
            if (case_id == 0)
                case_id = r->case_id;
            assert_int_equal(r->case_id, case_id);
            answered++;
            gov__submit_case_reply__free_unpacked(r, NULL);
        }
    }
    assert_int_equal(answered, N);
    assert_int_equal(created, 1);
    assert_int_equal(s_rows(f, "cases"), 1);
    assert_int_equal(harness_int(f->conn, "SELECT caller_count FROM cases", 0, NULL), N);
    assert_int_equal(s_rows(f, "case_callers"), N);
    for (int k = 0; k < 2; k++)
        zmq_close(dealers[k]);
    assert_int_equal(harness_stop(&second, SIGTERM), 0);
}

/* Areas imported while intake runs are used by the next submission: each
 * batch checks the areas version and reads the map again when it moved. */
static void test_new_areas_are_used_without_restart(void **state)
{
    fixture_t *f = *state;
    Gov__SubmitCaseReply *before = s_ok(s_submit(f, &(s_case_t){.lat = 39.9175, .lon = 116.3175}));
    assert_int_equal(before->n_area_path, 4);
    assert_string_not_equal(before->area_path[3]->code, "pop-up");
    char parent[32];
    snprintf(parent, sizeof parent, "%s", before->area_path[2]->code);
    const char *p[] = {parent};
    assert_int_equal(harness_int(f->conn,
                                 "WITH a AS (INSERT INTO areas (code, name, level, parent_id, geom)"
                                 " SELECT 'pop-up', '临时网格', 'grid', id, ST_Multi(ST_MakeEnvelope("
                                 " 116.3173, 39.9173, 116.3177, 39.9177, 4326)) FROM areas WHERE code = $1"
                                 " RETURNING 1) SELECT count(*) FROM a",
                                 1, p),
                     1);
    Gov__SubmitCaseReply *after = s_ok(s_submit(
        f, &(s_case_t){.lat = 39.9175, .lon = 116.3175, .category = "complaint.water"}));
    assert_int_equal(after->n_area_path, 4);
    assert_string_equal(after->area_path[3]->code, "pop-up");
    assert_string_equal(after->area_path[2]->code, parent);
    gov__submit_case_reply__free_unpacked(before, NULL);
    gov__submit_case_reply__free_unpacked(after, NULL);
    harness_reset(f->conn);
    harness_exec(f->conn, "DELETE FROM areas WHERE code = 'pop-up'");
}

static void test_health_and_metrics(void **state)
{
    fixture_t *f = *state;
    char body[16384];
    assert_int_equal(harness_http_get(f->svc.http_port, "/healthz", body, sizeof body), 200);
    assert_non_null(strstr(body, "\"ok\""));
    /* Alive, but not ready: no routing runs here, so its subscription to
     * routing's events has no link (tests/cli/test_readyz.sh has the rest). */
    assert_int_equal(harness_http_get(f->svc.http_port, "/readyz", body, sizeof body), 503);
    assert_non_null(strstr(body, "\"subscription routing\":\"not connected\""));
    assert_int_equal(harness_http_get(f->svc.http_port, "/metrics", body, sizeof body), 200);
    assert_non_null(strstr(body, "gov_subscription_connected{service=\"intake\",stream=\"routing\"} 0"));
    assert_non_null(strstr(body, "# TYPE gov_request_duration_seconds histogram"));
    assert_non_null(strstr(body, "# TYPE gov_requests_total counter"));
    assert_non_null(strstr(body, "gov_requests_total{service=\"intake\"} "));
    assert_int_equal(harness_http_get(f->svc.http_port, "/nope", body, sizeof body), 404);
}

static void test_refuses_unknown_schema(void **state)
{
    (void) state;
    char url[256];
    assert_int_equal(harness_db_new("it_intake_schema", url), 0);
    PGconn *conn = harness_db_connect(url);
    harness_exec(conn, "INSERT INTO schema_migrations (version, name) VALUES (9999, '9999_future.sql')");
    PQfinish(conn);
    harness_svc_t svc;
    assert_int_equal(harness_intake_start(&svc, url, NULL), -1); /* exits instead of serving */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_submit_places_case_on_its_grid, s_clean),
        cmocka_unit_test_setup(test_address_only_case_is_accepted_unplaced, s_clean),
        cmocka_unit_test_setup(test_nearby_open_case_of_same_category_is_merged, s_clean),
        cmocka_unit_test_setup(test_old_or_closed_cases_are_not_merged, s_clean),
        cmocka_unit_test_setup(test_replay_returns_the_original_answer, s_clean),
        cmocka_unit_test_setup(test_retry_with_same_message_id_is_idempotent, s_clean),
        cmocka_unit_test_setup(test_bad_input_is_refused_and_changes_nothing, s_clean),
        cmocka_unit_test_setup(test_bad_frames_and_unknown_types_are_answered, s_clean),
        cmocka_unit_test_setup(test_get_and_list_cases, s_clean),
        cmocka_unit_test_setup(test_events_are_published_in_order, s_clean),
        cmocka_unit_test_setup(test_a_burst_is_answered_as_if_one_by_one, s_clean),
        cmocka_unit_test_setup(test_nothing_accepted_is_lost_on_kill, s_clean),
        cmocka_unit_test_setup(test_nothing_accepted_is_lost_on_kill_across_lanes, s_clean),
        cmocka_unit_test_setup(test_new_areas_are_used_without_restart, s_clean),
        cmocka_unit_test_setup(test_two_replicas_merge_into_one_case, s_clean),
        cmocka_unit_test(test_health_and_metrics),
        cmocka_unit_test(test_refuses_unknown_schema),
    };
    return cmocka_run_group_tests_name("intake", tests, s_setup, s_teardown);
}
