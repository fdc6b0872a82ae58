/* seal and tallykey: a secret ballot's vote sealed to the tally key opens
 * only with that key, for that meeting, unaltered; every sealed ballot is
 * the same length whatever the choice; the votes are written in receipt-hash
 * order and a copied ballot is caught; the key pair is made once, its secret
 * half private, and a tampered half is refused. The database side is
 * tests/cli/test_ballot_secrecy.sh. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "seal.h"
#include "tallykey.h"

static char s_dir[64];
static const char *s_hash = "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0";

static int s_setup(void **state)
{
    (void) state;
    snprintf(s_dir, sizeof s_dir, "/tmp/gov-unit-seal-XXXXXX");
    return mkdtemp(s_dir) && tallykey_generate(s_dir) == 1 ? 0 : -1;
}

static int s_teardown(void **state)
{
    (void) state;
    char rm[96];
    snprintf(rm, sizeof rm, "rm -rf %s", s_dir);
    return system(rm) == 0 ? 0 : -1;
}

static void s_key(tallykey_t *key)
{
    assert_int_equal(tallykey_load(s_dir, key), 0);
}

static void test_a_sealed_vote_opens_with_its_key_for_its_meeting(void **state)
{
    (void) state;
    tallykey_t key;
    s_key(&key);
    const char *choices[] = {"yes", "no", "abstain"};
    for (int i = 0; i < 3; i++) {
        uint8_t sealed[SEAL_BYTES];
        assert_int_equal(seal_ballot(key.public_key, 42, s_hash, choices[i], sealed), 0);
        seal_vote_t v;
        assert_int_equal(seal_open(&key, 42, sealed, sizeof sealed, &v), 0);
        assert_string_equal(v.hash, s_hash);
        assert_string_equal(v.choice, choices[i]);
    }
    tallykey_wipe(&key);
}

static void test_two_seals_of_the_same_vote_differ(void **state)
{
    (void) state;
    tallykey_t key;
    s_key(&key);
    uint8_t a[SEAL_BYTES], b[SEAL_BYTES];
    assert_int_equal(seal_ballot(key.public_key, 1, s_hash, "yes", a), 0);
    assert_int_equal(seal_ballot(key.public_key, 1, s_hash, "yes", b), 0);
    assert_memory_not_equal(a, b, SEAL_BYTES); /* a fresh ephemeral key each time */
    tallykey_wipe(&key);
}

static void test_another_key_an_altered_byte_or_another_meeting_does_not_open(void **state)
{
    (void) state;
    tallykey_t key, other;
    s_key(&key);
    char dir[96];
    snprintf(dir, sizeof dir, "%s/other", s_dir);
    assert_int_equal(mkdir(dir, 0700), 0);
    assert_int_equal(tallykey_generate(dir), 1);
    assert_int_equal(tallykey_load(dir, &other), 0);
    uint8_t sealed[SEAL_BYTES];
    seal_vote_t v;
    assert_int_equal(seal_ballot(key.public_key, 7, s_hash, "no", sealed), 0);
    assert_int_equal(seal_open(&other, 7, sealed, sizeof sealed, &v), -1);
    assert_int_equal(seal_open(&key, 8, sealed, sizeof sealed, &v), -1);
    assert_int_equal(seal_open(&key, 7, sealed, sizeof sealed - 1, &v), -1);
    for (size_t i = 0; i < SEAL_BYTES; i += 31) {
        sealed[i] ^= 1;
        assert_int_equal(seal_open(&key, 7, sealed, sizeof sealed, &v), -1);
        sealed[i] ^= 1;
    }
    assert_int_equal(seal_open(&key, 7, sealed, sizeof sealed, &v), 0);
    tallykey_wipe(&key);
    tallykey_wipe(&other);
}

