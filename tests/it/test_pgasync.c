/* pgasync's promise: a statement's answer comes on the loop without blocking
 * it; a failed statement brings its error, a broken connection NULL; one
 * statement at a time; `done` may use the connection at once (send the
 * next, reset it); waiting and destroying never call `done`. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "db.h"
#include "harness.h"
#include "pgasync.h"

static char s_url[256];

typedef struct {
    uv_loop_t loop;
    uv_timer_t ticker;
    PGconn *conn;
    pgasync_t *pa;
    int ticks;              /* the loop's turns while a statement was under way */
    int calls;              /* `done` calls */
    int busy_in_done;
    ExecStatusType status;  /* of the last result; -1 for NULL */
    char sqlstate[6];
    char value[32];
    const char *then;       /* sent from `done`, once */
} fixture_t;

static void s_on_tick(uv_timer_t *timer)
{
    fixture_t *f = timer->data;
    f->ticks++;
}

static void s_done(PGresult *res, void *arg)
{
    fixture_t *f = arg;
    f->calls++;
    f->busy_in_done = pgasync_busy(f->pa);
    f->status = res ? PQresultStatus(res) : (ExecStatusType) -1;
    f->value[0] = f->sqlstate[0] = '\0';
    if (res && PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) > 0)
        snprintf(f->value, sizeof f->value, "%s", PQgetvalue(res, 0, PQnfields(res) - 1));
    else if (res)
        db_sqlstate(res, f->sqlstate);
    PQclear(res);
    const char *then = f->then;
    f->then = NULL;
    if (then)
        assert_int_equal(pgasync_send(f->pa, then, 0, 0, NULL, s_done, f), 0);
    else
        uv_timer_stop(&f->ticker);
}

static int s_setup(void **state)
{
    (void) state;
    return harness_db_new("it_pgasync", s_url);
}

static int s_open(void **state)
{
    fixture_t *f = calloc(1, sizeof *f);
    assert_non_null(f);
    assert_int_equal(uv_loop_init(&f->loop), 0);
    uv_timer_init(&f->loop, &f->ticker);
    f->ticker.data = f;
    f->conn = harness_db_connect(s_url);
    assert_int_equal(pgasync_new(&f->loop, f->conn, &f->pa), 0);
    *state = f;
    return 0;
}

static void s_on_closed(uv_handle_t *handle)
{
    (void) handle;
}

static int s_close(void **state)
{
    fixture_t *f = *state;
    pgasync_destroy(&f->pa);
    assert_null(f->pa);
    uv_close((uv_handle_t *) &f->ticker, s_on_closed);
    uv_run(&f->loop, UV_RUN_DEFAULT);
    assert_int_equal(uv_loop_close(&f->loop), 0);  /* every handle was closed and freed */
    PQfinish(f->conn);
    free(f);
    return 0;
}

/* Runs the loop until `done` stopped the ticker. */
static void s_run(fixture_t *f)
{
    uv_timer_start(&f->ticker, s_on_tick, 5, 5);
    uv_run(&f->loop, UV_RUN_DEFAULT);
}

static void test_the_answer_comes_on_the_loop_without_blocking_it(void **state)
{
    fixture_t *f = *state;
    const char *params[] = {"42"};
    assert_int_equal(pgasync_send(f->pa, "SELECT pg_sleep(0.2), $1::int", 0, 1, params, s_done, f),
                     0);
    assert_true(pgasync_busy(f->pa));
    s_run(f);
    assert_int_equal(f->calls, 1);
    assert_false(f->busy_in_done);
    assert_int_equal(f->status, PGRES_TUPLES_OK);
    assert_string_equal(f->value, "42");
    assert_true(f->ticks >= 10);  /* the loop turned while the database slept */
    assert_false(pgasync_busy(f->pa));
}

static void test_a_failed_statement_brings_its_error_and_done_may_send_the_next(void **state)
{
    fixture_t *f = *state;
    f->then = "SELECT 7";
    assert_int_equal(pgasync_send(f->pa, "SELECT 1 / 0", 0, 0, NULL, s_done, f), 0);
    s_run(f);
    assert_int_equal(f->calls, 2);
    assert_int_equal(f->status, PGRES_TUPLES_OK);
    assert_string_equal(f->value, "7");
    /* The first answer was the error, with its SQLSTATE: run it again alone. */
    assert_int_equal(pgasync_send(f->pa, "SELECT 1 / 0", 0, 0, NULL, s_done, f), 0);
    s_run(f);
    assert_int_equal(f->calls, 3);
    assert_int_equal(f->status, PGRES_FATAL_ERROR);
    assert_string_equal(f->sqlstate, "22012");
    /* The connection is idle again and usable, even blocking. */
    PGresult *res = db_exec(f->conn, "SELECT 1", 0, NULL, NULL);
    assert_non_null(res);
    PQclear(res);
}

