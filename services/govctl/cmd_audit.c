/* govctl audit reads: the log of reads of personal data in full (intake's
 * ListPiiReads, docs/privacy.md). As the operator (no unit) or as a person
 * of the dispatch centre or the admin (GOV_ACTOR, GOV_ACTOR_UNIT). */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "govctl.h"
#include "intake.pb-c.h"

static const char *s_usage =
    "usage: govctl audit reads [--person CODE] [--case ID] [--since MS] [--until MS]\n"
    "                          [--limit N] [--before ID] [--json]\n"
    "\n"
    "Every answer that showed a reporter's or caller's name or phone in full:\n"
    "when, who (person, unit, role), which request and message, which cases or\n"
    "dispatches. Newest first. --case: the reads that showed that case or one of\n"
    "its dispatches.\n";

static int s_reads(int argc, char **argv)
{
    static const struct option opts[] = {
        {"person", 1, 0, 'p'}, {"case", 1, 0, 'c'},  {"since", 1, 0, 'S'}, {"until", 1, 0, 'U'},
        {"limit", 1, 0, 'l'},  {"before", 1, 0, 'b'}, {"json", 0, 0, 'j'},  {0, 0, 0, 0}};
    Gov__ListPiiReads req = GOV__LIST_PII_READS__INIT;
    int as_json = 0, c;
    long long n;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        n = optarg ? govctl_parse_int(optarg) : 0;
        switch (c) {
        case 'p': req.person = optarg; break;
        case 'j': as_json = 1; break;
        case 'c':
        case 'S':
        case 'U':
        case 'l':
        case 'b':
            if (n < 0)
                return govctl_usage(s_usage, 0);
            if (c == 'c') req.case_id = n;
            if (c == 'S') req.since_ms = n;
            if (c == 'U') req.until_ms = n;
            if (c == 'l') req.limit = (int32_t) n;
            if (c == 'b') req.before_id = n;
            break;
        default: return govctl_usage(s_usage, 0);
        }
    }
    if (optind != argc)
        return govctl_usage(s_usage, 0);
    json_t *reply = NULL;
    int rc = govctl_call_intake("ListPiiReads", &req.base, &reply);
    if (rc || as_json) {
        if (reply)
            govctl_print(reply, 0);
        return rc;
    }
    size_t i, k;
    json_t *item, *id;
    printf("%-8s %-20s %-8s %-28s %-16s %-16s %-9s %s\n", "ID", "AT (UTC)", "SERVICE", "PERSON",
           "UNIT", "REQUEST", "SUBJECT", "IDS");
    json_array_foreach(json_object_get(reply, "items"), i, item)
    {
        time_t at = (time_t) (json_integer_value(json_object_get(item, "at_ms")) / 1000);
        struct tm tm;
        char when[24];
        gmtime_r(&at, &tm);
        strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", &tm);
        const char *person = json_string_value(json_object_get(item, "person"));
        printf("%-8lld %-20s %-8s %-28s %-16s %-16s %-9s",
               (long long) json_integer_value(json_object_get(item, "id")), when,
               json_string_value(json_object_get(item, "service")),
               person && person[0] ? person : "(a service)",
               json_string_value(json_object_get(item, "unit")),
               json_string_value(json_object_get(item, "request")),
               json_string_value(json_object_get(item, "subject")));
        json_array_foreach(json_object_get(item, "ids"), k, id)
            printf("%s%lld", k ? "," : " ", (long long) json_integer_value(id));
        printf("\n");
    }
    long long next = json_integer_value(json_object_get(reply, "next_before_id"));
    if (next)
        printf("more: govctl audit reads --before %lld\n", next);
    json_decref(reply);
    return 0;
}

int cmd_audit(int argc, char **argv)
{
    if (argc < 2 || govctl_wants_help(argc, argv))
        return govctl_usage(s_usage, govctl_wants_help(argc, argv));
    optind = 1;
    if (strcmp(argv[1], "reads") == 0)
        return s_reads(argc - 1, argv + 1);
    return govctl_usage(s_usage, 0);
}
