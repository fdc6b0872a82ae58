/* The routing service end to end: real gov-intake and gov-routing binaries
 * (routing with a test clock it moves on request), a real PostgreSQL with the
 * demo city, rules, policies and calendar, real ZeroMQ sockets. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include <cmocka.h>

#include "envelope.h"
#include "harness.h"
#include "intake.pb-c.h"
#include "outbox.h"
#include "routing.pb-c.h"
#include "rpccli.h"

#define MIN 60000LL

typedef struct {
    harness_svc_t intake, routing, routing2;
    char url[256];
    PGconn *conn;
    void *zctx;
    rpccli_t *intake_cli, *cli, *cli2;
    int64_t ahead_ms;   /* how far routing's clock runs ahead of the real one */
} fixture_t;

/* Grid centres of the demo city: s1.c1.g1 is in street s1, s3.c3.g4 is not. */
#define S1_LAT 39.9025
#define S1_LON 116.3025
#define S3_LAT 39.9275
#define S3_LON 116.3275

static const char *s_routing_env[] = {"GOV_TEST_CLOCK=1", "GOV_LADDER_REFILL_MS=200", NULL};

static int s_setup(void **state)
{
    fixture_t *f = calloc(1, sizeof *f);
    *state = f;
    const char *intake_env[] = {"GOV_SUB_SILENCE_MS=200", NULL};
    if (harness_db_new("it_routing", f->url) || harness_intake_start(&f->intake, f->url, intake_env) ||
        harness_routing_start(&f->routing, f->url, &f->intake, s_routing_env))
        return -1;
    f->conn = harness_db_connect(f->url);
    f->zctx = zmq_ctx_new();
    if (rpccli_new(f->zctx, f->intake.endpoint, &f->intake_cli) ||
        rpccli_new(f->zctx, f->routing.endpoint, &f->cli))
        return -1;
    return 0;
}

static int s_teardown(void **state)
{
    fixture_t *f = *state;
    if (!f || !f->zctx)
        return -1;
    rpccli_destroy(&f->intake_cli);
    rpccli_destroy(&f->cli);
    rpccli_destroy(&f->cli2);
    zmq_ctx_term(f->zctx);
    PQfinish(f->conn);
    int a = harness_stop(&f->routing, SIGTERM), b = harness_stop(&f->intake, SIGTERM);
    free(f);
    return a == 0 && b == 0 ? 0 : -1;
}

static Gov__Envelope *s_call_on(rpccli_t *cli, const char *type, const char *who,
                                const char *unit, const ProtobufCMessage *payload)
{
    Gov__Envelope req = GOV__ENVELOPE__INIT, *reply = NULL;
    Gov__Actor actor = GOV__ACTOR__INIT;
    actor.id = (char *) (who ? who : "");
    actor.unit = (char *) (unit ? unit : "");
    actor.role = (char *) (unit ? "member" : "resident");
    req.type = (char *) type;
    req.actor = who ? &actor : NULL;
    assert_int_equal(rpccli_call(cli, &req, payload, 10000, &reply), 0);
    return reply;
}

static Gov__Envelope *s_call(fixture_t *f, const char *type, const char *who, const char *unit,
                             const ProtobufCMessage *payload)
{
    return s_call_on(f->cli, type, who, unit, payload);
}

/* The reply's payload as `desc`; fails the test on an error reply. */
static void *s_ok(Gov__Envelope *env, const ProtobufCMessageDescriptor *desc)
{
    assert_non_null(env);
    if (env->error)
        fail_msg("unexpected error %s: %s (%s)", env->error->code, env->error->message,
                 env->error->detail);
    void *m = envelope_payload(env, desc);
    assert_non_null(m);
    envelope_free(&env);
    return m;
}

static void s_expect_error(Gov__Envelope *env, const char *code)
{
    assert_non_null(env);
    if (!env->error)
        fail_msg("expected error %s, got %s", code, env->type);
    assert_string_equal(env->error->code, code);
    assert_true(strlen(env->error->message) > 0);
    envelope_free(&env);
}

static int64_t s_int(fixture_t *f, const char *sql, int64_t arg)
{
    char a[24];
    snprintf(a, sizeof a, "%lld", (long long) arg);
    const char *params[] = {a};
    return harness_int(f->conn, sql, strchr(sql, '$') ? 1 : 0, params);
}

/* Waits up to 10 s for `sql` (one integer, $1 = arg) to reach `want`. */
static int64_t s_await(fixture_t *f, const char *sql, int64_t arg, int64_t want)
{
    int64_t got = -1;
    for (int64_t end = harness_now_ms() + 10000; harness_now_ms() < end; usleep(20000))
        if ((got = s_int(f, sql, arg)) == want)
            break;
    return got;
}

/* A resident's report through intake; returns the case id. Each report is
 * placed ~200 m from the last (nine spots inside the grid), so intake does
 * not merge it into an earlier test's case. */
static int64_t s_submit(fixture_t *f, const char *category, double lat, double lon,
                        const char *phone);

static int64_t s_report(fixture_t *f, const char *category, double lat, double lon,
                        const char *phone)
{
    static int spot;
    lat += 0.0018 * (spot % 3 - 1);
    lon += 0.0018 * (spot / 3 % 3 - 1);
    spot++;
    return s_submit(f, category, lat, lon, phone);
}

/* A resident's report at exactly this point; returns the case id. */
static int64_t s_submit(fixture_t *f, const char *category, double lat, double lon,
                        const char *phone)
{
    Gov__SubmitCase req = GOV__SUBMIT_CASE__INIT;
    Gov__Location loc = GOV__LOCATION__INIT;
    Gov__Point pt = GOV__POINT__INIT;
    Gov__Reporter rep = GOV__REPORTER__INIT;
    req.channel = "hotline";
    req.category = (char *) category;
    req.description = "测试诉求";
    rep.phone = (char *) phone;
    rep.name = "居民";
    req.reporter = &rep;
    pt.lat = lat;
    pt.lon = lon;
    loc.point = &pt;
    req.location = &loc;
    Gov__SubmitCaseReply *r = s_ok(s_call_on(f->intake_cli, "SubmitCase", NULL, NULL, &req.base),
                                   &gov__submit_case_reply__descriptor);
    int64_t id = r->case_id;
    gov__submit_case_reply__free_unpacked(r, NULL);
    return id;
}

/* The newest lead dispatch of a case, once routing has made it. */
static Gov__Dispatch *s_lead(fixture_t *f, int64_t case_id, int nth)
{
    assert_int_equal(s_await(f, "SELECT count(*) FROM dispatches WHERE case_id = $1 AND role = 'lead'",
                             case_id, nth),
                     nth);
    Gov__ListDispatches req = GOV__LIST_DISPATCHES__INIT;
    req.case_id = case_id;
    req.unit = "";
    req.state = "";
    Gov__ListDispatchesReply *r = s_ok(s_call(f, "ListDispatches", NULL, NULL, &req.base),
                                       &gov__list_dispatches_reply__descriptor);
    Gov__Dispatch *lead = NULL;
    for (size_t i = 0; i < r->n_items && !lead; i++)
        if (strcmp(r->items[i]->role, "lead") == 0) {
            lead = r->items[i];
            r->items[i] = r->items[--r->n_items];
        }
    assert_non_null(lead);
    gov__list_dispatches_reply__free_unpacked(r, NULL);
    return lead;
}

/* Runs a dispatch command by `who` of `unit`; returns the reply (or NULL on the
 * expected error `code`). */
static Gov__DispatchReply *s_cmd(fixture_t *f, const char *type, int64_t id, const char *who,
                                 const char *unit, const char *code)
{
    Gov__SignDispatch sign = GOV__SIGN_DISPATCH__INIT;
    Gov__ArriveDispatch arrive = GOV__ARRIVE_DISPATCH__INIT;
    Gov__ResolveDispatch resolve = GOV__RESOLVE_DISPATCH__INIT;
    Gov__ReturnDispatch ret = GOV__RETURN_DISPATCH__INIT;
    Gov__ReleaseDispatch rel = GOV__RELEASE_DISPATCH__INIT;
    Gov__PassUpDispatch up = GOV__PASS_UP_DISPATCH__INIT;
    ProtobufCMessage *m = NULL;
    if (!strcmp(type, "SignDispatch"))
        sign.dispatch_id = id, m = &sign.base;
    else if (!strcmp(type, "ArriveDispatch"))
        arrive.dispatch_id = id, m = &arrive.base;
    else if (!strcmp(type, "ResolveDispatch"))
        resolve.dispatch_id = id, resolve.text = "已处理", m = &resolve.base;
    else if (!strcmp(type, "ReturnDispatch"))
        ret.dispatch_id = id, ret.reason = "function", ret.text = "职能不符", m = &ret.base;
    else if (!strcmp(type, "ReleaseDispatch"))
        rel.dispatch_id = id, m = &rel.base;
    else if (!strcmp(type, "PassUpDispatch"))
        up.dispatch_id = id, up.reason = "beyond", up.text = "超出网格处置能力", m = &up.base;
    assert_non_null(m);
    Gov__Envelope *env = s_call(f, type, who, unit, m);
    if (code) {
        s_expect_error(env, code);
        return NULL;
    }
    return s_ok(env, &gov__dispatch_reply__descriptor);
}

