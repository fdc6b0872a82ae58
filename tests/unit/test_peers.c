/* peers: each client's requests in flight are bounded, a gone client's and a
 * stalled client's requests are not served, a stalled client that reads again
 * is served again, and the table itself stays bounded. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "peers.h"

/* A ZeroMQ-style routing id: a zero byte and four of a counter. */
static size_t s_id(uint8_t out[5], uint32_t n)
{
    out[0] = 0;
    memcpy(out + 1, &n, 4);
    return 5;
}

static void test_inflight_is_bounded_per_peer(void **state)
{
    (void) state;
    peers_t *p = peers_new(16, 3);
    uint8_t a[5], b[5];
    s_id(a, 1), s_id(b, 2);
    for (int i = 0; i < 3; i++)
        assert_int_equal(peers_admit(p, a, 5), PEER_OK);
    assert_int_equal(peers_admit(p, a, 5), PEER_BUSY);
    assert_int_equal(peers_admit(p, b, 5), PEER_OK); /* another client is not held up */
    peers_sent(p, a, 5, 0, 1);                        /* one answered: room for one more */
    assert_int_equal(peers_admit(p, a, 5), PEER_OK);
    assert_int_equal(peers_admit(p, a, 5), PEER_BUSY);
    peers_drop(p, a, 5); /* dropped ones free their place too */
    assert_int_equal(peers_admit(p, a, 5), PEER_OK);
    peers_stats_t s = peers_stats(p);
    assert_int_equal(s.busy, 2);
    assert_int_equal(s.peers, 2);
    peers_destroy(&p);
    assert_null(p);
}

static void test_a_gone_peer_is_not_served(void **state)
{
    (void) state;
    peers_t *p = peers_new(16, 10);
    uint8_t a[5];
    s_id(a, 7);
    assert_int_equal(peers_admit(p, a, 5), PEER_OK);
    assert_int_equal(peers_admit(p, a, 5), PEER_OK);
    peers_sent(p, a, 5, -EHOSTUNREACH, 1);
    assert_int_equal(peers_state(p, a, 5), PEER_GONE);
    assert_int_equal(peers_admit(p, a, 5), PEER_GONE); /* the rest of its queue: dropped */
    peers_drop(p, a, 5);                               /* the one still in a batch */
    peers_stats_t s = peers_stats(p);
    assert_int_equal(s.gone, 1);
    assert_int_equal(s.dropped, 2);
    peers_destroy(&p);
}

static void test_a_stalled_peer_is_served_again_once_it_reads(void **state)
{
    (void) state;
    peers_t *p = peers_new(16, 10);
    uint8_t a[5];
    s_id(a, 9);
    assert_int_equal(peers_admit(p, a, 5), PEER_OK);
    peers_sent(p, a, 5, -EAGAIN, 1);
    assert_int_equal(peers_state(p, a, 5), PEER_STALLED);
    assert_int_equal(peers_admit(p, a, 5), PEER_STALLED);
    peers_sent(p, a, 5, -EAGAIN, 0); /* the probe did not go either */
    assert_int_equal(peers_admit(p, a, 5), PEER_STALLED);
    peers_sent(p, a, 5, 0, 0); /* this one went: it reads again */
    assert_int_equal(peers_admit(p, a, 5), PEER_OK);
    assert_int_equal(peers_stats(p).stalled, 1);
    peers_destroy(&p);
}

static void test_the_table_is_bounded(void **state)
{
    (void) state;
    peers_t *p = peers_new(8, 2);
    uint8_t id[5];
    /* 8 busy peers fill it: a ninth client is refused, not remembered */
    for (uint32_t i = 0; i < 8; i++)
        assert_int_equal(peers_admit(p, id, s_id(id, i)), PEER_OK);
    assert_int_equal(peers_admit(p, id, s_id(id, 100)), PEER_BUSY);
    assert_int_equal(peers_stats(p).peers, 8);
    /* answered peers make room, the least recently used first */
    for (uint32_t i = 0; i < 8; i++)
        peers_sent(p, id, s_id(id, i), 0, 1);
    assert_int_equal(peers_admit(p, id, s_id(id, 100)), PEER_OK);
    assert_int_equal(peers_stats(p).peers, 8);
    /* many clients come and go: the table never grows, and every peer still
     * in flight is found after the others' slots were reused */
    for (uint32_t i = 1000; i < 5000; i++) {
        s_id(id, i);
        assert_int_equal(peers_admit(p, id, 5), PEER_OK);
        peers_sent(p, id, 5, 0, 1);
    }
    assert_true(peers_stats(p).peers <= 8);
    assert_int_equal(peers_admit(p, id, s_id(id, 100)), PEER_OK); /* 100 is still there, 2 in flight */
    assert_int_equal(peers_admit(p, id, s_id(id, 100)), PEER_BUSY);
    /* ids no ROUTER gives cannot be answered */
    uint8_t big[300] = {0};
    assert_int_equal(peers_admit(p, big, sizeof big), PEER_GONE);
    assert_int_equal(peers_admit(p, big, 0), PEER_GONE);
    peers_destroy(&p);
    peers_destroy(&p); /* safe on NULL */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_inflight_is_bounded_per_peer),
        cmocka_unit_test(test_a_gone_peer_is_not_served),
        cmocka_unit_test(test_a_stalled_peer_is_served_again_once_it_reads),
        cmocka_unit_test(test_the_table_is_bounded),
    };
    return cmocka_run_group_tests_name("peers", tests, NULL, NULL);
}
