/* idem: what makes two requests the same, and the rule a stored digest is
 * judged by. (Lookup and store run against a real database in the CLI
 * tests: every command of routing and deliberation is sent twice.) */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "idem.h"

typedef struct {
    Gov__Envelope env;
    Gov__Actor actor;
} s_req_t;

static void s_init(s_req_t *r, const char *type, const char *person, const char *unit,
                   const char *payload)
{
    gov__envelope__init(&r->env);
    gov__actor__init(&r->actor);
    r->actor.id = (char *) person;
    r->actor.unit = (char *) unit;
    r->env.actor = &r->actor;
    r->env.type = (char *) type;
    r->env.message_id = "m-1";
    r->env.payload.data = (uint8_t *) payload;
    r->env.payload.len = strlen(payload);
}

static void s_hex(const s_req_t *r, char out[IDEM_DIGEST_HEX])
{
    idem_digest(&r->env, NULL, 0, out);
}

static void test_same_request_same_digest(void **state)
{
    (void) state;
    s_req_t a, b;
    char da[IDEM_DIGEST_HEX], db[IDEM_DIGEST_HEX];
    s_init(&a, "BlowWhistle", "p.so.s1.head", "so.s1", "payload");
    s_init(&b, "BlowWhistle", "p.so.s1.head", "so.s1", "payload");
    b.env.message_id = "another id, same request";
    s_hex(&a, da);
    s_hex(&b, db);
    assert_string_equal(da, db);
    assert_int_equal(strlen(da), 64);
}

/* Type, person, unit and payload each make a request another. */
static void test_each_part_counts(void **state)
{
    (void) state;
    s_req_t base, v;
    char d0[IDEM_DIGEST_HEX], d[IDEM_DIGEST_HEX];
    s_init(&base, "SignDispatch", "p.a", "u.a", "\x08\x01");
    s_hex(&base, d0);
    const char *variants[][4] = {{"ArriveDispatch", "p.a", "u.a", "\x08\x01"},
                                 {"SignDispatch", "p.b", "u.a", "\x08\x01"},
                                 {"SignDispatch", "p.a", "u.b", "\x08\x01"},
                                 {"SignDispatch", "p.a", "u.a", "\x08\x02"}};
    for (size_t i = 0; i < 4; i++) {
        s_init(&v, variants[i][0], variants[i][1], variants[i][2], variants[i][3]);
        s_hex(&v, d);
        if (strcmp(d, d0) == 0)
            fail_msg("variant %zu has the base's digest", i);
    }
    /* No actor at all is a request of its own, and does not crash. */
    s_init(&v, "SignDispatch", "p.a", "u.a", "\x08\x01");
    v.env.actor = NULL;
    s_hex(&v, d);
    assert_string_not_equal(d, d0);
}

/* A body in place of the payload: a vote digested by its matter alone is
 * the same request whatever the choice. */
static void test_body_replaces_payload(void **state)
{
    (void) state;
    s_req_t yes, no;
    char dy[IDEM_DIGEST_HEX], dn[IDEM_DIGEST_HEX];
    s_init(&yes, "CastVote", "r.1", "", "choice yes");
    s_init(&no, "CastVote", "r.1", "", "choice no");
    idem_digest(&yes.env, "matter 7", 8, dy);
    idem_digest(&no.env, "matter 7", 8, dn);
    assert_string_equal(dy, dn);
    idem_digest(&no.env, "matter 8", 8, dn);
    assert_string_not_equal(dy, dn);
    uint8_t raw[32];
    idem_digest_bytes(&yes.env, "matter 7", 8, raw);
    char hex[3];
    snprintf(hex, sizeof hex, "%02x", raw[0]);
    assert_memory_equal(hex, dy, 2);
}

static void test_judge(void **state)
{
    (void) state;
    apperr_t err = {0};
    assert_int_equal(idem_judge("abc", "abc", "m-1", &err), 1);
    assert_int_equal(idem_judge("abc", "abd", "m-1", &err), -1);
    assert_string_equal(err.code, "IDEMPOTENCY_CONFLICT");
    assert_non_null(strstr(err.detail, "m-1"));
}

static void test_table_names(void **state)
{
    (void) state;
    idem_t *idem = NULL;
    assert_int_equal(idem_new("routing_requests", &idem), 0);
    assert_non_null(idem);
    idem_destroy(&idem);
    assert_null(idem);
    idem_destroy(&idem); /* safe on NULL */
    assert_int_equal(idem_new("requests; DROP TABLE cases", &idem), -EINVAL);
    assert_int_equal(idem_new("", &idem), -EINVAL);
    assert_null(idem);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_request_same_digest),
        cmocka_unit_test(test_each_part_counts),
        cmocka_unit_test(test_body_replaces_payload),
        cmocka_unit_test(test_judge),
        cmocka_unit_test(test_table_names),
    };
    return cmocka_run_group_tests_name("idem", tests, NULL, NULL);
}
