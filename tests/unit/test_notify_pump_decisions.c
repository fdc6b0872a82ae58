/* The pump's decisions, apart from its I/O: how a burst to a robot shares
 * the robot's window (ration.c), what an attempt's outcome makes of its
 * delivery (settle.c), how long a retry waits (backoff.c), and the queue
 * the claimed rows wait in (rowq.c). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "backoff.h"
#include "ratelimit.h"
#include "ration.h"
#include "rowq.h"
#include "settle.h"

static void test_a_burst_goes_alone_then_as_one_digest_then_waits(void **state)
{
    (void) state;
    ration_split_t s = ration_split(5, 20);      /* room for all: all alone */
    assert_int_equal(s.alone, 5);
    assert_int_equal(s.merged, 0);
    s = ration_split(20, 20);
    assert_int_equal(s.alone, 20);
    assert_int_equal(s.merged, 0);
    s = ration_split(21, 20);                    /* one too many: the last slot takes two */
    assert_int_equal(s.alone, 19);
    assert_int_equal(s.merged, 2);
    s = ration_split(2, 1);                      /* one slot: both in the digest */
    assert_int_equal(s.alone, 0);
    assert_int_equal(s.merged, 2);
    s = ration_split(100, 5);                    /* 4 alone, 30 merged, 66 wait */
    assert_int_equal(s.alone, 4);
    assert_int_equal(s.merged, RATION_DIGEST_MAX);
    s = ration_split(7, 0);                      /* no room: all wait */
    assert_int_equal(s.alone, 0);
    assert_int_equal(s.merged, 0);
    s = ration_split(0, 3);
    assert_int_equal(s.alone + s.merged, 0);
    /* A digest never holds just one message. */
    for (int room = 1; room <= 25; room++)
        for (size_t waiting = 0; waiting <= 80; waiting++) {
            s = ration_split(waiting, room);
            assert_true(s.merged == 0 || s.merged >= 2);
            assert_true(s.alone + (s.merged ? 1 : 0) <= (size_t) room);  /* never over the limit */
            assert_true(s.alone + s.merged <= waiting);
        }
}

static rowq_row_t s_row(int64_t id, const char *channel, const char *dest)
{
    return (rowq_row_t){.id = id, .channel = (char *) channel, .destination = (char *) dest};
}

static void test_a_claim_is_rationed_per_robot_and_takes_the_slots(void **state)
{
    (void) state;
    ratelimit_t *robots = ratelimit_new(4, 60000);
    assert_non_null(robots);
    assert_int_equal(ratelimit_take(robots, "full", 0), 0);  /* "full" has 3 slots left */
    assert_int_equal(ratelimit_take(robots, "full", 0), 0);
    assert_int_equal(ratelimit_take(robots, "full", 0), 0);
    assert_int_equal(ratelimit_take(robots, "full", 0), 0);  /* now none */
    rowq_row_t rows[] = {
        s_row(1, "wecom", "busy"),  s_row(2, "email", "a@example.org"),
        s_row(3, "wecom", "busy"),  s_row(4, "dingtalk", "calm"),
        s_row(5, "wecom", "busy"),  s_row(6, "wecom", "busy"),
        s_row(7, "wecom", "busy"),  s_row(8, "wecom", "full"),
        s_row(9, "sms", "13800001234"),
    };
    size_t n = sizeof rows / sizeof *rows;
    rows[6].fate = RATION_HOLD;  /* decided already: left alone, not counted */
    ration_claim(robots, rows, n, 1000);
    /* busy: 4 waiting (1, 3, 5, 6), 4 slots: all alone. */
    assert_int_equal(rows[0].fate, RATION_SEND);
    assert_int_equal(rows[2].fate, RATION_SEND);
    assert_int_equal(rows[4].fate, RATION_SEND);
    assert_int_equal(rows[5].fate, RATION_SEND);
    assert_int_equal(rows[6].fate, RATION_HOLD);
    assert_int_equal(rows[3].fate, RATION_SEND);   /* calm: one, room for it */
    assert_int_equal(rows[7].fate, RATION_HOLD);   /* full: no room */
    assert_int_equal(rows[1].fate, RATION_SEND);   /* not robots: they go */
    assert_int_equal(rows[8].fate, RATION_SEND);
    assert_int_equal(ratelimit_room(robots, "busy", 1000), 0);   /* the slots are taken now */
    assert_int_equal(ratelimit_room(robots, "calm", 1000), 3);
    assert_int_equal(ratelimit_room(robots, "a@example.org", 1000), 4);

    /* The next claim, a burst of 6 for a robot with 2 slots left: one goes
     * alone, five go as one digest, and both slots are taken. */
    rowq_row_t burst[6];
    for (int i = 0; i < 6; i++)
        burst[i] = s_row(10 + i, "wecom", "calm2");
    ratelimit_take(robots, "calm2", 1000);
    ratelimit_take(robots, "calm2", 1000);
    ration_claim(robots, burst, 6, 2000);
    assert_int_equal(burst[0].fate, RATION_SEND);
    for (int i = 1; i < 6; i++)
        assert_int_equal(burst[i].fate, RATION_MERGE);
    assert_int_equal(ratelimit_room(robots, "calm2", 2000), 0);
    ratelimit_destroy(&robots);
}

