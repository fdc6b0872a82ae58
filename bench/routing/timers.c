/* timers: N deadlines spread over SPREAD_MS, armed either as N raw libuv
 * timers or in one timerq, each kind in its own process so their memory
 * compares. Both kinds get the same dues (same seed), all at least a second
 * out so arming is over before anything fires. Prints one line:
 *
 *   mode=raw|timerq n=N arm_ns=NS p50_ms=MS p99_ms=MS max_ms=MS rss_kib=KIB
 *
 * arm_ns: the mean cost of one uv_timer_start / timerq_arm, timing only those
 * calls. pNN_ms / max_ms: firing lateness, the clock when the callback ran
 * minus the due time. rss_kib: the process's peak resident memory (VmHWM),
 * read after every deadline has fired. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "bench.h"
#include "timerq.h"

#define SEED 42
#define HEAD_START_MS 1000

/* One run, reached through loop->data: the raw timers' callback has nowhere
 * else to find it. */
typedef struct {
    int64_t t0;          /* ms, monotonic: offsets count from here */
    int32_t *late;       /* ms, one per fire */
    size_t fired;
} run_t;

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
    if (!f)
        return -1;
    char line[256];
    long kib = -1;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "VmHWM: %ld kB", &kib) == 1)
            break;
    fclose(f);
    return kib;
}

static void s_on_raw(uv_timer_t *t)
{
    run_t *run = t->loop->data;
    int64_t due = run->t0 + (int64_t) (intptr_t) t->data;
    run->late[run->fired++] = (int32_t) (s_ms() - due);
}

static void s_on_due(timerq_t *q, const timerq_item_t *due, size_t n, void *arg)
{
    (void) q;
    run_t *run = arg;
    int64_t now = s_ms();
    for (size_t i = 0; i < n; i++)
        run->late[run->fired++] = (int32_t) (now - due[i].due_ms);
}

static int s_cmp(const void *a, const void *b)
{
    int32_t x = *(const int32_t *) a, y = *(const int32_t *) b;
    return (x > y) - (x < y);
}

/* Parses a whole decimal number in [1, max]; -1 if it is not one. */
static long long s_number(const char *s, long long max)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || end == s || *end || v < 1 || v > max)
        return -1;
    return v;
}

/* Arms N raw timers (one array, initialised before the clock starts); returns
 * the ns spent in uv_timer_start. */
static uint64_t s_arm_raw(uv_loop_t *loop, run_t *run, uv_timer_t *timers, const int64_t *offset,
                          size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uv_timer_init(loop, &timers[i]);
        timers[i].data = (void *) (intptr_t) offset[i];
    }
    uv_update_time(loop);
    int64_t skew = s_ms() - run->t0;  /* uv_timer_start counts from the loop's now */
    uint64_t start = uv_hrtime();
    for (size_t i = 0; i < n; i++)
        uv_timer_start(&timers[i], s_on_raw, (uint64_t) (offset[i] - skew), 0);
    return uv_hrtime() - start;
}

/* Arms the same deadlines in one timerq; returns the ns spent in timerq_arm,
 * or 0 if one failed. */
static uint64_t s_arm_timerq(timerq_t *q, const run_t *run, const int64_t *offset, size_t n)
{
    uint64_t start = uv_hrtime();
    for (size_t i = 0; i < n; i++)
        if (timerq_arm(q, (int64_t) i, run->t0 + offset[i]) < 0)
            return 0;
    return uv_hrtime() - start;
}

int bench_timers(int argc, char **argv)
{
    long long n_arg = argc == 4 ? s_number(argv[2], 100000000) : -1;
    long long spread = argc == 4 ? s_number(argv[3], 86400000) : -1;
    if (argc != 4 || (strcmp(argv[1], "raw") && strcmp(argv[1], "timerq")) || n_arg < 0 ||
        spread < 0) {
        fprintf(stderr, "usage: bench-routing timers raw|timerq N SPREAD_MS\n"
                        "  N deadlines (1..1e8) due at random within SPREAD_MS (1..86400000)\n"
                        "  after a %d ms head start, as N uv_timer_t (raw) or in one timerq\n",
                HEAD_START_MS);
        return 2;
    }
    int raw = strcmp(argv[1], "raw") == 0;
    size_t n = (size_t) n_arg;
    int rc = 1;
    uv_loop_t loop;
    run_t run = {0};
    uv_timer_t *timers = NULL;
    timerq_t *q = NULL;
    int64_t *offset = malloc(n * sizeof *offset);
    run.late = malloc(n * sizeof *run.late);
    if (!offset || !run.late || uv_loop_init(&loop) < 0) {
        fprintf(stderr, "bench-routing timers: out of memory\n");
        free(offset);
        free(run.late);
        return 1;
    }
    loop.data = &run;
    srand(SEED);
    for (size_t i = 0; i < n; i++)
        offset[i] = HEAD_START_MS + (int64_t) ((double) rand() / RAND_MAX * (double) spread);

    uint64_t ns;
    run.t0 = s_ms();
    if (raw) {
        timers = malloc(n * sizeof *timers);
        if (!timers)
            goto out;
        ns = s_arm_raw(&loop, &run, timers, offset, n);
    } else {
        if (timerq_new(&loop, s_clock, NULL, s_on_due, &run, &q) < 0)
            goto out;
        ns = s_arm_timerq(q, &run, offset, n);
        if (!ns)
            goto out;
    }
    while (run.fired < n)
        uv_run(&loop, UV_RUN_ONCE);
    long rss = s_peak_rss_kib();
    qsort(run.late, n, sizeof *run.late, s_cmp);
    printf("mode=%s n=%zu arm_ns=%.1f p50_ms=%d p99_ms=%d max_ms=%d rss_kib=%ld\n", argv[1], n,
           (double) ns / (double) n, run.late[n / 2], run.late[n * 99 / 100], run.late[n - 1],
           rss);
    rc = 0;
out:
    if (rc)
        fprintf(stderr, "bench-routing timers: out of memory\n");
    if (timers)
        for (size_t i = 0; i < n; i++)
            uv_close((uv_handle_t *) &timers[i], NULL);
    timerq_destroy(&q);
    uv_run(&loop, UV_RUN_DEFAULT);
    uv_loop_close(&loop);
    free(timers);
    free(offset);
    free(run.late);
    return rc;
}
