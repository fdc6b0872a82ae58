/* govctl lists ...: "3+1 清单" — needs, resources and the projects between them. */
#include <string.h>

#include "deliberation.pb-c.h"
#include "govctl.h"

static const char *s_usage =
    "usage: govctl lists [--as PERSON --unit UNIT] COMMAND\n"
    "  show COMMUNITY                         the needs, resources and projects lists\n"
    "  need COMMUNITY --title T [--text T] [--category C] [--source visit|forum|case|other]\n"
    "       [--case ID] [--for UNIT]         the committee adds a need (需求清单), maybe for one paired unit\n"
    "  resource COMMUNITY --title T [--text T]   a unit offers a resource (资源清单)\n"
    "  claim NEED_ID [--resource ID]          a unit claims a need, signing for its side (项目清单)\n"
    "  take RESOURCE_ID                       the committee takes up a unit's resource (双向认领)\n"
    "  sign PROJECT_ID                        the side that has not signed signs\n"
    "  done PROJECT_ID --result T             either side reports the project done\n"
    "--as and --unit name who acts (default: GOV_ACTOR, GOV_ACTOR_UNIT).\n";

int cmd_lists(int argc, char **argv)
{
    int rc;
    if (!govctl_group_args(&argc, &argv, s_usage, 2, &rc))
        return rc;
    const char *cmd = argv[0], *arg = argv[1];
    char *title = (char *) govctl_opt(argc, argv, "--title"), *text = (char *) govctl_opt(argc, argv, "--text");
    if (strcmp(cmd, "show") == 0) {
        Gov__GetLists m = GOV__GET_LISTS__INIT;
        m.community = (char *) arg;
        return govctl_call("deliberation", "GetLists", &m.base, NULL);
    }
    if (strcmp(cmd, "need") == 0 || strcmp(cmd, "resource") == 0) {
        if (!title)
            return govctl_usage(s_usage, 0);
        if (strcmp(cmd, "need") == 0) {
            Gov__AddNeed m = GOV__ADD_NEED__INIT;
            m.community = (char *) arg;
            m.title = title;
            m.text = text;
            m.category = (char *) govctl_opt(argc, argv, "--category");
            m.source = (char *) govctl_opt(argc, argv, "--source");
            m.unit = (char *) govctl_opt(argc, argv, "--for");
            const char *c = govctl_opt(argc, argv, "--case");
            m.case_id = c ? govctl_parse_int(c) : 0;
            if (m.case_id < 0)
                return govctl_usage(s_usage, 0);
            return govctl_call("deliberation", "AddNeed", &m.base, NULL);
        }
        Gov__AddResource m = GOV__ADD_RESOURCE__INIT;
        m.community = (char *) arg;
        m.title = title;
        m.text = text;
        return govctl_call("deliberation", "AddResource", &m.base, NULL);
    }
    long long id = govctl_parse_int(arg);
    if (id <= 0)
        return govctl_usage(s_usage, 0);
    if (strcmp(cmd, "claim") == 0) {
        const char *r = govctl_opt(argc, argv, "--resource");
        Gov__ClaimNeed m = GOV__CLAIM_NEED__INIT;
        m.need_id = id;
        m.resource_id = r ? govctl_parse_int(r) : 0;
        return m.resource_id >= 0 ? govctl_call("deliberation", "ClaimNeed", &m.base, NULL)
                                  : govctl_usage(s_usage, 0);
    }
    if (strcmp(cmd, "take") == 0) {
        Gov__TakeResource m = GOV__TAKE_RESOURCE__INIT;
        m.resource_id = id;
        return govctl_call("deliberation", "TakeResource", &m.base, NULL);
    }
    if (strcmp(cmd, "sign") == 0) {
        Gov__SignProject m = GOV__SIGN_PROJECT__INIT;
        m.project_id = id;
        return govctl_call("deliberation", "SignProject", &m.base, NULL);
    }
    if (strcmp(cmd, "done") == 0 && govctl_opt(argc, argv, "--result")) {
        Gov__CompleteProject m = GOV__COMPLETE_PROJECT__INIT;
        m.project_id = id;
        m.result = (char *) govctl_opt(argc, argv, "--result");
        return govctl_call("deliberation", "CompleteProject", &m.base, NULL);
    }
    return govctl_usage(s_usage, 0);
}