static void test_a_robot_that_says_it_is_full_gets_nothing_more_this_window(void **state)
{
    (void) state;
    ratelimit_t *rl = ratelimit_new(5, 1000);
    assert_non_null(rl);
    assert_int_equal(ratelimit_take(rl, "r", 100), 0);
    ratelimit_fill(rl, "r", 400);
    assert_int_equal(ratelimit_room(rl, "r", 400), 0);
    assert_int_equal(ratelimit_next(rl, "r", 400), 1100);  /* the one taken at 100 ages out */
    assert_int_equal(ratelimit_room(rl, "r", 1400), 5);
    ratelimit_fill(rl, "new", 0);                          /* a robot not seen before */
    assert_int_equal(ratelimit_room(rl, "new", 999), 0);
    ratelimit_destroy(&rl);
}

static const settle_config_t s_cfg = {.max_attempts = 3, .retry_base_ms = 1000,
                                      .retry_max_ms = 10000, .robot_window_ms = 60000};

static void test_outcomes_settle_the_row(void **state)
{
    (void) state;
    int64_t now = 1000000;
    settle_t s = settle_outcome(&s_cfg, OUTCOME_SENT, 1, now, 7);
    assert_string_equal(s.outcome, "sent");
    assert_string_equal(s.state, "sent");
    assert_int_equal(s.failures, 1);             /* a success is not a failure */
    assert_int_equal(s.next_ms, 0);
    assert_false(settle_is_dead(&s));

    s = settle_outcome(&s_cfg, OUTCOME_RATE_LIMITED, 2, now, 7);
    assert_string_equal(s.outcome, "rate_limited");
    assert_string_equal(s.state, "pending");
    assert_int_equal(s.failures, 2);             /* nor is being told to slow down */
    assert_int_equal(s.next_ms, now + 60000);    /* one robot window */

    s = settle_outcome(&s_cfg, OUTCOME_RETRY, 0, now, 0);
    assert_string_equal(s.outcome, "retry");
    assert_string_equal(s.state, "pending");
    assert_int_equal(s.failures, 1);
    assert_int_equal(s.next_ms, now + 500);      /* the first backoff, its fixed half */

    s = settle_outcome(&s_cfg, OUTCOME_RETRY, 1, now, 0);
    assert_string_equal(s.state, "pending");
    assert_int_equal(s.failures, 2);
    assert_int_equal(s.next_ms, now + 1000);     /* doubled */

    s = settle_outcome(&s_cfg, OUTCOME_RETRY, 2, now, 0);  /* the third failure of three */
    assert_string_equal(s.outcome, "retry");
    assert_string_equal(s.state, "dead");
    assert_int_equal(s.failures, 3);
    assert_int_equal(s.next_ms, 0);
    assert_true(settle_is_dead(&s));

    s = settle_outcome(&s_cfg, OUTCOME_FAILED, 0, now, 0);  /* permanent: dead at once */
    assert_string_equal(s.outcome, "failed");
    assert_string_equal(s.state, "dead");
    assert_int_equal(s.failures, 1);
    assert_true(settle_is_dead(&s));
}

