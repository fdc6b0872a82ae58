/* The paging options every list command takes (govctl.h): --since MS,
 * --until MS, --limit N, --before ID and --json, parsed once here. */
#include <stdio.h>

#include "govctl.h"

#define OWN_MAX 24

static const struct option s_paging[] = {
    {"since", 1, 0, 'S'}, {"until", 1, 0, 'U'}, {"limit", 1, 0, 'l'},
    {"before", 1, 0, 'b'}, {"json", 0, 0, 'j'},
};
#define NPAGING (sizeof s_paging / sizeof *s_paging)

int govctl_paging_getopt(int argc, char **argv, const struct option *own, govctl_paging_t *p)
{
    struct option all[OWN_MAX + NPAGING + 1] = {{0}};
    size_t n = 0;
    for (; own[n].name && n < OWN_MAX; n++)
        all[n] = own[n];
    for (size_t i = 0; i < NPAGING; i++)
        all[n + i] = s_paging[i];
    int c;
    while ((c = getopt_long(argc, argv, "", all, NULL)) != -1) {
        if (c == 'j') {
            p->json = 1;
            continue;
        }
        if (c != 'S' && c != 'U' && c != 'l' && c != 'b')
            return c;
        long long v = govctl_parse_int(optarg);
        if (v < 0)
            return '?';
        if (c == 'S') p->since_ms = v;
        if (c == 'U') p->until_ms = v;
        if (c == 'l') p->limit = (int32_t) v;
        if (c == 'b') p->before_id = v;
    }
    return -1;
}

void govctl_paging_more(const json_t *reply, const char *command)
{
    long long next = json_integer_value(json_object_get(reply, "next_before_id"));
    if (next)
        printf("more: %s --before %lld\n", command, next);
}
