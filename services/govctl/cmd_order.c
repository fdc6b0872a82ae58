/* govctl order ...: 居民点单、派单、接单、晒单 — service orders and volunteers. */
#include <stdint.h>
#include <string.h>

#include "deliberation.pb-c.h"
#include "govctl.h"

static const char *s_usage =
    "usage: govctl order [--as PERSON] COMMAND\n"
    "  register COMMUNITY [--party-member] [--skills T]   report to a community as a volunteer (报到)\n"
    "  place --title T [--text T]     a resident orders a service (点单); the station is told\n"
    "  dispatch ID --to PERSON        the station's dispatcher gives it to a volunteer (派单)\n"
    "  claim ID                       the volunteer it was dispatched to takes it (接单)\n"
    "  done ID --result T             the volunteer reports what was done\n"
    "  confirm ID --rating R [--comment T]   the resident confirms and rates it (satisfied|basic|dissatisfied)\n"
    "  publish ID --text T            the community's committee publishes it (晒单)\n"
    "  show ID | list COMMUNITY [--state ordered|dispatched|taken|done|confirmed|published]\n"
    "          [--limit N] [--before ID]   newest first; next_before_id is the next page's --before\n"
    "--as names who acts (default: GOV_ACTOR).\n";

int cmd_order(int argc, char **argv)
{
    int rc;
    if (!govctl_group_args(&argc, &argv, s_usage, 1, &rc))
        return rc;
    const char *cmd = argv[0];
    if (strcmp(cmd, "place") == 0) {
        Gov__OrderService m = GOV__ORDER_SERVICE__INIT;
        m.title = (char *) govctl_opt(argc, argv, "--title");
        m.text = (char *) govctl_opt(argc, argv, "--text");
        return m.title ? govctl_call("deliberation", "OrderService", &m.base, NULL)
                       : govctl_usage(s_usage, 0);
    }
    if (argc < 2)
        return govctl_usage(s_usage, 0);
    if (strcmp(cmd, "register") == 0) {
        Gov__RegisterVolunteer m = GOV__REGISTER_VOLUNTEER__INIT;
        m.community = argv[1];
        m.party_member = govctl_flag(argc, argv, "--party-member");
        m.skills = (char *) govctl_opt(argc, argv, "--skills");
        return govctl_call("deliberation", "RegisterVolunteer", &m.base, NULL);
    }
    if (strcmp(cmd, "list") == 0) {
        Gov__ListOrders m = GOV__LIST_ORDERS__INIT;
        m.community = argv[1];
        m.state = (char *) govctl_opt(argc, argv, "--state");
        const char *limit = govctl_opt(argc, argv, "--limit"), *before = govctl_opt(argc, argv, "--before");
        long long l = limit ? govctl_parse_int(limit) : 0, b = before ? govctl_parse_int(before) : 0;
        if (l < 0 || b < 0 || l > INT32_MAX)
            return govctl_usage(s_usage, 0);
        m.limit = (int32_t) l;
        m.before_id = b;
        return govctl_call("deliberation", "ListOrders", &m.base, NULL);
    }
    long long id = govctl_parse_int(argv[1]);
    if (id <= 0)
        return govctl_usage(s_usage, 0);
    if (strcmp(cmd, "show") == 0) {
        Gov__GetOrder m = GOV__GET_ORDER__INIT;
        m.order_id = id;
        return govctl_call("deliberation", "GetOrder", &m.base, NULL);
    }
    if (strcmp(cmd, "claim") == 0) {
        Gov__ClaimOrder m = GOV__CLAIM_ORDER__INIT;
        m.order_id = id;
        return govctl_call("deliberation", "ClaimOrder", &m.base, NULL);
    }
    if (strcmp(cmd, "dispatch") == 0 && govctl_opt(argc, argv, "--to")) {
        Gov__DispatchOrder m = GOV__DISPATCH_ORDER__INIT;
        m.order_id = id;
        m.volunteer = (char *) govctl_opt(argc, argv, "--to");
        return govctl_call("deliberation", "DispatchOrder", &m.base, NULL);
    }
    if (strcmp(cmd, "confirm") == 0 && govctl_opt(argc, argv, "--rating")) {
        Gov__ConfirmOrder m = GOV__CONFIRM_ORDER__INIT;
        m.order_id = id;
        m.rating = (char *) govctl_opt(argc, argv, "--rating");
        m.comment = (char *) govctl_opt(argc, argv, "--comment");
        return govctl_call("deliberation", "ConfirmOrder", &m.base, NULL);
    }
    if (strcmp(cmd, "publish") == 0 && govctl_opt(argc, argv, "--text")) {
        Gov__PublishOrder m = GOV__PUBLISH_ORDER__INIT;
        m.order_id = id;
        m.text = (char *) govctl_opt(argc, argv, "--text");
        return govctl_call("deliberation", "PublishOrder", &m.base, NULL);
    }
    if (strcmp(cmd, "done") == 0 && govctl_opt(argc, argv, "--result")) {
        Gov__CompleteOrder m = GOV__COMPLETE_ORDER__INIT;
        m.order_id = id;
        m.result = (char *) govctl_opt(argc, argv, "--result");
        return govctl_call("deliberation", "CompleteOrder", &m.base, NULL);
    }
    return govctl_usage(s_usage, 0);
}
