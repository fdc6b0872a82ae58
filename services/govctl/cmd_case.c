/* govctl case submit|show|list */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "govctl.h"
#include "routing.pb-c.h"
#include "intake.pb-c.h"

static const char *s_usage =
    "usage: govctl case submit --category CODE (--lat Y --lon X | --address TEXT) --text TEXT\n"
    "                          [--phone P] [--name N] [--channel C] [--urgency U]\n"
    "                          [--media URL]... [--key IDEMPOTENCY_KEY]\n"
    "       govctl case show ID\n"
    "       govctl case list [--area CODE] [--category CODE] [--status S]\n"
    "                        [--since MS] [--until MS] [--limit N] [--before ID] [--json]\n"
    "       govctl case evaluate ID --result R [--text T] [--as PHONE | --as PERSON --unit centre]\n"
    "\n"
    "submit prints the reply as JSON: case id, status, area path, merged.\n"
    "channel: hotline (default) | app | wechat | grid_patrol | open311 | visit\n"
    "urgency: normal (default) | urgent | emergency; status: open | dispatched | resolved | closed\n"
    "evaluate (回访, routing service): R satisfied | basic | dissatisfied, by the reporter\n"
    "(actor id = their phone) or the dispatch centre on their behalf.\n";

static int s_parse_double(const char *s, double *out)
{
    char *end;
    *out = strtod(s, &end);
    return end != s && *end == '\0';
}

static int s_submit(int argc, char **argv)
{
    static const struct option opts[] = {
        {"category", 1, 0, 'c'}, {"lat", 1, 0, 'y'},     {"lon", 1, 0, 'x'},
        {"text", 1, 0, 't'},     {"phone", 1, 0, 'p'},   {"name", 1, 0, 'n'},
        {"channel", 1, 0, 'C'},  {"urgency", 1, 0, 'u'}, {"media", 1, 0, 'm'},
        {"key", 1, 0, 'k'},      {"address", 1, 0, 'a'}, {0, 0, 0, 0}};
    Gov__SubmitCase req = GOV__SUBMIT_CASE__INIT;
    Gov__Location loc = GOV__LOCATION__INIT;
    Gov__Point point = GOV__POINT__INIT;
    Gov__Reporter reporter = GOV__REPORTER__INIT;
    char *media[32];
    int have_lat = 0, have_lon = 0, c;
    req.channel = "hotline";
    req.location = &loc;
    req.reporter = &reporter;
    req.media_urls = media;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'c': req.category = optarg; break;
        case 't': req.description = optarg; break;
        case 'p': reporter.phone = optarg; break;
        case 'n': reporter.name = optarg; break;
        case 'C': req.channel = optarg; break;
        case 'u': req.urgency = optarg; break;
        case 'k': req.idempotency_key = optarg; break;
        case 'a': loc.address = optarg; break;
        case 'm':
            if (req.n_media_urls == 32)
                return govctl_usage(s_usage, 0);
            media[req.n_media_urls++] = optarg;
            break;
        case 'y':
            if (!s_parse_double(optarg, &point.lat))
                return govctl_usage(s_usage, 0);
            have_lat = 1;
            break;
        case 'x':
            if (!s_parse_double(optarg, &point.lon))
                return govctl_usage(s_usage, 0);
            have_lon = 1;
            break;
        default: return govctl_usage(s_usage, 0);
        }
    }
    if (optind != argc || !*req.category || !*req.description || have_lat != have_lon) {
        fprintf(stderr, "govctl: --category and --text are required, and --lat goes with --lon\n");
        return govctl_usage(s_usage, 0);
    }
    if (have_lat)
        loc.point = &point;
    return govctl_call_intake("SubmitCase", &req.base, NULL);
}

static int s_show(int argc, char **argv)
{
    long long id = argc == 2 ? govctl_parse_int(argv[1]) : -1;
    if (id <= 0)
        return govctl_usage(s_usage, 0);
    Gov__GetCase req = GOV__GET_CASE__INIT;
    req.case_id = id;
    return govctl_call_intake("GetCase", &req.base, NULL);
}

static int s_list(int argc, char **argv)
{
    static const struct option opts[] = {
        {"area", 1, 0, 'a'}, {"category", 1, 0, 'c'}, {"status", 1, 0, 's'}, {0, 0, 0, 0}};
    Gov__ListCases req = GOV__LIST_CASES__INIT;
    govctl_paging_t page = {0};
    int c;
    while ((c = govctl_paging_getopt(argc, argv, opts, &page)) != -1) {
        switch (c) {
        case 'a': req.area = optarg; break;
        case 'c': req.category = optarg; break;
        case 's': req.status = optarg; break;
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
    int rc = govctl_call_intake("ListCases", &req.base, &reply);
    if (rc || page.json) {
        if (reply)
            govctl_print(reply, 0);
        return rc;
    }
    size_t i;
    json_t *item;
    printf("%-8s %-10s %-22s %-22s %-7s %s\n", "ID", "STATUS", "CATEGORY", "AREA", "CALLERS",
           "DESCRIPTION");
    json_array_foreach(json_object_get(reply, "items"), i, item)
    {
        json_t *path = json_object_get(item, "area_path");
        json_t *last = json_array_get(path, json_array_size(path) - 1);
        printf("%-8lld %-10s %-22s %-22s %-7lld %.60s\n",
               (long long) json_integer_value(json_object_get(item, "id")),
               json_string_value(json_object_get(item, "status")),
               json_string_value(json_object_get(item, "category")),
               last ? json_string_value(json_object_get(last, "code")) : "-",
               (long long) json_integer_value(json_object_get(item, "caller_count")),
               json_string_value(json_object_get(item, "description")));
    }
    govctl_paging_more(reply, "govctl case list");
    json_decref(reply);
    return 0;
}

int cmd_case(int argc, char **argv)
{
    if (argc < 2 || govctl_wants_help(argc, argv))
        return govctl_usage(s_usage, govctl_wants_help(argc, argv));
    optind = 1;
    if (strcmp(argv[1], "submit") == 0)
        return s_submit(argc - 1, argv + 1);
    if (strcmp(argv[1], "show") == 0)
        return s_show(argc - 1, argv + 1);
    if (strcmp(argv[1], "list") == 0)
        return s_list(argc - 1, argv + 1);
    if (strcmp(argv[1], "evaluate") == 0 && argc >= 3 && govctl_opt(argc, argv, "--result")) {
        Gov__EvaluateCase m = GOV__EVALUATE_CASE__INIT;
        const char *as = govctl_opt(argc, argv, "--as"), *unit = govctl_opt(argc, argv, "--unit");
        if (as)
            setenv("GOV_ACTOR", as, 1);
        setenv("GOV_ACTOR_UNIT", unit ? unit : "", 1);
        if (!unit)
            setenv("GOV_ACTOR_ROLE", "resident", 1);
        m.case_id = govctl_parse_int(argv[2]);
        m.result = (char *) govctl_opt(argc, argv, "--result");
        m.text = (char *) (govctl_opt(argc, argv, "--text") ? govctl_opt(argc, argv, "--text") : "");
        if (m.case_id < 0)
            return govctl_usage(s_usage, 0);
        return govctl_call("routing", "EvaluateCase", &m.base, NULL);
    }
    fprintf(stderr, "govctl: unknown case command \"%s\"\n", argv[1]);
    return govctl_usage(s_usage, 0);
}
