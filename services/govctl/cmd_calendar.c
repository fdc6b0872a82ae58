/* govctl calendar import|show|add-days: the official working-day calendar (调休). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "calendar.h"
#include "db.h"
#include "calfile.h"
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

static int s_import(const char *path)
{
    FILE *in = fopen(path, "r");
    if (!in) {
        fprintf(stderr, "govctl: cannot read %s: %s\n", path, strerror(errno));
        return 1;
    }
    calfile_t rows = {0};
    PGconn *conn = NULL;
    char *text = NULL, *arrays[4] = {0}, years[64] = "", why[160];
    size_t size = 0, cap = 0;
    int rc = 1, lineno = 0;
    for (;;) { /* the whole file: checked as one before anything is written (calfile.h) */
        if (size == cap) {
            char *grown = realloc(text, cap = cap ? 2 * cap : 65536);
            if (!grown) {
                fprintf(stderr, "govctl: out of memory\n");
                goto done;
            }
            text = grown;
        }
        size_t got = fread(text + size, 1, cap - size, in);
        size += got;
        if (got == 0)
            break;
    }
    if (ferror(in)) {
        fprintf(stderr, "govctl: cannot read %s: %s\n", path, strerror(errno));
        goto done;
    }
    if (calfile_parse(text, size, &rows, &lineno, why, sizeof why)) {
        if (lineno)
            fprintf(stderr, "govctl: %s:%d: %s; nothing imported\n", path, lineno, why);
        else
            fprintf(stderr, "govctl: %s: %s\n", path, why);
        goto done;
    }
    calfile_years(&rows, years, sizeof years);
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
    calfile_clear(&rows);
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
