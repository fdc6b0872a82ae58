/* govctl order ...: 居民点单、派单、接单、晒单 — service orders and volunteers. */
#include <stdint.h>

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

static int s_place(int argc, char **argv, long long id)
{
    (void) id;
    Gov__OrderService m = GOV__ORDER_SERVICE__INIT;
    m.title = (char *) govctl_opt(argc, argv, "--title");
    m.text = (char *) govctl_opt(argc, argv, "--text");
    return m.title ? govctl_call("deliberation", "OrderService", &m.base, NULL)
                   : govctl_usage(s_usage, 0);
}

static int s_register(int argc, char **argv, long long id)
{
    (void) id;
    Gov__RegisterVolunteer m = GOV__REGISTER_VOLUNTEER__INIT;
    m.community = argv[1];
    m.party_member = govctl_flag(argc, argv, "--party-member");
    m.skills = (char *) govctl_opt(argc, argv, "--skills");
    return govctl_call("deliberation", "RegisterVolunteer", &m.base, NULL);
}

static int s_list(int argc, char **argv, long long id)
{
    (void) id;
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

static int s_show(int argc, char **argv, long long id)
{
    (void) argc, (void) argv;
    Gov__GetOrder m = GOV__GET_ORDER__INIT;
    m.order_id = id;
    return govctl_call("deliberation", "GetOrder", &m.base, NULL);
}

static int s_claim(int argc, char **argv, long long id)
{
    (void) argc, (void) argv;
    Gov__ClaimOrder m = GOV__CLAIM_ORDER__INIT;
    m.order_id = id;
    return govctl_call("deliberation", "ClaimOrder", &m.base, NULL);
}

static int s_dispatch(int argc, char **argv, long long id)
{
    Gov__DispatchOrder m = GOV__DISPATCH_ORDER__INIT;
    m.order_id = id;
    m.volunteer = (char *) govctl_opt(argc, argv, "--to");
    return m.volunteer ? govctl_call("deliberation", "DispatchOrder", &m.base, NULL)
                       : govctl_usage(s_usage, 0);
}

static int s_confirm(int argc, char **argv, long long id)
{
    Gov__ConfirmOrder m = GOV__CONFIRM_ORDER__INIT;
    m.order_id = id;
    m.rating = (char *) govctl_opt(argc, argv, "--rating");
    m.comment = (char *) govctl_opt(argc, argv, "--comment");
    return m.rating ? govctl_call("deliberation", "ConfirmOrder", &m.base, NULL)
                    : govctl_usage(s_usage, 0);
}

static int s_publish(int argc, char **argv, long long id)
{
    Gov__PublishOrder m = GOV__PUBLISH_ORDER__INIT;
    m.order_id = id;
    m.text = (char *) govctl_opt(argc, argv, "--text");
    return m.text ? govctl_call("deliberation", "PublishOrder", &m.base, NULL)
                  : govctl_usage(s_usage, 0);
}

static int s_done(int argc, char **argv, long long id)
{
    Gov__CompleteOrder m = GOV__COMPLETE_ORDER__INIT;
    m.order_id = id;
    m.result = (char *) govctl_opt(argc, argv, "--result");
    return m.result ? govctl_call("deliberation", "CompleteOrder", &m.base, NULL)
                    : govctl_usage(s_usage, 0);
}

static const govctl_word_t s_words[] = {
    {"place", GOVCTL_NOTHING, s_place}, {"register", GOVCTL_WORD, s_register},
    {"list", GOVCTL_WORD, s_list},      {"show", GOVCTL_ID, s_show},
    {"claim", GOVCTL_ID, s_claim},      {"dispatch", GOVCTL_ID, s_dispatch},
    {"confirm", GOVCTL_ID, s_confirm},  {"publish", GOVCTL_ID, s_publish},
    {"done", GOVCTL_ID, s_done},
};

int cmd_order(int argc, char **argv)
{
    int rc;
    if (!govctl_group_args(&argc, &argv, s_usage, 1, &rc))
        return rc;
    return govctl_run_word(s_words, sizeof s_words / sizeof *s_words, argc, argv, s_usage);
}
