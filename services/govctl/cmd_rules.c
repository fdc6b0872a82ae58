/* govctl rules list|enable|disable: the routing rules are data; a change
 * applies to the next case without a restart. Both go through routing:
 * ListRules reads them, SetRule (the dispatch centre's) changes one. */
#include <stdio.h>
#include <string.h>

#include "govctl.h"
#include "routing.pb-c.h"

static const char *s_usage =
    "usage: govctl rules list [--json]\n"
    "       govctl rules [--as PERSON --unit CENTRE] enable|disable ID\n"
    "Rules are tried in rank order; see deploy/migrations/0003_routing.sql.\n";

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
    Gov__ListRules m = GOV__LIST_RULES__INIT;
    return govctl_call("routing", "ListRules", &m.base, NULL);
}
