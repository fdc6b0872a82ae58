#include "curluv.h"

#include <stdlib.h>

#include "log.h"

typedef struct watch {
    uv_poll_t poll;          /* first: the close callback frees through it */
    curl_socket_t fd;
    curluv_t *cu;
    struct watch *prev, *next;
} watch_t;

typedef struct job {
    CURL *easy;
    curluv_done_cb done;
    void *arg;
    struct job *prev, *next;
} job_t;

struct curluv {
    uv_timer_t timer;        /* first: the close callback frees through it */
    CURLM *multi;
    watch_t *watches;
    job_t *jobs;
    size_t running;
    int closing;             /* curl's last socket callbacks find nothing to do */
};

static void s_unlink_job(curluv_t *cu, job_t *job)
{
    if (job->prev)
        job->prev->next = job->next;
    else
        cu->jobs = job->next;
    if (job->next)
        job->next->prev = job->prev;
    cu->running--;
}

static void s_free_handle(uv_handle_t *handle)
{
    free(handle);
}

static void s_unwatch(watch_t *w)
{
    if (w->prev)
        w->prev->next = w->next;
    else
        w->cu->watches = w->next;
    if (w->next)
        w->next->prev = w->prev;
    uv_poll_stop(&w->poll);
    uv_close((uv_handle_t *) &w->poll, s_free_handle);
}

/* Hands every finished transfer back to its owner. */
static void s_reap(curluv_t *cu)
{
    CURLMsg *msg;
    int left;
    while ((msg = curl_multi_info_read(cu->multi, &left))) {
        if (msg->msg != CURLMSG_DONE)
            continue;
        CURL *easy = msg->easy_handle;
        CURLcode result = msg->data.result;
        job_t *job = NULL;
        curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **) &job);
        curl_multi_remove_handle(cu->multi, easy);
        curl_easy_setopt(easy, CURLOPT_PRIVATE, NULL);
        if (job) {
            job_t copy = *job;
            s_unlink_job(cu, job);
            free(job);
            copy.done(easy, result, copy.arg);
        }
    }
}

static void s_on_poll(uv_poll_t *poll, int status, int events)
{
    watch_t *w = (watch_t *) poll;
    curluv_t *cu = w->cu;
    int flags = status < 0 ? CURL_CSELECT_ERR : 0, still;
    if (events & UV_READABLE)
        flags |= CURL_CSELECT_IN;
    if (events & UV_WRITABLE)
        flags |= CURL_CSELECT_OUT;
    curl_multi_socket_action(cu->multi, w->fd, flags, &still);
    s_reap(cu);
}

static void s_on_timeout(uv_timer_t *timer)
{
    curluv_t *cu = (curluv_t *) timer;
    int still;
    curl_multi_socket_action(cu->multi, CURL_SOCKET_TIMEOUT, 0, &still);
    s_reap(cu);
}

static int s_socket_cb(CURL *easy, curl_socket_t fd, int action, void *userp, void *socketp)
{
    (void) easy;
    curluv_t *cu = userp;
    watch_t *w = socketp;
    if (cu->closing)
        return 0;
    if (action == CURL_POLL_REMOVE) {
        if (w) {
            curl_multi_assign(cu->multi, fd, NULL);
            s_unwatch(w);
        }
        return 0;
    }
    if (!w) {
        if (!(w = calloc(1, sizeof *w)))
            return -1;
        if (uv_poll_init_socket(cu->timer.loop, &w->poll, fd) < 0) {
            free(w);
            return -1;
        }
        w->fd = fd;
        w->cu = cu;
        w->next = cu->watches;
        if (cu->watches)
            cu->watches->prev = w;
        cu->watches = w;
        curl_multi_assign(cu->multi, fd, w);
    }
    int events = 0;
    if (action & CURL_POLL_IN)
        events |= UV_READABLE;
    if (action & CURL_POLL_OUT)
        events |= UV_WRITABLE;
    uv_poll_start(&w->poll, events, s_on_poll);
    return 0;
}

static int s_timer_cb(CURLM *multi, long timeout_ms, void *userp)
{
    (void) multi;
    curluv_t *cu = userp;
    if (timeout_ms < 0)
        uv_timer_stop(&cu->timer);
    else  /* 0: on the next pass of the loop, never from inside curl */
        uv_timer_start(&cu->timer, s_on_timeout, (uint64_t) timeout_ms, 0);
    return 0;
}

int curluv_new(uv_loop_t *loop, long keep, curluv_t **out)
{
    curluv_t *cu = calloc(1, sizeof *cu);
    if (!cu || !(cu->multi = curl_multi_init())) {
        free(cu);
        log_error("curluv: out of memory");
        return -1;
    }
    uv_timer_init(loop, &cu->timer);
    curl_multi_setopt(cu->multi, CURLMOPT_SOCKETFUNCTION, s_socket_cb);
    curl_multi_setopt(cu->multi, CURLMOPT_SOCKETDATA, cu);
    curl_multi_setopt(cu->multi, CURLMOPT_TIMERFUNCTION, s_timer_cb);
    curl_multi_setopt(cu->multi, CURLMOPT_TIMERDATA, cu);
    curl_multi_setopt(cu->multi, CURLMOPT_MAXCONNECTS, keep);
    *out = cu;
    return 0;
}

int curluv_add(curluv_t *cu, CURL *easy, curluv_done_cb done, void *arg)
{
    job_t *job = malloc(sizeof *job);
    if (!job)
        return -1;
    *job = (job_t){.easy = easy, .done = done, .arg = arg, .next = cu->jobs};
    curl_easy_setopt(easy, CURLOPT_PRIVATE, job);
    if (curl_multi_add_handle(cu->multi, easy) != CURLM_OK) {
        curl_easy_setopt(easy, CURLOPT_PRIVATE, NULL);
        free(job);
        return -1;
    }
    if (cu->jobs)
        cu->jobs->prev = job;
    cu->jobs = job;
    cu->running++;
    return 0;
}

size_t curluv_running(const curluv_t *cu)
{
    return cu->running;
}

void curluv_destroy(curluv_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    curluv_t *cu = *self_p;
    *self_p = NULL;
    while (cu->jobs) {
        job_t *job = cu->jobs;
        curl_multi_remove_handle(cu->multi, job->easy);
        curl_easy_setopt(job->easy, CURLOPT_PRIVATE, NULL);
        s_unlink_job(cu, job);
        free(job);
    }
    while (cu->watches)
        s_unwatch(cu->watches);
    cu->closing = 1;
    curl_multi_cleanup(cu->multi);
    uv_timer_stop(&cu->timer);
    uv_close((uv_handle_t *) &cu->timer, s_free_handle);
}
