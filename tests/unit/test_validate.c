/* validate: the checks on a SubmitCase that need no database. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "text.h"
#include "validate.h"

static void test_phones(void **state)
{
    (void) state;
    const char *good[] = {"13800001234", "19912345678", "+8613800001234", "8613800001234",
                          "010-12345678", "0755-1234567", "01012345678"};
    const char *bad[] = {"12800001234", "1380000123", "138000012345", "1380000123a", "--",
                         "010--1234567", "-01012345678", "12345", "+86", "0755-12"};
    for (size_t i = 0; i < sizeof good / sizeof *good; i++)
        assert_true(text_is_phone(good[i]));
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        if (text_is_phone(bad[i]))
            fail_msg("accepted bad phone %s", bad[i]);
}

/* A valid request the tests below break one field at a time. */
typedef struct {
    Gov__SubmitCase req;
    Gov__Location loc;
    Gov__Point pt;
    Gov__Reporter rep;
    char *media[21];
} s_req_t;

static void s_init(s_req_t *r)
{
    gov__submit_case__init(&r->req);
    gov__location__init(&r->loc);
    gov__point__init(&r->pt);
    gov__reporter__init(&r->rep);
    r->req.channel = "hotline";
    r->req.category = "complaint.noise";
    r->req.description = "夜间施工噪音扰民";
    r->pt.lat = 39.9025;
    r->pt.lon = 116.3025;
    r->loc.point = &r->pt;
    r->req.location = &r->loc;
    r->rep.phone = "13800001234";
    r->req.reporter = &r->rep;
    for (int i = 0; i < 21; i++)
        r->media[i] = "https://media.example/1.jpg";
    r->req.media_urls = r->media;
}

static void s_expect(const s_req_t *r, const char *code)
{
    apperr_t err = {0};
    int rc = validate_submit(&r->req, &err);
    if (!code) {
        if (rc)
            fail_msg("refused with %s (%s)", err.code, err.detail);
        return;
    }
    assert_int_equal(rc, -1);
    assert_non_null(err.code);
    assert_string_equal(err.code, code);
    assert_non_null(err.message);
}

static void test_valid_requests_pass(void **state)
{
    (void) state;
    s_req_t r;
    s_init(&r);
    s_expect(&r, NULL);
    assert_string_equal(validate_urgency(&r.req), "normal");
    r.req.urgency = "emergency";
    assert_string_equal(validate_urgency(&r.req), "emergency");
    s_expect(&r, NULL);
    r.loc.point = NULL;
    r.loc.address = "青山街道翠湖路12号";
    s_expect(&r, NULL); /* address only */
    r.rep.phone = "";
    s_expect(&r, NULL); /* anonymous */
    r.req.n_media_urls = 20;
    s_expect(&r, NULL);
}

static void test_each_refusal_has_its_code(void **state)
{
    (void) state;
    s_req_t r;
    s_init(&r); r.req.channel = "pigeon";          s_expect(&r, "INVALID_CHANNEL");
    s_init(&r); r.req.channel = "";                s_expect(&r, "INVALID_CHANNEL");
    s_init(&r); r.req.urgency = "whenever";        s_expect(&r, "INVALID_URGENCY");
    s_init(&r); r.req.category = "";               s_expect(&r, "MISSING_CATEGORY");
    s_init(&r); r.req.description = "";            s_expect(&r, "MISSING_TEXT");
    s_init(&r); r.req.location = NULL;             s_expect(&r, "MISSING_LOCATION");
    s_init(&r); r.loc.point = NULL;                s_expect(&r, "MISSING_LOCATION");
    s_init(&r); r.pt.lat = 91;                     s_expect(&r, "INVALID_POINT");
    s_init(&r); r.pt.lon = NAN;                    s_expect(&r, "INVALID_POINT");
    s_init(&r); r.rep.phone = "12345";             s_expect(&r, "INVALID_PHONE");
    s_init(&r); r.req.n_media_urls = 21;           s_expect(&r, "TOO_MANY_URLS");
    s_init(&r); r.req.n_media_urls = 1; r.media[0] = "ftp://media.example/1.jpg";
    s_expect(&r, "INVALID_URL");
    s_init(&r); r.req.n_media_urls = 1; r.media[0] = "https://media.example/a b.jpg";
    s_expect(&r, "INVALID_URL");
    s_init(&r); r.req.description = "bad \xC3\x28 byte";  s_expect(&r, "INVALID_TEXT");
    s_init(&r); r.req.description = "a\x01b";             s_expect(&r, "INVALID_TEXT");
    s_init(&r); r.rep.name = "\xED\xA0\x80";              s_expect(&r, "INVALID_TEXT");
}

/* The reporter's name and the address have limits of their own. */
static void test_name_and_address_limits(void **state)
{
    (void) state;
    s_req_t r;
    char name[101 * 3 + 1], address[501 * 3 + 1];
    for (int i = 0; i < 101; i++)
        memcpy(name + 3 * i, "张", 3);
    name[101 * 3] = '\0';
    for (int i = 0; i < 501; i++)
        memcpy(address + 3 * i, "路", 3);
    address[501 * 3] = '\0';
    s_init(&r); r.rep.name = name;                  s_expect(&r, "TEXT_TOO_LONG");
    name[100 * 3] = '\0';                           s_expect(&r, NULL);
    s_init(&r); r.loc.address = address;           s_expect(&r, "TEXT_TOO_LONG");
    address[500 * 3] = '\0';                        s_expect(&r, NULL);
}

static void test_description_limit_counts_characters(void **state)
{
    (void) state;
    s_req_t r;
    s_init(&r);
    char *text = malloc(4001 * 3 + 1);
    for (int i = 0; i < 4001; i++)
        memcpy(text + 3 * i, "噪", 3);
    text[4001 * 3] = '\0';
    r.req.description = text;
    s_expect(&r, "TEXT_TOO_LONG");
    text[4000 * 3] = '\0'; /* 4000 characters, 12000 bytes: allowed */
    s_expect(&r, NULL);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_phones),
        cmocka_unit_test(test_valid_requests_pass),
        cmocka_unit_test(test_each_refusal_has_its_code),
        cmocka_unit_test(test_description_limit_counts_characters),
        cmocka_unit_test(test_name_and_address_limits),
    };
    return cmocka_run_group_tests_name("validate", tests, NULL, NULL);
}
