/* The record's hash: the canonical form (docs/deliberation.md) hashed as
 * Python's hashlib hashes it, so anyone can recompute a 公示's head hash with
 * other tools; one changed byte of the body changes the hash. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "chain.h"

static void test_sha256(void **state)
{
    (void) state;
    char out[65];
    chain_sha256_hex("", 0, out);
    assert_string_equal(out, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    const char *text = "由民做主";
    chain_sha256_hex(text, strlen(text), out);
    assert_string_equal(out, "054f4b446f4e5f65fff7d7f1afe8d94145d159ebd6a42b008c70483948bba872");
}

static void test_canonical_form(void **state)
{
    (void) state;
    char a[65], b[65], c[65];
    chain_hash(42, 3, "cosigned", "r.s1.c1.g1.2.1", 1796000000000LL,
               "{\"person\":\"r.s1.c1.g1.2.1\"}", CHAIN_GENESIS, a);
    /* python3: hashlib.sha256(("gov.matter.v1\n42\n3\ncosigned\nr.s1.c1.g1.2.1\n"
     * "1796000000000\n" + body + "\n" + "0" * 64).encode()).hexdigest() */
    assert_string_equal(a, "e17378215d5d131c581d1623cd081fa362f5967a76ccc9983df26f2bd97e5c34");
    chain_hash(42, 3, "cosigned", "r.s1.c1.g1.2.1", 1796000000000LL,
               "{\"person\":\"r.s1.c1.g1.2.2\"}", CHAIN_GENESIS, b);
    assert_string_equal(b, "95d4b16743a507bdd5d89d2c52bf8119adbf638c111c3985fee6f3927fd5acc8");
    /* Every field is in the hash: the number, the time, the previous hash. */
    chain_hash(42, 4, "cosigned", "r.s1.c1.g1.2.1", 1796000000000LL,
               "{\"person\":\"r.s1.c1.g1.2.1\"}", CHAIN_GENESIS, c);
    assert_string_not_equal(a, c);
    chain_hash(42, 3, "cosigned", "r.s1.c1.g1.2.1", 1796000000001LL,
               "{\"person\":\"r.s1.c1.g1.2.1\"}", CHAIN_GENESIS, c);
    assert_string_not_equal(a, c);
    chain_hash(42, 3, "cosigned", "r.s1.c1.g1.2.1", 1796000000000LL,
               "{\"person\":\"r.s1.c1.g1.2.1\"}", b, c);
    assert_string_not_equal(a, c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sha256),
        cmocka_unit_test(test_canonical_form),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
