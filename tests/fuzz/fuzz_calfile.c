/* libFuzzer harness for `govctl calendar import`'s reader (common/calfile.h):
 * the bytes as a calendar file. Any crash, leak or undefined behaviour is a
 * bug, and so is an accepted file that breaks the reader's promise: at least
 * one row, each day listed once, each row one that calendar_check_day
 * accepts, no field holding a comma, a quote or a NUL; a refusal names its
 * line (0 only for the file as a whole) and says why. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "calfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    calfile_t rows = {0};
    int lineno = -1;
    char why[160] = "";
    if (calfile_parse((const char *) data, size, &rows, &lineno, why, sizeof why) == 0) {
        if (rows.n == 0)
            abort();
        for (size_t r = 0; r < rows.n; r++) {
            int32_t day;
            if (calendar_check_day(rows.col[0][r], rows.col[1][r], rows.col[2][r], rows.col[3][r],
                                   &day) != NULL ||
                day != rows.day[r])
                abort();
            for (int c = 0; c < 4; c++)
                if (strpbrk(rows.col[c][r], ",\n") || (c != 1 && strchr(rows.col[c][r], '"')))
                    abort();
            for (size_t q = 0; q < r; q++)
                if (rows.day[q] == rows.day[r])
                    abort();
        }
        char years[64];
        calfile_years(&rows, years, sizeof years);
        if (strlen(years) >= sizeof years)
            abort();
    } else if (lineno < 0 || !why[0]) {
        abort();
    }
    calfile_clear(&rows);
    return 0;
}