static void test_prepared_statements_and_one_at_a_time(void **state)
{
    fixture_t *f = *state;
    PGresult *prep = PQprepare(f->conn, "twice", "SELECT $1::int * 2", 1, NULL);
    assert_int_equal(PQresultStatus(prep), PGRES_COMMAND_OK);
    PQclear(prep);
    const char *params[] = {"21"};
    assert_int_equal(pgasync_send(f->pa, "twice", 1, 1, params, s_done, f), 0);
    assert_int_equal(pgasync_send(f->pa, "SELECT 1", 0, 0, NULL, s_done, f), -EBUSY);
    s_run(f);
    assert_int_equal(f->calls, 1);
    assert_string_equal(f->value, "42");
    /* A statement the server does not know brings the server's refusal. */
    assert_int_equal(pgasync_send(f->pa, "no_such_statement", 1, 0, NULL, s_done, f), 0);
    s_run(f);
    assert_int_equal(f->calls, 2);
    assert_int_equal(f->status, PGRES_FATAL_ERROR);
    assert_string_equal(f->sqlstate, "26000");
}

static void test_waiting_returns_the_answer_and_never_calls_done(void **state)
{
    fixture_t *f = *state;
    assert_null(pgasync_wait(f->pa));  /* nothing under way */
    assert_int_equal(pgasync_send(f->pa, "SELECT pg_sleep(0.05), 'waited'", 0, 0, NULL, s_done, f),
                     0);
    PGresult *res = pgasync_wait(f->pa);
    assert_non_null(res);
    assert_string_equal(PQgetvalue(res, 0, 1), "waited");
    PQclear(res);
    assert_false(pgasync_busy(f->pa));
    uv_run(&f->loop, UV_RUN_NOWAIT);  /* the watch's close callback */
    assert_int_equal(f->calls, 0);
    /* Destroyed while a statement is under way: it is waited for, and done
     * is not called (s_close's uv_loop_close checks nothing is left). */
    assert_int_equal(pgasync_send(f->pa, "SELECT pg_sleep(0.05)", 0, 0, NULL, s_done, f), 0);
    pgasync_destroy(&f->pa);
    uv_run(&f->loop, UV_RUN_NOWAIT);
    assert_int_equal(f->calls, 0);
    res = db_exec(f->conn, "SELECT 1", 0, NULL, NULL);  /* idle again */
    assert_non_null(res);
    PQclear(res);
}

static void test_a_broken_connection_brings_null_and_a_reset_one_is_watched_afresh(void **state)
{
    fixture_t *f = *state;
    PGconn *killer = harness_db_connect(s_url);
    char pid[16];
    snprintf(pid, sizeof pid, "%d", PQbackendPID(f->conn));
    assert_int_equal(pgasync_send(f->pa, "SELECT pg_sleep(30)", 0, 0, NULL, s_done, f), 0);
    const char *params[] = {pid};
    /* Wait until the statement is running, then end its backend. */
    while (harness_int(killer,
                       "SELECT count(*) FROM pg_stat_activity WHERE pid = $1::int"
                       " AND query LIKE 'SELECT pg_sleep(30)%'",
                       1, params) != 1)
        uv_run(&f->loop, UV_RUN_NOWAIT);
    assert_int_equal(harness_int(killer, "SELECT pg_terminate_backend($1::int)::int", 1, params), 1);
    PQfinish(killer);
    s_run(f);
    assert_int_equal(f->calls, 1);
    /* The server's own report (FATAL 57P01) or nothing at all, depending on
     * what arrived before the socket closed; either way the connection is
     * broken and nothing is under way. */
    assert_true(f->status == (ExecStatusType) -1 || f->status == PGRES_FATAL_ERROR);
    assert_int_equal(PQstatus(f->conn), CONNECTION_BAD);
    assert_false(pgasync_busy(f->pa));
    PQreset(f->conn);
    assert_int_equal(PQstatus(f->conn), CONNECTION_OK);
    assert_int_equal(pgasync_send(f->pa, "SELECT 'again'", 0, 0, NULL, s_done, f), 0);
    s_run(f);
    assert_int_equal(f->calls, 2);
    assert_string_equal(f->value, "again");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_the_answer_comes_on_the_loop_without_blocking_it,
                                        s_open, s_close),
        cmocka_unit_test_setup_teardown(
            test_a_failed_statement_brings_its_error_and_done_may_send_the_next, s_open, s_close),
        cmocka_unit_test_setup_teardown(test_prepared_statements_and_one_at_a_time, s_open,
                                        s_close),
        cmocka_unit_test_setup_teardown(test_waiting_returns_the_answer_and_never_calls_done,
                                        s_open, s_close),
        cmocka_unit_test_setup_teardown(
            test_a_broken_connection_brings_null_and_a_reset_one_is_watched_afresh, s_open,
            s_close),
    };
    return cmocka_run_group_tests_name("pgasync", tests, s_setup, NULL);
}
