/* Routing's batch of new cases (newcases.c) against a real PostgreSQL with
 * the demo city, rules, policies and calendar: a batch is routed with one
 * set of statements, each case as the rules say, and one case that cannot be
 * routed — no rule and no centre, or data the database refuses — does not
 * hold back, roll back or stall the others. A replayed batch writes nothing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "harness.h"
#include "intake.pb-c.h"
#include "newcases.h"
#include "routing.h"
#include "routing.pb-c.h"

#define S1_LAT 39.9025
#define S1_LON 116.3025

typedef struct {
    char url[256];
    routing_t r;
    newcases_t *nc;
} fixture_t;

static int s_setup(void **state)
{
    fixture_t *f = calloc(1, sizeof *f);
    *state = f;
    if (!f || harness_db_new("it_newcases", f->url))
        return -1;
    f->r.conn = harness_db_connect(f->url);
    f->r.sql = pstmt_new(f->r.conn);
    f->r.clock = svclock_new(0);
    f->r.cal = calendar_new();
    f->nc = newcases_new();
    if (!f->r.sql || !f->r.clock || !f->r.cal || !f->nc || calendar_load(f->r.cal, f->r.conn))
        return -1;
    return 0;
}

static int s_teardown(void **state)
{
    fixture_t *f = *state;
    newcases_destroy(&f->nc);
    calendar_destroy(&f->r.cal);
    pstmt_destroy(&f->r.sql);
    svclock_destroy(&f->r.clock);
    PQfinish(f->r.conn);
    free(f);
    return 0;
}

/* Adds intake's CaseCreated for case `id` to the batch: in `area` (NULL
 * unplaced) at a point of street s1, created at `created_ms` (0: now). */
static void s_add(fixture_t *f, int64_t id, const char *category, const char *area,
                  int64_t created_ms)
{
    Gov__Case c = GOV__CASE__INIT;
    Gov__Location loc = GOV__LOCATION__INIT;
    Gov__Point pt = GOV__POINT__INIT;
    Gov__Reporter rep = GOV__REPORTER__INIT;
    Gov__AreaRef ref = GOV__AREA_REF__INIT, *path[] = {&ref};
    c.id = id;
    c.status = "open";
    c.channel = "hotline";
    c.category = (char *) category;
    c.description = "批量测试";
    c.urgency = "normal";
    pt.lat = S1_LAT;
    pt.lon = S1_LON;
    loc.point = &pt;
    c.location = &loc;
    if (area) {
        ref.code = (char *) area;
        c.area_path = path;
        c.n_area_path = 1;
    }
    rep.name = "居民";
    rep.phone = "13900009999";
    c.reporter = &rep;
    c.created_ms = created_ms ? created_ms : envelope_now_ms();
    Gov__CaseCreated ev = GOV__CASE_CREATED__INIT;
    ev.item = &c;
    Gov__Envelope env = GOV__ENVELOPE__INIT;
    char trace[32];
    snprintf(trace, sizeof trace, "trace-%lld", (long long) id);
    env.type = "CaseCreated";
    env.stream = "intake";
    env.trace_id = trace;
    size_t len;
    uint8_t *bytes = envelope_pack(&env, &ev.base, &len);
    Gov__Envelope *e = envelope_unpack(bytes, len);
    free(bytes);
    assert_non_null(e);
    assert_true(newcases_add(f->nc, e) > 0);
    envelope_free(&e);
}

static int64_t s_int(fixture_t *f, const char *sql, int64_t arg)
{
    char a[24];
    snprintf(a, sizeof a, "%lld", (long long) arg);
    const char *params[] = {a};
    PGresult *res = PQexecParams(f->r.conn, sql, 1, NULL, params, NULL, NULL, 0);
    assert_int_equal(PQresultStatus(res), PGRES_TUPLES_OK);
    int64_t v = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
    PQclear(res);
    return v;
}

