#include "http.h"

#include <arpa/inet.h>
#include <jansson.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "errcodes.h"
#include "log.h"

/* A request from its first byte to its answer: the body so far (or that it
 * is too large), then, read whole, the request handed to a handler thread
 * and the answer it made. */
typedef struct s_upload {
    char *body;
    size_t len;
    int too_large;
    enum { S_READING, S_HANDLING, S_ANSWERED } state;
    uint64_t started_ns; /* its headers arrived (CLOCK_MONOTONIC) */
    http_req_t req;
    http_res_t res;
    struct s_upload *next; /* in the queue of requests waiting for a handler */
} s_upload_t;

struct http {
    struct MHD_Daemon *daemon;
    char *cert, *key; /* PEM, kept while the daemon runs */
    http_handler_fn handler;
    void *arg;
    size_t max_body;
    hist_t *latency;
    /* The handler threads and the requests waiting for one (at most one a
     * connection, so the queue is bounded by the connection limit). */
    pthread_t *handlers;
    unsigned nhandlers;
    pthread_mutex_t lock;
    pthread_cond_t ready;
    s_upload_t *head, *tail;
    int stopping;
};

static uint64_t s_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t) ts.tv_sec * 1000000000u + (uint64_t) ts.tv_nsec;
}

static const char *const s_security_headers[][2] = {
    {"X-Content-Type-Options", "nosniff"},
    {"X-Frame-Options", "DENY"},
    {"Content-Security-Policy",
     "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
     "object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"},
    {"Referrer-Policy", "no-referrer"},
    {"Cache-Control", "no-store"},
};

static ssize_t s_stream(void *cls, uint64_t pos, char *buf, size_t max)
{
    (void) pos;
    http_res_t *res = cls;
    long n = res->stream(res->stream_arg, buf, max);
    return n < 0 ? MHD_CONTENT_READER_END_OF_STREAM : (ssize_t) n;
}

static void s_stream_free(void *cls)
{
    http_res_t *res = cls;
    if (res->stream_free)
        res->stream_free(res->stream_arg);
    free(res);
}

/* A stream's headers, then its body as the stream gives it. */
static enum MHD_Result s_send_stream(struct MHD_Connection *conn, http_res_t *res)
{
    http_res_t *kept = malloc(sizeof *kept);
    struct MHD_Response *r =
        kept ? MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 4096, s_stream, kept,
                                                 s_stream_free)
             : NULL;
    if (!r) {
        if (res->stream_free)
            res->stream_free(res->stream_arg);
        free(kept);
        return MHD_NO;
    }
    *kept = *res;
    MHD_add_response_header(r, "Content-Type", res->type ? res->type : "text/event-stream");
    for (size_t i = 0; i < sizeof s_security_headers / sizeof *s_security_headers; i++)
        MHD_add_response_header(r, s_security_headers[i][0], s_security_headers[i][1]);
    MHD_add_response_header(r, "X-Accel-Buffering", "no");
    enum MHD_Result rc = MHD_queue_response(conn, res->status, r);
    MHD_destroy_response(r);
    return rc;
}

static enum MHD_Result s_send(struct MHD_Connection *conn, http_res_t *res)
{
    if (res->stream)
        return s_send_stream(conn, res);
    const char *fallback = "{\"error\":{\"code\":\"INTERNAL\",\"message\":\"no answer\"}}";
    struct MHD_Response *r =
        res->body ? MHD_create_response_from_buffer(res->body_len, res->body, MHD_RESPMEM_MUST_FREE)
                  : MHD_create_response_from_buffer(strlen(fallback), (void *) fallback,
                                                    MHD_RESPMEM_PERSISTENT);
    if (!r) {
        free(res->body);
        return MHD_NO;
    }
    MHD_add_response_header(r, "Content-Type", res->type ? res->type : "application/json");
    for (size_t i = 0; i < sizeof s_security_headers / sizeof *s_security_headers; i++)
        if (!res->cache_control || strcmp(s_security_headers[i][0], "Cache-Control") != 0)
            MHD_add_response_header(r, s_security_headers[i][0], s_security_headers[i][1]);
    if (res->cache_control)
        MHD_add_response_header(r, "Cache-Control", res->cache_control);
    if (res->etag[0])
        MHD_add_response_header(r, "ETag", res->etag);
    if (res->cookie[0])
        MHD_add_response_header(r, "Set-Cookie", res->cookie);
    if (res->retry_after) {
        char secs[16];
        snprintf(secs, sizeof secs, "%u", res->retry_after);
        MHD_add_response_header(r, "Retry-After", secs);
    }
    enum MHD_Result rc = MHD_queue_response(conn, res->body ? res->status : 500, r);
    MHD_destroy_response(r);
    return rc;
}

