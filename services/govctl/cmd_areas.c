/* govctl areas import|list|roles|role: the map, down to buildings (楼栋) and
 * their entrances (单元), and the people who serve each place. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "areafile.h"
#include "govctl.h"

static const char *s_usage =
    "usage: govctl areas import FILE.geojson\n"
    "       govctl areas list [--level L] [--parent CODE] [--json]\n"
    "       govctl areas roles [--area CODE]\n"
    "       govctl areas role add --area CODE --person CODE --role R [--full-time]\n"
    "       govctl areas role remove --area CODE --person CODE --role R\n"
    "\n"
    "import loads a FeatureCollection, all or nothing. Each feature has a Polygon or\n"
    "MultiPolygon geometry (WGS84 lon/lat) and properties code, name, level\n"
    "(district|street|community|grid|building|entrance) and parent (the parent's\n"
    "code; none for a district). Parents come before their children, in the file\n"
    "or already stored. A building (楼栋) is inside a grid, an entrance (单元) inside\n"
    "a building; a case whose point falls in one is placed on it.\n"
    "list prints each area with its centre point (a point inside it).\n"
    "roles lists who serves each place (in the area and below it); role add|remove\n"
    "changes it. R: building_head (楼长, of a building), entrance_head (单元长, of an\n"
    "entrance), grid_worker (网格员, of a grid; --full-time: 专职, one a grid),\n"
    "party_household (党员中心户, in a building or an entrance).\n";

static const char *s_insert =
    "INSERT INTO areas (code, name, level, parent_id, geom)"
    " SELECT $1, $2, $3, p.id, ST_Multi(ST_SetSRID(g.geom, 4326))"
    " FROM (SELECT ST_GeomFromGeoJSON($5) AS geom) g"
    " LEFT JOIN areas p ON p.code = $4"
    " WHERE ($4 IS NULL OR p.id IS NOT NULL)"
    " RETURNING ST_IsValid(geom), ST_IsValidReason(geom)";

static int s_import(int argc, char **argv)
{
    if (argc != 2)
        return govctl_usage(s_usage, 0);
    json_error_t jerr;
    json_t *doc = json_load_file(argv[1], 0, &jerr);
    if (!doc) {
        fprintf(stderr, "govctl: %s: not JSON: %s (line %d)\n", argv[1], jerr.text, jerr.line);
        return 1;
    }
    /* Every feature is checked before the first is written (areafile.h). */
    areafile_area_t *areas = NULL;
    char why[512];
    long total = areafile_read(doc, &areas, why, sizeof why);
    PGconn *conn = NULL;
    int rc = 1;
    if (total < 0) {
        fprintf(stderr, "govctl: %s: %s; nothing imported\n", argv[1], why);
        goto done;
    }
    if (!(conn = govctl_db()))
        goto done;
    PQclear(PQexec(conn, "BEGIN"));
    for (long i = 0; i < total; i++) {
        const areafile_area_t *a = &areas[i];
        char *geojson = json_dumps(a->geometry, JSON_COMPACT);
        const char *params[] = {a->code, a->name, a->level, a->parent, geojson};
        PGresult *res = PQexecParams(conn, s_insert, 5, NULL, params, NULL, NULL, 0);
        free(geojson);
        if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1 ||
            PQgetvalue(res, 0, 0)[0] != 't') {
            const char *problem = PQresultStatus(res) != PGRES_TUPLES_OK ? PQresultErrorMessage(res)
                                  : PQntuples(res) == 0 ? "its parent is not known (parents come first)"
                                                        : PQgetvalue(res, 0, 1);
            const char *detail = PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL);
            fprintf(stderr, "govctl: feature %ld (%s) is invalid: %s%s%s; nothing imported\n", i,
                    a->code, problem, detail ? " " : "", detail ? detail : "");
            PQclear(res);
            goto rollback;
        }
        PQclear(res);
        if (total >= 1000 && (i + 1) % 1000 == 0)
            fprintf(stderr, "imported %ld/%ld features\n", i + 1, total);
    }
    PGresult *res = PQexec(conn, "COMMIT");
    if (PQresultStatus(res) == PGRES_COMMAND_OK) {
        printf("imported %ld areas from %s\n", total, argv[1]);
        rc = 0;
    } else {
        fprintf(stderr, "govctl: commit failed: %s", PQresultErrorMessage(res));
    }
    PQclear(res);
    goto done;
rollback:
    PQclear(PQexec(conn, "ROLLBACK"));
done:
    PQfinish(conn);
    free(areas);
    json_decref(doc);
    return rc;
}

