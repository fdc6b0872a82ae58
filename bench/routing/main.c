/* bench-routing SUBCOMMAND ...: see bench.h and run.sh. */
#include <stdio.h>
#include <string.h>

#include "bench.h"

static const struct {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *usage;
} s_commands[] = {
    {"timers", bench_timers, "timers raw|timerq N SPREAD_MS"},
};

int main(int argc, char **argv)
{
    for (size_t i = 0; argc > 1 && i < sizeof s_commands / sizeof *s_commands; i++)
        if (strcmp(argv[1], s_commands[i].name) == 0)
            return s_commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "usage:\n");
    for (size_t i = 0; i < sizeof s_commands / sizeof *s_commands; i++)
        fprintf(stderr, "  bench-routing %s\n", s_commands[i].usage);
    return 2;
}