void http_json(http_res_t *res, unsigned status, json_t *body)
{
    res->status = status;
    res->body = body ? json_dumps(body, JSON_COMPACT) : NULL;
    res->body_len = res->body ? strlen(res->body) : 0;
    json_decref(body);
}

void http_refuse(http_res_t *res, unsigned status, const char *code, const char *detail)
{
    const errcode_t *row = errcode_find(code);
    json_t *err = json_pack("{s:s, s:s, s:s, s:s}", "code", code, "message",
                            row ? row->message : code, "detail", detail ? detail : "", "hint",
                            row && row->hint ? row->hint : "");
    http_json(res, status, json_pack("{s:o}", "error", err));
}

static enum MHD_Result s_too_large(struct MHD_Connection *conn, size_t max)
{
    http_res_t res = {.status = 413};
    char detail[64];
    snprintf(detail, sizeof detail, "the body is larger than %zu bytes", max);
    http_refuse(&res, 413, "BODY_TOO_LARGE", detail);
    return s_send(conn, &res);
}

static enum MHD_Result s_handle(void *cls, struct MHD_Connection *conn, const char *url,
                                const char *method, const char *version, const char *data,
                                size_t *data_size, void **state)
{
    (void) version;
    http_t *h = cls;
    s_upload_t *up = *state;
    if (!up) { /* the headers: decide early on a declared length */
        if (!(up = calloc(1, sizeof *up)))
            return MHD_NO;
        *state = up;
        up->started_ns = s_now_ns();
        const char *declared =
            MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
        if (declared && strtoull(declared, NULL, 10) > h->max_body)
            up->too_large = 1;
        return MHD_YES;
    }
    if (*data_size) { /* a piece of the body */
        if (!up->too_large && up->len + *data_size <= h->max_body) {
            char *grown = realloc(up->body, up->len + *data_size + 1);
            if (!grown)
                return MHD_NO;
            memcpy(grown + up->len, data, *data_size);
            up->body = grown;
            up->len += *data_size;
            up->body[up->len] = '\0';
        } else {
            up->too_large = 1; /* read and dropped: the answer comes at the end */
        }
        *data_size = 0;
        return MHD_YES;
    }
    if (up->state == S_ANSWERED) /* called again after the handler resumed it */
        return s_send(conn, &up->res);
    if (up->too_large)
        return s_too_large(conn, h->max_body);
    up->req = (http_req_t) {.method = method, .path = url, .body = up->body ? up->body : "",
                            .body_len = up->len, .conn = conn};
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (info && info->client_addr && info->client_addr->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *) info->client_addr)->sin_addr,
                  up->req.remote, sizeof up->req.remote);
    up->res = (http_res_t) {.status = 500};
    up->state = S_HANDLING;
    /* The handler may wait on a service: a handler thread takes it, and this
     * thread serves other connections meanwhile. The connection is suspended
     * before it is queued, so its resume can never come first. */
    pthread_mutex_lock(&h->lock);
    if (h->stopping) { /* shutting down: no handler thread is left to wait for */
        pthread_mutex_unlock(&h->lock);
        h->handler(&up->req, &up->res, h->arg);
        if (h->latency && !up->res.stream) /* a stream lasts as long as its reader */
            hist_observe_ns(h->latency, s_now_ns() - up->started_ns);
        up->state = S_ANSWERED;
        return s_send(conn, &up->res);
    }
    MHD_suspend_connection(conn);
    if (h->tail)
        h->tail->next = up;
    else
        h->head = up;
    h->tail = up;
    pthread_cond_signal(&h->ready);
    pthread_mutex_unlock(&h->lock);
    return MHD_YES;
}

/* A handler thread: takes the oldest waiting request, answers it, and hands
 * the connection back to its listener thread; until the queue is empty and
 * the listener stops. */
static void *s_handler_thread(void *arg)
{
    http_t *h = arg;
    for (;;) {
        pthread_mutex_lock(&h->lock);
        while (!h->head && !h->stopping)
            pthread_cond_wait(&h->ready, &h->lock);
        s_upload_t *up = h->head;
        if (up && !(h->head = up->next))
            h->tail = NULL;
        pthread_mutex_unlock(&h->lock);
        if (!up)
            return NULL;
        up->next = NULL;
        h->handler(&up->req, &up->res, h->arg);
        if (h->latency && !up->res.stream)
            hist_observe_ns(h->latency, s_now_ns() - up->started_ns);
        up->state = S_ANSWERED;
        MHD_resume_connection(up->req.conn);
    }
}

static void s_completed(void *cls, struct MHD_Connection *conn, void **state,
                        enum MHD_RequestTerminationCode toe)
{
    (void) cls, (void) conn, (void) toe;
    s_upload_t *up = *state;
    if (up) {
        free(up->body);
        free(up);
        *state = NULL;
    }
}

