/* The thresholds of self-government at their boundaries: exactly half is not
 * more than half, two of three is at least two thirds, one fifth is one fifth. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "rule.h"

static rule_t s_rule(const char *text)
{
    rule_t r = {0};
    assert_int_equal(rule_parse(text, &r), 0);
    return r;
}

static void test_parse(void **state)
{
    (void) state;
    rule_t r = {9, 9, 9};
    rule_t a = s_rule(">1/2"), b = s_rule(">=2/3");
    assert_int_equal(a.strict, 1);
    assert_int_equal(a.num, 1);
    assert_int_equal(a.den, 2);
    assert_int_equal(b.strict, 0);
    assert_int_equal(b.num, 2);
    assert_int_equal(b.den, 3);
    const char *bad[] = {"", "1/2", ">", ">1/0", ">3/2", ">-1/2", ">1/2x", "> 1/2", "=1/2", ">=1/", ">a/b", ">=0/1", NULL};
    for (int i = 0; bad[i]; i++) {
        assert_int_equal(rule_parse(bad[i], &r), -1);
        assert_int_equal(r.strict, 9); /* untouched */
    }
    assert_int_equal(rule_parse(NULL, &r), -1);
    rule_t some = s_rule(">0/1"); /* more than none: at least one */
    assert_int_equal(some.strict, 1);
    assert_int_equal(some.num, 0);
}

static void test_more_than_half(void **state)
{
    (void) state;
    rule_t half = s_rule(">1/2");
    assert_false(rule_met(&half, 5, 10)); /* exactly half is not more than half */
    assert_true(rule_met(&half, 6, 10));
    assert_false(rule_met(&half, 1, 2));
    assert_true(rule_met(&half, 2, 3));
    assert_true(rule_met(&half, 1, 1));
    assert_false(rule_met(&half, 0, 0)); /* an empty roster decides nothing */
    assert_int_equal(rule_needed(&half, 10), 6);
    assert_int_equal(rule_needed(&half, 11), 6);
    assert_int_equal(rule_needed(&half, 3000), 1501);
}

static void test_two_thirds_and_one_fifth(void **state)
{
    (void) state;
    rule_t two = s_rule(">=2/3"), fifth = s_rule(">=1/5");
    assert_true(rule_met(&two, 2, 3));
    assert_false(rule_met(&two, 5, 8)); /* 15 < 16 */
    assert_true(rule_met(&two, 6, 8));
    assert_int_equal(rule_needed(&two, 8), 6);
    assert_int_equal(rule_needed(&two, 9), 6);
    assert_false(rule_met(&fifth, 3, 20));
    assert_true(rule_met(&fifth, 4, 20)); /* one fifth is enough: "五分之一以上" */
    assert_int_equal(rule_needed(&fifth, 40), 8);
    assert_int_equal(rule_needed(&fifth, 41), 9);
    rule_t all = s_rule(">1/1");
    assert_int_equal(rule_needed(&all, 5), 6); /* more than everyone: never */
}

static void test_decide(void **state)
{
    (void) state;
    rule_t quorum = s_rule(">1/2"), majority = s_rule(">1/2");
    assert_int_equal(rule_decide(&quorum, &majority, 100, 50, 50), TALLY_NO_QUORUM);
    assert_int_equal(rule_decide(&quorum, &majority, 100, 51, 25), TALLY_REJECTED);
    assert_int_equal(rule_decide(&quorum, &majority, 100, 51, 26), TALLY_PASSED);
    assert_int_equal(rule_decide(&quorum, &majority, 100, 100, 50), TALLY_REJECTED);
    rule_t rep = s_rule(">=2/3");
    assert_int_equal(rule_decide(&rep, &majority, 9, 6, 4), TALLY_PASSED);
    assert_int_equal(rule_decide(&rep, &majority, 9, 5, 5), TALLY_NO_QUORUM);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_more_than_half),
        cmocka_unit_test(test_two_thirds_and_one_fifth),
        cmocka_unit_test(test_decide),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
