#include "lanes.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

typedef struct lane lane_t;

/* A served batch on its way back to the loop thread. */
typedef struct s_done {
    struct s_done *next;
    lane_t *lane;
    submit_item_t *items;
    size_t n;
    int events;
} s_done_t;

/* Which lane has a category in hand. Loop thread only; it exists while some
 * of the category is queued or in flight, and each such item points at it. */
typedef struct {
    char *category;
    lane_t *lane;
    size_t held;
    size_t index; /* in lanes->routes */
} s_route_t;

struct lane {
    lanes_t *owner;
    uv_thread_t thread;
    int started;
    submit_t *submit;
    uv_mutex_t mu; /* guards queue, nqueued, cap and stop */
    uv_cond_t cv;
    submit_item_t *queue;
    size_t nqueued, cap;
    int stop;
    size_t load; /* loop thread: items queued here or being served */
    int kick;    /* loop thread: items were queued since the last lanes_kick */
};

struct lanes {
    uv_async_t done_async; /* first: the close callback frees the struct from it */
    uv_mutex_t done_mu;    /* guards done_head / done_tail */
    s_done_t *done_head, **done_tail;
    lanes_done_cb on_done;
    void *arg;
    size_t max_batch;
    lane_t *lanes;
    int nlanes;
    s_route_t **routes;
    size_t nroutes, routes_cap;
    size_t pending;
};

/* Takes up to max_batch items from the front of the lane's queue; the
 * caller holds the lock and the queue is not empty. */
static submit_item_t *s_take(lane_t *lane, size_t max_batch, size_t *n)
{
    submit_item_t *batch = NULL;
    if (lane->nqueued > max_batch && (batch = malloc(max_batch * sizeof *batch))) {
        memcpy(batch, lane->queue, max_batch * sizeof *batch);
        memmove(lane->queue, lane->queue + max_batch,
                (lane->nqueued - max_batch) * sizeof *batch);
        lane->nqueued -= max_batch;
        *n = max_batch;
        return batch;
    }
    /* All of it (also when out of memory for a part): hand the array over. */
    batch = lane->queue;
    *n = lane->nqueued;
    lane->queue = NULL;
    lane->nqueued = lane->cap = 0;
    return batch;
}

static void s_lane_main(void *arg)
{
    lane_t *lane = arg;
    lanes_t *owner = lane->owner;
    submit_warm(lane->submit);
    for (;;) {
        s_done_t *done = NULL;
        while (!(done = calloc(1, sizeof *done)))
            uv_sleep(10);
        uv_mutex_lock(&lane->mu);
        while (lane->nqueued == 0 && !lane->stop)
            uv_cond_wait(&lane->cv, &lane->mu);
        if (lane->stop) {
            uv_mutex_unlock(&lane->mu);
            free(done);
            return;
        }
        done->items = s_take(lane, owner->max_batch, &done->n);
        uv_mutex_unlock(&lane->mu);
        done->lane = lane;
        done->events = submit_serve(lane->submit, done->items, done->n);
        uv_mutex_lock(&owner->done_mu);
        *owner->done_tail = done;
        owner->done_tail = &done->next;
        uv_mutex_unlock(&owner->done_mu);
        uv_async_send(&owner->done_async);
    }
}

/* One item of the route's category is no longer queued or in flight; the
 * route goes when none is. */
static void s_unhold(lanes_t *self, s_route_t *route)
{
    if (--route->held)
        return;
    s_route_t *last = self->routes[--self->nroutes];
    self->routes[route->index] = last;
    last->index = route->index;
    free(route->category);
    free(route);
}

/* Hands served batches to on_done, in the order they were served. */
static void s_deliver(lanes_t *self)
{
    uv_mutex_lock(&self->done_mu);
    s_done_t *list = self->done_head;
    self->done_head = NULL;
    self->done_tail = &self->done_head;
    uv_mutex_unlock(&self->done_mu);
    while (list) {
        s_done_t *done = list;
        list = done->next;
        for (size_t i = 0; i < done->n; i++) {
            s_unhold(self, done->items[i].queued_by);
            done->items[i].queued_by = NULL;
        }
        done->lane->load -= done->n;
        self->pending -= done->n;
        self->on_done(done->items, done->n, done->events, self->arg);
        free(done->items);
        free(done);
    }
}

static void s_on_done(uv_async_t *handle)
{
    s_deliver(handle->data);
}

/* The route of `category`, made (on the least busy lane) if none has it. */
static s_route_t *s_route(lanes_t *self, const char *category)
{
    for (size_t i = 0; i < self->nroutes; i++)
        if (strcmp(self->routes[i]->category, category) == 0)
            return self->routes[i];
    if (self->nroutes == self->routes_cap) {
        size_t cap = self->routes_cap ? 2 * self->routes_cap : 16;
        s_route_t **grown = realloc(self->routes, cap * sizeof *grown);
        if (!grown)
            return NULL;
        self->routes = grown;
        self->routes_cap = cap;
    }
    s_route_t *route = calloc(1, sizeof *route);
    if (!route || !(route->category = strdup(category))) {
        free(route);
        return NULL;
    }
    route->lane = &self->lanes[0];
    for (int i = 1; i < self->nlanes; i++)
        if (self->lanes[i].load < route->lane->load)
            route->lane = &self->lanes[i];
    route->index = self->nroutes;
    self->routes[self->nroutes++] = route;
    return route;
}