static int s_list(int argc, char **argv)
{
    static const struct option opts[] = {
        {"level", 1, 0, 'l'}, {"parent", 1, 0, 'p'}, {"json", 0, 0, 'j'}, {0, 0, 0, 0}};
    const char *level = "", *parent = "";
    int as_json = 0, c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'l': level = optarg; break;
        case 'p': parent = optarg; break;
        case 'j': as_json = 1; break;
        default: return govctl_usage(s_usage, 0);
        }
    }
    if (optind != argc)
        return govctl_usage(s_usage, 0);
    PGconn *conn = govctl_db();
    if (!conn)
        return 1;
    const char *params[] = {level, parent};
    json_t *rows = govctl_query_json(
        conn,
        "SELECT coalesce(json_agg(t ORDER BY t.path), '[]') FROM ("
        " SELECT a.code, a.name, a.level, p.code AS parent, a.path,"
        "  json_build_object('lat', round(ST_Y(ST_PointOnSurface(a.geom))::numeric, 6),"
        "                    'lon', round(ST_X(ST_PointOnSurface(a.geom))::numeric, 6)) AS centre"
        " FROM areas a LEFT JOIN areas p ON p.id = a.parent_id"
        " WHERE ($1 = '' OR a.level = $1) AND ($2 = '' OR p.code = $2)) t",
        2, params);
    PQfinish(conn);
    if (!rows)
        return 1;
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row) json_object_del(row, "path");
    if (as_json) {
        govctl_print(rows, 0);
        return 0;
    }
    printf("%-20s %-10s %-20s %-22s %s\n", "CODE", "LEVEL", "PARENT", "CENTRE (lat,lon)", "NAME");
    json_array_foreach(rows, i, row)
    {
        json_t *centre = json_object_get(row, "centre");
        const char *p = json_string_value(json_object_get(row, "parent"));
        printf("%-20s %-10s %-20s %9.6f,%-12.6f %s\n",
               json_string_value(json_object_get(row, "code")),
               json_string_value(json_object_get(row, "level")), p ? p : "-",
               json_number_value(json_object_get(centre, "lat")),
               json_number_value(json_object_get(centre, "lon")),
               json_string_value(json_object_get(row, "name")));
    }
    json_decref(rows);
    return 0;
}

/* Who serves each place in area `--area` and below it (every place without it). */
static int s_roles(int argc, char **argv)
{
    const char *area = govctl_opt(argc, argv, "--area");
    PGconn *conn = govctl_db();
    if (!conn)
        return 1;
    const char *params[] = {area ? area : ""};
    json_t *rows = govctl_query_json(
        conn,
        "SELECT coalesce(json_agg(t ORDER BY t.path, t.role, t.person), '[]') FROM ("
        " SELECT a.code AS area, a.level, a.name AS area_name, r.role, r.full_time,"
        "  p.code AS person, p.name, a.path"
        " FROM area_roles r JOIN areas a ON a.id = r.area_id JOIN people p ON p.id = r.person_id"
        " WHERE $1 = '' OR a.path @> ARRAY[(SELECT id FROM areas WHERE code = $1)]) t",
        1, params);
    PQfinish(conn);
    if (!rows)
        return 1;
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row) json_object_del(row, "path");
    govctl_print(rows, 0);
    return 0;
}

/* Adds or removes one person's role at a place; the database refuses a role
 * at the wrong level, a second full-time grid worker, a second head. */
static int s_role(int argc, char **argv)
{
    const char *area = govctl_opt(argc, argv, "--area");
    const char *person = govctl_opt(argc, argv, "--person");
    const char *role = govctl_opt(argc, argv, "--role");
    int add = argc >= 2 && strcmp(argv[1], "add") == 0;
    if (argc < 2 || (!add && strcmp(argv[1], "remove") != 0) || !area || !person || !role)
        return govctl_usage(s_usage, 0);
    PGconn *conn = govctl_db();
    if (!conn)
        return 1;
    const char *params[] = {area, person, role, govctl_flag(argc, argv, "--full-time") ? "t" : "f"};
    PGresult *res = PQexecParams(
        conn,
        add ? "INSERT INTO area_roles (area_id, person_id, role, full_time)"
              " SELECT a.id, p.id, $3, $4::boolean FROM areas a, people p"
              " WHERE a.code = $1 AND p.code = $2"
              " ON CONFLICT (area_id, person_id, role) DO UPDATE SET full_time = EXCLUDED.full_time"
              " RETURNING 1"
            : "DELETE FROM area_roles r USING areas a, people p WHERE r.area_id = a.id"
              " AND r.person_id = p.id AND a.code = $1 AND p.code = $2 AND r.role = $3 AND $4 <> ''"
              " RETURNING 1",
        4, NULL, params, NULL, NULL, 0);
    int rc = 1;
    const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
    if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1) {
        printf("%s %s %s at %s\n", add ? "added" : "removed", person, role, area);
        rc = 0;
    } else if (PQresultStatus(res) == PGRES_TUPLES_OK) {
        fprintf(stderr, "govctl: %s\n", add ? "no such area or person (see govctl areas list)"
                                            : "no such role at that place");
    } else if (state && strcmp(state, "23505") == 0) {
        fprintf(stderr, "govctl: %s already has its %s; remove that one first\n", area,
                strcmp(role, "grid_worker") == 0 ? "full-time grid worker (one a grid)" : role);
    } else {
        fprintf(stderr, "govctl: refused: %s", PQresultErrorMessage(res));
    }
    PQclear(res);
    PQfinish(conn);
    return rc;
}

int cmd_areas(int argc, char **argv)
{
    if (argc < 2 || govctl_wants_help(argc, argv))
        return govctl_usage(s_usage, govctl_wants_help(argc, argv));
    optind = 1;
    if (strcmp(argv[1], "import") == 0)
        return s_import(argc - 1, argv + 1);
    if (strcmp(argv[1], "list") == 0)
        return s_list(argc - 1, argv + 1);
    if (strcmp(argv[1], "roles") == 0)
        return s_roles(argc - 1, argv + 1);
    if (strcmp(argv[1], "role") == 0)
        return s_role(argc - 1, argv + 1);
    fprintf(stderr, "govctl: unknown areas command \"%s\"\n", argv[1]);
    return govctl_usage(s_usage, 0);
}