static void s_do(fixture_t *f, const char *type, int64_t id, const char *who, const char *unit)
{
    gov__dispatch_reply__free_unpacked(s_cmd(f, type, id, who, unit, NULL), NULL);
}

static void s_advance_on(rpccli_t *cli, int64_t ms)
{
    Gov__AdvanceClock req = GOV__ADVANCE_CLOCK__INIT;
    req.ms = ms;
    Gov__AdvanceClockReply *r = s_ok(s_call_on(cli, "AdvanceClock", NULL, NULL, &req.base),
                                     &gov__advance_clock_reply__descriptor);
    gov__advance_clock_reply__free_unpacked(r, NULL);
}

static void s_advance(fixture_t *f, int64_t ms)
{
    s_advance_on(f->cli, ms);
    if (f->cli2)
        s_advance_on(f->cli2, ms);
    f->ahead_ms += ms;
}

/* ---- routing by rules ------------------------------------------------- */

static void test_cases_go_to_the_owner_the_rules_name(void **state)
{
    fixture_t *f = *state;
    /* Noise: the urban management department, arrival required, 12345 deadlines. */
    Gov__Dispatch *d = s_lead(f, s_report(f, "complaint.noise", S1_LAT, S1_LON, "13900000001"), 1);
    assert_string_equal(d->unit, "dept.chengguan");
    assert_string_equal(d->state, "sent");
    assert_true(d->on_site);
    assert_int_equal(d->sign_by_ms - d->sent_ms, 120 * MIN);
    assert_int_equal(d->contact_by_ms - d->sent_ms, 1440 * MIN);
    assert_true(d->resolve_by_ms - d->sent_ms >= 7 * 1440 * MIN);
    assert_string_equal(d->reporter->phone, "13900000001");
    assert_string_equal(d->area_path[d->n_area_path - 1]->code, "demo.s1.c1.g1");
    gov__dispatch__free_unpacked(d, NULL);

    /* A neighbour dispute stays in the grid (小事不出网格). */
    d = s_lead(f, s_report(f, "help.dispute", S1_LAT, S1_LON, "13900000002"), 1);
    assert_string_equal(d->unit, "gt.s1.c1.g1");
    assert_false(d->on_site);
    gov__dispatch__free_unpacked(d, NULL);

    /* Water brings an assisting unit (协办) along. */
    int64_t water = s_report(f, "report.water", S1_LAT, S1_LON, "13900000003");
    d = s_lead(f, water, 1);
    assert_string_equal(d->unit, "dept.shuiwu");
    gov__dispatch__free_unpacked(d, NULL);
    assert_int_equal(s_int(f, "SELECT count(*) FROM dispatches d JOIN units u ON u.id = d.unit_id"
                              " WHERE d.case_id = $1 AND d.role = 'assist' AND u.code = 'dept.shengtai'",
                           water),
                     1);

    /* Nothing matches a policy suggestion: the dispatch centre (兜底). */
    d = s_lead(f, s_report(f, "suggestion.policy", S1_LAT, S1_LON, "13900000004"), 1);
    assert_string_equal(d->unit, "centre");
    gov__dispatch__free_unpacked(d, NULL);

    /* Every dispatch was announced. */
    assert_true(s_int(f, "SELECT count(*) FROM outbox WHERE stream = 'routing' AND type = 'DispatchSent'", 0) >= 5);
}

static void test_rules_change_without_a_restart(void **state)
{
    fixture_t *f = *state;
    harness_exec(f->conn, "UPDATE routing_rules SET enabled = false WHERE rank = 40");
    Gov__Dispatch *d = s_lead(f, s_report(f, "complaint.noise", S1_LAT, S1_LON, "13900000005"), 1);
    harness_exec(f->conn, "UPDATE routing_rules SET enabled = true WHERE rank = 40");
    assert_string_equal(d->unit, "dept.shengtai");
    gov__dispatch__free_unpacked(d, NULL);
}

/* Intake's CaseCreated events for cases 800001-800003, written to intake's
 * outbox as intake writes them, in one transaction, so that routing takes
 * them together; case 800002's time is past what the database holds. */
static void s_write_case_events(fixture_t *f)
{
    harness_exec(f->conn, "BEGIN");
    for (int i = 0; i < 3; i++) {
        Gov__Case c = GOV__CASE__INIT;
        Gov__AreaRef ref = GOV__AREA_REF__INIT, *path[] = {&ref};
        c.id = 800001 + i;
        c.status = "open";
        c.channel = "hotline";
        c.category = "complaint.noise";
        c.description = "写进事件流的诉求";
        c.urgency = "normal";
        ref.code = "demo.s1.c1.g1";
        c.area_path = path;
        c.n_area_path = 1;
        c.created_ms = i == 1 ? INT64_C(9000000000000000000) : harness_now_ms();
        Gov__CaseCreated ev = GOV__CASE_CREATED__INIT;
        ev.item = &c;
        assert_int_equal(outbox_add(f->conn, "intake", "CaseCreated", NULL, NULL, &ev.base), 0);
    }
    harness_exec(f->conn, "COMMIT");
}

static void test_a_case_that_cannot_be_routed_does_not_stall_the_others(void **state)
{
    fixture_t *f = *state;
    s_write_case_events(f);
    assert_int_equal(s_await(f, "SELECT count(*) FROM dispatches WHERE case_id IN (800001, 800003)"
                                " AND role = 'lead'", 0, 2),
                     2);
    /* The subscription moved past all three, the bad one included. */
    assert_int_equal(s_await(f, "SELECT ((SELECT last_seq FROM subscriber_positions"
                                " WHERE subscriber = 'routing' AND stream = 'intake')"
                                " >= (SELECT max(seq) FROM outbox WHERE stream = 'intake'))::int",
                             0, 1),
                     1);
    assert_int_equal(s_int(f, "SELECT count(*) FROM routed_cases WHERE case_id = 800002", 0), 0);
    /* And the next case flows as ever. */
    Gov__Dispatch *d = s_lead(f, s_report(f, "complaint.noise", S1_LAT, S1_LON, "13900000009"), 1);
    assert_string_equal(d->unit, "dept.chengguan");
    gov__dispatch__free_unpacked(d, NULL);
}

/* An event stored before the references (the reporter in it) still routes
 * with its reporter; a reference to a case intake does not know routes with
 * none; and what routing publishes carries neither phone. */
static void test_events_before_the_references_keep_their_reporter(void **state)
{
    fixture_t *f = *state;
    harness_exec(f->conn, "BEGIN");
    for (int i = 0; i < 2; i++) {
        Gov__Case c = GOV__CASE__INIT;
        Gov__AreaRef ref = GOV__AREA_REF__INIT, *path[] = {&ref};
        Gov__Reporter rep = GOV__REPORTER__INIT;
        c.id = 800101 + i;
        c.status = "open";
        c.channel = "hotline";
        c.category = "complaint.noise";
        c.description = "旧事件";
        c.urgency = "normal";
        ref.code = "demo.s1.c1.g1";
        c.area_path = path;
        c.n_area_path = 1;
        c.created_ms = harness_now_ms();
        if (i == 0) { /* as intake wrote CaseCreated before contact_ref */
            rep.name = "旧";
            rep.phone = "13900000101";
            c.reporter = &rep;
        } else {
            c.contact_ref = "case:800102";
        }
        Gov__CaseCreated ev = GOV__CASE_CREATED__INIT;
        ev.item = &c;
        assert_int_equal(outbox_add(f->conn, "intake", "CaseCreated", NULL, NULL, &ev.base), 0);
    }
    harness_exec(f->conn, "COMMIT");
    assert_int_equal(s_await(f, "SELECT count(*) FROM dispatches WHERE case_id IN (800101, 800102)"
                                " AND role = 'lead'", 0, 2),
                     2);
    assert_int_equal(s_int(f, "SELECT count(*) FROM routed_cases WHERE case_id = 800101"
                              " AND reporter_name = '旧' AND reporter_phone = '13900000101'", 0),
                     1);
    assert_int_equal(s_int(f, "SELECT count(*) FROM routed_cases WHERE case_id = 800102"
                              " AND reporter_phone = ''", 0),
                     1);
    assert_int_equal(s_int(f, "SELECT count(*) FROM outbox WHERE stream = 'routing'"
                              " AND position(convert_to('13900000101', 'UTF8') in payload) > 0", 0),
                     0);
    assert_int_equal(s_int(f, "SELECT count(*) FROM outbox WHERE stream = 'routing' AND type = 'DispatchSent'"
                              " AND position(convert_to('case:800101', 'UTF8') in payload) > 0", 0),
                     1);
}

