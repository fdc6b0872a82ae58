/* actor's promise: actor_new returns once the actor is ready, on a thread
 * of its own with its own connection; a failed start leaves nothing
 * running; the stop runs on the actor's thread, waits for the callback under
 * way (which can see actor_stopping), and leaves no handle open. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "actor.h"
#include "db.h"
#include "harness.h"

static char s_url[256];

typedef struct {
    actor_t *actor;
    uv_async_t ping;          /* on the actor's loop */
    uv_timer_t spare;         /* started and closed by a start that fails */
    int fail_with;            /* start returns this */
    int started;              /* start ran (read after actor_new returned) */
    int answer;               /* what start's query returned */
    uv_thread_t start_thread, stop_thread;
    int stopped;
    int linger;               /* a ping keeps its callback busy until the stop is asked */
    atomic_int pings;
    atomic_int saw_stopping;
} probe_t;

static void s_on_ping(uv_async_t *async)
{
    probe_t *p = async->data;
    if (p->linger) {
        int64_t until = harness_now_ms() + 5000;
        atomic_fetch_add(&p->pings, 1);
        while (!actor_stopping(p->actor) && harness_now_ms() < until)
            usleep(1000);
        atomic_store(&p->saw_stopping, actor_stopping(p->actor));
        return;
    }
    atomic_fetch_add(&p->pings, 1);
}

static void s_stop(void *arg)
{
    probe_t *p = arg;
    p->stop_thread = uv_thread_self();
    p->stopped++;
    uv_close((uv_handle_t *) &p->ping, NULL);
}

static int s_start(uv_loop_t *loop, PGconn *conn, void *arg)
{
    probe_t *p = arg;
    p->start_thread = uv_thread_self();
    if (p->fail_with) {
        uv_timer_init(loop, &p->spare);
        uv_close((uv_handle_t *) &p->spare, NULL);
        return p->fail_with;
    }
    usleep(50 * 1000);  /* a slow start: actor_new must wait for it */
    PGresult *res = db_exec(conn, "SELECT 41 + 1", 0, NULL, NULL);
    p->answer = res ? atoi(PQgetvalue(res, 0, 0)) : -1;
    PQclear(res);
    uv_async_init(loop, &p->ping, s_on_ping);
    p->ping.data = p;
    p->started = 1;
    return 0;
}

static actor_config_t s_config(probe_t *p)
{
    return (actor_config_t){.name = "test actor", .db_url = s_url,
                            .schema_version = SCHEMA_VERSION, .start = s_start, .stop = s_stop,
                            .arg = p};
}

static int s_setup(void **state)
{
    (void) state;
    return harness_db_new("it_actor", s_url);
}

static void test_new_returns_ready_and_the_stop_is_the_actors(void **state)
{
    (void) state;
    probe_t p = {0};
    actor_config_t cfg = s_config(&p);
    assert_int_equal(actor_new(&cfg, &p.actor), 0);
    assert_non_null(p.actor);
    assert_int_equal(p.started, 1);       /* start ran before actor_new returned */
    assert_int_equal(p.answer, 42);       /* on a connection of its own */
    uv_thread_t self = uv_thread_self();
    assert_false(uv_thread_equal(&p.start_thread, &self));
    assert_false(actor_stopping(p.actor));
    uv_async_send(&p.ping);
    int64_t until = harness_now_ms() + 5000;
    while (atomic_load(&p.pings) == 0 && harness_now_ms() < until)
        usleep(1000);
    assert_int_equal(atomic_load(&p.pings), 1);
    actor_destroy(&p.actor);
    assert_null(p.actor);
    assert_int_equal(p.stopped, 1);
    assert_true(uv_thread_equal(&p.stop_thread, &p.start_thread));
    actor_destroy(&p.actor);  /* safe on NULL */
}

static void test_a_failed_start_leaves_nothing_running(void **state)
{
    (void) state;
    probe_t p = {.fail_with = -EPROTO};
    actor_config_t cfg = s_config(&p);
    assert_int_equal(actor_new(&cfg, &p.actor), -EPROTO);
    assert_null(p.actor);
    assert_int_equal(p.stopped, 0);
    /* A database at another schema version: start is never called. */
    probe_t q = {0};
    cfg = s_config(&q);
    cfg.schema_version = 9999;
    assert_int_equal(actor_new(&cfg, &q.actor), -ECONNREFUSED);
    assert_null(q.actor);
    assert_int_equal(q.started, 0);
}

static void test_the_stop_waits_for_work_under_way_which_can_see_it(void **state)
{
    (void) state;
    probe_t p = {.linger = 1};
    actor_config_t cfg = s_config(&p);
    assert_int_equal(actor_new(&cfg, &p.actor), 0);
    uv_async_send(&p.ping);
    int64_t until = harness_now_ms() + 5000;
    while (atomic_load(&p.pings) == 0 && harness_now_ms() < until)
        usleep(1000);
    assert_int_equal(atomic_load(&p.pings), 1);
    int64_t asked = harness_now_ms();
    actor_destroy(&p.actor);
    assert_int_equal(atomic_load(&p.saw_stopping), 1);
    assert_true(harness_now_ms() - asked < 4000);  /* it gave up at once, not at its deadline */
    assert_int_equal(p.stopped, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_new_returns_ready_and_the_stop_is_the_actors),
        cmocka_unit_test(test_a_failed_start_leaves_nothing_running),
        cmocka_unit_test(test_the_stop_waits_for_work_under_way_which_can_see_it),
    };
    return cmocka_run_group_tests_name("actor", tests, s_setup, NULL);
}
