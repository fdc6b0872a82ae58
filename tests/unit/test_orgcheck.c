/* orgcheck: what a person, a unit or a membership may look like, before
 * routing's directory writes it (no database). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "orgcheck.h"

static void s_refused(int rc, const apperr_t *err, const char *code)
{
    assert_int_equal(rc, -1);
    assert_non_null(err->code);
    assert_string_equal(err->code, code);
}

static void test_codes(void **state)
{
    (void) state;
    apperr_t err = {0};
    const char *good[] = {"p.dept.chengguan.head", "r.s1.c1.g1.1.1", "so.test", "admin",
                          "p.gt.s1.c1.g1.grid_worker", "a-b", "0x"};
    for (size_t i = 0; i < sizeof good / sizeof *good; i++)
        assert_int_equal(orgcheck_code(good[i], "code", 0, &err), 0);
    const char *bad[] = {"", "Upper", "with space", ".dot", "-dash", "_under", "中文",
                         "a/b", "a\"b", "12345678901234567890123456789012345678901234567890123456789012345"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        s_refused(orgcheck_code(bad[i], "code", 0, &err), &err, "BAD_CODE");
    assert_int_equal(orgcheck_code("", "area", 1, &err), 0); /* optional */
    assert_int_equal(orgcheck_code(NULL, "area", 1, &err), 0);
    s_refused(orgcheck_code(NULL, "code", 0, &err), &err, "BAD_CODE");
}

static void test_roles_and_kinds(void **state)
{
    (void) state;
    apperr_t err = {0};
    assert_int_equal(orgcheck_role("grid_worker", &err), 0);
    s_refused(orgcheck_role("big boss", &err), &err, "BAD_ROLE");
    s_refused(orgcheck_role("", &err), &err, "BAD_ROLE");
    s_refused(orgcheck_role("a.b", &err), &err, "BAD_ROLE");
    const char *kinds[] = {"grid_team", "community", "street_office", "department",
                           "dispatch_centre", "leadership", "supervision", "admin", "station"};
    for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++)
        assert_int_equal(orgcheck_kind(kinds[i], 0, &err), 0);
    s_refused(orgcheck_kind("ministry", 0, &err), &err, "BAD_KIND");
    s_refused(orgcheck_kind("", 0, &err), &err, "BAD_KIND");
    assert_int_equal(orgcheck_kind("", 1, &err), 0);
}

static void test_contacts(void **state)
{
    (void) state;
    apperr_t err = {0};
    assert_int_equal(orgcheck_phone("", &err), 0);
    assert_int_equal(orgcheck_phone("13800001234", &err), 0);
    assert_int_equal(orgcheck_phone("010-12345678", &err), 0);
    s_refused(orgcheck_phone("12345", &err), &err, "INVALID_PHONE");
    assert_int_equal(orgcheck_email("", &err), 0);
    assert_int_equal(orgcheck_email("head@demo.example", &err), 0);
    const char *bad[] = {"nobody", "@x", "x@", "a@b@c", "a b@c", "a\t@c"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        s_refused(orgcheck_email(bad[i], &err), &err, "INVALID_EMAIL");
    char long_mail[300];
    memset(long_mail, 'a', sizeof long_mail - 1);
    long_mail[sizeof long_mail - 1] = '\0';
    long_mail[10] = '@';
    s_refused(orgcheck_email(long_mail, &err), &err, "INVALID_EMAIL");
}

static void test_clear(void **state)
{
    (void) state;
    apperr_t err = {0};
    const char *allowed[] = {"area", "parent", "supervisor", NULL};
    char *some[] = {"supervisor", "area"};
    unsigned mask = 99;
    assert_int_equal(orgcheck_clear(some, 2, allowed, &mask, &err), 0);
    assert_int_equal(mask, 1u | 4u);
    assert_int_equal(orgcheck_clear(NULL, 0, allowed, &mask, &err), 0);
    assert_int_equal(mask, 0);
    char *bad[] = {"area", "name"};
    s_refused(orgcheck_clear(bad, 2, allowed, &mask, &err), &err, "BAD_FIELD");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_codes),
        cmocka_unit_test(test_roles_and_kinds),
        cmocka_unit_test(test_contacts),
        cmocka_unit_test(test_clear),
    };
    return cmocka_run_group_tests_name("orgcheck", tests, NULL, NULL);
}