static void test_a_return_goes_to_the_next_rule_then_the_centre(void **state)
{
    fixture_t *f = *state;
    int64_t c = s_report(f, "help.dispute", S1_LAT, S1_LON, "13900000006");
    const char *chain[][2] = {{"gt.s1.c1.g1", "p.gt.s1.c1.g1.grid_worker"},
                              {"cm.s1.c1", "p.cm.s1.c1.head"},
                              {"dept.sifa", "p.dept.sifa.head"}};
    for (int i = 0; i < 3; i++) {
        Gov__Dispatch *d = s_lead(f, c, i + 1);
        assert_string_equal(d->unit, chain[i][0]);
        Gov__DispatchReply *r = s_cmd(f, "ReturnDispatch", d->id, chain[i][1], chain[i][0], NULL);
        assert_string_equal(r->item->state, "returned");
        assert_string_equal(r->item->return_reason, "function");
        assert_non_null(r->next);
        assert_string_equal(r->next->unit, i < 2 ? chain[i + 1][0] : "centre");
        gov__dispatch_reply__free_unpacked(r, NULL);
        gov__dispatch__free_unpacked(d, NULL);
    }
    /* The centre cannot pass it on by returning; it decides, and may send
     * it back to a unit that returned it (首接负责: only the centre may). */
    Gov__Dispatch *d = s_lead(f, c, 4);
    assert_string_equal(d->unit, "centre");
    s_cmd(f, "ReturnDispatch", d->id, "p.centre.dispatcher", "centre", "CENTRE_CANNOT_RETURN");
    Gov__ReassignDispatch re = GOV__REASSIGN_DISPATCH__INIT;
    re.dispatch_id = d->id;
    re.unit = "gt.s1.c1.g1";
    re.text = "属地网格负责";
    Gov__DispatchReply *r = s_ok(s_call(f, "ReassignDispatch", "p.centre.dispatcher", "centre", &re.base),
                                 &gov__dispatch_reply__descriptor);
    assert_string_equal(r->item->state, "reassigned");
    assert_string_equal(r->next->unit, "gt.s1.c1.g1");
    gov__dispatch_reply__free_unpacked(r, NULL);
    gov__dispatch__free_unpacked(d, NULL);
}

/* ---- refusals ---------------------------------------------------------- */

static void test_illegal_transitions_are_refused_and_change_nothing(void **state)
{
    fixture_t *f = *state;
    Gov__Dispatch *d = s_lead(f, s_report(f, "complaint.noise", S1_LAT, S1_LON, "13900000007"), 1);
    const char *me = "p.dept.chengguan.head", *unit = "dept.chengguan";
    int64_t log = s_int(f, "SELECT count(*) FROM dispatch_log", 0);
    int64_t events = s_int(f, "SELECT count(*) FROM outbox", 0);

    s_cmd(f, "ResolveDispatch", d->id, me, unit, "ILLEGAL_TRANSITION");    /* never signed */
    s_cmd(f, "SignDispatch", d->id, "p.dept.shuiwu.head", "dept.shuiwu", "NOT_YOUR_DISPATCH");
    s_cmd(f, "SignDispatch", d->id, "p.dept.shuiwu.head", unit, "NOT_A_MEMBER");
    s_cmd(f, "SignDispatch", 999999, me, unit, "NOT_FOUND");
    Gov__SignDispatch anon = GOV__SIGN_DISPATCH__INIT;
    anon.dispatch_id = d->id;
    s_expect_error(s_call(f, "SignDispatch", NULL, NULL, &anon.base), "NO_ACTOR");
    Gov__ReturnDispatch bad = GOV__RETURN_DISPATCH__INIT;
    bad.dispatch_id = d->id;
    bad.reason = "tired";
    s_expect_error(s_call(f, "ReturnDispatch", me, unit, &bad.base), "BAD_REASON");
    bad.reason = "function territory"; /* two codes are not one */
    s_expect_error(s_call(f, "ReturnDispatch", me, unit, &bad.base), "BAD_REASON");
    Gov__ReassignDispatch re = GOV__REASSIGN_DISPATCH__INIT;
    re.dispatch_id = d->id;
    re.unit = "dept.shuiwu";
    s_expect_error(s_call(f, "ReassignDispatch", me, unit, &re.base), "NOT_CENTRE");
    re.unit = "nowhere";
    s_expect_error(s_call(f, "ReassignDispatch", "p.centre.dispatcher", "centre", &re.base),
                   "UNKNOWN_UNIT");
    s_cmd(f, "ReleaseDispatch", d->id, "p.so.s1.head", "so.s1", "NOT_SUMMONED");
    assert_int_equal(s_int(f, "SELECT count(*) FROM dispatch_log", 0), log);
    assert_int_equal(s_int(f, "SELECT count(*) FROM outbox", 0), events);

    s_do(f, "SignDispatch", d->id, me, unit);
    s_cmd(f, "SignDispatch", d->id, me, unit, "ILLEGAL_TRANSITION");      /* twice */
    s_cmd(f, "ResolveDispatch", d->id, me, unit, "ARRIVAL_REQUIRED");    /* on site first */
    s_do(f, "ArriveDispatch", d->id, me, unit);
    s_do(f, "ResolveDispatch", d->id, me, unit);
    s_cmd(f, "ResolveDispatch", d->id, me, unit, "ILLEGAL_TRANSITION");   /* twice */
    s_cmd(f, "ReturnDispatch", d->id, me, unit, "ILLEGAL_TRANSITION");    /* too late */
    assert_int_equal(s_int(f, "SELECT count(*) FROM dispatch_log WHERE dispatch_id = $1", d->id), 4);
    /* Signing, arriving and resolving stopped every step of its ladder. */
    assert_int_equal(s_int(f, "SELECT count(*) FROM deadlines WHERE dispatch_id = $1"
                              " AND cancelled_at IS NULL AND fired_at IS NULL", d->id), 0);
    gov__dispatch__free_unpacked(d, NULL);
}

/* ---- evaluation -------------------------------------------------------- */

static void s_finish(fixture_t *f, const Gov__Dispatch *d, const char *who)
{
    s_do(f, "SignDispatch", d->id, who, d->unit);
    if (d->on_site)
        s_do(f, "ArriveDispatch", d->id, who, d->unit);
    s_do(f, "ResolveDispatch", d->id, who, d->unit);
}

static Gov__Envelope *s_evaluate(fixture_t *f, int64_t case_id, const char *result,
                                 const char *who, const char *unit)
{
    Gov__EvaluateCase req = GOV__EVALUATE_CASE__INIT;
    req.case_id = case_id;
    req.result = (char *) result;
    req.text = "";
    return s_call(f, "EvaluateCase", who, unit, &req.base);
}

static void test_dissatisfied_reopens_once_then_goes_to_the_centre(void **state)
{
    fixture_t *f = *state;
    const char *phone = "13900000008";
    int64_t c = s_report(f, "complaint.noise", S1_LAT, S1_LON, phone);
    Gov__Dispatch *d = s_lead(f, c, 1);
    s_expect_error(s_evaluate(f, c, "satisfied", phone, NULL), "NOT_RESOLVED");
    const char *asked = "SELECT count(*) FROM outbox WHERE type = 'EvaluationRequested'";
    int64_t before = s_int(f, asked, 0);
    s_finish(f, d, "p.dept.chengguan.head");
    assert_int_equal(s_int(f, asked, 0), before + 1);
    /* Intake follows routing's stream: its case is resolved now. */
    const char *status = "SELECT count(*) FROM cases WHERE id = $1 AND status = '%s'";
    char sql[128];
    snprintf(sql, sizeof sql, status, "resolved");
    assert_int_equal(s_await(f, sql, c, 1), 1);
    s_expect_error(s_evaluate(f, c, "satisfied", "13911111111", NULL), "NOT_THE_REPORTER");
    s_expect_error(s_evaluate(f, c, "so-so", phone, NULL), "BAD_RESULT");

    Gov__EvaluateCaseReply *r = s_ok(s_evaluate(f, c, "dissatisfied", phone, NULL),
                                     &gov__evaluate_case_reply__descriptor);
    assert_string_equal(r->case_state, "dispatched");
    assert_string_equal(r->next->unit, "dept.chengguan");   /* back to the lead, once */
    snprintf(sql, sizeof sql, status, "dispatched");
    assert_int_equal(s_await(f, sql, c, 1), 1);
    assert_true(r->next->reopen);
    gov__evaluate_case_reply__free_unpacked(r, NULL);
    gov__dispatch__free_unpacked(d, NULL);

    d = s_lead(f, c, 2);
    assert_true(d->on_site); /* sent again, it still needs presence on site */
    s_do(f, "SignDispatch", d->id, "p.dept.chengguan.head", d->unit);
    s_cmd(f, "ResolveDispatch", d->id, "p.dept.chengguan.head", d->unit, "ARRIVAL_REQUIRED");
    s_do(f, "ArriveDispatch", d->id, "p.dept.chengguan.head", d->unit);
    s_do(f, "ResolveDispatch", d->id, "p.dept.chengguan.head", d->unit);
    r = s_ok(s_evaluate(f, c, "dissatisfied", "p.centre.dispatcher", "centre"),
             &gov__evaluate_case_reply__descriptor);
    assert_string_equal(r->next->unit, "centre");            /* then the centre */
    gov__evaluate_case_reply__free_unpacked(r, NULL);
    gov__dispatch__free_unpacked(d, NULL);

    d = s_lead(f, c, 3);
    s_finish(f, d, "p.centre.dispatcher");
    r = s_ok(s_evaluate(f, c, "basic", phone, NULL), &gov__evaluate_case_reply__descriptor);
    assert_string_equal(r->case_state, "closed");
    gov__evaluate_case_reply__free_unpacked(r, NULL);
    snprintf(sql, sizeof sql, status, "closed");
    assert_int_equal(s_await(f, sql, c, 1), 1);
    s_expect_error(s_evaluate(f, c, "satisfied", phone, NULL), "NOT_RESOLVED");
    assert_int_equal(s_int(f, "SELECT count(*) FROM evaluations WHERE case_id = $1", c), 3);
    gov__dispatch__free_unpacked(d, NULL);
}

