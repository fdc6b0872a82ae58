/* govctl calendar import|show|add-days: the official working-day calendar (调休). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "calendar.h"
#include "db.h"
#include "govctl.h"

static const char *s_usage =
    "usage: govctl calendar import FILE.csv\n"
    "       govctl calendar show [--year YYYY] [--json]\n"
    "       govctl calendar add-days --from YYYY-MM-DD --days N [--working]\n"
    "\n"
    "import loads the days that break the Monday-Friday rule, all or nothing. FILE.csv\n"
    "has the header day,kind,name,source and one row a day: the day (YYYY-MM-DD), its\n"
    "kind, holiday (a day off, weekend days inside a holiday block included) or workday\n"
    "(a Saturday or Sunday worked, 调休上班), the holiday's name and the notice it comes\n"
    "from. Fields hold no commas or double quotes. A day imported again takes the new\n"
    "row, so importing a file twice is harmless. Routing uses the new calendar from its\n"
    "next dispatch on, no restart. (The admin imports through the gateway too:\n"
    "POST /api/v1/calendar.)\n"
    "show lists the stored days, of one year with --year.\n"
    "add-days prints the instant N days after 00:00 (Beijing time) of the day --from:\n"
    "calendar days, or working days on the stored calendar with --working. Every minute\n"
    "of a working day counts; a result at 00:00 is the end of the day before.\n";

/* One statement, so one transaction: every row is written, or none. */
static const char *s_upsert_sql =
    "INSERT INTO calendar_days (day, kind, name, source)"
    " SELECT * FROM unnest($1::date[], $2::text[], $3::text[], $4::text[])"
    " ON CONFLICT (day) DO UPDATE SET kind = EXCLUDED.kind, name = EXCLUDED.name,"
    " source = EXCLUDED.source";

static const char *s_show_sql =
    "SELECT coalesce(json_agg(json_build_object('day', day, 'kind', kind, 'name', name,"
    " 'source', source) ORDER BY day), '[]') FROM calendar_days"
    " WHERE $1 = '' OR extract(year FROM day) = $1::int";

#define DAY_MS 86400000LL
#define BEIJING_MS (8 * 3600000LL)

/* The rows of a calendar file, as the text arrays the upsert takes. */
typedef struct {
    char **col[4];     /* day, kind, name, source; each string malloc'd */
    int32_t *day;      /* day numbers, to find a day listed twice */
    int *line;         /* where each row was */
    size_t n, cap;
} rows_t;

static int s_rows_add(rows_t *rows, char *const field[4], int32_t day, int line)
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

static void s_rows_free(rows_t *rows)
{
    for (int i = 0; i < 4; i++) {
        for (size_t r = 0; r < rows->n; r++)
            free(rows->col[i][r]);
        free(rows->col[i]);
    }
    free(rows->day);
    free(rows->line);
}

/* Writes the years the rows cover, in file order, as "2025, 2026" (eight at
 * most, then "…"); `len` is at least 64. */
static void s_years(const rows_t *rows, char *out, size_t len)
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
    }
}

/* Checks one data line (its end of line removed) and adds it to `rows`.
 * Returns NULL, or what is wrong with the line (in `why`, or a constant). */
static const char *s_check_line(char *text, int lineno, rows_t *rows, char *why, size_t whylen)
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
            snprintf(why, whylen, "%s is already listed on line %d", field[0], rows->line[r]);
            return why;
        }
    if (s_rows_add(rows, field, day, lineno))
        return "out of memory";
    return NULL;
}

