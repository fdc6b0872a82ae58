/* govctl rules list|enable|disable: the routing rules are data; a change
 * applies to the next case without a restart. The list is read from the
 * database; a change is routing's to make (SetRule, the dispatch centre's). */
#include <stdio.h>
#include <string.h>

#include "govctl.h"
#include "routing.pb-c.h"

static const char *s_usage =
    "usage: govctl rules list [--json]\n"
    "       govctl rules [--as PERSON --unit CENTRE] enable|disable ID\n"
    "Rules are tried in rank order; see deploy/migrations/0003_routing.sql.\n";

static const char *s_list_sql =
    "SELECT coalesce(json_agg(t ORDER BY t.rank, t.id), '[]') FROM ("
    " SELECT r.id, r.rank, coalesce(r.category_kind, '*') || '.' || coalesce(r.category_subject, '*')"
    "  AS category, coalesce(a.code, '*') AS area, r.tier, u.code AS lead,"
    "  (SELECT coalesce(json_agg(x.code), '[]') FROM units x WHERE x.id = ANY (r.assist_unit_ids))"
    "  AS assists, r.on_site, r.enabled, r.note"
    " FROM routing_rules r LEFT JOIN areas a ON a.id = r.area_id"
    " LEFT JOIN units u ON u.id = r.lead_unit_id) t";

int cmd_rules(int argc, char **argv)
{
    if (govctl_wants_help(argc, argv))
        return govctl_usage(s_usage, 1);
    int taken = argc > 1 ? govctl_actor_options(argc - 1, argv + 1) : 0;
    argc -= taken;
    argv += taken;
    if (argc < 2)
        return govctl_usage(s_usage, 0);
    int enable = strcmp(argv[1], "enable") == 0;
    if ((enable || strcmp(argv[1], "disable") == 0) &&
        (argc != 3 || govctl_parse_int(argv[2]) < 0))
        return govctl_usage(s_usage, 0);
    if (!enable && strcmp(argv[1], "disable") != 0 && strcmp(argv[1], "list") != 0)
        return govctl_usage(s_usage, 0);
    if (strcmp(argv[1], "list") != 0) {
        Gov__SetRule m = GOV__SET_RULE__INIT;
        m.rule_id = govctl_parse_int(argv[2]);
        m.enabled = enable;
        return govctl_call("routing", "SetRule", &m.base, NULL);
    }
    PGconn *conn = govctl_db();
    if (!conn)
        return 1;
    json_t *out = govctl_query_json(conn, s_list_sql, 0, NULL);
    PQfinish(conn);
    if (!out)
        return 1;
    govctl_print(out, 0);
    return 0;
}
