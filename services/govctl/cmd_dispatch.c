/* govctl dispatch ...: a unit's work, through the routing service. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "govctl.h"
#include "routing.pb-c.h"

static const char *s_usage =
    "usage: govctl dispatch [--as PERSON --unit UNIT] COMMAND\n"
    "  list [--of UNIT] [--state S] [--case ID] [--whistle ID] [--limit N]\n"
    "  show ID\n"
    "  sign ID                                   签收\n"
    "  arrive ID                                 报到 (on site)\n"
    "  progress ID --text T [--contacted] [--media URL]   a note; --contacted: the reporter was reached\n"
    "  resolve ID --text T [--media URL]         办结\n"
    "  return ID --reason R --text T             退单; R: function | territory | ownership\n"
    "  reassign ID --to UNIT [--text T]          the dispatch centre only\n"
    "  release ID [--text T]                     the whistle's caller only\n"
    "  pass-up ID --reason R [--text T]          上报 to the community, a grid team only;\n"
    "                                            R: beyond | cross | major\n"
    "  clock MS                                  tests: move routing's clock MS forward\n"
    "                                            (a routing started with GOV_TEST_CLOCK=1)\n"
    "--as and --unit name who acts (default: GOV_ACTOR, GOV_ACTOR_UNIT).\n";

static int64_t s_id(int argc, char **argv)
{
    return argc >= 2 ? govctl_parse_int(argv[1]) : -1;
}

int cmd_dispatch(int argc, char **argv)
{
    int rc;
    if (!govctl_group_args(&argc, &argv, s_usage, 1, &rc))
        return rc;
    const char *cmd = argv[0];
    const char *text = govctl_opt(argc, argv, "--text");
    const char *media = govctl_opt(argc, argv, "--media");
    char *media_list[1] = {(char *) media};
    int64_t id = s_id(argc, argv);

    if (strcmp(cmd, "list") == 0) {
        Gov__ListDispatches m = GOV__LIST_DISPATCHES__INIT;
        const char *v;
        m.unit = (char *) (govctl_opt(argc, argv, "--of") ? govctl_opt(argc, argv, "--of") : "");
        m.state = (char *) (govctl_opt(argc, argv, "--state") ? govctl_opt(argc, argv, "--state") : "");
        if ((v = govctl_opt(argc, argv, "--case")))
            m.case_id = govctl_parse_int(v);
        if ((v = govctl_opt(argc, argv, "--whistle")))
            m.whistle_id = govctl_parse_int(v);
        if ((v = govctl_opt(argc, argv, "--limit")))
            m.limit = (int32_t) govctl_parse_int(v);
        if (m.case_id < 0 || m.whistle_id < 0 || m.limit < 0)
            return govctl_usage(s_usage, 0);
        return govctl_call("routing", "ListDispatches", &m.base, NULL);
    }
    if (strcmp(cmd, "clock") == 0 && argc == 2) { /* the deadlines' ladder, under a test clock */
        Gov__AdvanceClock m = GOV__ADVANCE_CLOCK__INIT;
        m.ms = id;
        return m.ms > 0 ? govctl_call("routing", "AdvanceClock", &m.base, NULL) : govctl_usage(s_usage, 0);
    }
    if (id < 0)
        return govctl_usage(s_usage, 0);
    if (strcmp(cmd, "show") == 0) {
        Gov__GetDispatch m = GOV__GET_DISPATCH__INIT;
        m.dispatch_id = id;
        return govctl_call("routing", "GetDispatch", &m.base, NULL);
    }
    if (strcmp(cmd, "sign") == 0) {
        Gov__SignDispatch m = GOV__SIGN_DISPATCH__INIT;
        m.dispatch_id = id;
        return govctl_call("routing", "SignDispatch", &m.base, NULL);
    }
    if (strcmp(cmd, "arrive") == 0) {
        Gov__ArriveDispatch m = GOV__ARRIVE_DISPATCH__INIT;
        m.dispatch_id = id;
        return govctl_call("routing", "ArriveDispatch", &m.base, NULL);
    }
    if (strcmp(cmd, "progress") == 0 && text) {
        Gov__ProgressDispatch m = GOV__PROGRESS_DISPATCH__INIT;
        m.dispatch_id = id;
        m.text = (char *) text;
        m.contacted = govctl_flag(argc, argv, "--contacted");
        m.media_urls = media ? media_list : NULL;
        m.n_media_urls = media ? 1 : 0;
        return govctl_call("routing", "ProgressDispatch", &m.base, NULL);
    }
    if (strcmp(cmd, "resolve") == 0 && text) {
        Gov__ResolveDispatch m = GOV__RESOLVE_DISPATCH__INIT;
        m.dispatch_id = id;
        m.text = (char *) text;
        m.media_urls = media ? media_list : NULL;
        m.n_media_urls = media ? 1 : 0;
        return govctl_call("routing", "ResolveDispatch", &m.base, NULL);
    }
    if (strcmp(cmd, "return") == 0 && govctl_opt(argc, argv, "--reason")) {
        Gov__ReturnDispatch m = GOV__RETURN_DISPATCH__INIT;
        m.dispatch_id = id;
        m.reason = (char *) govctl_opt(argc, argv, "--reason");
        m.text = (char *) (text ? text : "");
        return govctl_call("routing", "ReturnDispatch", &m.base, NULL);
    }
    if (strcmp(cmd, "reassign") == 0 && govctl_opt(argc, argv, "--to")) {
        Gov__ReassignDispatch m = GOV__REASSIGN_DISPATCH__INIT;
        m.dispatch_id = id;
        m.unit = (char *) govctl_opt(argc, argv, "--to");
        m.text = (char *) (text ? text : "");
        return govctl_call("routing", "ReassignDispatch", &m.base, NULL);
    }
    if (strcmp(cmd, "pass-up") == 0 && govctl_opt(argc, argv, "--reason")) {
        Gov__PassUpDispatch m = GOV__PASS_UP_DISPATCH__INIT;
        m.dispatch_id = id;
        m.reason = (char *) govctl_opt(argc, argv, "--reason");
        m.text = (char *) (text ? text : "");
        return govctl_call("routing", "PassUpDispatch", &m.base, NULL);
    }
    if (strcmp(cmd, "release") == 0) {
        Gov__ReleaseDispatch m = GOV__RELEASE_DISPATCH__INIT;
        m.dispatch_id = id;
        m.text = (char *) (text ? text : "");
        return govctl_call("routing", "ReleaseDispatch", &m.base, NULL);
    }
    return govctl_usage(s_usage, 0);
}
