/* deadline: the engine's pure decisions — what a refill loads and what a new
 * row arms at once — and its NULL-safe edges. The engine on a real database
 * is tested through the services (tests/it/test_routing.c,
 * tests/cli/test_deliberation.sh). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "deadline.h"

#define HOUR 3600000LL
#define SWEEP 30000LL

/* Which of the two ways would arm a row due at `due` that is inserted after
 * the refill that set `armed_until`: 1 at once, 2 by the next refill (planned
 * at `next_now`), 0 neither (not yet: a later refill), 3 both. */
static int s_covered(int64_t due, int64_t armed_until, int64_t next_now)
{
    deadline_span_t next = deadline_plan(next_now, armed_until, HOUR, SWEEP);
    int now = deadline_arms_now(due, armed_until);
    int later = due >= next.from && due < next.until;
    return now | (later << 1);
}

static void test_every_due_time_is_armed_once_at_the_boundary(void **state)
{
    (void) state;
    int64_t t0 = 1700000000000LL;
    deadline_span_t first = deadline_plan(t0, 0, HOUR, SWEEP);
    int64_t edge = first.until;
    /* Just before the edge: at once; at and after it: by the next refill,
     * never by both (that was `<=` against `> armed_until` meeting `<`
     * against `>= armed_until`). */
    assert_int_equal(s_covered(edge - 1, edge, t0 + 5000), 1);
    assert_int_equal(s_covered(edge, edge, t0 + 5000), 2);
    assert_int_equal(s_covered(edge + 4999, edge, t0 + 5000), 2);
    /* Beyond what the next refill reaches: a later one. */
    assert_int_equal(s_covered(edge + 5000, edge, t0 + 5000), 0);
}

static void test_refills_tile_time_without_gaps_or_overlaps(void **state)
{
    (void) state;
    int64_t now = 1700000000000LL, armed_until = 0;
    deadline_span_t spans[50];
    for (int i = 0; i < 50; i++) {
        spans[i] = deadline_plan(now, armed_until, HOUR, SWEEP);
        assert_int_equal(spans[i].from, armed_until);
        assert_int_equal(spans[i].until, now + HOUR);
        armed_until = spans[i].until;
        now += 5000 + i * 97;  /* refills come at uneven times */
    }
    for (int i = 1; i < 50; i++)
        assert_int_equal(spans[i].from, spans[i - 1].until);
    /* The first span starts at zero: at start everything up to the horizon
     * is armed (what was overdue fired late before it). */
    assert_int_equal(spans[0].from, 0);
}

static void test_the_horizon_never_moves_back(void **state)
{
    (void) state;
    int64_t now = 1700000000000LL;
    deadline_span_t a = deadline_plan(now, 0, HOUR, SWEEP);
    /* The wall clock stepped back a minute: nothing new to load, and what is
     * armed stays armed. */
    deadline_span_t b = deadline_plan(now - 60000, a.until, HOUR, SWEEP);
    assert_int_equal(b.from, a.until);
    assert_int_equal(b.until, a.until);
    assert_int_equal(deadline_arms_now(a.until - 1, b.until), 1);
    /* A test jumped the clock two hours: the span reaches the new horizon. */
    deadline_span_t c = deadline_plan(now + 2 * HOUR, b.until, HOUR, SWEEP);
    assert_int_equal(c.from, a.until);
    assert_int_equal(c.until, now + 3 * HOUR);
}

static void test_rows_overdue_beyond_the_sweep_are_taken_over(void **state)
{
    (void) state;
    int64_t now = 1700000000000LL;
    deadline_span_t s = deadline_plan(now, now + HOUR, HOUR, SWEEP);
    assert_int_equal(s.swept_before, now - SWEEP);
    /* A row a dead replica held, due 31 s ago: taken over. One due 29 s ago
     * may still be firing elsewhere: left alone. */
    assert_true(now - 31000 < s.swept_before);
    assert_false(now - 29000 < s.swept_before);
    assert_false(now - SWEEP < s.swept_before);
}

static void test_a_null_engine_is_a_tool_without_timers(void **state)
{
    (void) state;
    deadline_arm(NULL, 1, 0);
    assert_int_equal(deadline_clock_jumped(NULL), 0);
    deadline_stats_t stats = deadline_stats(NULL);
    assert_int_equal(stats.armed + stats.fired + stats.late + stats.stale, 0);
    deadline_t *none = NULL;
    deadline_destroy(&none);
    deadline_destroy(NULL);
    assert_null(none);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_due_time_is_armed_once_at_the_boundary),
        cmocka_unit_test(test_refills_tile_time_without_gaps_or_overlaps),
        cmocka_unit_test(test_the_horizon_never_moves_back),
        cmocka_unit_test(test_rows_overdue_beyond_the_sweep_are_taken_over),
        cmocka_unit_test(test_a_null_engine_is_a_tool_without_timers),
    };
    return cmocka_run_group_tests_name("deadline", tests, NULL, NULL);
}
