/* govctl: operators' and scripts' command line for the governance backbone.
 *
 *   govctl case submit|show|list      cases, through the intake service
 *   govctl events tail                the event stream, live
 *   govctl areas import|list          the map
 *   govctl units list                 who does the work
 *   govctl categories list            what residents report
 *   govctl dispatch list|show|sign|arrive|progress|resolve|return|reassign|release
 *   govctl whistle blow|show|rate     吹哨, through the routing service
 *   govctl kpi                        三率
 *   govctl rules list|enable|disable  routing rules
 *   govctl notify log|dead|retry      deliveries and their attempts
 *   govctl calendar import|show|add-days   the working-day calendar
 *   govctl db migrate|version         the schema
 *   govctl errcodes [CODE]            the codes services answer with
 *   govctl keys generate DIR          a deployment's CURVE keys
 *   govctl person passwd | token | apikey   the gateway's credentials
 *
 * With GOV_KEYS_DIR set, govctl talks CURVE with its own key (GOV_KEY_NAME,
 * default govctl), which the folder's actors file lets act for people.
 */
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "curve.h"
#include "govctl.h"
#include "log.h"

static const char *s_usage =
    "usage: govctl COMMAND [ARGS]\n"
    "\n"
    "commands:\n"
    "  case submit|show|list     submit, show and list cases (intake service)\n"
    "  events tail               follow the event stream\n"
    "  areas import|list         load and list the map (district > street > community > grid)\n"
    "  categories list           list case categories\n"
    "  dispatch list|show|sign|arrive|progress|resolve|return|reassign|release\n"
    "                            a unit's work (routing service)\n"
    "  whistle blow|show|rate    吹哨: summon departments (routing service)\n"
    "  kpi                       三率 of a unit, or a ranking (routing service)\n"
    "  rules list|enable|disable routing rules\n"
    "  notify log|dead|retry     what notify sent, to whom, each attempt\n"
    "  matter propose|cosign|accept|decline|opine|convene|attend|vote|close|publish|\n"
    "         act|evaluate|observe|show|verify   由民做主 (deliberation service)\n"
    "  lists show|need|resource|claim|sign|done   3+1 清单: needs, resources, projects\n"
    "  order register|place|dispatch|claim|done|confirm|publish|show|list  点单、派单、接单、晒单\n"
    "  pairing add|remove|report|list  结对共建 and 双报到: paired units, reported party members\n"
    "  joint schedule|stop|attend|decide|close|show|list  联席会议 on recurring days\n"
    "  calendar import|show|add-days\n"
    "                            the working-day calendar (调休): load, list, count days\n"
    "  db migrate|version        apply migrations, show the schema version\n"
    "  errcodes [CODE]           the codes services answer with, and what to do\n"
    "  keys generate DIR [NAME...]  a deployment's CURVE keys (GOV_KEYS_DIR)\n"
    "  person add|list|passwd    people (the admin's, through routing); a gateway password\n"
    "  units list|add|member|unmember  units and who is in them (add...: the admin's)\n"
    "  token create|list|revoke  API tokens that act as a person (the gateway)\n"
    "  apikey create --name N    an Open311 api_key for an integration\n"
    "  audit reads               who read personal data in full, when, why (intake)\n"
    "\n"
    "Every command takes --help. Settings come from the environment\n"
    "(GOV_DB_URL, GOV_INTAKE_ENDPOINT, GOV_ROUTING_ENDPOINT, GOV_ACTOR, GOV_KEYS_DIR ...;\n"
    "see docs/configuration.md).\n";

static const struct {
    const char *name;
    int (*run)(int argc, char **argv);
} s_commands[] = {
    {"case", cmd_case},   {"events", cmd_events},         {"areas", cmd_areas},
    {"units", cmd_units}, {"categories", cmd_categories}, {"db", cmd_db},
    {"calendar", cmd_calendar}, {"dispatch", cmd_dispatch}, {"whistle", cmd_whistle},
    {"kpi", cmd_kpi},           {"rules", cmd_rules},
    {"notify", cmd_notify},     {"matter", cmd_matter},     {"lists", cmd_lists},
    {"order", cmd_order},       {"pairing", cmd_pairing},   {"errcodes", cmd_errcodes},
    {"keys", cmd_keys},         {"joint", cmd_joint},
    {"person", cmd_person},     {"token", cmd_token},       {"apikey", cmd_apikey},
    {"audit", cmd_audit},
};

int main(int argc, char **argv)
{
    log_init("govctl");
    if (argc < 2)
        return govctl_usage(s_usage, 0);
    if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0)
        return govctl_usage(s_usage, 1);
    if (strcmp(argv[1], "keys") != 0 &&
        curve_init(config_str("GOV_KEYS_DIR", NULL), config_str("GOV_KEY_NAME", "govctl"), 0)) {
        fprintf(stderr, "govctl: GOV_KEYS_DIR is set but this client's keys cannot be read\n");
        return 1;
    }
    for (size_t i = 0; i < sizeof s_commands / sizeof *s_commands; i++)
        if (strcmp(argv[1], s_commands[i].name) == 0)
            return s_commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "govctl: unknown command \"%s\"\n", argv[1]);
    return govctl_usage(s_usage, 0);
}
