/* gov-gateway: the front door. People and integrations reach the backbone
 * over HTTP here, each as themselves; the gateway holds no business state.
 *
 * It listens on GOV_GATEWAY_PORT (http.c: bounded connections, headers and
 * bodies, security headers on every answer). A request proves who sends it
 * with a session cookie or an API token (auth.c: only digests are stored,
 * checked on every request against what the database last said, so a
 * revocation is felt on the next request); a session
 * opens with a password or a one-time code that notify texts (logincode.c). The JSON
 * API (api.c) turns the request into the owning service's typed message,
 * with that person as the actor, and sends it over CURVE with the gateway's
 * key — one of the few the services let act for people — from a pool of
 * workers (pool.c), each with its own database connection and sockets. The
 * services decide; the gateway answers with what they said. GET
 * /api/v1/events streams what the person may see, live (feed.c). A city's
 * Open311 apps use /open311/v2/ (open311.c) with an api key, acting for no
 * person. Every other path is a file of the console (web.c, docs/console.md).
 *
 * Health and metrics are on GOV_GATEWAY_HTTP_PORT, like every service's. */
#include <stdio.h>
#include <stdlib.h>

#include "api.h"
#include "config.h"
#include "http.h"
#include "log.h"
#include "pool.h"
#include "svc.h"

typedef struct {
    svc_t svc;
    gateway_t gw;
    http_t *http;
    _Atomic uint64_t *m_requests, *m_refused, *m_logins_failed, *m_hits, *m_misses, *m_filing_hits,
        *m_principal_hits;
} gateway_main_t;

static void s_tick(void *arg)
{
    gateway_main_t *self = arg;
    atomic_store(self->m_requests, atomic_load(&self->gw.requests));
    atomic_store(self->m_refused, atomic_load(&self->gw.refused));
    atomic_store(self->m_logins_failed, atomic_load(&self->gw.logins_failed));
    if (self->gw.cache) {
        uint64_t hits, misses;
        cache_stats(self->gw.cache, &hits, &misses);
        atomic_store(self->m_hits, hits);
        atomic_store(self->m_misses, misses);
    }
    if (self->gw.filing) {
        uint64_t hits, misses;
        cache_stats(self->gw.filing, &hits, &misses);
        atomic_store(self->m_filing_hits, hits);
    }
    if (self->gw.principals) {
        uint64_t hits, misses;
        cache_stats(self->gw.principals, &hits, &misses);
        atomic_store(self->m_principal_hits, hits);
    }
}

