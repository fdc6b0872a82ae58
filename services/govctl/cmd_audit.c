/* govctl audit reads: the log of reads of personal data in full (intake's
 * ListPiiReads, docs/privacy.md). As the operator (no unit) or as a person
 * of the dispatch centre or the admin (GOV_ACTOR, GOV_ACTOR_UNIT). */
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
    static const struct option opts[] = {{"person", 1, 0, 'p'}, {"case", 1, 0, 'c'}, {0, 0, 0, 0}};
    Gov__ListPiiReads req = GOV__LIST_PII_READS__INIT;
    govctl_paging_t page = {0};
    int c;
    while ((c = govctl_paging_getopt(argc, argv, opts, &page)) != -1) {
        switch (c) {
        case 'p': req.person = optarg; break;
        case 'c':
            if ((req.case_id = govctl_parse_int(optarg)) < 0)
                return govctl_usage(s_usage, 0);
            break;
        default: return govctl_usage(s_usage, 0);
        }
    }
    if (optind != argc)
        return govctl_usage(s_usage, 0);
    req.since_ms = page.since_ms;
    req.until_ms = page.until_ms;
    req.limit = page.limit;
    req.before_id = page.before_id;
    json_t *reply = NULL;
    int rc = govctl_call_intake("ListPiiReads", &req.base, &reply);
    if (rc || page.json) {
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
    govctl_paging_more(reply, "govctl audit reads");
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
