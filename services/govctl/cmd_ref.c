/* govctl units list, govctl categories list: the reference data. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "govctl.h"

static const char *s_units_usage =
    "usage: govctl units list [--kind K] [--json]\n"
    "       govctl units add|member|unmember ...   (the admin's: govctl units add --help)\n"
    "kinds: grid_team | community | street_office | department | dispatch_centre | leadership\n"
    "       | supervision | admin\n";
static const char *s_categories_usage =
    "usage: govctl categories list [--kind K] [--json]\n"
    "kinds: consultation | help | complaint | report | suggestion\n";

static const char *s_units_sql =
    "SELECT coalesce(json_agg(t ORDER BY t.kind, t.code), '[]') FROM ("
    " SELECT u.code, u.name, u.kind, a.code AS area, p.code AS parent, s.code AS supervisor,"
    "  (SELECT coalesce(json_agg(json_build_object('code', pe.code, 'name', pe.name,"
    "          'role', m.role) ORDER BY pe.code), '[]')"
    "   FROM unit_members m JOIN people pe ON pe.id = m.person_id WHERE m.unit_id = u.id) AS members"
    " FROM units u LEFT JOIN areas a ON a.id = u.area_id"
    " LEFT JOIN units p ON p.id = u.parent_id LEFT JOIN units s ON s.id = u.supervisor_id"
    " WHERE $1 = '' OR u.kind = $1) t";

static const char *s_categories_sql =
    "SELECT coalesce(json_agg(t ORDER BY t.code), '[]') FROM ("
    " SELECT code, name, kind, subject, subject_name FROM categories"
    " WHERE $1 = '' OR kind = $1) t";

/* Lists rows of `sql` (one $1 = kind filter) as JSON or as a table. */
static int s_list(int argc, char **argv, const char *usage, const char *sql,
                  const char *const *columns)
{
    static const struct option opts[] = {{"kind", 1, 0, 'k'}, {"json", 0, 0, 'j'}, {0, 0, 0, 0}};
    const char *kind = "";
    int as_json = 0, c;
    optind = 1;
    if (argc < 1 || strcmp(argv[0], "list") != 0)
        return govctl_usage(usage, 0);
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'k')
            kind = optarg;
        else if (c == 'j')
            as_json = 1;
        else
            return govctl_usage(usage, 0);
    }
    if (optind != argc)
        return govctl_usage(usage, 0);
    PGconn *conn = govctl_db();
    json_t *rows = conn ? govctl_query_json(conn, sql, 1, &kind) : NULL;
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
        for (int k = 0; columns[k]; k++) {
            const char *v = json_string_value(json_object_get(row, columns[k]));
            printf(columns[k + 1] ? "%-22s " : "%s\n", v ? v : "-");
        }
    }
    json_decref(rows);
    return 0;
}

int cmd_units(int argc, char **argv)
{
    static const char *const columns[] = {"code", "kind", "supervisor", "name", NULL};
    if (argc >= 2 && (strcmp(argv[1], "add") == 0 || strcmp(argv[1], "member") == 0 ||
                      strcmp(argv[1], "unmember") == 0 || strcmp(argv[1], "--as") == 0))
        return cmd_units_directory(argc, argv); /* the admin's: through routing */
    if (govctl_wants_help(argc, argv))
        return govctl_usage(s_units_usage, 1);
    return s_list(argc - 1, argv + 1, s_units_usage, s_units_sql, columns);
}

int cmd_categories(int argc, char **argv)
{
    static const char *const columns[] = {"code", "kind", "name", NULL};
    if (govctl_wants_help(argc, argv))
        return govctl_usage(s_categories_usage, 1);
    return s_list(argc - 1, argv + 1, s_categories_usage, s_categories_sql, columns);
}