/* The code of the unit that leads case `id` ("" none). */
static char *s_lead(fixture_t *f, int64_t id)
{
    char a[24];
    snprintf(a, sizeof a, "%lld", (long long) id);
    const char *params[] = {a};
    PGresult *res = PQexecParams(f->r.conn,
                                 "SELECT coalesce(string_agg(u.code, ','), '') FROM dispatches d"
                                 " JOIN units u ON u.id = d.unit_id"
                                 " WHERE d.case_id = $1 AND d.role = 'lead'",
                                 1, NULL, params, NULL, NULL, 0);
    assert_int_equal(PQresultStatus(res), PGRES_TUPLES_OK);
    char *code = strdup(PQgetvalue(res, 0, 0));
    PQclear(res);
    return code;
}

static void s_expect_lead(fixture_t *f, int64_t id, const char *unit)
{
    char *code = s_lead(f, id);
    assert_string_equal(code, unit);
    free(code);
}

/* Routes the batch in a transaction of its own, committed. */
static newcases_stats_t s_route(fixture_t *f)
{
    newcases_stats_t stats = {0};
    harness_exec(f->r.conn, "BEGIN");
    assert_int_equal(newcases_route(f->nc, &f->r, &stats), 0);
    harness_exec(f->r.conn, "COMMIT");
    return stats;
}

#define COUNT_ALL                                                                              \
    "SELECT (SELECT count(*) FROM routed_cases) * 1000000 + (SELECT count(*) FROM dispatches)" \
    " * 10000 + (SELECT count(*) FROM outbox) * 100 + (SELECT count(*) FROM dispatch_log)"     \
    " + 0 * $1"

