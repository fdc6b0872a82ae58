/* envelope, pbjson and db_text_array: the encodings everything else rests on. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "db.h"
#include "envelope.h"
#include "intake.pb-c.h"
#include "pbjson.h"

static void test_pack_fills_ids_and_time(void **state)
{
    (void) state;
    Gov__Envelope env = GOV__ENVELOPE__INIT;
    env.type = "GetCase";
    Gov__GetCase get = GOV__GET_CASE__INIT;
    get.case_id = 42;
    size_t len;
    uint8_t *bytes = envelope_pack(&env, &get.base, &len);
    assert_non_null(bytes);
    Gov__Envelope *back = envelope_unpack(bytes, len);
    free(bytes);
    assert_non_null(back);
    assert_string_equal(back->type, "GetCase");
    assert_int_equal(strlen(back->message_id), 32);
    assert_string_equal(back->trace_id, back->message_id);
    assert_true(back->time_ms > envelope_now_ms() - 60000 && back->time_ms <= envelope_now_ms());
    Gov__GetCase *payload = (Gov__GetCase *) envelope_payload(back, &gov__get_case__descriptor);
    assert_non_null(payload);
    assert_int_equal(payload->case_id, 42);
    gov__get_case__free_unpacked(payload, NULL);
    envelope_free(&back);
    assert_null(back);
    /* The caller's envelope is untouched: the id was generated for the copy. */
    assert_string_equal(env.message_id, "");
}

static void test_pack_keeps_given_fields(void **state)
{
    (void) state;
    Gov__Envelope env = GOV__ENVELOPE__INIT;
    Gov__Actor actor = GOV__ACTOR__INIT;
    actor.id = "p.so.s1.head";
    actor.role = "head";
    actor.unit = "so.s1";
    env.type = "CaseCreated";
    env.message_id = "m-1";
    env.correlation_id = "c-1";
    env.trace_id = "t-1";
    env.time_ms = 1234;
    env.actor = &actor;
    env.stream = "intake";
    env.seq = 7;
    size_t len;
    uint8_t *bytes = envelope_pack(&env, NULL, &len);
    Gov__Envelope *back = envelope_unpack(bytes, len);
    free(bytes);
    assert_string_equal(back->message_id, "m-1");
    assert_string_equal(back->correlation_id, "c-1");
    assert_string_equal(back->trace_id, "t-1");
    assert_int_equal(back->time_ms, 1234);
    assert_string_equal(back->actor->unit, "so.s1");
    assert_string_equal(back->stream, "intake");
    assert_int_equal(back->seq, 7);
    assert_int_equal(back->payload.len, 0);
    envelope_free(&back);
}

static void test_unpack_refuses_garbage_and_untyped(void **state)
{
    (void) state;
    const uint8_t garbage[] = {0xff, 0xff, 0xff, 0xff, 0x0f};
    assert_null(envelope_unpack(garbage, sizeof garbage));
    Gov__Envelope env = GOV__ENVELOPE__INIT; /* no type */
    uint8_t bytes[64];
    env.message_id = "m";
    size_t len = gov__envelope__pack(&env, bytes);
    assert_null(envelope_unpack(bytes, len));
    envelope_free(&(Gov__Envelope *){NULL}); /* safe on NULL */
}

static void test_ids_differ(void **state)
{
    (void) state;
    char a[33], b[33];
    envelope_new_id(a);
    envelope_new_id(b);
    assert_int_equal(strlen(a), 32);
    assert_string_not_equal(a, b);
}

static void test_pbjson_shape(void **state)
{
    (void) state;
    Gov__Case c = GOV__CASE__INIT;
    Gov__Location loc = GOV__LOCATION__INIT;
    Gov__Point pt = GOV__POINT__INIT;
    Gov__AreaRef grid = GOV__AREA_REF__INIT, *path[] = {&grid};
    char *media[] = {"https://m.example/1.jpg", "https://m.example/2.jpg"};
    c.id = 9007199254740993LL; /* beyond a double's exact range */
    c.category = "complaint.noise";
    pt.lat = 39.9025;
    loc.point = &pt;
    c.location = &loc;
    grid.code = "demo.s1.c1.g1";
    c.area_path = path;
    c.n_area_path = 1;
    c.media_urls = media;
    c.n_media_urls = 2;
    json_t *j = pbjson_from_message(&c.base);
    assert_int_equal(json_integer_value(json_object_get(j, "id")), 9007199254740993LL);
    assert_string_equal(json_string_value(json_object_get(j, "category")), "complaint.noise");
    assert_string_equal(json_string_value(json_object_get(j, "description")), "");
    json_t *jl = json_object_get(j, "location");
    assert_true(json_number_value(json_object_get(json_object_get(jl, "point"), "lat")) == 39.9025);
    assert_true(json_is_null(json_object_get(j, "reporter")));
    assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(j, "area_path"), 0), "code")),
                        "demo.s1.c1.g1");
    assert_int_equal(json_array_size(json_object_get(j, "media_urls")), 2);
    assert_int_equal(json_array_size(json_object_get(j, "callers")), 0);
    json_decref(j);

    Gov__SubmitCaseReply r = GOV__SUBMIT_CASE_REPLY__INIT;
    r.merged = 1;
    j = pbjson_from_message(&r.base);
    assert_true(json_is_true(json_object_get(j, "merged")));
    assert_true(json_is_false(json_object_get(j, "replayed")));
    json_decref(j);

    Gov__Envelope env = GOV__ENVELOPE__INIT;
    uint8_t raw[] = {0x00, 0xab, 0xff};
    env.payload.data = raw;
    env.payload.len = 3;
    j = pbjson_from_message(&env.base);
    assert_string_equal(json_string_value(json_object_get(j, "payload")), "00abff");
    json_decref(j);
}

static void test_text_array_quoting(void **state)
{
    (void) state;
    char *plain[] = {"a", "b"};
    char *s = db_text_array(plain, 2);
    assert_string_equal(s, "{\"a\",\"b\"}");
    free(s);
    s = db_text_array(NULL, 0);
    assert_string_equal(s, "{}");
    free(s);
    char *tricky[] = {"say \"hi\"", "back\\slash", "噪声,{}"};
    s = db_text_array(tricky, 3);
    assert_string_equal(s, "{\"say \\\"hi\\\"\",\"back\\\\slash\",\"噪声,{}\"}");
    free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pack_fills_ids_and_time),
        cmocka_unit_test(test_pack_keeps_given_fields),
        cmocka_unit_test(test_unpack_refuses_garbage_and_untyped),
        cmocka_unit_test(test_ids_differ),
        cmocka_unit_test(test_pbjson_shape),
        cmocka_unit_test(test_text_array_quoting),
    };
    return cmocka_run_group_tests_name("envelope", tests, NULL, NULL);
}
