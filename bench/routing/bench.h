/* bench-routing: the routing service's benchmarks. Each subcommand prints
 * machine-readable `key=value` lines; run.sh runs them and the comparisons. */
#ifndef BENCH_ROUTING_H
#define BENCH_ROUTING_H

/* bench-routing timers raw|timerq N SPREAD_MS */
int bench_timers(int argc, char **argv);

#endif
