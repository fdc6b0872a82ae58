/* kpigauge: the month of the 三率 gauges is Beijing time's (UTC+8): a month
 * begins at 16:00 UTC on the last day of the one before. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "kpigauge.h"

static void test_the_month_turns_at_beijing_midnight(void **state)
{
    (void) state;
    char m[8];
    kpigauge_month(1769875200000LL - 1, m); /* 2026-01-31 15:59:59.999 UTC */
    assert_string_equal(m, "2026-01");
    kpigauge_month(1769875200000LL, m);     /* 2026-01-31 16:00 UTC: 2026-02-01 00:00 in Beijing */
    assert_string_equal(m, "2026-02");
    kpigauge_month(1798732800000LL, m);     /* 2026-12-31 16:00 UTC: a new year */
    assert_string_equal(m, "2027-01");
    kpigauge_month(0, m);
    assert_string_equal(m, "1970-01");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_the_month_turns_at_beijing_midnight),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
