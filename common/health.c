#include "health.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dbtime.h"
#include "log.h"

#define HEALTH_MAX_METRICS 64
#define HEALTH_MAX_HISTS 8
#define HEALTH_MAX_CONDS 16

typedef struct {
    const char *name, *help;
    char labels[64];
    health_kind_t kind;
    _Atomic uint64_t value;
} s_metric_t;

typedef struct {
    const char *name, *help;
    hist_t hist;
} s_hist_t;

typedef struct {
    char what[64];
    health_cond_t why; /* NULL: holds */
} s_cond_t;

struct health {
    struct MHD_Daemon *daemon;
    const char *service;
    atomic_int ready;
    pthread_mutex_t lock; /* registering, from any thread; reading needs none */
    atomic_int count, nhists, nconds;
    s_metric_t metrics[HEALTH_MAX_METRICS];
    s_hist_t hists[HEALTH_MAX_HISTS];
    s_cond_t conds[HEALTH_MAX_CONDS];
};

static enum MHD_Result s_answer(struct MHD_Connection *conn, unsigned status, const char *type,
                                char *body)
{
    struct MHD_Response *res =
        MHD_create_response_from_buffer(strlen(body), body, MHD_RESPMEM_MUST_FREE);
    MHD_add_response_header(res, "Content-Type", type);
    enum MHD_Result rc = MHD_queue_response(conn, status, res);
    MHD_destroy_response(res);
    return rc;
}

/* Appends with snprintf, keeping `*n` within `cap`. */
#define S_APPEND(out, n, cap, ...)                                                             \
    do {                                                                                       \
        int w_ = snprintf((out) + *(n), (cap) - *(n), __VA_ARGS__);                            \
        *(n) = w_ < 0 ? *(n) : *(n) + (size_t) w_ < (cap) ? *(n) + (size_t) w_ : (cap);        \
    } while (0)

static char *s_metrics_text(health_t *h)
{
    size_t cap = 256 + 256 * HEALTH_MAX_METRICS + 2048 * HEALTH_MAX_HISTS + DBTIME_FORMAT_MAX, n = 0;
    char *out = malloc(cap);
    if (!out)
        return NULL;
    out[0] = '\0';
    int count = atomic_load(&h->count);
    /* One family per name: its HELP and TYPE once, then every labelled
     * metric of that name (Prometheus refuses a family told twice). */
    for (int i = 0; i < count && n < cap; i++) {
        s_metric_t *m = &h->metrics[i];
        int seen = 0;
        for (int j = 0; j < i && !seen; j++)
            seen = strcmp(h->metrics[j].name, m->name) == 0;
        if (seen)
            continue;
        S_APPEND(out, &n, cap, "# HELP gov_%s %s\n# TYPE gov_%s %s\n", m->name, m->help, m->name,
                 m->kind == HEALTH_COUNTER ? "counter" : "gauge");
        for (int k = i; k < count && n < cap; k++) {
            s_metric_t *o = &h->metrics[k];
            if (strcmp(o->name, m->name) == 0)
                S_APPEND(out, &n, cap, "gov_%s{service=\"%s\"%s%s} %llu\n", o->name, h->service,
                         o->labels[0] ? "," : "", o->labels,
                         (unsigned long long) atomic_load(&o->value));
        }
    }
    int nhists = atomic_load(&h->nhists);
    char labels[96];
    snprintf(labels, sizeof labels, "service=\"%s\"", h->service);
    for (int i = 0; i < nhists && n < cap; i++) {
        s_hist_t *x = &h->hists[i];
        S_APPEND(out, &n, cap, "# HELP gov_%s %s\n# TYPE gov_%s histogram\n", x->name, x->help,
                 x->name);
        hist_format(&x->hist, x->name, labels, out, &n, cap);
    }
    dbtime_format(h->service, out, &n, cap); /* the process's database round trips */
    return out;
}

/* /readyz's answer: ready, or what it waits for. */
static enum MHD_Result s_ready(health_t *h, struct MHD_Connection *conn)
{
    if (!atomic_load(&h->ready))
        return s_answer(conn, 503, "application/json", strdup("{\"status\":\"starting\"}"));
    size_t cap = 64 + 160 * HEALTH_MAX_CONDS, n = 0;
    char *body = malloc(cap);
    if (!body)
        return MHD_NO;
    int nconds = atomic_load(&h->nconds), waiting = 0;
    S_APPEND(body, &n, cap, "{\"status\":\"waiting\",\"waiting\":{");
    for (int i = 0; i < nconds; i++) {
        const char *why = atomic_load(&h->conds[i].why);
        if (why)
            S_APPEND(body, &n, cap, "%s\"%s\":\"%s\"", waiting++ ? "," : "", h->conds[i].what, why);
    }
    S_APPEND(body, &n, cap, "}}");
    if (!waiting)
        snprintf(body, cap, "{\"status\":\"ok\"}");
    return s_answer(conn, waiting ? 503 : 200, "application/json", body);
}

