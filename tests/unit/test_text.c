/* text: UTF-8 validity, characters not bytes, one limit per kind of field;
 * errcodes: the table every refusal comes from. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "errcodes.h"
#include "text.h"

/* `n` copies of the UTF-8 character `ch`, NUL-terminated; the caller frees. */
static char *s_repeat(const char *ch, size_t n)
{
    size_t len = strlen(ch);
    char *s = malloc(n * len + 1);
    assert_non_null(s);
    for (size_t i = 0; i < n; i++)
        memcpy(s + i * len, ch, len);
    s[n * len] = '\0';
    return s;
}

static void test_characters_not_bytes(void **state)
{
    (void) state;
    assert_int_equal(text_utf8_chars("", 0), 0);
    assert_int_equal(text_utf8_chars("abc", 3), 3);
    assert_int_equal(text_utf8_chars("噪声扰民", strlen("噪声扰民")), 4);
    assert_int_equal(text_utf8_chars("\xF0\x9F\x98\x80", 4), 1); /* U+1F600, four bytes */
}

static void test_invalid_utf8_is_refused(void **state)
{
    (void) state;
    const char *bad[] = {
        "\x80",             /* a lone continuation byte */
        "\xC3\x28",         /* a lead byte without its continuation */
        "\xC0\xAF",         /* overlong '/' */
        "\xE0\x80\xAF",     /* overlong, three bytes */
        "\xED\xA0\x80",     /* a UTF-16 surrogate */
        "\xF4\x90\x80\x80", /* above U+10FFFF */
        "\xF8\x88\x80\x80\x80",
        "\xE5\x99",         /* cut short */
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        if (text_utf8_chars(bad[i], strlen(bad[i])) != -1)
            fail_msg("sequence %zu counted as valid", i);
        apperr_t err = {0};
        assert_int_equal(text_check(bad[i], TEXT_BODY, 0, "text", &err), -1);
        assert_string_equal(err.code, "INVALID_TEXT");
    }
}

static void test_control_characters(void **state)
{
    (void) state;
    apperr_t err = {0};
    assert_int_equal(text_check("line one\nline two\tand\r\n", TEXT_BODY, 1, "text", &err), 0);
    assert_int_equal(text_check("bell\a", TEXT_BODY, 1, "text", &err), -1);
    assert_string_equal(err.code, "INVALID_TEXT");
    assert_int_equal(text_check("del\x7F", TEXT_TITLE, 1, "title", &err), -1);
    assert_string_equal(err.code, "INVALID_TEXT");
}

static void test_required_and_empty(void **state)
{
    (void) state;
    apperr_t err = {0};
    assert_int_equal(text_check(NULL, TEXT_BODY, 0, "text", &err), 0);
    assert_int_equal(text_check("", TEXT_BODY, 0, "text", &err), 0);
    assert_int_equal(text_check("", TEXT_BODY, 1, "the body", &err), -1);
    assert_string_equal(err.code, "MISSING_TEXT");
    assert_non_null(strstr(err.detail, "the body"));
    assert_int_equal(text_check(NULL, TEXT_TITLE, 1, "title", &err), -1);
    assert_string_equal(err.code, "MISSING_TEXT");
}

/* Every kind accepts its limit in Chinese characters (three bytes each) and
 * refuses one more, naming the field. */
static void test_each_kind_at_its_limit(void **state)
{
    (void) state;
    const text_kind_t kinds[] = {TEXT_NAME, TEXT_TITLE, TEXT_ADDRESS, TEXT_BODY};
    const size_t limits[] = {100, 200, 500, 4000};
    for (size_t k = 0; k < 4; k++) {
        assert_int_equal(text_limit(kinds[k]), limits[k]);
        char *s = s_repeat("议", limits[k] + 1);
        apperr_t err = {0};
        assert_int_equal(text_check(s, kinds[k], 1, "field", &err), -1);
        assert_string_equal(err.code, "TEXT_TOO_LONG");
        assert_non_null(strstr(err.detail, "field"));
        s[limits[k] * 3] = '\0';
        if (text_check(s, kinds[k], 1, "field", &err))
            fail_msg("kind %zu refused %zu characters: %s", k, limits[k], err.detail);
        free(s);
    }
}

static void test_urls(void **state)
{
    (void) state;
    apperr_t err = {0};
    char *good[] = {"https://media.example/1.jpg", "http://x.example/照片.jpg"};
    assert_int_equal(text_check_urls(good, 2, 20, "media_urls", &err), 0);
    assert_int_equal(text_check_urls(good, 2, 1, "media_urls", &err), -1);
    assert_string_equal(err.code, "TOO_MANY_URLS");
    char *bad[][1] = {{"ftp://x.example/a"}, {"https://x.example/a b"}, {"https://x\x01"},
                      {"https://x.example/\xC3\x28"}, {"javascript:alert(1)"}};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        assert_int_equal(text_check_urls(bad[i], 1, 20, "media_urls", &err), -1);
        assert_string_equal(err.code, "INVALID_URL");
    }
    char *longest = malloc(TEXT_URL_MAX + 2);
    assert_non_null(longest);
    memset(longest, 'a', TEXT_URL_MAX + 1);
    memcpy(longest, "https://", 8);
    longest[TEXT_URL_MAX] = '\0';
    char *one[] = {longest};
    assert_int_equal(text_check_urls(one, 1, 20, "media_urls", &err), 0);
    longest[TEXT_URL_MAX] = 'a';
    longest[TEXT_URL_MAX + 1] = '\0';
    assert_int_equal(text_check_urls(one, 1, 20, "media_urls", &err), -1);
    assert_string_equal(err.code, "INVALID_URL");
    free(longest);
}

/* The table: unique codes, a class each, a message each; apperr_code takes
 * the words from it, and an unknown code is the programmer's mistake. */
static void test_errcodes_table(void **state)
{
    (void) state;
    size_t n = 0;
    for (const errcode_t *row; (row = errcode_at(n)); n++) {
        assert_true(row->kind == 'R' || row->kind == 'S' || row->kind == 'T');
        assert_true(row->message && row->message[0]);
        for (const char *p = row->code; *p; p++)
            assert_true((*p >= 'A' && *p <= 'Z') || *p == '_' || (*p >= '0' && *p <= '9'));
        assert_ptr_equal(errcode_find(row->code), row); /* no code twice */
    }
    assert_true(n > 50);
    assert_null(errcode_find("NO_SUCH_CODE"));
    assert_int_equal(errcode_find("DB_UNAVAILABLE")->kind, 'T');
    assert_int_equal(errcode_find("IDEMPOTENCY_CONFLICT")->kind, 'R');

    apperr_t err = {0};
    assert_int_equal(apperr_code(&err, "TEXT_TOO_LONG", "text has %d characters", 4001), -1);
    assert_string_equal(err.code, "TEXT_TOO_LONG");
    assert_string_equal(err.message, errcode_find("TEXT_TOO_LONG")->message);
    assert_string_equal(err.detail, "text has 4001 characters");
    apperr_code(&err, "NO_SUCH_CODE", NULL);
    assert_string_equal(err.code, "INTERNAL");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_characters_not_bytes),
        cmocka_unit_test(test_invalid_utf8_is_refused),
        cmocka_unit_test(test_control_characters),
        cmocka_unit_test(test_required_and_empty),
        cmocka_unit_test(test_each_kind_at_its_limit),
        cmocka_unit_test(test_urls),
        cmocka_unit_test(test_errcodes_table),
    };
    return cmocka_run_group_tests_name("text", tests, NULL, NULL);
}
