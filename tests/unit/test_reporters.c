/* What a dispatch's view shows of its reporter now that routing keeps only
 * the phone masked (reporters.h, dispatchmsg.h): the mask a queue shows,
 * which views ask intake, the reference an event carries, and what is shown
 * when intake does not answer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "contactcli.h"
#include "dispatchmsg.h"
#include "reporters.h"

/* A case's dispatch as a row gives it: `phone` a copy made before 0024 (or
 * ""), `hint` the kept mask (or ""). */
static void s_view(dispatchmsg_t *v, int64_t case_id, const char *name, const char *phone,
                   const char *hint)
{
    memset(v, 0, sizeof *v);
    gov__dispatch__init(&v->msg);
    gov__reporter__init(&v->reporter);
    v->msg.id = case_id * 10;
    v->msg.case_id = case_id;
    v->reporter.name = (char *) name;
    v->reporter.phone = (char *) phone;
    v->contact_hint = hint;
    if (case_id)
        v->msg.reporter = &v->reporter;
}

static void test_a_queue_shows_the_kept_mask(void **state)
{
    (void) state;
    dispatchmsg_t v;
    s_view(&v, 7, "", "", "138****1234");
    assert_int_equal(dispatchmsg_has_contact(&v), 1);
    assert_int_equal(dispatchmsg_mask(&v), 1);
    assert_string_equal(v.reporter.phone, "138****1234");
    assert_string_equal(v.reporter.name, "");
}

static void test_an_old_copy_is_masked_from_itself(void **state)
{
    (void) state;
    dispatchmsg_t v;
    s_view(&v, 7, "张三", "13800001234", "");
    assert_int_equal(dispatchmsg_has_contact(&v), 1);
    assert_int_equal(reporters_wanted(&v), 0); /* the copy is shown as it is */
    assert_int_equal(dispatchmsg_mask(&v), 1);
    assert_string_equal(v.reporter.phone, "138****1234");
    assert_string_equal(v.reporter.name, "");
}

static void test_no_phone_no_mask_no_question(void **state)
{
    (void) state;
    dispatchmsg_t v;
    s_view(&v, 7, "", "", "");
    assert_int_equal(dispatchmsg_has_contact(&v), 0);
    assert_int_equal(reporters_wanted(&v), 0);
    assert_int_equal(dispatchmsg_mask(&v), 0);
    assert_string_equal(v.reporter.phone, "");
}

static void test_only_a_cases_kept_mask_asks_intake(void **state)
{
    (void) state;
    dispatchmsg_t v;
    s_view(&v, 7, "", "", "138****1234");
    assert_int_equal(reporters_wanted(&v), 1);
    s_view(&v, 0, "", "", "138****1234"); /* a whistle's: no case, no reporter */
    assert_int_equal(reporters_wanted(&v), 0);
}

static void test_an_event_carries_the_reference_not_the_mask(void **state)
{
    (void) state;
    dispatchmsg_t v;
    s_view(&v, 42, "", "", "138****1234");
    dispatchmsg_for_event(&v, 1);
    assert_null(v.msg.reporter);
    assert_string_equal(v.msg.contact_ref, "case:42");
    s_view(&v, 42, "", "", "");
    dispatchmsg_for_event(&v, 1);
    assert_string_equal(v.msg.contact_ref, "");
    s_view(&v, 42, "", "", "138****1234");
    dispatchmsg_for_event(&v, 0); /* an event that names no reporter */
    assert_string_equal(v.msg.contact_ref, "");
}

static void test_without_intake_the_mask_is_shown(void **state)
{
    (void) state;
    routing_t r;
    memset(&r, 0, sizeof r); /* no client of intake: nobody answers */
    dispatchmsg_t a, b;
    s_view(&a, 7, "", "", "138****1234");
    s_view(&b, 8, "李四", "13900005678", "");
    dispatchmsg_t *views[] = {&a, &b};
    Gov__GetContactsReply *held = NULL;
    assert_int_equal(reporters_fill(&r, views, 2, &held), -1);
    assert_null(held);
    assert_string_equal(a.reporter.phone, "138****1234"); /* never "" as if none */
    assert_string_equal(b.reporter.phone, "13900005678"); /* the copy, untouched */
    assert_string_equal(b.reporter.name, "李四");
    char phone[32];
    assert_int_equal(reporters_phone(&r, 7, "", "138****1234", phone, sizeof phone), -1);
    assert_int_equal(reporters_phone(&r, 8, "13900005678", "", phone, sizeof phone), 0);
    assert_string_equal(phone, "13900005678");
    assert_int_equal(reporters_phone(&r, 9, "", "", phone, sizeof phone), 0);
    assert_string_equal(phone, "");
}

static void test_nothing_wanted_asks_nothing(void **state)
{
    (void) state;
    routing_t r;
    memset(&r, 0, sizeof r);
    dispatchmsg_t a;
    s_view(&a, 8, "李四", "13900005678", "");
    dispatchmsg_t *views[] = {&a};
    Gov__GetContactsReply *held = NULL;
    assert_int_equal(reporters_fill(&r, views, 1, &held), 0);
    assert_int_equal(reporters_fill(&r, NULL, 0, &held), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_queue_shows_the_kept_mask),
        cmocka_unit_test(test_an_old_copy_is_masked_from_itself),
        cmocka_unit_test(test_no_phone_no_mask_no_question),
        cmocka_unit_test(test_only_a_cases_kept_mask_asks_intake),
        cmocka_unit_test(test_an_event_carries_the_reference_not_the_mask),
        cmocka_unit_test(test_without_intake_the_mask_is_shown),
        cmocka_unit_test(test_nothing_wanted_asks_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
