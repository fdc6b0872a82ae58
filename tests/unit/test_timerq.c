/* timerq: many deadlines on one uv timer, on a real loop with a clock the
 * test moves. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "timerq.h"

typedef struct {
    uv_loop_t loop;
    timerq_t *q;
    int64_t now;                 /* the fake clock */
    int64_t fired[20000];
    int64_t fired_due[20000];
    size_t n;
    size_t calls;                /* fire callbacks so far */
    size_t biggest;              /* the largest batch one callback got */
    int rearm_id;                /* arm this id (once) from inside the callback */
    int destroy_in_callback;
} fx_t;

static int64_t s_clock(void *arg)
{
    return ((fx_t *) arg)->now;
}

static void s_fire(timerq_t *q, const timerq_item_t *due, size_t n, void *arg)
{
    fx_t *fx = arg;
    fx->calls++;
    if (n > fx->biggest)
        fx->biggest = n;
    for (size_t i = 0; i < n; i++) {
        assert_true(due[i].due_ms <= fx->now);
        fx->fired_due[fx->n] = due[i].due_ms;
        fx->fired[fx->n++] = due[i].id;
    }
    if (fx->rearm_id) {
        timerq_arm(q, fx->rearm_id, fx->now - 1);
        fx->rearm_id = 0;
    }
    if (fx->destroy_in_callback) {
        timerq_destroy(&fx->q);
        assert_null(fx->q);
    }
}

static int s_setup(void **state)
{
    fx_t *fx = calloc(1, sizeof *fx);
    uv_loop_init(&fx->loop);
    fx->now = 1000000;
    assert_int_equal(timerq_new(&fx->loop, s_clock, fx, s_fire, fx, &fx->q), 0);
    *state = fx;
    return 0;
}

static int s_teardown(void **state)
{
    fx_t *fx = *state;
    timerq_destroy(&fx->q);
    uv_run(&fx->loop, UV_RUN_NOWAIT);
    assert_int_equal(uv_loop_close(&fx->loop), 0);  /* every handle closed */
    free(fx);
    return 0;
}

static void s_run(fx_t *fx)
{
    while (uv_run(&fx->loop, UV_RUN_NOWAIT))
        if (!fx->q || timerq_next_due(fx->q) > fx->now)
            break;
}

static void test_fires_in_due_order_when_the_clock_gets_there(void **state)
{
    fx_t *fx = *state;
    srand(7);
    for (int i = 1; i <= 10000; i++)
        assert_int_equal(timerq_arm(fx->q, i, fx->now + 1 + rand() % 100000), 0);
    assert_int_equal(timerq_size(fx->q), 10000);
    int64_t first = timerq_next_due(fx->q);
    s_run(fx);
    assert_int_equal(fx->n, 0);                 /* nothing is due yet */
    fx->now += 50000;
    timerq_reschedule(fx->q);
    s_run(fx);
    size_t half = fx->n;
    assert_true(half > 4000 && half < 6000);
    for (size_t i = 0; i < half; i++) {
        assert_true(fx->fired_due[i] <= fx->now);
        if (i)
            assert_true(fx->fired_due[i - 1] <= fx->fired_due[i]);
    }
    assert_int_equal(fx->fired_due[0], first);
    assert_true(timerq_next_due(fx->q) > fx->now);
    fx->now += 50000;
    timerq_reschedule(fx->q);
    s_run(fx);
    assert_int_equal(fx->n, 10000);
    assert_int_equal(timerq_size(fx->q), 0);
    assert_int_equal(timerq_next_due(fx->q), INT64_MAX);
}

static void test_past_and_equal_dues_fire_at_once(void **state)
{
    fx_t *fx = *state;
    timerq_arm(fx->q, 1, fx->now - 5000);
    timerq_arm(fx->q, 2, fx->now);
    timerq_arm(fx->q, 3, fx->now);
    timerq_arm(fx->q, 4, fx->now + 1);
    s_run(fx);
    assert_int_equal(fx->n, 3);
    assert_int_equal(fx->fired[0], 1);
    assert_int_equal(timerq_size(fx->q), 1);
}

static int64_t s_real_clock(void *arg)
{
    (void) arg;
    return (int64_t) (uv_hrtime() / 1000000);
}

static void test_the_one_timer_really_waits(void **state)
{
    fx_t *fx = *state;
    timerq_destroy(&fx->q);
    assert_int_equal(timerq_new(&fx->loop, s_real_clock, NULL, s_fire, fx, &fx->q), 0);
    fx->now = INT64_MAX;  /* the callback checks dues against the fake clock: not here */
    int64_t t0 = s_real_clock(NULL);
    timerq_arm(fx->q, 1, t0 + 60);
    timerq_arm(fx->q, 2, t0 + 30);
    uv_run(&fx->loop, UV_RUN_DEFAULT);   /* returns when the queue is empty and the timer stopped */
    int64_t waited = s_real_clock(NULL) - t0;
    assert_int_equal(fx->n, 2);
    assert_int_equal(fx->fired[0], 2);
    assert_true(waited >= 60 && waited < 1000);
}

static void test_arming_from_the_callback(void **state)
{
    fx_t *fx = *state;
    fx->rearm_id = 99;
    timerq_arm(fx->q, 1, fx->now);
    s_run(fx);
    s_run(fx);
    assert_int_equal(fx->n, 2);
    assert_int_equal(fx->fired[1], 99);
}

static void test_a_big_burst_comes_in_bounded_batches(void **state)
{
    /* One UV_RUN_ONCE may run the timer before and after its poll, so count
     * what each callback got rather than what one pass of the loop did. */
    fx_t *fx = *state;
    for (int i = 0; i < 3 * TIMERQ_MAX_BATCH; i++)
        timerq_arm(fx->q, i, fx->now - 1);
    while (fx->n < 3 * TIMERQ_MAX_BATCH && uv_run(&fx->loop, UV_RUN_ONCE))
        ;
    assert_int_equal(fx->n, 3 * TIMERQ_MAX_BATCH);
    assert_int_equal(fx->biggest, TIMERQ_MAX_BATCH);
    assert_int_equal(fx->calls, 3);
    for (size_t i = 1; i < fx->n; i++)
        assert_true(fx->fired_due[i - 1] <= fx->fired_due[i]);
}

static void test_destroy_inside_the_callback_and_with_items_pending(void **state)
{
    fx_t *fx = *state;
    fx->destroy_in_callback = 1;
    timerq_arm(fx->q, 1, fx->now);
    timerq_arm(fx->q, 2, fx->now + 1000000);  /* still pending when destroyed */
    s_run(fx);
    assert_int_equal(fx->n, 1);
    assert_null(fx->q);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_fires_in_due_order_when_the_clock_gets_there, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_past_and_equal_dues_fire_at_once, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_the_one_timer_really_waits, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_arming_from_the_callback, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_a_big_burst_comes_in_bounded_batches, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_destroy_inside_the_callback_and_with_items_pending, s_setup, s_teardown),
    };
    return cmocka_run_group_tests_name("timerq", tests, NULL, NULL);
}
