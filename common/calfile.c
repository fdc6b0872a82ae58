#include "calfile.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calendar.h"

static int s_add(calfile_t *rows, char *const field[4], int32_t day, int line)
{
    if (rows->n == rows->cap) {
        size_t cap = rows->cap ? rows->cap * 2 : 64;
        for (int i = 0; i < 4; i++) {
            char **col = realloc(rows->col[i], cap * sizeof *col);
            if (!col)
                return -1;
            rows->col[i] = col;
        }
        int32_t *days = realloc(rows->day, cap * sizeof *days);
        if (days)
            rows->day = days;
        int *lines = realloc(rows->line, cap * sizeof *lines);
        if (lines)
            rows->line = lines;
        if (!days || !lines)
            return -1;
        rows->cap = cap;
    }
    for (int i = 0; i < 4; i++)
        if (!(rows->col[i][rows->n] = strdup(field[i]))) {
            while (i--)
                free(rows->col[i][rows->n]);
            return -1;
        }
    rows->day[rows->n] = day;
    rows->line[rows->n] = line;
    rows->n++;
    return 0;
}

void calfile_clear(calfile_t *rows)
{
    for (int i = 0; i < 4; i++) {
        for (size_t r = 0; r < rows->n; r++)
            free(rows->col[i][r]);
        free(rows->col[i]);
    }
    free(rows->day);
    free(rows->line);
    memset(rows, 0, sizeof *rows);
}

void calfile_years(const calfile_t *rows, char *out, size_t len)
{
    int years[8], n = 0;
    size_t used = 0;
    out[0] = '\0';
    for (size_t r = 0; r < rows->n; r++) {
        int year = atoi(rows->col[0][r]), seen = 0;
        for (int i = 0; i < n; i++)
            seen |= years[i] == year;
        if (seen)
            continue;
        if (n == 8) {
            snprintf(out + used, len - used, ", …");
            return;
        }
        years[n++] = year;
        used += (size_t) snprintf(out + used, len - used, "%s%d", n > 1 ? ", " : "", year);
        if (used >= len)
            return;
    }
}

/* One data line (NUL-ended, its end of line removed): checked and added.
 * Returns NULL, or what is wrong (in `why`, or a constant). */
static const char *s_line(char *text, int lineno, calfile_t *rows, char *why, size_t whylen)
{
    char *field[4];
    int k = 0;
    for (char *p = text;; p++) {
        if (k < 4)
            field[k] = p;
        k++;
        if (!(p = strchr(p, ',')))
            break;
        *p = '\0';
    }
    if (strchr(field[0], '"') || (k >= 4 && (strchr(field[2], '"') || strchr(field[3], '"'))))
        return "fields cannot be quoted (and cannot hold commas)";
    if (k != 4) {
        snprintf(why, whylen, "expected 4 fields (day,kind,name,source), found %d", k);
        return why;
    }
    int32_t day;
    const char *problem = calendar_check_day(field[0], field[1], field[2], field[3], &day);
    if (problem)
        return problem;
    for (size_t r = 0; r < rows->n; r++)
        if (rows->day[r] == day) {
            snprintf(why, whylen, "%.24s is already listed on line %d", field[0], rows->line[r]);
            return why;
        }
    if (s_add(rows, field, day, lineno))
        return "out of memory";
    return NULL;
}

int calfile_parse(const char *text, size_t len, calfile_t *rows, int *lineno, char *why,
                  size_t whylen)
{
    size_t at = 0;
    int n = 0;
    char *line = NULL;
    const char *problem = NULL;
    while (at < len && !problem) {
        const char *end = memchr(text + at, '\n', len - at);
        size_t size = (end ? (size_t) (end - text) : len) - at;
        n++;
        free(line);
        if (!(line = malloc(size + 1))) {
            problem = "out of memory";
            break;
        }
        memcpy(line, text + at, size);
        line[size] = '\0';
        at += size + 1;
        if (strlen(line) != size) {
            problem = "a line holds a NUL byte";
            break;
        }
        while (size && line[size - 1] == '\r')
            line[--size] = '\0';
        char *l = line;
        if (n == 1) {
            if (!strncmp(l, "\xEF\xBB\xBF", 3)) /* a UTF-8 BOM, as spreadsheets write */
                l += 3;
            if (strcmp(l, "day,kind,name,source"))
                problem = "the header must be day,kind,name,source";
            continue;
        }
        if (l[0])
            problem = s_line(l, n, rows, why, whylen);
    }
    free(line);
    if (!problem && rows->n == 0) {
        n = 0;
        problem = "no days to import";
    }
    if (!problem)
        return 0;
    *lineno = n;
    if (problem != why)
        snprintf(why, whylen, "%s", problem);
    return -1;
}
