/* govctl pairing ...: 结对共建 and 双报到 — the units paired with communities
 * and the party members reported to them, through routing (pairing.c). */
#include <string.h>

#include "directory.pb-c.h"
#include "govctl.h"

static const char *s_usage =
    "usage: govctl pairing [--as PERSON --unit UNIT] COMMAND\n"
    "  add UNIT COMMUNITY --kind member|paired   the admin pairs a unit with a community\n"
    "                                   (member: 委员单位 of its joint party committee; paired: 结对共建)\n"
    "  remove UNIT COMMUNITY            the admin unpairs them\n"
    "  report GRID [--zone Z]           双报到: you, acting for your unit, report to a grid of your home\n"
    "                                   community, and to a 责任区 of it\n"
    "  zone CODE --grid G --name N --building B [--building B ...]\n"
    "                                   the admin draws a 责任区: buildings of one grid\n"
    "  list --unit UNIT | --community C a unit's communities, or a community's units and reported members\n"
    "--as and --unit name who acts (default: GOV_ACTOR, GOV_ACTOR_UNIT; none: the operator).\n";

int cmd_pairing(int argc, char **argv)
{
    int rc;
    if (!govctl_group_args(&argc, &argv, s_usage, 1, &rc))
        return rc;
    const char *cmd = argv[0];
    if (strcmp(cmd, "list") == 0) {
        Gov__ListPairings m = GOV__LIST_PAIRINGS__INIT;
        m.unit = (char *) govctl_opt(argc, argv, "--unit");
        m.community = (char *) govctl_opt(argc, argv, "--community");
        return govctl_call("routing", "ListPairings", &m.base, NULL);
    }
    if (strcmp(cmd, "report") == 0 && argc >= 2) {
        Gov__ReportMember m = GOV__REPORT_MEMBER__INIT;
        m.grid = argv[1];
        m.zone = (char *) govctl_opt(argc, argv, "--zone");
        return govctl_call("routing", "ReportMember", &m.base, NULL);
    }
    if (strcmp(cmd, "zone") == 0 && argc >= 2) {
        Gov__SetDutyZone m = GOV__SET_DUTY_ZONE__INIT;
        char *buildings[200];
        m.code = argv[1];
        m.grid = (char *) govctl_opt(argc, argv, "--grid");
        m.name = (char *) govctl_opt(argc, argv, "--name");
        for (int i = 2; i + 1 < argc; i++)
            if (strcmp(argv[i], "--building") == 0 && m.n_buildings < 200)
                buildings[m.n_buildings++] = argv[++i];
        m.buildings = buildings;
        return m.grid && m.name ? govctl_call("routing", "SetDutyZone", &m.base, NULL) : govctl_usage(s_usage, 0);
    }
    if (argc < 3)
        return govctl_usage(s_usage, 0);
    if (strcmp(cmd, "add") == 0 && govctl_opt(argc, argv, "--kind")) {
        Gov__PairUnit m = GOV__PAIR_UNIT__INIT;
        m.unit = argv[1];
        m.community = argv[2];
        m.kind = (char *) govctl_opt(argc, argv, "--kind");
        return govctl_call("routing", "PairUnit", &m.base, NULL);
    }
    if (strcmp(cmd, "remove") == 0) {
        Gov__UnpairUnit m = GOV__UNPAIR_UNIT__INIT;
        m.unit = argv[1];
        m.community = argv[2];
        return govctl_call("routing", "UnpairUnit", &m.base, NULL);
    }
    return govctl_usage(s_usage, 0);
}