/* ---- whistles and the ladder ------------------------------------------ */

static Gov__Whistle *s_whistle(fixture_t *f, const char *kind, double lat, double lon,
                               const char *who, const char *unit, const char *code)
{
    Gov__BlowWhistle req = GOV__BLOW_WHISTLE__INIT;
    Gov__Point pt = GOV__POINT__INIT;
    char *depts[] = {"dept.chengguan", "dept.shuiwu", "dept.gongan"};
    req.kind = (char *) kind;
    req.reason = "主干道路面塌陷，需多部门联合处置";
    pt.lat = lat;
    pt.lon = lon;
    req.point = &pt;
    req.departments = depts;
    req.n_departments = 3;
    Gov__Envelope *env = s_call(f, "BlowWhistle", who, unit, &req.base);
    if (code) {
        s_expect_error(env, code);
        return NULL;
    }
    Gov__WhistleReply *r = s_ok(env, &gov__whistle_reply__descriptor);
    Gov__Whistle *w = r->item;
    r->item = NULL;
    gov__whistle_reply__free_unpacked(r, NULL);
    return w;
}

#define STEP_FIRED "SELECT count(*) FROM deadlines WHERE dispatch_id = $1 AND fired_at IS NOT NULL"

/* The escalations of `dispatch` announced so far, as "target,target". */
static void s_escalation_targets(fixture_t *f, int64_t dispatch, char *out, size_t cap)
{
    PGresult *res = PQexec(f->conn, "SELECT payload FROM outbox WHERE type = 'DeadlineEscalated'"
                                    " ORDER BY id");
    out[0] = '\0';
    for (int i = 0; i < PQntuples(res); i++) {
        size_t len;
        unsigned char *raw = PQunescapeBytea((unsigned char *) PQgetvalue(res, i, 0), &len);
        Gov__Envelope *env = envelope_unpack(raw, len);
        PQfreemem(raw);
        assert_non_null(env);
        Gov__DeadlineStep *s = (Gov__DeadlineStep *) envelope_payload(env, &gov__deadline_step__descriptor);
        assert_non_null(s);
        if (s->item->id == dispatch)
            snprintf(out + strlen(out), cap - strlen(out), "%s%s:%s", out[0] ? "," : "",
                     s->deadline, s->target_unit);
        gov__deadline_step__free_unpacked(s, NULL);
        envelope_free(&env);
    }
    PQclear(res);
}

static void test_a_silent_department_is_reminded_then_escalated_once_each(void **state)
{
    fixture_t *f = *state;
    s_whistle(f, "emergency", S1_LAT, S1_LON, "p.dept.chengguan.head", "dept.chengguan", "NOT_A_CALLER");
    s_whistle(f, "emergency", S3_LAT, S3_LON, "p.so.s1.head", "so.s1", "OUTSIDE_AREA");
    s_whistle(f, "daily", S1_LAT, S1_LON, "p.so.s1.head", "so.s1", "BAD_KIND");
    /* Only routing names the matter a whistle carries out: a caller cannot
     * pass its whistle off as a matter's. */
    Gov__BlowWhistle forged = GOV__BLOW_WHISTLE__INIT;
    Gov__Point pt = GOV__POINT__INIT;
    char *dept[] = {"dept.chengguan"};
    pt.lat = S1_LAT;
    pt.lon = S1_LON;
    forged.kind = "routine";
    forged.reason = "冒名的议事任务";
    forged.point = &pt;
    forged.departments = dept;
    forged.n_departments = 1;
    forged.matter_id = 7;
    int64_t whistles = s_int(f, "SELECT count(*) FROM whistles", 0);
    s_expect_error(s_call(f, "BlowWhistle", "p.so.s1.head", "so.s1", &forged.base), "BAD_ORIGIN");
    assert_int_equal(s_int(f, "SELECT count(*) FROM whistles", 0), whistles);
    Gov__Whistle *w = s_whistle(f, "emergency", S1_LAT, S1_LON, "p.so.s1.head", "so.s1", NULL);
    assert_int_equal(w->n_dispatches, 3);
    int64_t silent = 0;
    for (size_t i = 0; i < 3; i++) {
        Gov__Dispatch *d = w->dispatches[i];
        assert_string_equal(d->role, "summoned");
        assert_int_equal(d->arrive_by_ms - d->sent_ms, 30 * MIN);   /* 应急哨: 30 minutes */
        assert_int_equal(d->sign_by_ms - d->sent_ms, 10 * MIN);
        if (strcmp(d->unit, "dept.gongan") == 0) {
            silent = d->id;
            continue;
        }
        char who[64];
        snprintf(who, sizeof who, "p.%s.head", d->unit);
        s_do(f, "SignDispatch", d->id, who, d->unit);
        s_do(f, "ArriveDispatch", d->id, who, d->unit);
    }
    gov__whistle__free_unpacked(w, NULL);

    /* Who has reported (报到) and who has not. */
    Gov__GetWhistle get = GOV__GET_WHISTLE__INIT;
    get.whistle_id = s_int(f, "SELECT max(id) FROM whistles", 0);
    Gov__WhistleReply *wr = s_ok(s_call(f, "GetWhistle", NULL, NULL, &get.base),
                                 &gov__whistle_reply__descriptor);
    assert_int_equal(wr->item->n_reported, 2);
    assert_int_equal(wr->item->n_not_reported, 1);
    assert_string_equal(wr->item->not_reported[0], "dept.gongan");
    gov__whistle_reply__free_unpacked(wr, NULL);

    /* Sign-by is 10 minutes: reminders at 5 and 8, the supervisor at 10, the
     * centre at 20. Each fires once, on time, and nothing else fires. */
    const char *fired_sign = STEP_FIRED " AND deadline = 'sign' AND NOT late";
    s_advance(f, 5 * MIN + 500);
    assert_int_equal(s_await(f, fired_sign, silent, 1), 1);
    s_advance(f, 3 * MIN);
    assert_int_equal(s_await(f, fired_sign, silent, 2), 2);
    s_advance(f, 2 * MIN);
    assert_int_equal(s_await(f, fired_sign, silent, 3), 3);
    s_advance(f, 10 * MIN);
    assert_int_equal(s_await(f, fired_sign, silent, 4), 4);
    assert_int_equal(s_await(f, "SELECT count(*) FROM dispatch_log WHERE dispatch_id = $1"
                                " AND action IN ('reminded', 'escalated') AND text LIKE 'sign%'",
                             silent, 4),
                     4);
    char targets[256];
    s_escalation_targets(f, silent, targets, sizeof targets);
    assert_string_equal(targets, "sign:leader,sign:centre");
    /* On time: within a second of due on the service's clock. */
    assert_int_equal(s_int(f, "SELECT count(*) FROM deadlines WHERE dispatch_id = $1 AND deadline = 'sign'"
                              " AND fired_at - due_at > interval '1 second'", silent), 0);
    /* Those who reported had their sign and arrive steps stopped. */
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM deadlines d JOIN dispatches x ON x.id = d.dispatch_id"
             " WHERE x.whistle_id = $1 AND x.id <> %lld AND d.fired_at IS NOT NULL", (long long) silent);
    assert_int_equal(s_int(f, sql, get.whistle_id), 0);
    /* Every fired step is one event. */
    assert_int_equal(s_int(f, "SELECT count(*) FROM outbox WHERE type IN ('DeadlineReminder', 'DeadlineEscalated')", 0),
                     s_int(f, "SELECT count(*) FROM deadlines WHERE fired_at IS NOT NULL", 0));

    /* Rating waits for the close; the caller releases the silent one and the
     * others resolve; then both sides rate, once. */
    int64_t wid = s_int(f, "SELECT max(id) FROM whistles", 0);
    int64_t other = s_int(f, "SELECT min(id) FROM dispatches WHERE whistle_id = $1", wid);
    Gov__RateWhistle rate = GOV__RATE_WHISTLE__INIT;
    rate.whistle_id = wid;
    rate.dispatch_id = other;
    rate.score = 5;
    s_expect_error(s_call(f, "RateWhistle", "p.so.s1.head", "so.s1", &rate.base), "WHISTLE_OPEN");
    s_do(f, "ReleaseDispatch", silent, "p.so.s1.head", "so.s1");
    char wids[24];
    snprintf(wids, sizeof wids, "%lld", (long long) wid);
    PGresult *rest = PQexecParams(f->conn, "SELECT d.id, u.code FROM dispatches d JOIN units u ON u.id = d.unit_id"
                                 " WHERE d.whistle_id = $1 AND d.state = 'arrived'",
                        1, NULL, (const char *[]){wids}, NULL, NULL, 0);
    assert_int_equal(PQntuples(rest), 2);
    for (int i = 0; i < 2; i++) {
        char who[64];
        snprintf(who, sizeof who, "p.%s.head", PQgetvalue(rest, i, 1));
        s_do(f, "ResolveDispatch", strtoll(PQgetvalue(rest, i, 0), NULL, 10), who, PQgetvalue(rest, i, 1));
    }
    PQclear(rest);
    assert_int_equal(s_int(f, "SELECT count(*) FROM whistles WHERE id = $1 AND state = 'closed'", wid), 1);
    assert_int_equal(s_int(f, "SELECT count(*) FROM outbox WHERE type = 'WhistleClosed'", 0), 1);
    Gov__RateWhistleReply *rr = s_ok(s_call(f, "RateWhistle", "p.so.s1.head", "so.s1", &rate.base),
                                     &gov__rate_whistle_reply__descriptor);
    assert_string_equal(rr->direction, "caller");
    gov__rate_whistle_reply__free_unpacked(rr, NULL);
    s_expect_error(s_call(f, "RateWhistle", "p.so.s1.head", "so.s1", &rate.base), "ALREADY_RATED");
    rate.score = 0;
    rate.unnecessary = 1;
    char who[80], unit[64], others[24];
    snprintf(others, sizeof others, "%lld", (long long) other);
    PGresult *u = PQexecParams(f->conn, "SELECT u.code FROM dispatches d JOIN units u ON u.id = d.unit_id"
                                        " WHERE d.id = $1", 1, NULL, (const char *[]){others}, NULL, NULL, 0);
    snprintf(unit, sizeof unit, "%s", PQgetvalue(u, 0, 0));
    PQclear(u);
    snprintf(who, sizeof who, "p.%s.head", unit);
    rr = s_ok(s_call(f, "RateWhistle", who, unit, &rate.base), &gov__rate_whistle_reply__descriptor);
    assert_string_equal(rr->direction, "department");
    gov__rate_whistle_reply__free_unpacked(rr, NULL);
}