static void test_only_a_vote_is_sealed(void **state)
{
    (void) state;
    tallykey_t key;
    s_key(&key);
    uint8_t sealed[SEAL_BYTES];
    assert_int_equal(seal_ballot(key.public_key, 1, s_hash, "maybe", sealed), -1);
    assert_int_equal(seal_ballot(key.public_key, 1, "abc", "yes", sealed), -1);
    assert_int_equal(seal_ballot(key.public_key, 1, NULL, "yes", sealed), -1);
    char upper[65];
    snprintf(upper, sizeof upper, "%s", s_hash);
    upper[1] = 'F';
    assert_int_equal(seal_ballot(key.public_key, 1, upper, "yes", sealed), -1);
    tallykey_wipe(&key);
}

static void test_votes_sort_by_receipt_hash_and_a_copy_is_caught(void **state)
{
    (void) state;
    seal_vote_t v[3] = {{"c", "yes"}, {"a", "no"}, {"b", "abstain"}};
    assert_int_equal(seal_sort(v, 3), 0);
    assert_string_equal(v[0].hash, "a");
    assert_string_equal(v[1].hash, "b");
    assert_string_equal(v[2].hash, "c");
    assert_string_equal(v[0].choice, "no");
    seal_vote_t copy[3] = {{"c", "yes"}, {"a", "no"}, {"c", "yes"}};
    assert_int_equal(seal_sort(copy, 3), -1);
    assert_int_equal(seal_sort(copy, 0), 0);
}

static void test_the_key_pair_is_made_once_with_a_private_secret(void **state)
{
    (void) state;
    tallykey_t before, after;
    s_key(&before);
    assert_int_equal(tallykey_generate(s_dir), 0); /* kept, not replaced */
    s_key(&after);
    assert_memory_equal(before.public_key, after.public_key, 32);
    assert_int_equal(strlen(after.public_z85), 40);
    char path[128];
    struct stat st;
    snprintf(path, sizeof path, "%s/tally.secret", s_dir);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    tallykey_wipe(&before);
    tallykey_wipe(&after);
}

static void test_a_missing_or_tampered_key_is_refused(void **state)
{
    (void) state;
    tallykey_t key;
    char dir[96], cmd[400];
    assert_int_equal(tallykey_load(NULL, &key), -ENOENT);
    assert_int_equal(tallykey_load("", &key), -ENOENT);
    snprintf(dir, sizeof dir, "%s/none", s_dir);
    assert_int_equal(tallykey_load(dir, &key), -ENOENT);
    /* halves of two pairs */
    snprintf(dir, sizeof dir, "%s/mixed", s_dir);
    assert_int_equal(mkdir(dir, 0700), 0);
    assert_int_equal(tallykey_generate(dir), 1);
    snprintf(cmd, sizeof cmd, "cp %s/tally.public %s/tally.public", s_dir, dir);
    assert_int_equal(system(cmd), 0);
    assert_int_equal(tallykey_load(dir, &key), -EINVAL);
    uint8_t zero[32] = {0};
    assert_memory_equal(key.secret_key, zero, 32); /* nothing half loaded */
    /* a malformed file */
    snprintf(cmd, sizeof cmd, "echo short > %s/tally.secret", dir);
    assert_int_equal(system(cmd), 0);
    assert_int_equal(tallykey_load(dir, &key), -EINVAL);
    /* the secret half gone */
    snprintf(cmd, sizeof cmd, "rm %s/tally.secret", dir);
    assert_int_equal(system(cmd), 0);
    assert_int_equal(tallykey_load(dir, &key), -ENOENT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_sealed_vote_opens_with_its_key_for_its_meeting),
        cmocka_unit_test(test_two_seals_of_the_same_vote_differ),
        cmocka_unit_test(test_another_key_an_altered_byte_or_another_meeting_does_not_open),
        cmocka_unit_test(test_only_a_vote_is_sealed),
        cmocka_unit_test(test_votes_sort_by_receipt_hash_and_a_copy_is_caught),
        cmocka_unit_test(test_the_key_pair_is_made_once_with_a_private_secret),
        cmocka_unit_test(test_a_missing_or_tampered_key_is_refused),
    };
    return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
