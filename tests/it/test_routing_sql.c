/* Routing's statements where a single process's tests cannot reach them.
 * Replicas acting at once: two of a whistle's dispatches ending together
 * still close it, and a command holding a dispatch does not block a ladder
 * step writing that dispatch's log line (each test drives two sessions by
 * hand, in the interleaving two replicas would make). Several dispatch
 * centres: a case or whistle goes, and escalates, to the nearest. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "harness.h"
#include "routing.h"
/* Routing's statements (intake has a queries.h too, found first). */
#include "../../services/routing/queries.h"
#include "whistle.h"

static char s_url[256];

static int s_setup(void **state)
{
    (void) state;
    return harness_db_new("it_routing_sql", s_url);
}

/* One replica's view: its own connection and statements. */
typedef struct {
    routing_t r;
    int64_t whistle, dispatch;
    int closed;       /* the whistle was closed by this session's check */
    int rc;
    pthread_mutex_t *mu;
    pthread_cond_t *cv;
    int *step;        /* the interleaving's progress, shared */
} replica_t;

static void s_replica_open(replica_t *x)
{
    x->r.conn = harness_db_connect(s_url);
    x->r.sql = pstmt_new(x->r.conn);
    x->r.clock = svclock_new(0);
    assert_non_null(x->r.sql);
    assert_non_null(x->r.clock);
}

static void s_replica_close(replica_t *x)
{
    pstmt_destroy(&x->r.sql);
    svclock_destroy(&x->r.clock);
    PQfinish(x->r.conn);
}

/* A whistle with two summoned departments, both signed; returns its id and
 * the dispatches' in `d`. */
static int64_t s_whistle(PGconn *conn, int64_t d[2])
{
    int64_t w = harness_int(conn,
                            "INSERT INTO whistles (caller_unit_id, kind, reason, location, area_id,"
                            " created_by, created_at)"
                            " SELECT u.id, 'emergency', '路面塌陷',"
                            "  ST_SetSRID(ST_MakePoint(116.3025, 39.9025), 4326)::geography, a.id,"
                            "  'test', now()"
                            " FROM units u, areas a WHERE u.code = 'so.s1' AND a.code = 'demo.s1'"
                            " RETURNING id",
                            0, NULL);
    const char *depts[] = {"dept.chengguan", "dept.shuiwu"};
    for (int i = 0; i < 2; i++) {
        char ws[24];
        snprintf(ws, sizeof ws, "%lld", (long long) w);
        const char *params[] = {ws, depts[i]};
        d[i] = harness_int(conn,
                           "INSERT INTO dispatches (whistle_id, unit_id, role, state, sent_at,"
                           " signed_at) SELECT $1::bigint, id, 'summoned', 'signed', now(), now()"
                           " FROM units WHERE code = $2 RETURNING id",
                           2, params);
    }
    return w;
}

/* Ends the replica's dispatch in its open transaction, as ResolveDispatch
 * does before it asks whether the whistle is done. */
static int s_resolve(replica_t *x)
{
    char id[24];
    snprintf(id, sizeof id, "%lld", (long long) x->dispatch);
    const char *params[] = {id};
    PGresult *res = PQexecParams(x->r.conn,
                                 "UPDATE dispatches SET state = 'resolved', resolved_at = now()"
                                 " WHERE id = $1::bigint",
                                 1, NULL, params, NULL, NULL, 0);
    int ok = PQresultStatus(res) == PGRES_COMMAND_OK;
    PQclear(res);
    return ok ? 0 : -1;
}

static void s_wait_step(replica_t *x, int step)
{
    pthread_mutex_lock(x->mu);
    while (*x->step < step)
        pthread_cond_wait(x->cv, x->mu);
    pthread_mutex_unlock(x->mu);
}

static void s_set_step(replica_t *x, int step)
{
    pthread_mutex_lock(x->mu);
    *x->step = step;
    pthread_cond_broadcast(x->cv);
    pthread_mutex_unlock(x->mu);
}