/* A dispatch is sent with the first step of each deadline's ladder, and each
 * next step is written when the one before fires. A step written after its
 * deadline was met (by a firing that committed while the unit signed) is
 * cancelled when it falls due, not fired. */
static void test_each_next_step_is_written_as_the_one_before_fires(void **state)
{
    fixture_t *f = *state;
    Gov__Whistle *w = s_whistle(f, "emergency", S1_LAT, S1_LON, "p.so.s1.head", "so.s1", NULL);
    int64_t wid = w->id, signer = w->dispatches[0]->id, silent = w->dispatches[1]->id;
    char who[64];
    snprintf(who, sizeof who, "p.%s.head", w->dispatches[0]->unit);
    s_do(f, "SignDispatch", signer, who, w->dispatches[0]->unit);
    gov__whistle__free_unpacked(w, NULL);
    /* Three dispatches, each with sign, arrive and resolve (a whistle has no
     * reporter to contact): their first steps, nine rows, not the 36 of the
     * whole ladders. */
    const char *steps = "SELECT count(*) FROM deadlines d JOIN dispatches x ON x.id = d.dispatch_id"
                        " WHERE x.whistle_id = $1";
    assert_int_equal(s_int(f, steps, wid), 9);
    char sql[512];
    snprintf(sql, sizeof sql, "%s AND d.step = 1", steps);
    assert_int_equal(s_int(f, sql, wid), 9);
    /* As if a firing that committed after the sign had written the signer's
     * next sign step: due a minute after sending. */
    s_int(f, "WITH i AS (INSERT INTO deadlines (dispatch_id, deadline, step, action, due_at)"
             " SELECT id, 'sign', 2, 'remind', sent_at + interval '1 minute' FROM dispatches"
             " WHERE id = $1 RETURNING id) SELECT count(*) FROM i", signer);
    s_advance(f, 5 * MIN + 500);
    assert_int_equal(s_await(f, "SELECT count(*) FROM deadlines WHERE dispatch_id = $1 AND step = 2"
                                " AND cancelled_at IS NOT NULL AND fired_at IS NULL", signer, 1),
                     1);
    assert_int_equal(s_int(f, "SELECT count(*) FROM dispatch_log WHERE dispatch_id = $1"
                              " AND action IN ('reminded', 'escalated')", signer),
                     0);
    /* The silent one's sign step 1 (5 minutes) fired and wrote step 2, due
     * at 80 % of the 10 minutes, pending. */
    assert_int_equal(s_await(f, STEP_FIRED " AND deadline = 'sign' AND step = 1", silent, 1), 1);
    assert_int_equal(s_await(f, "SELECT count(*) FROM deadlines s JOIN dispatches x"
                                " ON x.id = s.dispatch_id WHERE s.dispatch_id = $1"
                                " AND s.deadline = 'sign' AND s.step = 2 AND s.action = 'remind'"
                                " AND s.fired_at IS NULL AND s.cancelled_at IS NULL"
                                " AND s.due_at = x.sent_at + interval '8 minutes'", silent, 1),
                     1);
    assert_int_equal(s_int(f, "SELECT count(*) FROM outbox WHERE type IN ('DeadlineReminder', 'DeadlineEscalated')", 0),
                     s_int(f, "SELECT count(*) FROM deadlines WHERE fired_at IS NOT NULL", 0));
}

static void test_two_processes_and_a_kill_fire_each_step_once(void **state)
{
    fixture_t *f = *state;
    /* A second routing process on the same database, its clock in step. */
    char ahead[64];
    snprintf(ahead, sizeof ahead, "GOV_TEST_CLOCK_AHEAD_MS=%lld", (long long) f->ahead_ms);
    const char *env[] = {"GOV_TEST_CLOCK=1", "GOV_LADDER_REFILL_MS=200", ahead, NULL};
    assert_int_equal(harness_routing_start(&f->routing2, f->url, &f->intake, env), 0);
    assert_int_equal(rpccli_new(f->zctx, f->routing2.endpoint, &f->cli2), 0);

    Gov__Whistle *w = s_whistle(f, "emergency", S1_LAT, S1_LON, "p.so.s1.head", "so.s1", NULL);
    int64_t wid = w->id;
    gov__whistle__free_unpacked(w, NULL);
    usleep(500 * 1000); /* let the second process's refill see the new steps */
    const char *fired = "SELECT count(*) FROM deadlines d JOIN dispatches x ON x.id = d.dispatch_id"
                        " WHERE x.whistle_id = $1 AND d.fired_at IS NOT NULL";
    /* 3 dispatches x (sign 5, 8, 10, 20 + arrive 15): 15 steps by minute 20. */
    s_advance(f, 20 * MIN + 500);
    assert_int_equal(s_await(f, fired, wid, 15), 15);
    int64_t events = s_int(f, "SELECT count(*) FROM outbox WHERE type IN ('DeadlineReminder', 'DeadlineEscalated')", 0);
    assert_int_equal(events, s_int(f, "SELECT count(*) FROM deadlines WHERE fired_at IS NOT NULL", 0));

    /* kill -9 both; 30 minutes pass; one comes back: the steps due meanwhile
     * (arrive at 24, 30 and 40 minutes, for three dispatches) fire at start,
     * late, once each. */
    rpccli_destroy(&f->cli2);
    harness_stop(&f->routing2, SIGKILL);
    harness_stop(&f->routing, SIGKILL);
    f->ahead_ms += 30 * MIN;
    snprintf(ahead, sizeof ahead, "GOV_TEST_CLOCK_AHEAD_MS=%lld", (long long) f->ahead_ms);
    assert_int_equal(harness_restart(&f->routing, env), 0);
    const char *late = "SELECT count(*) FROM deadlines d JOIN dispatches x ON x.id = d.dispatch_id"
                       " WHERE x.whistle_id = $1 AND d.late";
    assert_int_equal(s_await(f, late, wid, 9), 9);
    assert_int_equal(s_await(f, fired, wid, 24), 24);
    assert_int_equal(s_int(f, "SELECT count(*) FROM outbox WHERE type IN ('DeadlineReminder', 'DeadlineEscalated')", 0),
                     s_int(f, "SELECT count(*) FROM deadlines WHERE fired_at IS NOT NULL", 0));
    /* The fixture's client reconnects to the restarted process by itself. */
    s_advance(f, 1000);
}

/* ---- 上报 and the places below the grid -------------------------------- */

/* The month (YYYY-MM, Beijing time) of `ms`. */
static void s_month(int64_t ms, char out[8])
{
    time_t t = (time_t) (ms / 1000) + 8 * 3600;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 8, "%Y-%m", &tm);
}

