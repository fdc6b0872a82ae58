/* calfile: a calendar import file (`govctl calendar import`), read and checked
 * before anything is written. The first line is the header
 * day,kind,name,source (a UTF-8 BOM before it, as spreadsheets write, is
 * skipped); each further line one day, four unquoted fields checked as
 * calendar_check_day checks them (calendar.h); blank lines are skipped; a
 * day listed twice, a NUL byte or a quote is refused. Pure: no I/O, so it is
 * unit tested and fuzzed (tests/unit/test_calfile.c, tests/fuzz/fuzz_calfile.c). */
#ifndef GOV_CALFILE_H
#define GOV_CALFILE_H

#include <stddef.h>
#include <stdint.h>

/* The rows of a file, as the text arrays the upsert takes. */
typedef struct {
    char **col[4];     /* day, kind, name, source; each string owned */
    int32_t *day;      /* day numbers */
    int *line;         /* the line each row was on */
    size_t n, cap;
} calfile_t;

/* Reads the `len` bytes at `text` into `rows` (zeroed by the caller). Returns
 * 0, or -1 with `*lineno` the line at fault (0: the file as a whole) and
 * `why` (`whylen` bytes, at least 128) what is wrong: "the header must be
 * day,kind,name,source", "no days to import", "2026-10-01 is already listed
 * on line 3" ... Free `rows` with calfile_clear either way. */
int calfile_parse(const char *text, size_t len, calfile_t *rows, int *lineno, char *why,
                  size_t whylen);

/* The years the rows cover, in file order, as "2025, 2026" (eight at most,
 * then "…"); `len` is at least 64. */
void calfile_years(const calfile_t *rows, char *out, size_t len);

/* Frees what the rows hold and zeroes them; safe twice. */
void calfile_clear(calfile_t *rows);

#endif