static void test_backoff_doubles_to_its_cap_with_equal_jitter(void **state)
{
    (void) state;
    /* random 0 gives the fixed half, random d/2 the whole delay. */
    assert_int_equal(backoff_delay(1000, 10000, 1, 0), 500);
    assert_int_equal(backoff_delay(1000, 10000, 1, 500), 1000);
    assert_int_equal(backoff_delay(1000, 10000, 0, 0), 500);     /* 0 counts as the first */
    assert_int_equal(backoff_delay(1000, 10000, 2, 0), 1000);
    assert_int_equal(backoff_delay(1000, 10000, 3, 0), 2000);
    assert_int_equal(backoff_delay(1000, 10000, 4, 0), 4000);
    assert_int_equal(backoff_delay(1000, 10000, 5, 0), 5000);    /* 16 s capped at 10 s */
    assert_int_equal(backoff_delay(1000, 10000, 5, 5000), 10000);
    assert_int_equal(backoff_delay(1000, 10000, 1000, 0), 5000); /* no overflow, however many */
    assert_int_equal(backoff_delay(3000, 2000, 1, 0), 1000);     /* the cap wins over the base */
    for (uint32_t r = 0; r < 100000; r += 997) {
        int64_t d = backoff_delay(1000, 10000, 3, r);
        assert_true(d >= 2000 && d <= 4000);
        assert_int_equal(d, 2000 + (int64_t) (r % 2001));
    }
    int64_t top = backoff_delay(300, 3600000, 2, UINT32_MAX);
    assert_true(top >= 300 && top <= 600);
}

static rowq_row_t s_owned(int64_t id)
{
    char text[24];
    snprintf(text, sizeof text, "%lld", (long long) id);
    return (rowq_row_t){.id = id, .idem_key = strdup(text), .channel = strdup("email"),
                        .destination = strdup("a@example.org"), .body = strdup(text)};
}

static void test_the_row_queue_keeps_order_front_and_back_as_it_grows(void **state)
{
    (void) state;
    rowq_t *q = rowq_new();
    assert_non_null(q);
    rowq_row_t out;
    assert_int_equal(rowq_pop(q, &out), -ENOENT);
    /* Past the first ring's 256, with the head moved off 0 first, so the
     * growth copies a ring that wraps. */
    for (int64_t i = 1; i <= 100; i++) {
        rowq_row_t r = s_owned(i);
        assert_int_equal(rowq_push(q, &r, 0), 0);
        assert_null(r.idem_key);                 /* the queue owns its strings now */
    }
    for (int64_t i = 1; i <= 50; i++) {
        assert_int_equal(rowq_pop(q, &out), 0);
        assert_int_equal(out.id, i);
        rowq_row_free(&out);
    }
    for (int64_t i = 101; i <= 400; i++) {
        rowq_row_t r = s_owned(i);
        assert_int_equal(rowq_push(q, &r, 0), 0);
    }
    rowq_row_t first = s_owned(-1), second = s_owned(-2);
    assert_int_equal(rowq_push(q, &first, 1), 0);
    assert_int_equal(rowq_push(q, &second, 1), 0);  /* the last put in front goes first */
    assert_int_equal(rowq_len(q), 352);
    assert_int_equal(rowq_pop(q, &out), 0);
    assert_int_equal(out.id, -2);
    rowq_row_free(&out);
    assert_int_equal(rowq_pop(q, &out), 0);
    assert_int_equal(out.id, -1);
    assert_string_equal(out.body, "-1");
    rowq_row_free(&out);
    assert_null(out.body);
    for (int64_t i = 51; i <= 300; i++) {
        assert_int_equal(rowq_pop(q, &out), 0);
        assert_int_equal(out.id, i);
        assert_string_equal(out.idem_key, out.body);
        rowq_row_free(&out);
    }
    assert_int_equal(rowq_len(q), 100);
    rowq_destroy(&q);  /* frees the 100 left (the sanitizer's leak check says so) */
    assert_null(q);
    rowq_destroy(&q);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_burst_goes_alone_then_as_one_digest_then_waits),
        cmocka_unit_test(test_a_claim_is_rationed_per_robot_and_takes_the_slots),
        cmocka_unit_test(test_a_robot_that_says_it_is_full_gets_nothing_more_this_window),
        cmocka_unit_test(test_outcomes_settle_the_row),
        cmocka_unit_test(test_backoff_doubles_to_its_cap_with_equal_jitter),
        cmocka_unit_test(test_the_row_queue_keeps_order_front_and_back_as_it_grows),
    };
    return cmocka_run_group_tests_name("notify pump decisions", tests, NULL, NULL);
}