static Gov__Kpi *s_kpi(fixture_t *f, const char *unit, const char *month)
{
    Gov__GetKpi req = GOV__GET_KPI__INIT;
    req.unit = (char *) unit;
    req.month = (char *) month;
    Gov__GetKpiReply *r = s_ok(s_call(f, "GetKpi", NULL, NULL, &req.base), &gov__get_kpi_reply__descriptor);
    Gov__Kpi *k = r->item;
    r->item = NULL;
    gov__get_kpi_reply__free_unpacked(r, NULL);
    return k;
}

static void test_a_grid_team_passes_a_case_up_and_keeps_its_resolution_rate(void **state)
{
    fixture_t *f = *state;
    /* Grid s1.c2.g1, which no other test reports in, at points 300 m apart,
     * so neither report merges into another case. */
    const char *grid = "gt.s1.c2.g1", *worker = "p.gt.s1.c2.g1.grid_worker";
    /* One case the grid settles itself (小事不出网格). */
    Gov__Dispatch *d = s_lead(f, s_submit(f, "help.dispute", 39.9010, 116.3110, "13900000031"), 1);
    assert_string_equal(d->unit, grid);
    char month[8];
    s_month(d->sent_ms, month);
    s_finish(f, d, worker);
    gov__dispatch__free_unpacked(d, NULL);
    Gov__Kpi *before = s_kpi(f, grid, month);
    assert_true(before->resolution_rate > 0);

    /* One it passes up (大事不出社区). */
    int64_t c = s_submit(f, "help.dispute", 39.9040, 116.3140, "13900000032");
    d = s_lead(f, c, 1);
    assert_string_equal(d->unit, grid);
    int64_t log = s_int(f, "SELECT count(*) FROM dispatch_log", 0);
    int64_t events = s_int(f, "SELECT count(*) FROM outbox", 0);
    s_cmd(f, "PassUpDispatch", d->id, worker, grid, "ILLEGAL_TRANSITION");   /* sign it first */
    s_do(f, "SignDispatch", d->id, worker, grid);
    log++, events++;
    /* Only a grid team passes up, and only what it holds. */
    s_cmd(f, "PassUpDispatch", d->id, "p.dept.sifa.head", "dept.sifa", "NOT_GRID_TEAM");
    s_cmd(f, "PassUpDispatch", d->id, "p.cm.s1.c2.head", "cm.s1.c2", "NOT_GRID_TEAM");
    s_cmd(f, "PassUpDispatch", d->id, "p.gt.s1.c2.g2.grid_worker", "gt.s1.c2.g2",
          "NOT_YOUR_DISPATCH");
    s_cmd(f, "PassUpDispatch", d->id, "p.gt.s1.c2.g2.grid_worker", grid, "NOT_A_MEMBER");
    s_cmd(f, "PassUpDispatch", 999999, worker, grid, "NOT_FOUND");
    Gov__PassUpDispatch bad = GOV__PASS_UP_DISPATCH__INIT;
    bad.dispatch_id = d->id;
    bad.reason = "function"; /* a return's reason is not a 上报's */
    s_expect_error(s_call(f, "PassUpDispatch", worker, grid, &bad.base), "BAD_PASS_UP_REASON");
    bad.reason = "beyond cross";
    s_expect_error(s_call(f, "PassUpDispatch", worker, grid, &bad.base), "BAD_PASS_UP_REASON");
    bad.reason = "";
    s_expect_error(s_call(f, "PassUpDispatch", worker, grid, &bad.base), "BAD_PASS_UP_REASON");
    assert_int_equal(s_int(f, "SELECT count(*) FROM dispatch_log", 0), log);
    assert_int_equal(s_int(f, "SELECT count(*) FROM outbox", 0), events);

    Gov__DispatchReply *r = s_cmd(f, "PassUpDispatch", d->id, worker, grid, NULL);
    assert_string_equal(r->item->state, "passed_up");
    assert_string_equal(r->item->pass_up_reason, "beyond");
    assert_string_equal(r->item->return_reason, "");
    assert_true(r->item->ended_ms > 0);
    assert_non_null(r->next);
    assert_string_equal(r->next->unit, "cm.s1.c2");
    assert_string_equal(r->next->role, "lead");
    assert_string_equal(r->next->state, "sent");
    assert_true(r->next->sign_by_ms > r->next->sent_ms);   /* the case's deadlines, afresh */
    int64_t next = r->next->id;
    gov__dispatch_reply__free_unpacked(r, NULL);
    assert_int_equal(s_int(f, "SELECT count(*) FROM dispatch_log WHERE dispatch_id = $1"
                              " AND action = 'passed_up'", d->id), 1);
    assert_int_equal(s_int(f, "SELECT count(*) FROM outbox WHERE type = 'DispatchPassedUp'", 0), 1);
    assert_int_equal(s_int(f, "SELECT count(*) FROM deadlines WHERE dispatch_id = $1"
                              " AND cancelled_at IS NULL AND fired_at IS NULL", d->id), 0);
    /* It no longer holds the case. */
    s_cmd(f, "PassUpDispatch", d->id, worker, grid, "ILLEGAL_TRANSITION");
    s_cmd(f, "ResolveDispatch", d->id, worker, grid, "ILLEGAL_TRANSITION");

    /* The grid's 解决率 is what it was; a 上报 is counted apart. */
    Gov__Kpi *after = s_kpi(f, grid, month);
    assert_int_equal(after->dispatched, before->dispatched + 1);
    assert_int_equal(after->passed_up, before->passed_up + 1);
    assert_int_equal(after->resolved_not_reopened, before->resolved_not_reopened);
    assert_true(after->resolution_rate == before->resolution_rate);
    gov__kpi__free_unpacked(before, NULL);
    gov__kpi__free_unpacked(after, NULL);

    /* The community cannot pass it further up; it settles it, and the case
     * asks its reporter for an evaluation as any other. */
    s_do(f, "SignDispatch", next, "p.cm.s1.c2.head", "cm.s1.c2");
    s_cmd(f, "PassUpDispatch", next, "p.cm.s1.c2.head", "cm.s1.c2", "NOT_GRID_TEAM");
    s_do(f, "ResolveDispatch", next, "p.cm.s1.c2.head", "cm.s1.c2");
    Gov__EvaluateCaseReply *e = s_ok(s_evaluate(f, c, "satisfied", "13900000032", NULL),
                                     &gov__evaluate_case_reply__descriptor);
    assert_string_equal(e->case_state, "closed");
    gov__evaluate_case_reply__free_unpacked(e, NULL);
    gov__dispatch__free_unpacked(d, NULL);
}

static void test_a_case_in_a_building_is_placed_on_its_entrance(void **state)
{
    fixture_t *f = *state;
    /* demo.s2.c2.g1.b1.u1: the west half of building 1 of grid s2.c2.g1
     * (deploy/demo/make_city.py). */
    Gov__SubmitCase req = GOV__SUBMIT_CASE__INIT;
    Gov__Location loc = GOV__LOCATION__INIT;
    Gov__Point pt = GOV__POINT__INIT;
    Gov__Reporter rep = GOV__REPORTER__INIT;
    req.channel = "hotline";
    req.category = "complaint.dispute";
    req.description = "楼道堆物";
    rep.phone = "13900000033";
    req.reporter = &rep;
    pt.lat = 39.91175;
    pt.lon = 116.3117;
    loc.point = &pt;
    req.location = &loc;
    Gov__SubmitCaseReply *r = s_ok(s_call_on(f->intake_cli, "SubmitCase", NULL, NULL, &req.base),
                                   &gov__submit_case_reply__descriptor);
    assert_int_equal(r->n_area_path, 6);
    assert_string_equal(r->area_path[3]->code, "demo.s2.c2.g1");
    assert_string_equal(r->area_path[4]->code, "demo.s2.c2.g1.b1");
    assert_string_equal(r->area_path[4]->level, "building");
    assert_string_equal(r->area_path[5]->code, "demo.s2.c2.g1.b1.u1");
    assert_string_equal(r->area_path[5]->level, "entrance");
    int64_t c = r->case_id;
    gov__submit_case_reply__free_unpacked(r, NULL);
    /* Its grid's team still owns it, and its dispatch shows the building. */
    Gov__Dispatch *d = s_lead(f, c, 1);
    assert_string_equal(d->unit, "gt.s2.c2.g1");
    assert_int_equal(d->n_area_path, 6);
    assert_string_equal(d->area_path[4]->code, "demo.s2.c2.g1.b1");
    gov__dispatch__free_unpacked(d, NULL);
    /* Just outside the building: the grid. */
    pt.lon = 116.3121;
    rep.phone = "13900000034";
    req.category = "complaint.sanitation";
    r = s_ok(s_call_on(f->intake_cli, "SubmitCase", NULL, NULL, &req.base),
             &gov__submit_case_reply__descriptor);
    assert_int_equal(r->n_area_path, 4);
    assert_string_equal(r->area_path[3]->code, "demo.s2.c2.g1");
    gov__submit_case_reply__free_unpacked(r, NULL);
}

