/* Routing's batches under the real services: two gov-routing replicas share
 * intake's subscription while thousands of new cases arrive at once, and one
 * of them is killed (-9) in the middle of its batches. Every case is still
 * dispatched exactly once, with exactly one event, log line and set of ladder
 * steps per dispatch, and the stream position ends past every event. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "harness.h"
#include "intake.pb-c.h"
#include "outbox.h"

#define CASES 3000
#define FIRST_ID 500000

typedef struct {
    harness_svc_t intake, a, b;
    char url[256];
    PGconn *conn;
} fixture_t;

static int s_setup(void **state)
{
    fixture_t *f = calloc(1, sizeof *f);
    *state = f;
    const char *env[] = {"GOV_SUB_SILENCE_MS=200", NULL};
    if (!f || harness_db_new("it_routing_batch", f->url) ||
        harness_intake_start(&f->intake, f->url, env) ||
        harness_routing_start(&f->a, f->url, &f->intake, env) ||
        harness_routing_start(&f->b, f->url, &f->intake, env))
        return -1;
    f->conn = harness_db_connect(f->url);
    return f->conn ? 0 : -1;
}

static int s_teardown(void **state)
{
    fixture_t *f = *state;
    PQfinish(f->conn);
    harness_stop(&f->b, SIGTERM);
    harness_stop(&f->a, SIGTERM);
    int rc = harness_stop(&f->intake, SIGTERM);
    free(f);
    return rc;
}

static int64_t s_int(fixture_t *f, const char *sql)
{
    return harness_int(f->conn, sql, 0, NULL);
}

/* Waits up to 60 s for `sql` to reach `want`; returns what it last was. */
static int64_t s_await(fixture_t *f, const char *sql, int64_t want)
{
    int64_t got = -1;
    for (int64_t end = harness_now_ms() + 60000; harness_now_ms() < end; usleep(50000))
        if ((got = s_int(f, sql)) == want)
            break;
    return got;
}

/* CaseCreated events for `n` cases from `first`, as intake writes them. */
static void s_write_cases(fixture_t *f, int64_t first, int n)
{
    static const char *categories[] = {"complaint.noise", "help.dispute", "report.water",
                                       "suggestion.policy"};
    harness_exec(f->conn, "BEGIN");
    for (int i = 0; i < n; i++) {
        Gov__Case c = GOV__CASE__INIT;
        Gov__AreaRef ref = GOV__AREA_REF__INIT, *path[] = {&ref};
        c.id = first + i;
        c.status = "open";
        c.channel = "hotline";
        c.category = (char *) categories[i % 4];
        c.description = "批次";
        c.urgency = "normal";
        ref.code = "demo.s1.c1.g1";
        c.area_path = path;
        c.n_area_path = 1;
        c.created_ms = harness_now_ms();
        Gov__CaseCreated ev = GOV__CASE_CREATED__INIT;
        ev.item = &c;
        assert_int_equal(outbox_add(f->conn, "intake", "CaseCreated", NULL, NULL, &ev.base), 0);
    }
    harness_exec(f->conn, "COMMIT");
}

static void test_two_replicas_and_a_kill_route_each_case_once(void **state)
{
    fixture_t *f = *state;
    for (int k = 0; k < CASES / 500; k++)
        s_write_cases(f, FIRST_ID + k * 500, 500);
    /* Kill one replica as soon as routing is under way: most likely inside
     * one of its batches' transactions, which then never commits. */
    assert_true(s_await(f, "SELECT (count(*) > 0)::int FROM routed_cases", 1) == 1);
    assert_int_equal(harness_stop(&f->a, SIGKILL), 128 + SIGKILL);
    assert_true(s_int(f, "SELECT count(*) FROM routed_cases") < CASES); /* it was under way */
    assert_int_equal(s_await(f, "SELECT count(*) FROM routed_cases", CASES), CASES);
    assert_int_equal(s_await(f, "SELECT ((SELECT last_seq FROM subscriber_positions"
                                " WHERE subscriber = 'routing' AND stream = 'intake')"
                                " >= (SELECT max(seq) FROM outbox WHERE stream = 'intake'))::int",
                             1),
                     1);
    /* Exactly one lead each; water's assisting unit once each. */
    assert_int_equal(s_int(f, "SELECT count(*) FROM dispatches WHERE role = 'lead'"), CASES);
    assert_int_equal(s_int(f, "SELECT count(*) FROM (SELECT case_id FROM dispatches"
                              " WHERE role = 'lead' GROUP BY case_id HAVING count(*) > 1) x"),
                     0);
    assert_int_equal(s_int(f, "SELECT count(*) FROM dispatches WHERE role = 'assist'"), CASES / 4);
    /* One event and one 'sent' line a dispatch; the first steps of its ladder, once. */
    int64_t dispatches = s_int(f, "SELECT count(*) FROM dispatches");
    assert_int_equal(s_int(f, "SELECT count(*) FROM outbox WHERE stream = 'routing'"
                              " AND type = 'DispatchSent'"),
                     dispatches);
    assert_int_equal(s_int(f, "SELECT count(*) FROM dispatch_log WHERE action = 'sent'"), dispatches);
    assert_int_equal(s_int(f, "SELECT count(*) FROM dispatches d WHERE NOT EXISTS"
                              " (SELECT 1 FROM deadlines x WHERE x.dispatch_id = d.id)"),
                     0);
    /* ... and every step names its dispatch (no foreign key says so since
     * 0018: routing writes a step only with its dispatch, or its predecessor). */
    assert_int_equal(s_int(f, "SELECT count(*) FROM deadlines x WHERE NOT EXISTS"
                              " (SELECT 1 FROM dispatches d WHERE d.id = x.dispatch_id)"),
                     0);
    /* The events are numbered without a gap, in commit order. */
    assert_int_equal(s_await(f, "SELECT count(*) FROM outbox WHERE stream = 'routing' AND seq IS NULL", 0),
                     0);
    assert_int_equal(s_int(f, "SELECT (max(seq) = count(*))::int FROM outbox WHERE stream = 'routing'"),
                     1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_two_replicas_and_a_kill_route_each_case_once),
    };
    return cmocka_run_group_tests_name("routing_batch", tests, s_setup, s_teardown);
}