/* The second replica: resolves its dispatch while the first has resolved
 * but not committed, checks the whistle after the first checked it, and
 * commits. */
static void *s_second(void *arg)
{
    replica_t *x = arg;
    apperr_t err = {0};
    s_wait_step(x, 1);
    x->rc = routing_begin(&x->r, &err) || s_resolve(x) ? -1 : 0;
    s_set_step(x, 2);
    s_wait_step(x, 3);
    int closed = x->rc ? -1 : whistle_maybe_close(&x->r, x->whistle, NULL, NULL, &err);
    x->closed = closed == 0 && harness_int(x->r.conn,
                                           "SELECT count(*) FROM outbox WHERE type = 'WhistleClosed'",
                                           0, NULL) == 1;
    x->rc |= closed < 0 || routing_commit(&x->r, &err) ? -1 : 0;
    return NULL;
}

static void test_two_last_dispatches_ending_at_once_close_their_whistle(void **state)
{
    (void) state;
    pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
    pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
    int step = 0;
    replica_t a = {.mu = &mu, .cv = &cv, .step = &step}, b = a;
    s_replica_open(&a);
    s_replica_open(&b);
    int64_t d[2];
    a.whistle = b.whistle = s_whistle(a.r.conn, d);
    a.dispatch = d[0];
    b.dispatch = d[1];
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, s_second, &b), 0);

    apperr_t err = {0};
    assert_int_equal(routing_begin(&a.r, &err), 0);
    assert_int_equal(s_resolve(&a), 0);
    s_set_step(&a, 1);
    s_wait_step(&a, 2); /* both resolved, neither committed */
    /* The first sees the second's dispatch still signed: not closed yet. */
    assert_int_equal(whistle_maybe_close(&a.r, a.whistle, NULL, NULL, &err), 0);
    s_set_step(&a, 3);
    usleep(300 * 1000); /* the second checks now, and waits for our commit */
    assert_int_equal(routing_commit(&a.r, &err), 0);
    pthread_join(t, NULL);

    assert_int_equal(b.rc, 0);
    assert_true(b.closed); /* the second looked after the first committed */
    char ws[24];
    snprintf(ws, sizeof ws, "%lld", (long long) a.whistle);
    const char *params[] = {ws};
    assert_int_equal(harness_int(a.r.conn,
                                 "SELECT count(*) FROM whistles WHERE id = $1::bigint"
                                 " AND state = 'closed'",
                                 1, params),
                     1);
    assert_int_equal(harness_int(a.r.conn, "SELECT count(*) FROM outbox WHERE type = 'WhistleClosed'",
                                 0, NULL),
                     1);
    s_replica_close(&a);
    s_replica_close(&b);
}

static void test_a_command_holding_a_dispatch_does_not_block_its_log(void **state)
{
    (void) state;
    PGconn *command = harness_db_connect(s_url), *step = harness_db_connect(s_url);
    int64_t d[2];
    s_whistle(command, d);
    char id[24];
    snprintf(id, sizeof id, "%lld", (long long) d[0]);
    const char *params[] = {id};
    /* A command on one replica holds the dispatch as routing's commands do. */
    harness_exec(command, "BEGIN");
    PGresult *res = PQexecParams(command, Q_DISPATCH_FOR_UPDATE, 1, NULL, params, NULL, NULL, 0);
    assert_int_equal(PQresultStatus(res), PGRES_TUPLES_OK);
    assert_int_equal(PQntuples(res), 1);
    PQclear(res);
    /* A step firing on another replica logs a line for it: its foreign key
     * check must not wait for the command (it holds that step's deadline
     * row, which the command is about to cancel: the two would deadlock). */
    harness_exec(step, "BEGIN");
    assert_int_equal(PQsendQueryParams(step,
                                       "INSERT INTO dispatch_log (dispatch_id, at, action, actor)"
                                       " VALUES ($1::bigint, now(), 'reminded', 'ladder')",
                                       1, NULL, params, NULL, NULL, 0),
                     1);
    int64_t deadline = harness_now_ms() + 3000;
    int busy = 1;
    while (busy && harness_now_ms() < deadline) {
        assert_int_equal(PQconsumeInput(step), 1);
        if (!(busy = PQisBusy(step)))
            break;
        usleep(10 * 1000);
    }
    assert_false(busy);
    res = PQgetResult(step);
    assert_int_equal(PQresultStatus(res), PGRES_COMMAND_OK);
    PQclear(res);
    assert_null(PQgetResult(step));
    harness_exec(step, "COMMIT");
    harness_exec(command, "COMMIT");
    PQfinish(command);
    PQfinish(step);
}