int lanes_push(lanes_t *self, submit_item_t *it)
{
    s_route_t *route = s_route(self, submit_category(it));
    if (!route)
        return -ENOMEM;
    lane_t *lane = route->lane;
    route->held++;
    uv_mutex_lock(&lane->mu);
    if (lane->nqueued == lane->cap) {
        size_t cap = lane->cap ? 2 * lane->cap : 64;
        submit_item_t *grown = realloc(lane->queue, cap * sizeof *grown);
        if (!grown) {
            uv_mutex_unlock(&lane->mu);
            s_unhold(self, route);
            return -ENOMEM;
        }
        lane->queue = grown;
        lane->cap = cap;
    }
    it->queued_by = route;
    lane->queue[lane->nqueued++] = *it;
    uv_mutex_unlock(&lane->mu);
    lane->kick = 1;
    lane->load++;
    self->pending++;
    memset(it, 0, sizeof *it);
    return 0;
}

void lanes_kick(lanes_t *self)
{
    for (int i = 0; i < self->nlanes; i++) {
        lane_t *lane = &self->lanes[i];
        if (!lane->kick)
            continue;
        lane->kick = 0;
        uv_mutex_lock(&lane->mu);
        uv_cond_signal(&lane->cv);
        uv_mutex_unlock(&lane->mu);
    }
}

size_t lanes_pending(const lanes_t *self)
{
    return self->pending;
}

static void s_on_close(uv_handle_t *handle)
{
    free(handle); /* the async is the struct's first member */
}

/* Stops and joins the lanes that started, frees their queues (unanswered)
 * and connections. */
static void s_stop(lanes_t *self)
{
    for (int i = 0; i < self->nlanes; i++) {
        lane_t *lane = &self->lanes[i];
        if (lane->started) {
            uv_mutex_lock(&lane->mu);
            lane->stop = 1;
            uv_cond_signal(&lane->cv);
            uv_mutex_unlock(&lane->mu);
            uv_thread_join(&lane->thread);
        }
    }
    /* Served batches are committed: answer them while we can. */
    s_deliver(self);
    for (int i = 0; i < self->nlanes; i++) {
        lane_t *lane = &self->lanes[i];
        for (size_t k = 0; k < lane->nqueued; k++)
            submit_item_clear(&lane->queue[k]);
        free(lane->queue);
        submit_destroy(&lane->submit);
        uv_cond_destroy(&lane->cv);
        uv_mutex_destroy(&lane->mu);
    }
    for (size_t i = 0; i < self->nroutes; i++) {
        free(self->routes[i]->category);
        free(self->routes[i]);
    }
    free(self->routes);
    free(self->lanes);
    uv_mutex_destroy(&self->done_mu);
}

int lanes_new(uv_loop_t *loop, const char *db_url, const submit_config_t *cfg, int nlanes,
              size_t max_batch, lanes_done_cb on_done, void *arg, lanes_t **out)
{
    lanes_t *self = calloc(1, sizeof *self);
    if (!self || !(self->lanes = calloc((size_t) nlanes, sizeof *self->lanes))) {
        free(self);
        return -1;
    }
    self->on_done = on_done;
    self->arg = arg;
    self->max_batch = max_batch ? max_batch : 1;
    self->nlanes = nlanes;
    self->done_tail = &self->done_head;
    uv_mutex_init(&self->done_mu);
    uv_async_init(loop, &self->done_async, s_on_done);
    self->done_async.data = self;
    int rc = 0;
    for (int i = 0; i < nlanes; i++) {
        lane_t *lane = &self->lanes[i];
        lane->owner = self;
        uv_mutex_init(&lane->mu);
        uv_cond_init(&lane->cv);
        if (rc == 0 && submit_new(db_url, cfg, &lane->submit))
            rc = -1;
    }
    for (int i = 0; rc == 0 && i < nlanes; i++) {
        lane_t *lane = &self->lanes[i];
        if (uv_thread_create(&lane->thread, s_lane_main, lane))
            rc = -1;
        else
            lane->started = 1;
    }
    if (rc) {
        log_error("cannot start %d intake lanes", nlanes);
        s_stop(self);
        uv_close((uv_handle_t *) &self->done_async, s_on_close);
        return -1;
    }
    *out = self;
    return 0;
}

void lanes_destroy(lanes_t **self_p)
{
    lanes_t *self = *self_p;
    if (!self)
        return;
    *self_p = NULL;
    s_stop(self);
    uv_close((uv_handle_t *) &self->done_async, s_on_close);
}
