/* db: during an outage a broken connection is tried again after 100 ms, then
 * twice as long after each failed try, never more than 2 s apart — so a lost
 * database holds one thread at a time for at most a connect timeout (2 s),
 * the others refusing at once, and the service is back within about 2 s of
 * the database. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "db.h"

static void test_doubles_from_the_minimum(void **state)
{
    (void) state;
    assert_int_equal(db_retry_delay_ms(0), DB_RETRY_MIN_MS);
    assert_int_equal(db_retry_delay_ms(1), 2 * DB_RETRY_MIN_MS);
    assert_int_equal(db_retry_delay_ms(4), 16 * DB_RETRY_MIN_MS);
}

static void test_never_past_the_maximum(void **state)
{
    (void) state;
    for (unsigned n = 0; n < 100; n++) {
        assert_true(db_retry_delay_ms(n) <= DB_RETRY_MAX_MS);
        assert_true(n == 0 || db_retry_delay_ms(n) >= db_retry_delay_ms(n - 1));
    }
    assert_int_equal(db_retry_delay_ms(5), DB_RETRY_MAX_MS);
    assert_int_equal(db_retry_delay_ms(~0u), DB_RETRY_MAX_MS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_doubles_from_the_minimum),
        cmocka_unit_test(test_never_past_the_maximum),
    };
    return cmocka_run_group_tests_name("dbretry", tests, NULL, NULL);
}