/* The code of the unit `sql` names ($1, $2, $3 as given). */
static void s_expect_code(PGconn *conn, const char *sql, int n, const char *const *params,
                          const char *want)
{
    PGresult *res = PQexecParams(conn, sql, n, NULL, params, NULL, NULL, 0);
    assert_int_equal(PQresultStatus(res), PGRES_TUPLES_OK);
    assert_int_equal(PQntuples(res), 1);
    assert_string_equal(PQgetvalue(res, 0, 0), want);
    PQclear(res);
}

static void test_the_nearest_centre_takes_a_case_and_its_escalations(void **state)
{
    (void) state;
    PGconn *conn = harness_db_connect(s_url);
    /* The demo's centre serves the district; a street gets one of its own,
     * and a centre with no area holds nothing in particular. */
    harness_exec(conn, "INSERT INTO units (code, name, kind, area_id)"
                       " SELECT 'centre.s1', '青山街道分中心', 'dispatch_centre', id FROM areas"
                       " WHERE code = 'demo.s1'");
    harness_exec(conn, "INSERT INTO units (code, name, kind) VALUES"
                       " ('centre.none', '无辖区中心', 'dispatch_centre')");
    const char *by_id = "SELECT code FROM units WHERE id = (" Q_CENTRE ")";
    char s1[24], s3[24];
    snprintf(s1, sizeof s1, "%lld",
             (long long) harness_int(conn, "SELECT id FROM areas WHERE code = 'demo.s1.c1.g1'",
                                     0, NULL));
    snprintf(s3, sizeof s3, "%lld",
             (long long) harness_int(conn, "SELECT id FROM areas WHERE code = 'demo.s3.c3.g4'",
                                     0, NULL));
    s_expect_code(conn, by_id, 1, (const char *[]){s1}, "centre.s1");
    s_expect_code(conn, by_id, 1, (const char *[]){s3}, "centre");
    s_expect_code(conn, by_id, 1, (const char *[]){"0"}, "centre"); /* any: the first */

    /* A whistle's dispatch in street s1 escalates to the street's centre. */
    int64_t d[2];
    s_whistle(conn, d);
    char dispatch[24], unit[24];
    snprintf(dispatch, sizeof dispatch, "%lld", (long long) d[0]);
    snprintf(unit, sizeof unit, "%lld",
             (long long) harness_int(conn, "SELECT id FROM units WHERE code = 'dept.chengguan'",
                                     0, NULL));
    s_expect_code(conn, Q_STEP_TARGET, 3, (const char *[]){unit, "escalate_centre", dispatch},
                  "centre.s1");
    s_expect_code(conn, Q_STEP_TARGET, 3, (const char *[]){unit, "remind", dispatch},
                  "dept.chengguan");
    PQfinish(conn);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_two_last_dispatches_ending_at_once_close_their_whistle),
        cmocka_unit_test(test_a_command_holding_a_dispatch_does_not_block_its_log),
        cmocka_unit_test(test_the_nearest_centre_takes_a_case_and_its_escalations),
    };
    return cmocka_run_group_tests_name("routing statements", tests, s_setup, NULL);
}
