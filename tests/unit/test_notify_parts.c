/* notify's pure parts: templates, phone masking, Beijing times, cutting
 * text on character boundaries, quiet hours, the robots' rate window, and
 * the signatures (checked against values computed independently). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "quiet.h"
#include "ratelimit.h"
#include "render.h"
#include "sign.h"

/* 2026-11-24 00:00 Beijing = 2026-11-23 16:00 UTC. */
#define BJ_MIDNIGHT 1795449600000LL
#define MIN 60000LL

static void test_templates_fill_fields_and_leave_the_rest(void **state)
{
    (void) state;
    render_vars_t v = {0};
    render_set(&v, "unit", "城管");
    render_set(&v, "case_id", "42");
    render_set(&v, "case_id", "43");  /* the later value wins */
    char *out = render_template("{{unit}}：工单 #{{case_id}} {{missing}}| {{unclosed", &v);
    assert_string_equal(out, "城管：工单 #43 | {{unclosed");
    free(out);
    out = render_template("", &v);
    assert_string_equal(out, "");
    free(out);
}

static void test_phones_are_masked(void **state)
{
    (void) state;
    char out[32];
    render_mask_phone("13812341234", out, sizeof out);
    assert_string_equal(out, "138****1234");
    render_mask_phone("+8613812341234", out, sizeof out);
    assert_string_equal(out, "+86****1234");
    render_mask_phone("12345", out, sizeof out);
    assert_string_equal(out, "***45");
    render_mask_phone("", out, sizeof out);
    assert_string_equal(out, "");
    render_mask_phone("13812341234", out, 5);  /* never past the buffer */
    assert_int_equal(strlen(out), 4);
}

static void test_beijing_time_and_cutting(void **state)
{
    (void) state;
    char t[20];
    render_beijing_time(BJ_MIDNIGHT + 15 * 60 * MIN + 30 * MIN, t);
    assert_string_equal(t, "2026-11-24 15:30");
    render_beijing_time(0, t);
    assert_string_equal(t, "");
    char s[64] = "路面塌陷abc";          /* 4 characters of 3 bytes, then 3 */
    render_cut(s, 100);
    assert_string_equal(s, "路面塌陷abc");
    render_cut(s, 8);                     /* 5 bytes of text + "…": one character fits */
    assert_string_equal(s, "路…");
    char a[16] = "abcdefghij";
    render_cut(a, 6);
    assert_string_equal(a, "abc…");
}

static void test_quiet_hours(void **state)
{
    (void) state;
    int64_t seven = BJ_MIDNIGHT + 7 * 60 * MIN;
    assert_int_equal(quiet_until(BJ_MIDNIGHT + 12 * 60 * MIN, 22 * 60, 7 * 60), 0);
    assert_int_equal(quiet_until(BJ_MIDNIGHT + 3 * 60 * MIN, 22 * 60, 7 * 60), seven);
    assert_int_equal(quiet_until(BJ_MIDNIGHT + 23 * 60 * MIN, 22 * 60, 7 * 60),
                     seven + 24 * 60 * MIN);            /* until tomorrow morning */
    assert_int_equal(quiet_until(BJ_MIDNIGHT + 22 * 60 * MIN, 22 * 60, 7 * 60),
                     seven + 24 * 60 * MIN);            /* the first minute is quiet */
    assert_int_equal(quiet_until(seven, 22 * 60, 7 * 60), 0);  /* the last is not */
    assert_int_equal(quiet_until(BJ_MIDNIGHT + 13 * 60 * MIN, 12 * 60, 14 * 60),
                     BJ_MIDNIGHT + 14 * 60 * MIN);      /* a lunch break, no wrap */
    assert_int_equal(quiet_until(BJ_MIDNIGHT + 3 * 60 * MIN, 8 * 60, 8 * 60), 0);
}

