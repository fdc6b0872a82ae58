/* One-time login codes, the parts that decide without I/O: the gateway's
 * code (six uniform digits, well formed or not), the hash kept of it, and
 * notify's masking of it in what it stores, the minutes its text promises
 * and the SMS text without a subject. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "channel.h"
#include "codesms.h"
#include "credential.h"
#include "logincode.h"

static void test_a_code_is_six_digits_and_they_vary(void **state)
{
    (void) state;
    int seen[10][LOGINCODE_DIGITS] = {{0}};
    char code[LOGINCODE_DIGITS + 1], first[LOGINCODE_DIGITS + 1];
    assert_int_equal(logincode_make(first), 0);
    int differs = 0;
    for (int i = 0; i < 2000; i++) {
        assert_int_equal(logincode_make(code), 0);
        assert_true(logincode_well_formed(code));
        for (int d = 0; d < LOGINCODE_DIGITS; d++)
            seen[code[d] - '0'][d]++;
        differs |= strcmp(code, first) != 0;
    }
    assert_true(differs);
    /* Every digit in every place, about 200 times in 2,000 codes: none
     * below 100 (a digit or a place that never varies fails at once). */
    for (int v = 0; v < 10; v++)
        for (int d = 0; d < LOGINCODE_DIGITS; d++)
            assert_true(seen[v][d] > 100);
}

static void test_well_formed_is_exactly_six_digits(void **state)
{
    (void) state;
    assert_true(logincode_well_formed("000000"));
    assert_true(logincode_well_formed("123456"));
    assert_false(logincode_well_formed("12345"));
    assert_false(logincode_well_formed("1234567"));
    assert_false(logincode_well_formed("12345a"));
    assert_false(logincode_well_formed(" 12345"));
    assert_false(logincode_well_formed("+12345"));
    assert_false(logincode_well_formed(""));
    assert_false(logincode_well_formed(NULL));
}

static void test_the_hash_of_a_code_verifies_only_it(void **state)
{
    (void) state;
    char hash[CREDENTIAL_HASH_MAX];
    assert_int_equal(credential_hash_code("042917", hash), 0);
    assert_non_null(strstr(hash, "$argon2id$v=19$m=19456,t=2,p=1$"));
    assert_null(strstr(hash, "042917"));
    assert_int_equal(credential_verify_password(hash, "042917"), 1);
    assert_int_equal(credential_verify_password(hash, "042918"), 0);
    assert_int_equal(credential_verify_password(hash, "42917"), 0);
    assert_int_equal(credential_hash_code("", hash), -1);
    /* a password is still at least 10 bytes */
    assert_int_equal(credential_hash_password("042917", hash), -1);
    /* the decoy is a hash nobody's code matches */
    assert_int_equal(credential_verify_password(credential_decoy_hash, "042917"), 0);
}

static void test_mask_hides_every_copy_of_the_code(void **state)
{
    (void) state;
    char text[] = "{\"ok\":true,\"text\":\"您的登录验证码是 042917，5分钟内有效。042917\"}";
    codesms_mask(text, "042917");
    assert_null(strstr(text, "042917"));
    assert_string_equal(text, "{\"ok\":true,\"text\":\"您的登录验证码是 ******，5分钟内有效。******\"}");
    char none[] = "HTTP 500";
    codesms_mask(none, "042917");
    assert_string_equal(none, "HTTP 500");
    char overlap[] = "1111111";
    codesms_mask(overlap, "111111");
    assert_string_equal(overlap, "******1");
    codesms_mask(overlap, "");
    assert_string_equal(overlap, "******1");
}

static void test_minutes_round_up(void **state)
{
    (void) state;
    assert_int_equal(codesms_minutes(300), 5);
    assert_int_equal(codesms_minutes(301), 6);
    assert_int_equal(codesms_minutes(60), 1);
    assert_int_equal(codesms_minutes(1), 1);
    assert_int_equal(codesms_minutes(0), 1);
    assert_int_equal(codesms_minutes(3600), 60);
}

static void test_an_sms_without_a_subject_is_its_body(void **state)
{
    (void) state;
    delivery_t d = {.subject = "", .body = "您的登录验证码是 ******，5分钟内有效。"};
    char *text = channel_text(&d, 600);
    assert_string_equal(text, d.body);
    free(text);
    d.subject = "【新工单】";
    text = channel_text(&d, 600);
    assert_string_equal(text, "【新工单】\n您的登录验证码是 ******，5分钟内有效。");
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_code_is_six_digits_and_they_vary),
        cmocka_unit_test(test_well_formed_is_exactly_six_digits),
        cmocka_unit_test(test_the_hash_of_a_code_verifies_only_it),
        cmocka_unit_test(test_mask_hides_every_copy_of_the_code),
        cmocka_unit_test(test_minutes_round_up),
        cmocka_unit_test(test_an_sms_without_a_subject_is_its_body),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
