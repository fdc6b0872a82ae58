#include "health.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

#define HEALTH_MAX_METRICS 64

typedef struct {
    const char *name, *help;
    health_kind_t kind;
    _Atomic uint64_t value;
} s_metric_t;

struct health {
    struct MHD_Daemon *daemon;
    const char *service;
    atomic_int ready;
    atomic_int count;
    s_metric_t metrics[HEALTH_MAX_METRICS];
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

static char *s_metrics_text(health_t *h)
{
    size_t cap = 256 + 256 * HEALTH_MAX_METRICS, n = 0;
    char *out = malloc(cap);
    if (!out)
        return NULL;
    out[0] = '\0';
    int count = atomic_load(&h->count);
    for (int i = 0; i < count; i++) {
        s_metric_t *m = &h->metrics[i];
        n += (size_t) snprintf(out + n, cap - n,
                               "# HELP gov_%s %s\n# TYPE gov_%s %s\ngov_%s{service=\"%s\"} %llu\n",
                               m->name, m->help, m->name,
                               m->kind == HEALTH_COUNTER ? "counter" : "gauge", m->name,
                               h->service, (unsigned long long) atomic_load(&m->value));
        if (n >= cap)
            break;
    }
    return out;
}

static enum MHD_Result s_handle(void *cls, struct MHD_Connection *conn, const char *url,
                                const char *method, const char *version, const char *data,
                                size_t *data_size, void **state)
{
    (void) version, (void) data, (void) data_size, (void) state;
    health_t *h = cls;
    if (strcmp(method, "GET") != 0)
        return s_answer(conn, 405, "application/json", strdup("{\"error\":\"method not allowed\"}"));
    /* /readyz is what orchestrators wait on (docker-compose.yml); today it
     * says the same as /healthz: the database was reached and the schema is
     * current (svc_new), and the loop runs (svc_run). */
    if (strcmp(url, "/healthz") == 0 || strcmp(url, "/readyz") == 0) {
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

_Atomic uint64_t *health_metric(health_t *h, const char *name, const char *help,
                                health_kind_t kind)
{
    int i = atomic_load(&h->count);
    if (i >= HEALTH_MAX_METRICS)
        return NULL;
    h->metrics[i].name = name;
    h->metrics[i].help = help;
    h->metrics[i].kind = kind;
    atomic_store(&h->count, i + 1); /* publish only once the slot is filled */
    return &h->metrics[i].value;
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
    free(h);
}