static void test_the_rate_window_slides(void **state)
{
    (void) state;
    ratelimit_t *rl = ratelimit_new(3, 1000);
    assert_non_null(rl);
    assert_int_equal(ratelimit_room(rl, "a", 0), 3);
    for (int i = 0; i < 3; i++)
        assert_int_equal(ratelimit_take(rl, "a", 100 * i), 0);
    assert_int_equal(ratelimit_room(rl, "a", 500), 0);
    assert_int_equal(ratelimit_room(rl, "b", 500), 3);   /* per destination */
    assert_int_equal(ratelimit_next(rl, "a", 500), 1000); /* when the first send ages out */
    assert_int_equal(ratelimit_room(rl, "a", 1000), 1);
    assert_int_equal(ratelimit_room(rl, "a", 1200), 3);
    assert_int_equal(ratelimit_next(rl, "a", 1200), 1200);
    ratelimit_destroy(&rl);
    assert_null(rl);
    ratelimit_destroy(&rl);
}

/* A slow request's slot counts from when it finished, as the robot counts
 * arrivals: three sends taken at 0, 100, 200 that finish at 900 keep the
 * robot full until 1900, not 1000. */
static void test_a_finished_send_counts_from_then(void **state)
{
    (void) state;
    ratelimit_t *rl = ratelimit_new(3, 1000);
    assert_non_null(rl);
    for (int i = 0; i < 3; i++)
        assert_int_equal(ratelimit_take(rl, "a", 100 * i), 0);
    for (int i = 0; i < 3; i++)
        ratelimit_finished(rl, "a", 900);
    assert_int_equal(ratelimit_room(rl, "a", 1500), 0);
    assert_int_equal(ratelimit_next(rl, "a", 1500), 1900);
    assert_int_equal(ratelimit_room(rl, "a", 1900), 3);
    ratelimit_finished(rl, "a", 2000); /* nothing counted: nothing moves */
    assert_int_equal(ratelimit_room(rl, "a", 2000), 3);
    ratelimit_finished(rl, "nobody", 2000);
    assert_int_equal(ratelimit_room(rl, "nobody", 2000), 3);
    /* One finished, two still under way: only the oldest slot moves. */
    for (int i = 0; i < 3; i++)
        assert_int_equal(ratelimit_take(rl, "a", 3000 + 100 * i), 0);
    ratelimit_finished(rl, "a", 3500);
    assert_int_equal(ratelimit_room(rl, "a", 4100), 1); /* 3100 aged out, 3200 and 3500 count */
    assert_int_equal(ratelimit_room(rl, "a", 4500), 3);
    ratelimit_destroy(&rl);
}

static void test_signatures(void **state)
{
    (void) state;
    /* RFC 4231 test case 2. */
    char hex[65];
    sign_hex("Jefe", "what do ya want for nothing?", 28, hex);
    assert_string_equal(hex, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    char b64[45];
    sign_base64("Jefe", "what do ya want for nothing?", 28, b64);
    assert_string_equal(b64, "W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmDnexYuWTsOEM=");
    /* DingTalk: base64 of HMAC(secret, "ts\nsecret"), URL-encoded (from
     * Python's hmac, base64 and urllib.parse.quote_plus). */
    char sign[133];
    sign_dingtalk("demo-secret", "1700000000000", sign);
    assert_string_equal(sign, "mSUvvxbX7ba307ODWOhHpJmbw3QdiJvvLe0lcElsApI%3D");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_templates_fill_fields_and_leave_the_rest),
        cmocka_unit_test(test_phones_are_masked),
        cmocka_unit_test(test_beijing_time_and_cutting),
        cmocka_unit_test(test_quiet_hours),
        cmocka_unit_test(test_the_rate_window_slides),
        cmocka_unit_test(test_a_finished_send_counts_from_then),
        cmocka_unit_test(test_signatures),
    };
    return cmocka_run_group_tests_name("notify parts", tests, NULL, NULL);
}
