/* govctl calendar import|show: the official working-day calendar (调休). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db.h"
#include "govctl.h"

static const char *s_usage =
    "usage: govctl calendar import FILE.csv\n"
    "       govctl calendar show [--year YYYY] [--json]\n"
    "FILE.csv: a header `day,kind,name,source`, then one row per day that breaks the\n"
    "Monday-Friday rule: kind holiday (a day off) or workday (a weekend day worked, 调休).\n"
    "Import is all or nothing; a day imported again takes the new row.\n";

#define CAL_MAX_ROWS 4000

static const char *s_upsert =
    "INSERT INTO calendar_days (day, kind, name, source)"
    " SELECT * FROM unnest($1::date[], $2::text[], $3::text[], $4::text[])"
    " ON CONFLICT (day) DO UPDATE SET kind = EXCLUDED.kind, name = EXCLUDED.name,"
    " source = EXCLUDED.source";

static const char *s_show_sql =
    "SELECT coalesce(json_agg(json_build_object('day', day, 'kind', kind, 'name', name,"
    " 'source', source) ORDER BY day), '[]') FROM calendar_days"
    " WHERE $1 = '' OR extract(year FROM day) = $1::int";

/* 0 = Monday .. 6 = Sunday for a valid date, -1 for an invalid one. */
static int s_weekday(const char *text)
{
    int y, m, d;
    char extra;
    if (strlen(text) != 10 || sscanf(text, "%4d-%2d-%2d%c", &y, &m, &d, &extra) != 3)
        return -1;
    struct tm tm = {.tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d, .tm_hour = 12};
    time_t t = timegm(&tm);
    struct tm back;
    gmtime_r(&t, &back);
    if (back.tm_year != y - 1900 || back.tm_mon != m - 1 || back.tm_mday != d)
        return -1;
    return (back.tm_wday + 6) % 7;
}

static void s_strip(char *s)
{
    size_t n = strlen(s);
    while (n && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' '))
        s[--n] = '\0';
}

static int s_import(const char *path)
{
    FILE *in = fopen(path, "r");
    if (!in) {
        fprintf(stderr, "{\"error\": \"cannot read %s\"}\n", path);
        return 1;
    }
    char *cols[4][CAL_MAX_ROWS];
    size_t n = 0;
    int rc = 1, lineno = 0;
    char line[2048];
    char years[64] = "";
    while (fgets(line, sizeof line, in)) {
        lineno++;
        s_strip(line);
        if (lineno == 1) {
            if (strcmp(line, "day,kind,name,source") != 0) {
                fprintf(stderr, "%s:1: the header must be day,kind,name,source\n", path);
                goto done;
            }
            continue;
        }
        if (!line[0])
            continue;
        char *f[4], *save = NULL, *p = line;
        int k = 0;
        for (; k < 4 && (f[k] = strtok_r(p, ",", &save)); k++)
            p = NULL;
        const char *why = NULL;
        int wd = k == 4 ? s_weekday(f[0]) : -1;
        if (k != 4 || strtok_r(NULL, ",", &save))
            why = "expected 4 fields: day,kind,name,source";
        else if (wd < 0)
            why = "the day is not a date (YYYY-MM-DD)";
        else if (strcmp(f[1], "holiday") != 0 && strcmp(f[1], "workday") != 0)
            why = "kind must be holiday or workday";
        else if (strcmp(f[1], "workday") == 0 && wd < 5)
            why = "a make-up workday must fall on a Saturday or Sunday";
        else if (n == CAL_MAX_ROWS)
            why = "too many rows for one file";
        if (why) {
            fprintf(stderr, "%s:%d: %s\n", path, lineno, why);
            goto done;
        }
        for (int i = 0; i < 4; i++)
            cols[i][n] = strdup(f[i]);
        if (!strstr(years, (char[5]){f[0][0], f[0][1], f[0][2], f[0][3], 0}) && strlen(years) < 50)
            snprintf(years + strlen(years), sizeof years - strlen(years), "%s%.4s",
                     years[0] ? ", " : "", f[0]);
        n++;
    }
    if (n == 0) {
        fprintf(stderr, "%s: no days to import\n", path);
        goto done;
    }
    char *arrays[4] = {0};
    for (int i = 0; i < 4; i++)
        arrays[i] = db_text_array(cols[i], n);
    PGconn *conn = govctl_db();
    if (conn && arrays[0] && arrays[1] && arrays[2] && arrays[3]) {
        PGresult *res = PQexecParams(conn, s_upsert, 4, NULL, (const char *const *) arrays, NULL,
                                     NULL, 0);
        if (PQresultStatus(res) == PGRES_COMMAND_OK) {
            printf("imported %zu days (%s) from %s\n", n, years, path);
            rc = 0;
        } else {
            fprintf(stderr, "{\"error\": \"%s\"}\n", PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY));
        }
        PQclear(res);
    }
    PQfinish(conn);
    for (int i = 0; i < 4; i++)
        free(arrays[i]);
done:
    for (size_t r = 0; r < n; r++)
        for (int i = 0; i < 4; i++)
            free(cols[i][r]);
    fclose(in);
    return rc;
}

static int s_show(int argc, char **argv)
{
    static const struct option opts[] = {{"year", 1, 0, 'y'}, {"json", 0, 0, 'j'}, {0, 0, 0, 0}};
    const char *year = "";
    int as_json = 0, c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'y' && govctl_parse_int(optarg) >= 1900)
            year = optarg;
        else if (c == 'j')
            as_json = 1;
        else
            return govctl_usage(s_usage, 0);
    }
    PGconn *conn = govctl_db();
    json_t *rows = conn ? govctl_query_json(conn, s_show_sql, 1, &year) : NULL;
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

int cmd_calendar(int argc, char **argv)
{
    if (govctl_wants_help(argc, argv))
        return govctl_usage(s_usage, 1);
    if (argc == 3 && strcmp(argv[1], "import") == 0)
        return s_import(argv[2]);
    if (argc >= 2 && strcmp(argv[1], "show") == 0)
        return s_show(argc - 1, argv + 1);
    return govctl_usage(s_usage, 0);
}
