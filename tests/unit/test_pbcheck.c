/* pbcheck: every string field of a message, at any depth, is valid UTF-8
 * without NUL, checked on the wire; what protobuf-c would accept otherwise
 * is refused, with the field named, and bytes fields are left alone. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "envelope.h"
#include "envelope.pb-c.h"
#include "intake.pb-c.h"
#include "pbcheck.h"

/* A SubmitCase with `phone` (phone_len bytes, NULs allowed) as the
 * reporter's phone and `description` as its description, packed. */
static uint8_t *s_submit(const char *phone, size_t phone_len, const char *description, size_t *len)
{
    /* Packed with a placeholder of the right length, then overwritten, since
     * protobuf-c packs strings with strlen. */
    char *placeholder = malloc(phone_len + 1);
    memset(placeholder, 'x', phone_len);
    placeholder[phone_len] = '\0';
    Gov__Reporter reporter = GOV__REPORTER__INIT;
    reporter.phone = placeholder;
    reporter.name = "张三";
    Gov__SubmitCase m = GOV__SUBMIT_CASE__INIT;
    m.category = "complaint.noise";
    m.description = (char *) description;
    m.reporter = &reporter;
    *len = gov__submit_case__get_packed_size(&m);
    uint8_t *out = malloc(*len);
    gov__submit_case__pack(&m, out);
    uint8_t *at = memmem(out, *len, placeholder, phone_len);
    assert_non_null(at);
    memcpy(at, phone, phone_len);
    free(placeholder);
    return out;
}

static void test_valid_chinese_passes(void **state)
{
    (void) state;
    size_t len;
    uint8_t *b = s_submit("13800001234", 11, "楼下烧烤摊油烟很大，晚上十一点还在营业", &len);
    char field[64] = "junk";
    assert_int_equal(pbcheck(&gov__submit_case__descriptor, b, len, field, sizeof field), PBCHECK_OK);
    assert_string_equal(field, "");
    Gov__SubmitCase *m = gov__submit_case__unpack(NULL, len, b);
    assert_non_null(m);
    assert_string_equal(m->reporter->phone, "13800001234");
    gov__submit_case__free_unpacked(m, NULL);
    free(b);
}

static void test_nul_inside_a_nested_string_is_refused(void **state)
{
    (void) state;
    size_t len;
    static const char phone[] = "13800001234\0; rm -rf";
    uint8_t *b = s_submit(phone, sizeof phone - 1, "噪音", &len);
    /* what protobuf-c alone makes of it: the text silently cut short */
    Gov__SubmitCase *m = gov__submit_case__unpack(NULL, len, b);
    assert_non_null(m);
    assert_string_equal(m->reporter->phone, "13800001234");
    gov__submit_case__free_unpacked(m, NULL);
    char field[64];
    assert_int_equal(pbcheck(&gov__submit_case__descriptor, b, len, field, sizeof field),
                     PBCHECK_BAD_STRING);
    assert_string_equal(field, "reporter.phone");
    free(b);
}

static void test_invalid_utf8_is_refused(void **state)
{
    (void) state;
    static const char *const bad[] = {"\xff\xfe", "\xc0\xaf" /* overlong '/' */,
                                      "\xed\xa0\x80" /* a surrogate */, "abc\xe4\xb8" /* cut */};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        size_t len;
        uint8_t *b = s_submit(bad[i], strlen(bad[i]), "ok", &len);
        char field[64];
        assert_int_equal(pbcheck(&gov__submit_case__descriptor, b, len, field, sizeof field),
                         PBCHECK_BAD_STRING);
        assert_string_equal(field, "reporter.phone");
        free(b);
    }
}

static void test_bytes_fields_are_not_text(void **state)
{
    (void) state;
    /* an envelope's payload is bytes: any bytes pass, and the payload is
     * checked as its own type when decoded */
    uint8_t raw[] = {0xff, 0x00, 0xfe};
    Gov__Envelope env = GOV__ENVELOPE__INIT;
    env.type = "SubmitCase";
    env.message_id = "0123456789abcdef";
    env.payload.data = raw;
    env.payload.len = sizeof raw;
    size_t len = gov__envelope__get_packed_size(&env);
    uint8_t *b = malloc(len);
    gov__envelope__pack(&env, b);
    assert_int_equal(pbcheck(&gov__envelope__descriptor, b, len, NULL, 0), PBCHECK_OK);
    Gov__Envelope *back = envelope_unpack(b, len);
    assert_non_null(back);
    assert_null(envelope_payload(back, &gov__submit_case__descriptor));
    envelope_free(&back);
    free(b);
}

static void test_envelope_strings_are_checked(void **state)
{
    (void) state;
    Gov__Envelope env = GOV__ENVELOPE__INIT;
    env.type = "SubmitCase";
    env.message_id = "id-\xff-bad";
    size_t len = gov__envelope__get_packed_size(&env);
    uint8_t *b = malloc(len);
    gov__envelope__pack(&env, b);
    char field[64];
    assert_int_equal(pbcheck(&gov__envelope__descriptor, b, len, field, sizeof field),
                     PBCHECK_BAD_STRING);
    assert_string_equal(field, "message_id");
    assert_null(envelope_unpack(b, len));
    free(b);
}

static void test_malformed_wire(void **state)
{
    (void) state;
    const uint8_t cut[] = {0x1a, 0x05, 'a', 'b'};          /* field 3, 5 bytes promised, 2 given */
    const uint8_t group[] = {0x1b};                         /* a group start */
    const uint8_t varint[] = {0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01};
    assert_int_equal(pbcheck(&gov__submit_case__descriptor, cut, sizeof cut, NULL, 0),
                     PBCHECK_MALFORMED);
    assert_int_equal(pbcheck(&gov__submit_case__descriptor, group, sizeof group, NULL, 0),
                     PBCHECK_MALFORMED);
    assert_int_equal(pbcheck(&gov__submit_case__descriptor, varint, sizeof varint, NULL, 0),
                     PBCHECK_MALFORMED);
    assert_int_equal(pbcheck(&gov__submit_case__descriptor, NULL, 0, NULL, 0), PBCHECK_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_chinese_passes),
        cmocka_unit_test(test_nul_inside_a_nested_string_is_refused),
        cmocka_unit_test(test_invalid_utf8_is_refused),
        cmocka_unit_test(test_bytes_fields_are_not_text),
        cmocka_unit_test(test_envelope_strings_are_checked),
        cmocka_unit_test(test_malformed_wire),
    };
    return cmocka_run_group_tests_name("pbcheck", tests, NULL, NULL);
}
