/* govctl keys generate: a deployment's CURVE keys (common/curve.h) and the
 * tally key secret ballots are sealed to (common/tallykey.h). The folder then
 * holds the services' server pair, one pair per process, the actors file and
 * the tally pair; what exists is kept, so running it again only adds. */
#include <stdio.h>
#include <string.h>

#include "curve.h"
#include "tallykey.h"
#include "govctl.h"

static const char *s_usage =
    "usage: govctl keys generate DIR [NAME...]\n"
    "Makes DIR (0700) with the services' server key pair and a pair for each\n"
    "process: intake, routing, deliberation, notify, govctl, gateway and every\n"
    "NAME given; secret keys are 0600. Keys that exist are kept. DIR/actors names\n"
    "the keys whose requests may act for a person (govctl, gateway).\n"
    "DIR/tally.public and tally.secret are the tally key secret ballots are\n"
    "sealed to until their meeting closes; keep tally.secret as you keep a\n"
    "ballot box: a lost one leaves a sitting meeting's votes unreadable.\n"
    "Services and govctl use the folder when GOV_KEYS_DIR names it.\n";

static const char *const s_processes[] = {"intake", "routing", "deliberation", "notify",
                                          "govctl", "gateway"};

int cmd_keys(int argc, char **argv)
{
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0))
        return govctl_usage(s_usage, 1);
    if (argc < 3 || strcmp(argv[1], "generate") != 0)
        return govctl_usage(s_usage, 0);
    const char *dir = argv[2];
    int made = curve_generate(dir, s_processes, sizeof s_processes / sizeof *s_processes);
    if (made >= 0 && argc > 3) {
        int more = curve_generate(dir, (const char *const *) argv + 3, (size_t) (argc - 3));
        made = more < 0 ? -1 : made + more;
    }
    if (made >= 0) {
        int tally = tallykey_generate(dir);
        made = tally < 0 ? -1 : made + tally;
    }
    if (made < 0)
        return 1;
    printf("%d key pair(s) made in %s\n", made, dir);
    return 0;
}
