/* curve: a deployment's key folder — made once and only added to, secrets
 * private, keys found by their public half (the ZAP handler's decision),
 * the actors file read. The handshakes themselves are tests/it/test_curve. */
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

#include "curve.h"

static char s_dir[64];

static int s_setup(void **state)
{
    (void) state;
    snprintf(s_dir, sizeof s_dir, "/tmp/gov-unit-curve-XXXXXX");
    return mkdtemp(s_dir) ? 0 : -1;
}

static int s_teardown(void **state)
{
    (void) state;
    char rm[96];
    snprintf(rm, sizeof rm, "rm -rf %s", s_dir);
    curve_reset();
    return system(rm) == 0 ? 0 : -1;
}

static void s_path(char *out, size_t cap, const char *file)
{
    snprintf(out, cap, "%s/keys/%s", s_dir, file);
}

static void test_generate_makes_each_pair_once_with_private_secrets(void **state)
{
    (void) state;
    char keys[96], path[128];
    s_path(keys, sizeof keys, "");
    const char *names[] = {"govctl", "intake"};
    assert_int_equal(curve_generate(keys, names, 2), 3); /* server, govctl, intake */
    uint8_t before[32], after[32];
    s_path(path, sizeof path, "govctl.pub");
    assert_int_equal(curve_read(path, before), 0);
    assert_int_equal(curve_generate(keys, names, 2), 0); /* nothing new, nothing replaced */
    assert_int_equal(curve_read(path, after), 0);
    assert_memory_equal(before, after, 32);
    struct stat st;
    s_path(path, sizeof path, "intake.key");
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    s_path(path, sizeof path, "server.key");
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(stat(keys, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0700);
    const char *bad[] = {"../etc"};
    assert_int_equal(curve_generate(keys, bad, 1), -1);
    const char *server[] = {"server"};
    assert_int_equal(curve_generate(keys, server, 1), -1);
}

static void test_a_key_is_found_by_its_public_half_but_never_as_server(void **state)
{
    (void) state;
    char keys[96], path[128];
    s_path(keys, sizeof keys, "");
    uint8_t key[32], server[32];
    char name[CURVE_NAME_MAX] = "";
    s_path(path, sizeof path, "intake.pub");
    assert_int_equal(curve_read(path, key), 0);
    assert_int_equal(curve_lookup(keys, key, name), 1);
    assert_string_equal(name, "intake");
    s_path(path, sizeof path, "server.pub");
    assert_int_equal(curve_read(path, server), 0);
    assert_int_equal(curve_lookup(keys, server, name), 0);
    key[0] ^= 1;
    assert_int_equal(curve_lookup(keys, key, name), 0);
    assert_int_equal(curve_lookup("/nonexistent/keys", key, name), -1);
}

static void test_a_malformed_key_file_is_refused(void **state)
{
    (void) state;
    char path[128];
    uint8_t key[32];
    s_path(path, sizeof path, "short.pub");
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("tooshort\n", f);
    fclose(f);
    assert_int_equal(curve_read(path, key), -1);
    s_path(path, sizeof path, "missing.pub");
    assert_int_equal(curve_read(path, key), -1);
}

static void test_only_the_actors_file_may_act(void **state)
{
    (void) state;
    char keys[96];
    s_path(keys, sizeof keys, "");
    assert_int_equal(curve_may_act("intake"), 1); /* CURVE off: every peer */
    assert_int_equal(curve_init(keys, "intake", 1), 0);
    assert_true(curve_on());
    assert_int_equal(curve_may_act("govctl"), 1);
    assert_int_equal(curve_may_act("gateway"), 1);
    assert_int_equal(curve_may_act("intake"), 0);
    assert_int_equal(curve_may_act(""), 0);
    curve_reset();
    assert_int_equal(curve_init(keys, "nobody", 0), -1); /* no such pair */
    assert_false(curve_on());
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_generate_makes_each_pair_once_with_private_secrets),
        cmocka_unit_test(test_a_key_is_found_by_its_public_half_but_never_as_server),
        cmocka_unit_test(test_a_malformed_key_file_is_refused),
        cmocka_unit_test(test_only_the_actors_file_may_act),
    };
    return cmocka_run_group_tests_name("curve keys", tests, s_setup, s_teardown);
}
