/* http: the gateway's listener (libmicrohttpd, already the services' health
 * listener). It bounds what a client can make it hold — the connections,
 * each connection's header memory, a body's size, the time a connection may
 * idle — and reads a request whole on a few listener threads. The handler,
 * which may wait on a service, runs on a thread of its own pool while the
 * connection is suspended (libmicrohttpd's flow control: nothing blocks a
 * listener, so one slow answer never holds up the other connections of its
 * thread). The answer goes out with the security headers every response
 * carries (no sniffing, no framing, a CSP that forbids inline script). */
#ifndef GOV_GATEWAY_HTTP_H
#define GOV_GATEWAY_HTTP_H

#include <jansson.h>
#include <stddef.h>

#include "hist.h"

typedef struct http http_t;

/* One request, read whole. Borrowed by the handler for its call. */
typedef struct {
    const char *method; /* "GET", "POST" ... */
    const char *path;   /* without the query */
    const char *body;   /* NUL-terminated; "" when none */
    size_t body_len;
    char remote[64];    /* the peer's address, for rate limits and logs */
    void *conn;         /* for http_header / http_query / http_cookie */
} http_req_t;

/* A streamed answer (server-sent events): called each time the client can
 * take more, it copies at most `max` bytes into `buf` and returns how many;
 * or calls http_suspend first and returns 0 when it has nothing yet (someone
 * calls http_resume when it has); or returns -1 to end the stream. */
typedef long (*http_stream_fn)(void *arg, char *buf, size_t max);

/* What the handler answers. `body` is malloc'd (the listener frees it). */
typedef struct {
    unsigned status;
    const char *type;   /* content type; "application/json" when NULL */
    char *body;
    size_t body_len;
    char cookie[256];   /* a Set-Cookie value, "" for none */
    unsigned retry_after; /* seconds, for 429 and 503; 0 for none */
    const char *cache_control; /* NULL: "no-store" (a file of the console: web.h) */
    char etag[48];         /* an ETag, "" for none */
    http_stream_fn stream; /* instead of body: a stream, */
    void *stream_arg;      /* its argument, */
    void (*stream_free)(void *arg); /* freed with this once the client is gone */
} http_res_t;

typedef void (*http_handler_fn)(const http_req_t *req, http_res_t *res, void *arg);

typedef struct {
    int port;
    int bind_any;        /* 0: 127.0.0.1 only */
    unsigned threads;    /* the listener threads: reading requests, sending answers */
    unsigned handlers;   /* the threads running the handler (each may wait on a service) */
    size_t max_body;     /* bytes; a larger body is refused with 413 */
    unsigned max_conns;
    unsigned idle_s;     /* a connection idle this long is closed */
    const char *tls_cert, *tls_key; /* PEM files: HTTPS when both are set */
    hist_t *latency;     /* when set: each answer's time from the request's headers */
} http_config_t;

/* Starts listening. Returns 0 and sets `*out`, or -1 after logging. */
int http_new(const http_config_t *cfg, http_handler_fn handler, void *arg, http_t **out);

/* Answers `status` with `body` as compact JSON (the reference is taken). */
void http_json(http_res_t *res, unsigned status, json_t *body);

/* A refusal in the gateway's shape, {"error": {code, message, detail, hint}},
 * the words from the table of codes (common/errcodes.h). */
void http_refuse(http_res_t *res, unsigned status, const char *code, const char *detail);

/* A request header, a query argument, a cookie (NULL when absent). */
const char *http_header(const http_req_t *req, const char *name);
const char *http_query(const http_req_t *req, const char *name);
const char *http_cookie(const http_req_t *req, const char *name);

/* Calls `fn` with each query argument (name, value; value may be NULL). */
void http_each_query(const http_req_t *req, void (*fn)(const char *name, const char *value, void *arg),
                     void *arg);

/* Holds a streamed answer's connection (`conn` from its request) until
 * http_resume; from inside its http_stream_fn only. Resume from any thread. */
void http_suspend(void *conn);
void http_resume(void *conn);

/* Stops accepting, finishes what is under way, frees. Streams must have been
 * resumed and ended before. NULLs; safe on NULL. */
void http_destroy(http_t **self_p);

#endif
