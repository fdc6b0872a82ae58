/* govctl calendar import's reader (common/calfile.h): a file read whole and
 * checked before anything is written, each refusal naming its line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "calfile.h"

/* Parses `text`; returns 0 or the line at fault (with `why`), -2 for the file. */
static int s_parse(const char *text, size_t len, calfile_t *rows, char why[160])
{
    int line = -1;
    memset(rows, 0, sizeof *rows);
    if (calfile_parse(text, len, rows, &line, why, 160) == 0)
        return 0;
    return line == 0 ? -2 : line;
}

static void test_a_good_file(void **state)
{
    (void) state;
    calfile_t rows;
    char why[160], years[64];
    const char *text = "\xEF\xBB\xBF" "day,kind,name,source\r\n"
                       "2025-10-01,holiday,国庆节,国办发明电〔2024〕12号\r\n"
                       "\r\n"
                       "2025-09-28,workday,调休上班,国办发明电〔2024〕12号\r\n"
                       "2026-01-01,holiday,元旦,国办发明电〔2025〕7号";
    assert_int_equal(s_parse(text, strlen(text), &rows, why), 0);
    assert_int_equal(rows.n, 3);
    assert_string_equal(rows.col[1][1], "workday");
    assert_string_equal(rows.col[2][0], "国庆节");
    assert_int_equal(rows.line[2], 5);
    calfile_years(&rows, years, sizeof years);
    assert_string_equal(years, "2025, 2026");
    calfile_clear(&rows);
    calfile_clear(&rows); /* safe twice */
}

static void test_each_fault_names_its_line(void **state)
{
    (void) state;
    calfile_t rows;
    char why[160];
    struct {
        const char *text;
        size_t len; /* 0: strlen */
        int line;
        const char *says;
    } bad[] = {
        {"day,kind,name\n2025-10-01,holiday,x\n", 0, 1, "the header must be day,kind,name,source"},
        {"day,kind,name,source\n2025-10-01,holiday,x\n", 0, 2, "expected 4 fields"},
        {"day,kind,name,source\n2025-10-01,holiday,x,y,z\n", 0, 2, "expected 4 fields"},
        {"day,kind,name,source\n\"2025-10-01\",holiday,x,y\n", 0, 2, "cannot be quoted"},
        {"day,kind,name,source\n2025-10-01,holiday,x,y\n2025-10-01,holiday,x,y\n", 0, 3,
         "2025-10-01 is already listed on line 2"},
        {"day,kind,name,source\n2025-10-01,holiday,x\0y,z\n", 45, 2, "NUL"},
        {"day,kind,name,source\n", 0, -2, "no days to import"},
        {"", 0, -2, "no days to import"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        size_t len = bad[i].len ? bad[i].len : strlen(bad[i].text);
        int got = s_parse(bad[i].text, len, &rows, why);
        if (got != bad[i].line || !strstr(why, bad[i].says))
            fail_msg("case %zu: line %d \"%s\", wanted line %d \"%s\"", i, got, why, bad[i].line,
                     bad[i].says);
        calfile_clear(&rows);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_good_file),
        cmocka_unit_test(test_each_fault_names_its_line),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