/* ---- targets, set by the admin ------------------------------------------ */

static Gov__Envelope *s_target(fixture_t *f, const char *who, const char *unit, const char *kind,
                               const char *figure, double target, const char *source, int clear)
{
    Gov__SetKpiTarget req = GOV__SET_KPI_TARGET__INIT;
    req.unit_kind = (char *) kind;
    req.figure = (char *) figure;
    req.target = target;
    req.source = (char *) source;
    req.clear = clear;
    return s_call(f, "SetKpiTarget", who, unit, &req.base);
}

static void test_the_admin_sets_a_target_and_every_kpi_shows_it(void **state)
{
    fixture_t *f = *state;
    const char *admin = "p.admin.head";
    const char *changed = "SELECT count(*) FROM outbox WHERE type = 'KpiTargetChanged'";
    s_expect_error(s_target(f, "p.centre.dispatcher", "centre", "grid_team", "resolution", 0.9,
                            "测试", 0), "NOT_ADMIN");
    s_expect_error(s_target(f, admin, "admin", "grid_team", "happiness", 0.9, "测试", 0),
                   "BAD_FIGURE");
    s_expect_error(s_target(f, admin, "admin", "castle", "resolution", 0.9, "测试", 0), "BAD_KIND");
    s_expect_error(s_target(f, admin, "admin", "grid_team", "resolution", 90, "测试", 0),
                   "BAD_TARGET");   /* a rate is 0–1 */
    s_expect_error(s_target(f, admin, "admin", "grid_team", "score", 101, "测试", 0), "BAD_TARGET");
    s_expect_error(s_target(f, admin, "admin", "grid_team", "resolution", -0.1, "测试", 0),
                   "BAD_TARGET");
    s_expect_error(s_target(f, admin, "admin", "grid_team", "resolution", 0.9, "", 0),
                   "MISSING_TEXT");  /* every number says its source */
    assert_int_equal(s_int(f, "SELECT count(*) FROM kpi_targets WHERE unit_kind = 'grid_team'"
                              " AND figure = 'resolution'", 0), 0);
    assert_int_equal(s_int(f, changed, 0), 0);

    Gov__SetKpiTargetReply *r = s_ok(s_target(f, admin, "admin", "grid_team", "resolution", 0.9,
                                              "测试：网格解决率目标", 0),
                                     &gov__set_kpi_target_reply__descriptor);
    assert_string_equal(r->unit_kind, "grid_team");
    assert_string_equal(r->figure, "resolution");
    assert_true(r->target == 0.9);
    assert_false(r->cleared);
    gov__set_kpi_target_reply__free_unpacked(r, NULL);
    assert_int_equal(s_int(f, changed, 0), 1);

    /* Beside the figure in every grid team's KPI, with the demo's 满意率. */
    Gov__Kpi *k = s_kpi(f, "gt.s3.c3.g3", "2026-03");
    assert_int_equal(k->n_targets, 2);
    assert_string_equal(k->targets[0]->figure, "resolution");
    assert_true(k->targets[0]->target == 0.9);
    assert_true(k->targets[0]->met);      /* nothing sent to it: not judged */
    assert_string_equal(k->targets[1]->figure, "satisfaction");
    assert_int_equal(k->n_below, 0);
    gov__kpi__free_unpacked(k, NULL);

    r = s_ok(s_target(f, admin, "admin", "grid_team", "resolution", 0, "", 1),
             &gov__set_kpi_target_reply__descriptor);
    assert_true(r->cleared);
    gov__set_kpi_target_reply__free_unpacked(r, NULL);
    k = s_kpi(f, "gt.s3.c3.g3", "2026-03");
    assert_int_equal(k->n_targets, 1);
    gov__kpi__free_unpacked(k, NULL);
}

/* ---- 三率 on a known data set ------------------------------------------ */

