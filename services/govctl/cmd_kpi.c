/* govctl kpi: 三率 for a unit and month, or a ranking of units of one kind. */
#include <stdio.h>
#include <string.h>

#include "govctl.h"
#include "routing.pb-c.h"

static const char *s_usage =
    "usage: govctl kpi --unit UNIT --month YYYY-MM\n"
    "       govctl kpi --rank --kind KIND --month YYYY-MM\n"
    "Response, resolution and satisfaction rates with their counts (docs/kpi.md).\n";

int cmd_kpi(int argc, char **argv)
{
    if (govctl_wants_help(argc, argv))
        return govctl_usage(s_usage, 1);
    const char *month = govctl_opt(argc, argv, "--month");
    const char *unit = govctl_opt(argc, argv, "--unit");
    const char *kind = govctl_opt(argc, argv, "--kind");
    if (!month)
        return govctl_usage(s_usage, 0);
    if (govctl_flag(argc, argv, "--rank") && kind) {
        Gov__RankKpi m = GOV__RANK_KPI__INIT;
        m.kind = (char *) kind;
        m.month = (char *) month;
        return govctl_call("routing", "RankKpi", &m.base, NULL);
    }
    if (!unit)
        return govctl_usage(s_usage, 0);
    Gov__GetKpi m = GOV__GET_KPI__INIT;
    m.unit = (char *) unit;
    m.month = (char *) month;
    return govctl_call("routing", "GetKpi", &m.base, NULL);
}