static void test_a_batch_routes_each_case_as_the_rules_say(void **state)
{
    fixture_t *f = *state;
    int64_t events = s_int(f, "SELECT count(*) FROM outbox WHERE stream = 'routing' AND $1 = $1", 0);
    s_add(f, 1001, "complaint.noise", "demo.s1.c1.g1", 0);   /* 城管, arrival required */
    s_add(f, 1002, "help.dispute", "demo.s1.c1.g1", 0);      /* the grid team */
    s_add(f, 1003, "report.water", "demo.s1.c1.g1", 0);      /* 水务, 生态 assisting */
    s_add(f, 1004, "suggestion.policy", "demo.nowhere", 0);  /* no rule, unknown area: the centre */
    s_add(f, 1002, "help.dispute", "demo.s1.c1.g1", 0);      /* twice in a batch: once */
    newcases_stats_t st = s_route(f);
    assert_int_equal(st.routed, 4);
    assert_int_equal(st.unrouted, 0);
    assert_int_equal(st.seen, 0);
    s_expect_lead(f, 1001, "dept.chengguan");
    s_expect_lead(f, 1002, "gt.s1.c1.g1");
    s_expect_lead(f, 1003, "dept.shuiwu");
    s_expect_lead(f, 1004, "centre");
    assert_int_equal(s_int(f, "SELECT count(*) FROM dispatches d JOIN units u ON u.id = d.unit_id"
                              " WHERE d.case_id = $1 AND d.role = 'assist' AND u.code = 'dept.shengtai'",
                           1003),
                     1);
    assert_int_equal(s_int(f, "SELECT count(*) FROM routed_cases WHERE case_id = $1 AND area_id IS NULL", 1004), 1);
    /* Deadlines as dispatch_send sets them: the noise rule's 12345 policy. */
    assert_int_equal(s_int(f, "SELECT (extract(epoch FROM sign_by - sent_at) / 60)::bigint FROM dispatches"
                              " WHERE case_id = $1 AND role = 'lead'", 1001),
                     120);
    assert_int_equal(s_int(f, "SELECT count(*) FROM dispatches WHERE case_id = $1 AND on_site"
                              " AND arrive_by IS NOT NULL", 1001),
                     1);
    assert_int_equal(s_int(f, "SELECT count(*) FROM dispatches WHERE case_id = $1 AND arrive_by IS NOT NULL", 1002), 0);
    /* Every dispatch has the first step of each of its deadlines' ladders
     * (the next is written when one fires), its 'sent' line and one
     * DispatchSent event, in the order the cases came. */
    assert_int_equal(s_int(f, "SELECT count(*) FROM dispatches d WHERE d.case_id BETWEEN 1001 AND 1004"
                              " AND (SELECT count(*) FROM deadlines x WHERE x.dispatch_id = d.id"
                              "  AND x.step = $1) <> (d.sign_by IS NOT NULL)::int"
                              "  + (d.contact_by IS NOT NULL)::int + (d.arrive_by IS NOT NULL)::int"
                              "  + (d.resolve_by IS NOT NULL)::int", 1),
                     0);
    assert_int_equal(s_int(f, "SELECT count(*) FROM deadlines x JOIN dispatches d ON d.id = x.dispatch_id"
                              " WHERE d.case_id BETWEEN 1001 AND 1004 AND x.step <> $1", 1),
                     0);
    assert_int_equal(s_int(f, "SELECT count(*) FROM dispatch_log l JOIN dispatches d ON d.id = l.dispatch_id"
                              " WHERE d.case_id BETWEEN 1001 AND 1004 AND l.action = 'sent'"
                              " AND l.actor = 'system:routing' AND $1 = $1", 0),
                     5);
    assert_int_equal(s_int(f, "SELECT count(*) FROM outbox WHERE stream = 'routing' AND type = 'DispatchSent'"
                              " AND $1 = $1", 0) - events,
                     5);
    PGresult *res = PQexec(f->r.conn, "SELECT payload FROM outbox WHERE stream = 'routing'"
                                      " ORDER BY id DESC LIMIT 5");
    assert_int_equal(PQntuples(res), 5);
    int64_t want[] = {1004, 1003, 1003, 1002, 1001}; /* newest first; 1003's lead, then its assist */
    for (int i = 0; i < 5; i++) {
        size_t len;
        unsigned char *bytes = PQunescapeBytea((unsigned char *) PQgetvalue(res, i, 0), &len);
        Gov__Envelope *env = envelope_unpack(bytes, len);
        PQfreemem(bytes);
        assert_non_null(env);
        Gov__DispatchEvent *ev =
            (Gov__DispatchEvent *) envelope_payload(env, &gov__dispatch_event__descriptor);
        assert_non_null(ev);
        assert_int_equal(ev->item->case_id, want[i]);
        char trace[32];
        snprintf(trace, sizeof trace, "trace-%lld", (long long) want[i]);
        assert_string_equal(env->trace_id, trace);
        assert_string_equal(ev->item->role, i == 1 ? "assist" : "lead");
        gov__dispatch_event__free_unpacked(ev, NULL);
        envelope_free(&env);
    }
    PQclear(res);
}

static void test_a_replayed_batch_writes_nothing_more(void **state)
{
    fixture_t *f = *state;
    s_add(f, 2001, "complaint.noise", "demo.s1.c1.g1", 0);
    assert_int_equal(s_route(f).routed, 1);
    int64_t before = s_int(f, COUNT_ALL, 0);
    s_add(f, 2001, "complaint.noise", "demo.s1.c1.g1", 0);
    s_add(f, 2002, "help.dispute", "demo.s1.c1.g1", 0);
    newcases_stats_t st = s_route(f);
    assert_int_equal(st.seen, 1);
    assert_int_equal(st.routed, 1);
    /* Only 2002 was written: its case, its dispatch, its event, its log line. */
    assert_int_equal(s_int(f, COUNT_ALL, 0) - before, 1000000 + 10000 + 100 + 1);
    s_add(f, 2001, "complaint.noise", "demo.s1.c1.g1", 0);
    s_add(f, 2002, "help.dispute", "demo.s1.c1.g1", 0);
    st = s_route(f);
    assert_int_equal(st.seen, 2);
    assert_int_equal(st.routed, 0);
    assert_int_equal(s_int(f, COUNT_ALL, 0) - before, 1000000 + 10000 + 100 + 1);
}

