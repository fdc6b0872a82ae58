/* govctl errcodes: the table of codes the services answer with
 * (common/errcodes.h), so a script or a person can look one up. */
#include <stdio.h>
#include <string.h>

#include "errcodes.h"
#include "govctl.h"

static const char *s_usage =
    "usage: govctl errcodes [CODE]\n"
    "Prints CODE, its class and its words; without CODE, the whole table.\n"
    "classes: R refused (fix the request), S state (not now, not here),\n"
    "         T transient (nothing changed; retry with the same message id)\n";

static void s_print(const errcode_t *row)
{
    printf("%s\t%c\t%s\t%s\n", row->code, row->kind, row->message, row->hint ? row->hint : "");
}

int cmd_errcodes(int argc, char **argv)
{
    if (argc > 2)
        return govctl_usage(s_usage, 0);
    if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0))
        return govctl_usage(s_usage, 1);
    if (argc == 2) {
        const errcode_t *row = errcode_find(argv[1]);
        if (!row) {
            fprintf(stderr, "govctl: no code \"%s\" in the table\n", argv[1]);
            return 1;
        }
        s_print(row);
        return 0;
    }
    for (size_t i = 0; errcode_at(i); i++)
        s_print(errcode_at(i));
    return 0;
}
