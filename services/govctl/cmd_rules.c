/* govctl rules list|enable|disable: the routing rules are data; a change
 * applies to the next case without a restart. */
#include <stdio.h>
#include <string.h>

#include "govctl.h"

static const char *s_usage =
    "usage: govctl rules list [--json]\n"
    "       govctl rules enable|disable ID\n"
    "Rules are tried in rank order; see deploy/migrations/0003_routing.sql.\n";

static const char *s_list_sql =
    "SELECT coalesce(json_agg(t ORDER BY t.rank, t.id), '[]') FROM ("
    " SELECT r.id, r.rank, coalesce(r.category_kind, '*') || '.' || coalesce(r.category_subject, '*')"
    "  AS category, coalesce(a.code, '*') AS area, r.tier, u.code AS lead,"
    "  (SELECT coalesce(json_agg(x.code), '[]') FROM units x WHERE x.id = ANY (r.assist_unit_ids))"
    "  AS assists, r.on_site, r.enabled, r.note"
    " FROM routing_rules r LEFT JOIN areas a ON a.id = r.area_id"
    " LEFT JOIN units u ON u.id = r.lead_unit_id) t";

static const char *s_toggle_sql =
    "WITH u AS (UPDATE routing_rules SET enabled = $2::boolean WHERE id = $1::bigint RETURNING id)"
    " SELECT json_build_object('updated', count(*)) FROM u";

int cmd_rules(int argc, char **argv)
{
    if (govctl_wants_help(argc, argv))
        return govctl_usage(s_usage, 1);
    if (argc < 2)
        return govctl_usage(s_usage, 0);
    int enable = strcmp(argv[1], "enable") == 0;
    if ((enable || strcmp(argv[1], "disable") == 0) &&
        (argc != 3 || govctl_parse_int(argv[2]) < 0))
        return govctl_usage(s_usage, 0);
    if (!enable && strcmp(argv[1], "disable") != 0 && strcmp(argv[1], "list") != 0)
        return govctl_usage(s_usage, 0);
    PGconn *conn = govctl_db();
    if (!conn)
        return 1;
    json_t *out;
    if (strcmp(argv[1], "list") == 0) {
        out = govctl_query_json(conn, s_list_sql, 0, NULL);
    } else {
        const char *params[] = {argv[2], enable ? "true" : "false"};
        out = govctl_query_json(conn, s_toggle_sql, 2, params);
        if (out && json_integer_value(json_object_get(out, "updated")) == 0) {
            fprintf(stderr, "{\"error\": \"no rule %s\"}\n", argv[2]);
            json_decref(out);
            PQfinish(conn);
            return 1;
        }
    }
    PQfinish(conn);
    if (!out)
        return 1;
    govctl_print(out, 0);
    return 0;
}