int main(void)
{
    log_init("gateway");
    int bad = 0;
    gateway_main_t self = {0};
    svc_config_t cfg = svc_config("GOV_GATEWAY_HTTP_PORT", 8081, &bad);
    http_config_t http = {
        .port = (int) config_int("GOV_GATEWAY_PORT", 8080, 1, 65535, &bad),
        .bind_any = cfg.http_any,
        .threads = (unsigned) config_int("GOV_GATEWAY_THREADS", 2, 1, 256, &bad),
        .max_body = (size_t) config_int("GOV_GATEWAY_MAX_BODY", 65536, 1024, 16 << 20, &bad),
        .max_conns = (unsigned) config_int("GOV_GATEWAY_MAX_CONNECTIONS", 1000, 1, 100000, &bad),
        .idle_s = (unsigned) config_int("GOV_GATEWAY_IDLE_S", 30, 1, 3600, &bad),
        .tls_cert = config_str("GOV_GATEWAY_TLS_CERT", NULL),
        .tls_key = config_str("GOV_GATEWAY_TLS_KEY", NULL),
    };
    if (!http.tls_cert != !http.tls_key) {
        log_error("set both GOV_GATEWAY_TLS_CERT and GOV_GATEWAY_TLS_KEY, or neither");
        bad = 1;
    }
    unsigned workers = (unsigned) config_int("GOV_GATEWAY_WORKERS", 32, 1, 256, &bad);
    http.handlers = workers; /* a handler thread waits for a worker only while the feed holds one */
    unsigned streams = (unsigned) config_int("GOV_GATEWAY_MAX_STREAMS", 200, 1, 100000, &bad);
    gateway_t *gw = &self.gw;
    gw->timeout_ms = (int) config_int("GOV_GATEWAY_TIMEOUT_MS", 5000, 100, 600000, &bad);
    gw->session_ttl_ms = 1000 * config_int("GOV_GATEWAY_SESSION_S", 8 * 3600, 60, 30 * 86400, &bad);
    gw->login_code_ttl_ms = 1000 * config_int("GOV_GATEWAY_LOGIN_CODE_S", 300, 1, 3600, &bad);
    gw->secure_cookie = (int) config_int("GOV_GATEWAY_SECURE_COOKIE", 0, 0, 1, &bad);
    if (http.tls_cert)
        gw->secure_cookie = 1; /* over HTTPS the cookie never travels in the clear */
    const char *endpoints[GW_SERVICES] = {
        [GW_INTAKE] = config_str("GOV_INTAKE_ENDPOINT", CONFIG_INTAKE_ENDPOINT_DEFAULT),
        [GW_ROUTING] = config_str("GOV_ROUTING_ENDPOINT", CONFIG_ROUTING_ENDPOINT_DEFAULT),
        [GW_DELIBERATION] =
            config_str("GOV_DELIBERATION_ENDPOINT", CONFIG_DELIBERATION_ENDPOINT_DEFAULT),
        [GW_NOTIFY] = config_str("GOV_NOTIFY_ENDPOINT", CONFIG_NOTIFY_ENDPOINT_DEFAULT),
    };
    double rate = (double) config_int("GOV_GATEWAY_RATE", 50, 1, 1000000, &bad);
    double burst = (double) config_int("GOV_GATEWAY_BURST", 100, 1, 1000000, &bad);
    double logins = (double) config_int("GOV_GATEWAY_LOGINS_PER_MIN", 10, 1, 100000, &bad);
    if (bad)
        return 2;
    gw->per_address = limiter_new(rate, burst, 65536);
    gw->per_person = limiter_new(rate, burst, 65536);
    gw->logins = limiter_new(logins / 60.0, logins, 65536);
    size_t cache_mb = (size_t) config_int("GOV_GATEWAY_CACHE_MB", 32, 0, 4096, &bad);
    gw->cache = cache_mb ? cache_new(cache_mb << 20) : NULL;

    int rc = 1;
    svc_t *svc = &self.svc;
    if (svc_new(svc, "gateway", &cfg))
        goto done;
    health_t *h = svc->health;
    self.m_requests = health_metric(h, "http_requests_total", "HTTP requests", HEALTH_COUNTER);
    self.m_refused = health_metric(h, "http_refused_total", "HTTP answers 4xx and 5xx", HEALTH_COUNTER);
    self.m_logins_failed =
        health_metric(h, "logins_failed_total", "logins with a wrong person, password or code", HEALTH_COUNTER);
    self.m_hits = health_metric(h, "cache_hits_total", "reads answered from the cache", HEALTH_COUNTER);
    self.m_misses = health_metric(h, "cache_misses_total", "cacheable reads sent to routing", HEALTH_COUNTER);
    self.m_filing_hits = health_metric(h, "filing_cache_hits_total",
                                       "Open311 api keys and categories found in memory", HEALTH_COUNTER);
    self.m_principal_hits = health_metric(h, "session_cache_hits_total",
                                          "sessions and API tokens found in memory", HEALTH_COUNTER);
    http.latency = health_histogram(h, "http_request_duration_seconds",
                                    "from a request's headers to its answer (streams not counted)");
    svc_on_tick(svc, s_tick, &self);
    if (!gw->per_address || !gw->per_person || !gw->logins || (cache_mb && !gw->cache))
        goto done;
    if (web_new(config_str("GOV_GATEWAY_WEB_DIR", NULL), config_str("GOV_GATEWAY_VENDOR_DIR", NULL),
                &gw->web))
        goto done;
    /* Open311 api keys and category names, and who each live session or API
     * token is, in memory while their tables stand still */
    if (cache_mb && (!(gw->filing = cache_new(1 << 20)) || !(gw->principals = cache_new(4 << 20)) ||
                     dbwatch_new(cfg.db_url, "gateway_cache", &gw->watch)))
        goto done;
    if (pool_new(svc->zctx, cfg.db_url, endpoints, workers, &gw->pool) ||
        feed_new(svc->loop, svc->conn, gw->pool, streams, svc->health, &gw->feed) ||
        http_new(&http, api_handle, gw, &self.http))
        goto done;
    log_info("gateway ready: %s on %s:%d, health on :%d", http.tls_cert ? "HTTPS" : "HTTP",
             http.bind_any ? "*" : "127.0.0.1", http.port, cfg.http_port);
    rc = svc_run(svc);
done:
    feed_stop(gw->feed);      /* event streams end, */
    http_destroy(&self.http); /* and no request runs past this */
    feed_destroy(&gw->feed);
    pool_destroy(&gw->pool);
    limiter_destroy(&gw->per_address);
    limiter_destroy(&gw->per_person);
    limiter_destroy(&gw->logins);
    cache_destroy(&gw->cache);
    cache_destroy(&gw->filing);
    cache_destroy(&gw->principals);
    dbwatch_destroy(&gw->watch);
    web_destroy(&gw->web);
    svc_destroy(svc);
    return rc;
}
