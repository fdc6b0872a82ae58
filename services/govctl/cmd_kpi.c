/* govctl kpi: 三率, the 双考核 rating and the score for a unit and month, with
 * the targets of its kind beside them; or a ranking of units of one kind, or
 * those of a kind below a target. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "govctl.h"
#include "routing.pb-c.h"

static const char *s_usage =
    "usage: govctl kpi --unit UNIT --month YYYY-MM\n"
    "       govctl kpi --rank --kind KIND --month YYYY-MM [--below]\n"
    "       govctl kpi target [--as P --unit U] --kind KIND --figure F --min V --source TEXT\n"
    "       govctl kpi target [--as P --unit U] --kind KIND --figure F --clear\n"
    "Response, resolution and satisfaction rates with their counts, the streets'\n"
    "ratings (双考核) and the monthly score, each target of the unit's kind beside\n"
    "its figure and the figures below target (docs/kpi.md). --below: only the\n"
    "units below a target. target sets the least a unit of KIND should reach in\n"
    "figure F (response, resolution, satisfaction, rating: a rate 0-1; score: 0-100)\n"
    "and where that number comes from; --as/--unit (or GOV_ACTOR, GOV_ACTOR_UNIT)\n"
    "name the admin.\n";

/* govctl kpi target: SetKpiTarget, as the admin. */
static int s_target(int argc, char **argv)
{
    int rc;
    if (!govctl_group_args(&argc, &argv, s_usage, 0, &rc))
        return rc;
    Gov__SetKpiTarget m = GOV__SET_KPI_TARGET__INIT;
    const char *min = govctl_opt(argc, argv, "--min");
    char *end = NULL;
    m.unit_kind = (char *) govctl_opt(argc, argv, "--kind");
    m.figure = (char *) govctl_opt(argc, argv, "--figure");
    m.source = (char *) govctl_opt(argc, argv, "--source");
    m.clear = govctl_flag(argc, argv, "--clear");
    if (min)
        m.target = strtod(min, &end);
    if (!m.unit_kind || !m.figure || (!m.clear && (!min || !*min || *end)))
        return govctl_usage(s_usage, 0);
    if (!m.source)
        m.source = "";
    return govctl_call("routing", "SetKpiTarget", &m.base, NULL);
}

int cmd_kpi(int argc, char **argv)
{
    if (govctl_wants_help(argc, argv))
        return govctl_usage(s_usage, 1);
    if (argc >= 2 && strcmp(argv[1], "target") == 0)
        return s_target(argc - 1, argv + 1);
    const char *month = govctl_opt(argc, argv, "--month");
    const char *unit = govctl_opt(argc, argv, "--unit");
    const char *kind = govctl_opt(argc, argv, "--kind");
    if (!month)
        return govctl_usage(s_usage, 0);
    if (govctl_flag(argc, argv, "--rank") && kind) {
        Gov__RankKpi m = GOV__RANK_KPI__INIT;
        m.kind = (char *) kind;
        m.month = (char *) month;
        m.below_target = govctl_flag(argc, argv, "--below");
        return govctl_call("routing", "RankKpi", &m.base, NULL);
    }
    if (!unit)
        return govctl_usage(s_usage, 0);
    Gov__GetKpi m = GOV__GET_KPI__INIT;
    m.unit = (char *) unit;
    m.month = (char *) month;
    return govctl_call("routing", "GetKpi", &m.base, NULL);
}