static enum MHD_Result s_handle(void *cls, struct MHD_Connection *conn, const char *url,
                                const char *method, const char *version, const char *data,
                                size_t *data_size, void **state)
{
    (void) version, (void) data, (void) data_size, (void) state;
    health_t *h = cls;
    if (strcmp(method, "GET") != 0)
        return s_answer(conn, 405, "application/json", strdup("{\"error\":\"method not allowed\"}"));
    /* /readyz is what orchestrators wait on (docker-compose.yml): alive
     * (the database was reached, the schema is current: svc_new; the loop
     * runs: svc_run) and every condition holding (subscriptions caught up). */
    if (strcmp(url, "/readyz") == 0)
        return s_ready(h, conn);
    if (strcmp(url, "/healthz") == 0) {
        int ready = atomic_load(&h->ready);
        return s_answer(conn, ready ? 200 : 503, "application/json",
                        strdup(ready ? "{\"status\":\"ok\"}" : "{\"status\":\"starting\"}"));
    }
    if (strcmp(url, "/metrics") == 0) {
        char *text = s_metrics_text(h);
        return text ? s_answer(conn, 200, "text/plain; version=0.0.4", text) : MHD_NO;
    }
    return s_answer(conn, 404, "application/json", strdup("{\"error\":\"not found\"}"));
}

int health_new(int port, int bind_any, const char *service, health_t **out)
{
    health_t *h = calloc(1, sizeof *h);
    if (!h)
        return -1;
    h->service = service;
    pthread_mutex_init(&h->lock, NULL);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t) port)};
    addr.sin_addr.s_addr = htonl(bind_any ? INADDR_ANY : INADDR_LOOPBACK);
    h->daemon = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG,
                                 (uint16_t) port, NULL, NULL, s_handle, h, MHD_OPTION_SOCK_ADDR,
                                 &addr, MHD_OPTION_END);
    if (!h->daemon) {
        log_error("health listener cannot bind port %d", port);
        free(h);
        return -1;
    }
    *out = h;
    return 0;
}

_Atomic uint64_t *health_metric_labelled(health_t *h, const char *name, const char *labels,
                                         const char *help, health_kind_t kind)
{
    pthread_mutex_lock(&h->lock);
    int i = atomic_load(&h->count);
    _Atomic uint64_t *slot = NULL;
    if (i < HEALTH_MAX_METRICS) {
        h->metrics[i].name = name;
        h->metrics[i].help = help;
        snprintf(h->metrics[i].labels, sizeof h->metrics[i].labels, "%s", labels ? labels : "");
        h->metrics[i].kind = kind;
        slot = &h->metrics[i].value;
        atomic_store(&h->count, i + 1); /* publish only once the slot is filled */
    }
    pthread_mutex_unlock(&h->lock);
    return slot;
}

_Atomic uint64_t *health_metric(health_t *h, const char *name, const char *help,
                                health_kind_t kind)
{
    return health_metric_labelled(h, name, NULL, help, kind);
}

hist_t *health_histogram(health_t *h, const char *name, const char *help)
{
    pthread_mutex_lock(&h->lock);
    int i = atomic_load(&h->nhists);
    hist_t *hist = NULL;
    if (i < HEALTH_MAX_HISTS) {
        h->hists[i].name = name;
        h->hists[i].help = help;
        hist = &h->hists[i].hist;
        atomic_store(&h->nhists, i + 1);
    }
    pthread_mutex_unlock(&h->lock);
    return hist;
}

health_cond_t *health_condition(health_t *h, const char *what)
{
    pthread_mutex_lock(&h->lock);
    int i = atomic_load(&h->nconds);
    health_cond_t *slot = NULL;
    for (int j = 0; j < i && !slot; j++)
        if (strncmp(h->conds[j].what, what, sizeof h->conds[j].what - 1) == 0)
            slot = &h->conds[j].why;
    if (!slot && i < HEALTH_MAX_CONDS) {
        snprintf(h->conds[i].what, sizeof h->conds[i].what, "%s", what);
        atomic_store(&h->conds[i].why, "starting");
        slot = &h->conds[i].why;
        atomic_store(&h->nconds, i + 1);
    }
    pthread_mutex_unlock(&h->lock);
    return slot;
}

void health_set_ready(health_t *h, int ready)
{
    atomic_store(&h->ready, ready);
}

void health_destroy(health_t **self_p)
{
    health_t *h = *self_p;
    if (!h)
        return;
    *self_p = NULL;
    MHD_stop_daemon(h->daemon);
    pthread_mutex_destroy(&h->lock);
    free(h);
}
