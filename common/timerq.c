#include "timerq.h"

#include <errno.h>
#include <stdlib.h>

struct timerq {
    uv_timer_t timer;          /* first: the close callback frees through it */
    timerq_clock_fn clock;
    void *clock_arg;
    timerq_fire_cb fire;
    void *arg;
    timerq_item_t *heap;
    size_t n, cap;
    int64_t timer_due;         /* what the uv timer is set for; INT64_MAX: stopped */
    int firing, destroyed;
};

static void s_swap(timerq_item_t *a, timerq_item_t *b)
{
    timerq_item_t t = *a;
    *a = *b;
    *b = t;
}

static void s_up(timerq_item_t *h, size_t i)
{
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (h[parent].due_ms <= h[i].due_ms)
            return;
        s_swap(&h[parent], &h[i]);
        i = parent;
    }
}

static void s_down(timerq_item_t *h, size_t n, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, least = i;
        if (l < n && h[l].due_ms < h[least].due_ms)
            least = l;
        if (r < n && h[r].due_ms < h[least].due_ms)
            least = r;
        if (least == i)
            return;
        s_swap(&h[least], &h[i]);
        i = least;
    }
}

static timerq_item_t s_pop(timerq_t *q)
{
    timerq_item_t top = q->heap[0];
    q->heap[0] = q->heap[--q->n];
    s_down(q->heap, q->n, 0);
    return top;
}

static void s_on_timer(uv_timer_t *timer);

static void s_on_close(uv_handle_t *handle)
{
    free(handle);  /* the timer is the first member: this frees the queue */
}

/* Sets the uv timer for the earliest item, unless it is set for that already. */
static void s_schedule(timerq_t *q, int force)
{
    int64_t next = timerq_next_due(q);
    if (!force && next == q->timer_due)
        return;
    q->timer_due = next;
    if (next == INT64_MAX) {
        uv_timer_stop(&q->timer);
        return;
    }
    int64_t wait = next - q->clock(q->clock_arg);
    /* A timer restarted at 0 from its own callback runs again in the same
     * pass of the loop; 1 ms lets I/O in between batches of a burst. */
    uv_timer_start(&q->timer, s_on_timer, wait > 1 ? (uint64_t) wait : 1, 0);
}

static void s_on_timer(uv_timer_t *timer)
{
    timerq_t *q = (timerq_t *) timer;
    timerq_item_t batch[256];
    timerq_item_t *due = batch;
    size_t n = 0, cap = sizeof batch / sizeof *batch;
    int64_t now = q->clock(q->clock_arg);
    q->timer_due = INT64_MAX;
    while (q->n && q->heap[0].due_ms <= now && n < TIMERQ_MAX_BATCH) {
        if (n == cap) {
            size_t grown = cap * 4 > TIMERQ_MAX_BATCH ? TIMERQ_MAX_BATCH : cap * 4;
            timerq_item_t *bigger = malloc(grown * sizeof *bigger);
            if (!bigger)
                break;
            for (size_t i = 0; i < n; i++)
                bigger[i] = due[i];
            if (due != batch)
                free(due);
            due = bigger;
            cap = grown;
        }
        due[n++] = s_pop(q);
    }
    if (n) {
        q->firing = 1;
        q->fire(q, due, n, q->arg);
        q->firing = 0;
    }
    if (due != batch)
        free(due);
    if (q->destroyed) {
        uv_close((uv_handle_t *) &q->timer, s_on_close);
        return;
    }
    s_schedule(q, 1);
}

int timerq_new(uv_loop_t *loop, timerq_clock_fn clock, void *clock_arg, timerq_fire_cb fire,
               void *arg, timerq_t **out)
{
    timerq_t *q = calloc(1, sizeof *q);
    if (!q)
        return -ENOMEM;
    uv_timer_init(loop, &q->timer);
    q->clock = clock;
    q->clock_arg = clock_arg;
    q->fire = fire;
    q->arg = arg;
    q->timer_due = INT64_MAX;
    *out = q;
    return 0;
}

int timerq_arm(timerq_t *q, int64_t id, int64_t due_ms)
{
    if (q->n == q->cap) {
        size_t cap = q->cap ? q->cap * 2 : 64;
        timerq_item_t *heap = realloc(q->heap, cap * sizeof *heap);
        if (!heap)
            return -ENOMEM;
        q->heap = heap;
        q->cap = cap;
    }
    q->heap[q->n] = (timerq_item_t){.due_ms = due_ms, .id = id};
    s_up(q->heap, q->n++);
    if (!q->firing && due_ms < q->timer_due)
        s_schedule(q, 0);
    return 0;
}

void timerq_reschedule(timerq_t *q)
{
    if (!q->firing)
        s_schedule(q, 1);
}

size_t timerq_size(const timerq_t *q)
{
    return q->n;
}

int64_t timerq_next_due(const timerq_t *q)
{
    return q->n ? q->heap[0].due_ms : INT64_MAX;
}

void timerq_destroy(timerq_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    timerq_t *q = *self_p;
    *self_p = NULL;
    free(q->heap);
    q->heap = NULL;
    q->n = q->cap = 0;
    uv_timer_stop(&q->timer);
    if (q->firing) {
        q->destroyed = 1;  /* closed when the callback returns */
        return;
    }
    uv_close((uv_handle_t *) &q->timer, s_on_close);
}