static void test_kpi_formulas_on_a_known_month(void **state)
{
    fixture_t *f = *state;
    /* March 2026 (Beijing time) for 交通局: four dispatches — signed in time
     * and resolved, satisfied; signed late, resolved, dissatisfied (reopened);
     * never signed; sent at 23:30 on 31 March, in time, resolved, basic. A
     * fifth, ten minutes into April, belongs to April. 司法所 has one, in
     * time and resolved. */
    harness_exec(f->conn,
        "INSERT INTO routed_cases (case_id, category_code, urgency, description, created_at)"
        " SELECT g, 'complaint.traffic', 'normal', 'kpi', '2026-03-01' FROM generate_series(900001, 900006) g;"
        "CREATE TEMP TABLE k (n int, unit text, sent timestamptz, signed timestamptz, resolved timestamptz, eval text);"
        "INSERT INTO k VALUES"
        " (1, 'dept.jiaotong', '2026-03-02 10:00+08', '2026-03-02 11:00+08', '2026-03-03 10:00+08', 'satisfied'),"
        " (2, 'dept.jiaotong', '2026-03-05 10:00+08', '2026-03-05 13:00+08', '2026-03-06 10:00+08', 'dissatisfied'),"
        " (3, 'dept.jiaotong', '2026-03-10 10:00+08', NULL, NULL, NULL),"
        " (4, 'dept.jiaotong', '2026-03-31 23:30+08', '2026-03-31 23:50+08', '2026-04-01 09:00+08', 'basic'),"
        " (5, 'dept.jiaotong', '2026-04-01 00:10+08', '2026-04-01 00:20+08', NULL, NULL),"
        " (6, 'dept.sifa',     '2026-03-03 10:00+08', '2026-03-03 10:30+08', '2026-03-04 10:00+08', NULL);"
        "CREATE TEMP TABLE kd AS WITH ins AS ("
        " INSERT INTO dispatches (case_id, unit_id, role, state, sent_at, sign_by, signed_at, resolved_at)"
        " SELECT 900000 + k.n, u.id, 'lead', CASE WHEN k.resolved IS NOT NULL THEN 'resolved' WHEN k.signed IS NOT NULL"
        "  THEN 'signed' ELSE 'sent' END, k.sent, k.sent + interval '2 hours', k.signed, k.resolved"
        " FROM k JOIN units u ON u.code = k.unit RETURNING id, case_id) SELECT * FROM ins;"
        "INSERT INTO dispatch_log (dispatch_id, at, action, actor)"
        " SELECT kd.id, k.signed, 'signed', 'kpi' FROM kd JOIN k ON 900000 + k.n = kd.case_id WHERE k.signed IS NOT NULL"
        " UNION ALL SELECT kd.id, k.resolved, 'resolved', 'kpi' FROM kd JOIN k ON 900000 + k.n = kd.case_id"
        " WHERE k.resolved IS NOT NULL;"
        "INSERT INTO evaluations (case_id, dispatch_id, result, actor, at)"
        " SELECT kd.case_id, kd.id, k.eval, 'kpi', k.resolved + interval '1 day' FROM kd"
        " JOIN k ON 900000 + k.n = kd.case_id WHERE k.eval IS NOT NULL;"
        /* 网格 s2.c1.g1: one resolved, one passed up (上报) to its community. */
        "INSERT INTO routed_cases (case_id, category_code, urgency, description, created_at)"
        " SELECT g, 'help.dispute', 'normal', 'kpi', '2026-03-01' FROM generate_series(900007, 900008) g;"
        "CREATE TEMP TABLE kg AS WITH ins AS ("
        " INSERT INTO dispatches (case_id, unit_id, role, state, sent_at, sign_by, signed_at, resolved_at,"
        "  ended_at, pass_up_reason)"
        " SELECT c, u.id, 'lead', s, '2026-03-04 10:00+08', '2026-03-04 12:00+08', '2026-03-04 10:30+08',"
        "  CASE WHEN s = 'resolved' THEN timestamptz '2026-03-05 10:00+08' END,"
        "  CASE WHEN s = 'passed_up' THEN timestamptz '2026-03-04 11:00+08' END,"
        "  CASE WHEN s = 'passed_up' THEN 'major' END"
        " FROM (VALUES (900007, 'resolved'), (900008, 'passed_up')) AS x(c, s), units u"
        " WHERE u.code = 'gt.s2.c1.g1' RETURNING id, state) SELECT * FROM ins;"
        "INSERT INTO dispatch_log (dispatch_id, at, action, actor)"
        " SELECT id, timestamptz '2026-03-04 10:30+08', 'signed', 'kpi' FROM kg UNION ALL"
        " SELECT id, '2026-03-05 10:00+08', 'resolved', 'kpi' FROM kg WHERE state = 'resolved' UNION ALL"
        " SELECT id, '2026-03-04 11:00+08', 'passed_up', 'kpi' FROM kg WHERE state = 'passed_up';"
        /* 双考核: a street office's whistle summons 水务局 twice in March; both
         * signed in time and resolved; the caller rates them 5 and 2. */
        "CREATE TEMP TABLE kw AS WITH w AS ("
        " INSERT INTO whistles (caller_unit_id, kind, reason, location, area_id, state, created_by, created_at, closed_at)"
        " SELECT u.id, 'routine', 'kpi', ST_SetSRID(ST_MakePoint(116.3025, 39.9025), 4326)::geography, a.id,"
        "  'closed', 'kpi', '2026-03-09 10:00+08', '2026-03-10 10:00+08'"
        " FROM units u, areas a, generate_series(1, 2) WHERE u.code = 'so.s1' AND a.code = 'demo.s1'"
        " RETURNING id), d AS ("
        " INSERT INTO dispatches (whistle_id, unit_id, role, state, sent_at, sign_by, signed_at, resolved_at)"
        " SELECT w.id, u.id, 'summoned', 'resolved', '2026-03-09 10:00+08', '2026-03-09 12:00+08',"
        "  '2026-03-09 10:30+08', '2026-03-10 09:00+08' FROM w, units u WHERE u.code = 'dept.shuiwu'"
        " RETURNING id, whistle_id) SELECT d.*, row_number() OVER (ORDER BY d.id) AS n FROM d;"
        "INSERT INTO dispatch_log (dispatch_id, at, action, actor)"
        " SELECT id, timestamptz '2026-03-09 10:30+08', 'signed', 'kpi' FROM kw UNION ALL"
        " SELECT id, '2026-03-10 09:00+08', 'resolved', 'kpi' FROM kw;"
        "INSERT INTO whistle_ratings (whistle_id, dispatch_id, direction, score, actor, at)"
        " SELECT whistle_id, id, 'caller', CASE n WHEN 1 THEN 5 ELSE 2 END, 'kpi', timestamptz '2026-03-11 10:00+08' FROM kw"
        " UNION ALL SELECT whistle_id, id, 'department', NULL, 'kpi', '2026-03-11 10:00+08' FROM kw;");

    Gov__GetKpi req = GOV__GET_KPI__INIT;
    req.unit = "dept.jiaotong";
    req.month = "2026-03";
    Gov__GetKpiReply *r = s_ok(s_call(f, "GetKpi", NULL, NULL, &req.base), &gov__get_kpi_reply__descriptor);
    assert_int_equal(r->item->dispatched, 4);
    assert_int_equal(r->item->signed_in_time, 2);
    assert_int_equal(r->item->resolved_not_reopened, 2);
    assert_int_equal(r->item->evaluated, 3);
    assert_int_equal(r->item->satisfied, 2);
    assert_true(r->item->response_rate == 0.5);
    assert_true(r->item->resolution_rate == 0.5);
    assert_true(r->item->satisfaction_rate > 0.6666 && r->item->satisfaction_rate < 0.6667);
    gov__get_kpi_reply__free_unpacked(r, NULL);

    req.month = "2026-04";
    r = s_ok(s_call(f, "GetKpi", NULL, NULL, &req.base), &gov__get_kpi_reply__descriptor);
    assert_int_equal(r->item->dispatched, 1);
    assert_int_equal(r->item->evaluated, 0);
    assert_true(r->item->satisfaction_rate == 0.0);   /* nothing evaluated: 0, not NaN */
    gov__get_kpi_reply__free_unpacked(r, NULL);

    Gov__RankKpi rank = GOV__RANK_KPI__INIT;
    rank.kind = "department";
    rank.month = "2026-03";
    Gov__RankKpiReply *rr = s_ok(s_call(f, "RankKpi", NULL, NULL, &rank.base), &gov__rank_kpi_reply__descriptor);
    assert_int_equal(rr->n_items, 3);
    assert_string_equal(rr->items[0]->unit, "dept.sifa");
    assert_string_equal(rr->items[1]->unit, "dept.shuiwu");
    assert_string_equal(rr->items[2]->unit, "dept.jiaotong");
    /* The monthly score (docs/kpi.md; weights 20/30/30/20 from kpi_weights):
     * 司法所 100 (response 1, resolution 1; nothing evaluated or rated, so
     * those weights drop out); 水务局 (20 + 30 + 20 × 0.625) ÷ 70 = 89.29;
     * 交通局 (20 × 0.5 + 30 × 0.5 + 30 × 2/3) ÷ 80 = 56.25. */
    assert_true(rr->items[0]->score == 100.0);
    assert_true(rr->items[1]->score > 89.2857 && rr->items[1]->score < 89.2858);
    assert_true(rr->items[2]->score == 56.25);
    /* 双考核: the streets rated 水务局's two whistle dispatches 5 and 2. */
    assert_int_equal(rr->items[1]->rated, 2);
    assert_true(rr->items[1]->rating_mean == 3.5);
    assert_true(rr->items[1]->rating_rate == 0.625);
    assert_int_equal(rr->items[2]->rated, 0);
    gov__rank_kpi_reply__free_unpacked(rr, NULL);

    /* Targets (deploy/demo/grid.sql: 满意率 ≥ 95 % for every kind, seed 002):
     * beside the figure, and the units below them listed. 交通局's 2/3 is
     * below; 司法所 had nothing evaluated, so it is not judged. */
    req.unit = "dept.jiaotong";
    req.month = "2026-03";
    r = s_ok(s_call(f, "GetKpi", NULL, NULL, &req.base), &gov__get_kpi_reply__descriptor);
    assert_int_equal(r->item->n_targets, 1);
    assert_string_equal(r->item->targets[0]->figure, "satisfaction");
    assert_true(r->item->targets[0]->target == 0.95);
    assert_true(r->item->targets[0]->value == r->item->satisfaction_rate);
    assert_false(r->item->targets[0]->met);
    assert_non_null(strstr(r->item->targets[0]->source, "seed 002"));
    assert_int_equal(r->item->n_below, 1);
    assert_string_equal(r->item->below[0], "satisfaction");
    gov__get_kpi_reply__free_unpacked(r, NULL);
    rank.below_target = 1;
    rr = s_ok(s_call(f, "RankKpi", NULL, NULL, &rank.base), &gov__rank_kpi_reply__descriptor);
    assert_int_equal(rr->n_items, 1);
    assert_string_equal(rr->items[0]->unit, "dept.jiaotong");
    gov__rank_kpi_reply__free_unpacked(rr, NULL);
    rank.below_target = 0;

    /* A 上报 is left out of the grid's resolution base: 网格 s2.c1.g1 had two
     * dispatches, one resolved and one passed up: 1 ÷ (2 − 1) = 100 %. */
    req.unit = "gt.s2.c1.g1";
    r = s_ok(s_call(f, "GetKpi", NULL, NULL, &req.base), &gov__get_kpi_reply__descriptor);
    assert_int_equal(r->item->dispatched, 2);
    assert_int_equal(r->item->passed_up, 1);
    assert_int_equal(r->item->resolved_not_reopened, 1);
    assert_true(r->item->resolution_rate == 1.0);
    assert_true(r->item->response_rate == 1.0);
    gov__get_kpi_reply__free_unpacked(r, NULL);

    /* The weights are data: with the rating weighing nothing, 水务局 scores 100. */
    harness_exec(f->conn, "UPDATE kpi_weights SET weight = 0 WHERE figure = 'rating'");
    req.unit = "dept.shuiwu";
    r = s_ok(s_call(f, "GetKpi", NULL, NULL, &req.base), &gov__get_kpi_reply__descriptor);
    assert_true(r->item->score == 100.0);
    gov__get_kpi_reply__free_unpacked(r, NULL);
    harness_exec(f->conn, "UPDATE kpi_weights SET weight = 20 WHERE figure = 'rating'");
    req.unit = "dept.jiaotong";

    req.month = "2026-13";
    s_expect_error(s_call(f, "GetKpi", NULL, NULL, &req.base), "BAD_MONTH");
    req.month = "2026-03";
    req.unit = "dept.nowhere";
    s_expect_error(s_call(f, "GetKpi", NULL, NULL, &req.base), "UNKNOWN_UNIT");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cases_go_to_the_owner_the_rules_name),
        cmocka_unit_test(test_rules_change_without_a_restart),
        cmocka_unit_test(test_a_case_that_cannot_be_routed_does_not_stall_the_others),
        cmocka_unit_test(test_events_before_the_references_keep_their_reporter),
        cmocka_unit_test(test_a_return_goes_to_the_next_rule_then_the_centre),
        cmocka_unit_test(test_illegal_transitions_are_refused_and_change_nothing),
        cmocka_unit_test(test_dissatisfied_reopens_once_then_goes_to_the_centre),
        cmocka_unit_test(test_a_silent_department_is_reminded_then_escalated_once_each),
        cmocka_unit_test(test_each_next_step_is_written_as_the_one_before_fires),
        cmocka_unit_test(test_two_processes_and_a_kill_fire_each_step_once),
        cmocka_unit_test(test_a_grid_team_passes_a_case_up_and_keeps_its_resolution_rate),
        cmocka_unit_test(test_a_case_in_a_building_is_placed_on_its_entrance),
        cmocka_unit_test(test_the_admin_sets_a_target_and_every_kpi_shows_it),
        cmocka_unit_test(test_kpi_formulas_on_a_known_month),
    };
    return cmocka_run_group_tests_name("routing", tests, s_setup, s_teardown);
}
