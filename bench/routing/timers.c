/* timers: N deadlines spread over SPREAD_MS, armed either as N raw libuv
 * timers or in one timerq, in separate processes so their memory compares.
 * Prints the cost of arming (ns per deadline, only the start/arm calls), the
 * lateness of firing (ms past due: p50, p99, max) and the peak RSS. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "bench.h"
#include "timerq.h"

typedef struct {
    int64_t t0;          /* ms, monotonic */
    int32_t *late;       /* per fire, ms */
    size_t fired;
} run_t;

static run_t s_run;

static int64_t s_ms(void)
{
    return (int64_t) (uv_hrtime() / 1000000);
}

static int64_t s_clock(void *arg)
{
    (void) arg;
    return s_ms();
}

static long s_peak_rss_kib(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kib = -1;
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "VmHWM: %ld kB", &kib) == 1)
            break;
    if (f)
        fclose(f);
    return kib;
}

static void s_on_raw(uv_timer_t *t)
{
    int64_t due = s_run.t0 + (int64_t) (intptr_t) t->data;
    s_run.late[s_run.fired++] = (int32_t) (s_ms() - due);
}

static void s_on_due(timerq_t *q, const timerq_item_t *due, size_t n, void *arg)
{
    (void) q;
    (void) arg;
    int64_t now = s_ms();
    for (size_t i = 0; i < n; i++)
        s_run.late[s_run.fired++] = (int32_t) (now - due[i].due_ms);
}

static int s_cmp(const void *a, const void *b)
{
    int32_t x = *(const int32_t *) a, y = *(const int32_t *) b;
    return (x > y) - (x < y);
}

int bench_timers(int argc, char **argv)
{
    if (argc != 4 || (strcmp(argv[1], "raw") && strcmp(argv[1], "timerq"))) {
        fprintf(stderr, "usage: bench-routing timers raw|timerq N SPREAD_MS\n");
        return 2;
    }
    int raw = strcmp(argv[1], "raw") == 0;
    size_t n = (size_t) atol(argv[2]);
    int64_t spread = atol(argv[3]);
    int64_t *offset = malloc(n * sizeof *offset);
    s_run.late = malloc(n * sizeof *s_run.late);
    if (!offset || !s_run.late || n == 0 || spread <= 0)
        return 1;
    srand(42);
    /* Every deadline at least 1 s out, so arming finishes before any fires. */
    for (size_t i = 0; i < n; i++)
        offset[i] = 1000 + (int64_t) ((double) rand() / RAND_MAX * (double) spread);

    uv_loop_t *loop = uv_default_loop();
    uv_timer_t *timers = NULL;
    timerq_t *q = NULL;
    uint64_t ns;
    s_run.t0 = s_ms();
    if (raw) {
        timers = malloc(n * sizeof *timers);
        for (size_t i = 0; i < n; i++) {
            uv_timer_init(loop, &timers[i]);
            timers[i].data = (void *) (intptr_t) offset[i];
        }
        uv_update_time(loop);
        int64_t skew = s_ms() - s_run.t0;
        uint64_t start = uv_hrtime();
        for (size_t i = 0; i < n; i++)
            uv_timer_start(&timers[i], s_on_raw, (uint64_t) (offset[i] - skew), 0);
        ns = uv_hrtime() - start;
    } else {
        timerq_new(loop, s_clock, NULL, s_on_due, NULL, &q);
        uint64_t start = uv_hrtime();
        for (size_t i = 0; i < n; i++)
            timerq_arm(q, (int64_t) i, s_run.t0 + offset[i]);
        ns = uv_hrtime() - start;
    }
    long rss = s_peak_rss_kib();
    while (s_run.fired < n)
        uv_run(loop, UV_RUN_ONCE);
    qsort(s_run.late, n, sizeof *s_run.late, s_cmp);
    printf("mode=%s n=%zu arm_ns=%.1f p50_ms=%d p99_ms=%d max_ms=%d rss_kib=%ld\n", argv[1], n,
           (double) ns / (double) n, s_run.late[n / 2], s_run.late[n * 99 / 100], s_run.late[n - 1],
           rss);
    if (raw) {
        for (size_t i = 0; i < n; i++)
            uv_close((uv_handle_t *) &timers[i], NULL);
    } else {
        timerq_destroy(&q);
    }
    uv_run(loop, UV_RUN_DEFAULT);
    free(timers);
    free(offset);
    free(s_run.late);
    return 0;
}