/* A whole (small) file, NUL-terminated; NULL when it cannot be read. */
static char *s_slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    char *text = calloc(1, 1 << 20);
    size_t n = text ? fread(text, 1, (1 << 20) - 1, f) : 0;
    fclose(f);
    if (text && n == 0) {
        free(text);
        text = NULL;
    }
    return text;
}

int http_new(const http_config_t *cfg, http_handler_fn handler, void *arg, http_t **out)
{
    http_t *h = calloc(1, sizeof *h);
    if (!h)
        return -1;
    unsigned tls = 0;
    if (cfg->tls_cert && cfg->tls_key) {
        h->cert = s_slurp(cfg->tls_cert);
        h->key = s_slurp(cfg->tls_key);
        if (!h->cert || !h->key) {
            log_error("gateway cannot read its TLS certificate %s or key %s", cfg->tls_cert,
                      cfg->tls_key);
            free(h->cert);
            free(h->key);
            free(h);
            return -1;
        }
        tls = MHD_USE_TLS;
    }
    h->handler = handler;
    h->arg = arg;
    h->max_body = cfg->max_body;
    h->latency = cfg->latency;
    pthread_mutex_init(&h->lock, NULL);
    pthread_cond_init(&h->ready, NULL);
    if (!(h->handlers = calloc(cfg->handlers, sizeof *h->handlers))) {
        http_destroy(&h);
        return -1;
    }
    for (; h->nhandlers < cfg->handlers; h->nhandlers++)
        if (pthread_create(&h->handlers[h->nhandlers], NULL, s_handler_thread, h)) {
            log_error("gateway cannot start its handler threads");
            http_destroy(&h);
            return -1;
        }
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t) cfg->port)};
    addr.sin_addr.s_addr = htonl(cfg->bind_any ? INADDR_ANY : INADDR_LOOPBACK);
    h->daemon = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG |
            MHD_ALLOW_SUSPEND_RESUME | tls,
        (uint16_t) cfg->port,
        NULL, NULL, s_handle, h, MHD_OPTION_SOCK_ADDR, &addr, MHD_OPTION_THREAD_POOL_SIZE,
        cfg->threads, MHD_OPTION_CONNECTION_LIMIT, cfg->max_conns, MHD_OPTION_CONNECTION_TIMEOUT,
        cfg->idle_s, MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t) 32768,
        MHD_OPTION_NOTIFY_COMPLETED, s_completed, h,
        tls ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, h->cert, MHD_OPTION_HTTPS_MEM_KEY, h->key,
        MHD_OPTION_END);
    if (!h->daemon) {
        log_error("gateway cannot listen on port %d%s", cfg->port,
                  tls ? " with its TLS certificate" : "");
        http_destroy(&h);
        return -1;
    }
    *out = h;
    return 0;
}

const char *http_header(const http_req_t *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

const char *http_query(const http_req_t *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *http_cookie(const http_req_t *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_COOKIE_KIND, name);
}

typedef struct {
    void (*fn)(const char *name, const char *value, void *arg);
    void *arg;
} s_each_t;

static enum MHD_Result s_each(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    (void) kind;
    s_each_t *e = cls;
    e->fn(key, value, e->arg);
    return MHD_YES;
}

void http_each_query(const http_req_t *req, void (*fn)(const char *name, const char *value, void *arg),
                     void *arg)
{
    s_each_t e = {fn, arg};
    MHD_get_connection_values(req->conn, MHD_GET_ARGUMENT_KIND, s_each, &e);
}

void http_suspend(void *conn)
{
    MHD_suspend_connection(conn);
}

void http_resume(void *conn)
{
    MHD_resume_connection(conn);
}

void http_destroy(http_t **self_p)
{
    http_t *h = *self_p;
    if (!h)
        return;
    *self_p = NULL;
    /* The handler threads answer what is queued and end; a request read after
     * this is answered on its listener's thread. Then no connection is left
     * suspended, as MHD_stop_daemon requires. */
    pthread_mutex_lock(&h->lock);
    h->stopping = 1;
    pthread_cond_broadcast(&h->ready);
    pthread_mutex_unlock(&h->lock);
    for (unsigned i = 0; i < h->nhandlers; i++)
        pthread_join(h->handlers[i], NULL);
    if (h->daemon)
        MHD_stop_daemon(h->daemon);
    pthread_mutex_destroy(&h->lock);
    pthread_cond_destroy(&h->ready);
    free(h->handlers);
    if (h->key)
        memset(h->key, 0, strlen(h->key));
    free(h->cert);
    free(h->key);
    free(h);
}
