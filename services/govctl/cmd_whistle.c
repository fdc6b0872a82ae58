/* govctl whistle ...: 吹哨 — a street office summons departments. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "govctl.h"
#include "routing.pb-c.h"

static const char *s_usage =
    "usage: govctl whistle [--as PERSON --unit UNIT] COMMAND\n"
    "  blow --kind K --reason T --dept CODE [--dept CODE ...] [--pairing member|paired]\n"
    "       (--lat Y --lon X | --case ID)\n"
    "       K: routine (日常哨) | hard (攻坚哨) | emergency (应急哨); --pairing also summons the\n"
    "       place's community's member units (委员单位) or every unit paired with it (结对共建)\n"
    "  show ID                   who has reported (报到) and who has not\n"
    "  rate ID --dispatch D (--score 1-5 | --unnecessary) [--text T]   双考核, once closed\n"
    "--as and --unit name who acts (default: GOV_ACTOR, GOV_ACTOR_UNIT).\n";

#define WHISTLE_MAX_DEPTS 32

int cmd_whistle(int argc, char **argv)
{
    int rc;
    if (!govctl_group_args(&argc, &argv, s_usage, 1, &rc))
        return rc;
    const char *v;
    if (strcmp(argv[0], "blow") == 0) {
        Gov__BlowWhistle m = GOV__BLOW_WHISTLE__INIT;
        Gov__Point pt = GOV__POINT__INIT;
        char *depts[WHISTLE_MAX_DEPTS];
        size_t n = 0;
        for (int i = 1; i + 1 < argc; i++)
            if (strcmp(argv[i], "--dept") == 0 && n < WHISTLE_MAX_DEPTS)
                depts[n++] = argv[++i];
        m.kind = (char *) govctl_opt(argc, argv, "--kind");
        m.reason = (char *) govctl_opt(argc, argv, "--reason");
        m.pairing = (char *) govctl_opt(argc, argv, "--pairing");
        m.departments = depts;
        m.n_departments = n;
        const char *lat = govctl_opt(argc, argv, "--lat"), *lon = govctl_opt(argc, argv, "--lon");
        if (lat && lon) {
            pt.lat = strtod(lat, NULL);
            pt.lon = strtod(lon, NULL);
            m.point = &pt;
        }
        if ((v = govctl_opt(argc, argv, "--case")))
            m.case_id = govctl_parse_int(v);
        if (!m.kind || !m.reason || m.case_id < 0 || (!m.point && !m.case_id))
            return govctl_usage(s_usage, 0);
        return govctl_call("routing", "BlowWhistle", &m.base, NULL);
    }
    long long id = argc >= 2 ? govctl_parse_int(argv[1]) : -1;
    if (id < 0)
        return govctl_usage(s_usage, 0);
    if (strcmp(argv[0], "show") == 0) {
        Gov__GetWhistle m = GOV__GET_WHISTLE__INIT;
        m.whistle_id = id;
        return govctl_call("routing", "GetWhistle", &m.base, NULL);
    }
    if (strcmp(argv[0], "rate") == 0 && (v = govctl_opt(argc, argv, "--dispatch"))) {
        Gov__RateWhistle m = GOV__RATE_WHISTLE__INIT;
        m.whistle_id = id;
        m.dispatch_id = govctl_parse_int(v);
        m.score = (v = govctl_opt(argc, argv, "--score")) ? (int32_t) govctl_parse_int(v) : 0;
        m.unnecessary = govctl_flag(argc, argv, "--unnecessary");
        m.text = (char *) ((v = govctl_opt(argc, argv, "--text")) ? v : "");
        return govctl_call("routing", "RateWhistle", &m.base, NULL);
    }
    return govctl_usage(s_usage, 0);
}