static int s_import(const char *path)
{
    FILE *in = fopen(path, "r");
    if (!in) {
        fprintf(stderr, "govctl: cannot read %s: %s\n", path, strerror(errno));
        return 1;
    }
    rows_t rows = {0};
    PGconn *conn = NULL;
    char *text = NULL, *arrays[4] = {0}, years[64] = "";
    size_t size = 0;
    ssize_t len;
    int rc = 1, lineno = 0;
    while ((len = getline(&text, &size, in)) >= 0) {
        lineno++;
        while (len && (text[len - 1] == '\n' || text[len - 1] == '\r'))
            text[--len] = '\0';
        char *line = text;
        if (lineno == 1) {
            if (!strncmp(line, "\xEF\xBB\xBF", 3))   /* a UTF-8 BOM, as spreadsheets write */
                line += 3;
            if (strcmp(line, "day,kind,name,source")) {
                fprintf(stderr, "govctl: %s:1: the header must be day,kind,name,source; nothing imported\n",
                        path);
                goto done;
            }
            continue;
        }
        if (!line[0])
            continue;
        char why[128];
        const char *problem = s_check_line(line, lineno, &rows, why, sizeof why);
        if (problem) {
            fprintf(stderr, "govctl: %s:%d: %s; nothing imported\n", path, lineno, problem);
            goto done;
        }
    }
    if (ferror(in)) {
        fprintf(stderr, "govctl: cannot read %s: %s\n", path, strerror(errno));
        goto done;
    }
    if (rows.n == 0) {
        fprintf(stderr, "govctl: %s: no days to import\n", path);
        goto done;
    }
    s_years(&rows, years, sizeof years);
    for (int i = 0; i < 4; i++)
        if (!(arrays[i] = db_text_array(rows.col[i], rows.n))) {
            fprintf(stderr, "govctl: out of memory\n");
            goto done;
        }
    if (!(conn = govctl_db()))
        goto done;
    PGresult *res = PQexecParams(conn, s_upsert_sql, 4, NULL, (const char *const *) arrays, NULL,
                                 NULL, 0);
    if (PQresultStatus(res) == PGRES_COMMAND_OK) {
        printf("imported %zu days (%s) from %s\n", rows.n, years, path);
        rc = 0;
    } else {
        char sqlstate[6];
        db_sqlstate(res, sqlstate);
        fprintf(stderr, "govctl: %s: import failed (SQLSTATE %s): %s", path, sqlstate,
                PQresultErrorMessage(res));
    }
    PQclear(res);
done:
    PQfinish(conn);
    for (int i = 0; i < 4; i++)
        free(arrays[i]);
    s_rows_free(&rows);
    free(text);
    fclose(in);
    return rc;
}

static int s_show(int argc, char **argv)
{
    static const struct option opts[] = {{"year", 1, 0, 'y'}, {"json", 0, 0, 'j'}, {0, 0, 0, 0}};
    const char *year = "";
    int as_json = 0, c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'y': year = optarg; break;
        case 'j': as_json = 1; break;
        default: return govctl_usage(s_usage, 0);
        }
    }
    long long y = year[0] ? govctl_parse_int(year) : 0;
    if (optind != argc || (year[0] && (y < 1970 || y > 9999)))
        return govctl_usage(s_usage, 0);
    PGconn *conn = govctl_db();
    if (!conn)
        return 1;
    json_t *rows = govctl_query_json(conn, s_show_sql, 1, &year);
    PQfinish(conn);
    if (!rows)
        return 1;
    if (as_json) {
        govctl_print(rows, 0);
        return 0;
    }
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row)
    {
        printf("%s  %-8s %s\n", json_string_value(json_object_get(row, "day")),
               json_string_value(json_object_get(row, "kind")),
               json_string_value(json_object_get(row, "name")));
    }
    json_decref(rows);
    return 0;
}

static int s_add_days(int argc, char **argv)
{
    static const struct option opts[] = {
        {"from", 1, 0, 'f'}, {"days", 1, 0, 'd'}, {"working", 0, 0, 'w'}, {0, 0, 0, 0}};
    const char *from = NULL;
    long long days = -1;
    int working = 0, c, weekday;
    int32_t day;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'f': from = optarg; break;
        case 'd': days = govctl_parse_int(optarg); break;
        case 'w': working = 1; break;
        default: return govctl_usage(s_usage, 0);
        }
    }
    /* 100 years: beyond any deadline, and calendar_add walks day by day. */
    if (optind != argc || !from || calendar_parse_day(from, &day, &weekday) || days < 0 || days > 36600)
        return govctl_usage(s_usage, 0);
    calendar_t *cal = calendar_new();
    PGconn *conn = NULL;
    int rc = 1;
    if (!cal) {
        fprintf(stderr, "govctl: out of memory\n");
        goto done;
    }
    if (working && (!(conn = govctl_db()) || calendar_load(cal, conn)))
        goto done;
    int64_t due = calendar_add(cal, (int64_t) day * DAY_MS - BEIJING_MS, days * 1440, working);
    time_t local = (time_t) ((due + BEIJING_MS) / 1000);
    struct tm tm;
    char text[32];
    gmtime_r(&local, &tm);
    strftime(text, sizeof text, "%Y-%m-%dT%H:%M+08:00", &tm);
    puts(text);
    rc = 0;
done:
    PQfinish(conn);
    calendar_destroy(&cal);
    return rc;
}

int cmd_calendar(int argc, char **argv)
{
    if (argc < 2 || govctl_wants_help(argc, argv))
        return govctl_usage(s_usage, govctl_wants_help(argc, argv));
    optind = 1;
    if (strcmp(argv[1], "import") == 0)
        return argc == 3 ? s_import(argv[2]) : govctl_usage(s_usage, 0);
    if (strcmp(argv[1], "show") == 0)
        return s_show(argc - 1, argv + 1);
    if (strcmp(argv[1], "add-days") == 0)
        return s_add_days(argc - 1, argv + 1);
    fprintf(stderr, "govctl: unknown calendar command \"%s\"\n", argv[1]);
    return govctl_usage(s_usage, 0);
}