static void test_a_case_nobody_takes_does_not_hold_back_the_others(void **state)
{
    fixture_t *f = *state;
    /* No dispatch centre (undone by the rollback below). */
    harness_exec(f->r.conn, "BEGIN");
    harness_exec(f->r.conn, "UPDATE units SET kind = 'department' WHERE kind = 'dispatch_centre'");
    s_add(f, 3001, "complaint.noise", "demo.s1.c1.g1", 0);
    s_add(f, 3002, "suggestion.policy", "demo.s1.c1.g1", 0); /* no rule, no centre */
    s_add(f, 3003, "help.dispute", "demo.s1.c1.g1", 0);
    newcases_stats_t st = {0};
    assert_int_equal(newcases_route(f->nc, &f->r, &st), 0);
    assert_int_equal(st.routed, 2);
    assert_int_equal(st.unrouted, 1);
    s_expect_lead(f, 3001, "dept.chengguan");
    s_expect_lead(f, 3002, "");
    s_expect_lead(f, 3003, "gt.s1.c1.g1");
    /* The transaction is still good: it commits. */
    harness_exec(f->r.conn, "SELECT 1");
    harness_exec(f->r.conn, "ROLLBACK");
}

static void test_a_case_the_database_refuses_does_not_hold_back_the_others(void **state)
{
    fixture_t *f = *state;
    /* Case 4002's time is past what a timestamp holds: its row is refused
     * (22008), which fails the batch's statement; the others are routed one
     * by one and 4002 is skipped, in the same transaction. */
    s_add(f, 4001, "complaint.noise", "demo.s1.c1.g1", 0);
    s_add(f, 4002, "complaint.noise", "demo.s1.c1.g1", INT64_C(9000000000000000000));
    s_add(f, 4003, "report.water", "demo.s1.c1.g1", 0);
    newcases_stats_t st = s_route(f);
    assert_int_equal(st.routed, 2);
    assert_int_equal(st.unrouted, 1);
    s_expect_lead(f, 4001, "dept.chengguan");
    s_expect_lead(f, 4003, "dept.shuiwu");
    assert_int_equal(s_int(f, "SELECT count(*) FROM routed_cases WHERE case_id = $1", 4002), 0);
    assert_int_equal(s_int(f, "SELECT count(*) FROM dispatches WHERE case_id = $1", 4003), 2);
    assert_int_equal(s_int(f, "SELECT count(*) FROM outbox o WHERE stream = 'routing'"
                              " AND id > (SELECT max(id) - 3 FROM outbox) AND $1 = $1", 0),
                     3);
}

static void test_a_full_batch_is_refused_until_routed(void **state)
{
    fixture_t *f = *state;
    for (int i = 0; i < NEWCASES_MAX; i++)
        s_add(f, 10000 + i, i % 2 ? "help.dispute" : "complaint.noise", "demo.s1.c1.g1", 0);
    /* One more does not fit. */
    Gov__Envelope env = GOV__ENVELOPE__INIT;
    env.type = "CaseCreated";
    assert_int_equal(newcases_add(f->nc, &env), -1);
    newcases_stats_t st = s_route(f);
    assert_int_equal(st.routed, NEWCASES_MAX);
    assert_int_equal(s_int(f, "SELECT count(*) FROM dispatches WHERE case_id >= $1", 10000), NEWCASES_MAX);
    /* Events that are not CaseCreated are not cases. */
    env.type = "CaseMerged";
    assert_int_equal(newcases_add(f->nc, &env), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_batch_routes_each_case_as_the_rules_say),
        cmocka_unit_test(test_a_replayed_batch_writes_nothing_more),
        cmocka_unit_test(test_a_case_nobody_takes_does_not_hold_back_the_others),
        cmocka_unit_test(test_a_case_the_database_refuses_does_not_hold_back_the_others),
        cmocka_unit_test(test_a_full_batch_is_refused_until_routed),
    };
    return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
