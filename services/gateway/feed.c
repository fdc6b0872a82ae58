#include "feed.h"

#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "envelope.h"
#include "feedscope.h"
#include "log.h"
#include "msgtypes.h"
#include "pbjson.h"
#include "subready.h"

#define NSTREAMS 3
#define POLL_MS 200
#define KEEPALIVE_MS 15000
#define RECHECK_MS 10000
#define BATCH 64
#define OUT_SOFT_MAX 65536

static const char *const s_streams[NSTREAMS] = {"intake", "routing", "deliberation"};
static const char s_letters[NSTREAMS] = {'i', 'r', 'd'};

typedef struct conn conn_t;

struct feed {
    uv_timer_t timer;
    PGconn *conn; /* the loop's */
    pool_t *pool;
    unsigned max_streams, open;
    _Atomic long long heads[NSTREAMS];
    _Atomic int stopping;
    _Atomic uint64_t generation;
    int64_t last_wake_ms;
    /* what /readyz and /metrics say of each stream (NULL without health) */
    health_cond_t *ready[NSTREAMS];
    _Atomic uint64_t *m_position[NSTREAMS], *m_connected[NSTREAMS];
    pthread_mutex_t lock; /* the list and each stream's `suspended` */
    conn_t *list;
};

struct conn {
    feed_t *feed;
    conn_t *next;
    void *http;       /* the connection, for suspend and resume */
    int suspended;
    long long cursor[NSTREAMS];
    principal_t who;
    char credential[CREDENTIAL_TOKEN_MAX];
    feedscope_t scope;
    char *out;
    size_t out_len, out_pos, out_cap;
    int64_t checked_ms, sent_ms;
};

int feed_parse_id(const char *id, long long seq[NSTREAMS])
{
    const char *p = id;
    for (int i = 0; i < NSTREAMS; i++) {
        if (*p++ != s_letters[i])
            return -1;
        char *end;
        if (*p < '0' || *p > '9')
            return -1;
        seq[i] = strtoll(p, &end, 10);
        if (end - p > 18 || (i + 1 < NSTREAMS ? *end != '.' : *end != '\0'))
            return -1;
        p = end + (i + 1 < NSTREAMS);
    }
    return 0;
}

static void s_format_id(const long long seq[NSTREAMS], char out[64])
{
    snprintf(out, 64, "i%lld.r%lld.d%lld", seq[0], seq[1], seq[2]);
}

/* --- the timer: where the streams are; wake who waits -------------------- */

static void s_wake_all(feed_t *f)
{
    pthread_mutex_lock(&f->lock);
    for (conn_t *c = f->list; c; c = c->next)
        if (c->suspended) {
            c->suspended = 0;
            http_resume(c->http);
        }
    pthread_mutex_unlock(&f->lock);
}

/* Tells /readyz and /metrics whether the streams' heads could be read
 * (a stream without a row has no event yet: its head is 0). */
static void s_report(feed_t *f, int read)
{
    for (int i = 0; i < NSTREAMS; i++) {
        if (f->ready[i])
            atomic_store(f->ready[i], read ? NULL : subready_name(SUBREADY_HEAD_UNKNOWN));
        if (f->m_connected[i])
            atomic_store(f->m_connected[i], (uint64_t) read);
        if (f->m_position[i])
            atomic_store(f->m_position[i], (uint64_t) atomic_load(&f->heads[i]));
    }
}

static void s_on_timer(uv_timer_t *timer)
{
    feed_t *f = timer->data;
    PGresult *res = db_exec(f->conn, "SELECT stream, last_seq FROM outbox_streams", 0, NULL, NULL);
    int read = res != NULL, moved = 0;
    for (int r = 0; res && r < PQntuples(res); r++)
        for (int i = 0; i < NSTREAMS; i++)
            if (strcmp(PQgetvalue(res, r, 0), s_streams[i]) == 0) {
                long long seq = strtoll(PQgetvalue(res, r, 1), NULL, 10);
                if (seq > atomic_load(&f->heads[i])) {
                    atomic_store(&f->heads[i], seq);
                    moved = 1;
                }
            }
    PQclear(res);
    if (moved)
        atomic_fetch_add(&f->generation, 1);
    s_report(f, read);
    int64_t now = envelope_now_ms();
    /* Wake every stream at least as often as credentials are checked again,
     * so a revoked one ends in time; a keep-alive goes out only when due. */
    if (moved || now - f->last_wake_ms >= RECHECK_MS) {
        f->last_wake_ms = now;
        s_wake_all(f);
    }
}

int feed_new(uv_loop_t *loop, PGconn *conn, pool_t *pool, unsigned max_streams, health_t *health,
             feed_t **out)
{
    feed_t *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    for (int i = 0; health && i < NSTREAMS; i++) {
        char labels[64], what[64];
        snprintf(labels, sizeof labels, "stream=\"%s\"", s_streams[i]);
        snprintf(what, sizeof what, "feed %s", s_streams[i]);
        f->ready[i] = health_condition(health, what);
        f->m_position[i] = health_metric_labelled(health, "feed_position", labels,
                                                  "the last event of the stream the live feeds "
                                                  "know of (outbox_streams, every 200 ms)",
                                                  HEALTH_GAUGE);
        f->m_connected[i] = health_metric_labelled(health, "feed_connected", labels,
                                                   "1 while the feed reads the stream's head",
                                                   HEALTH_GAUGE);
        if (!f->ready[i] || !f->m_position[i] || !f->m_connected[i]) {
            log_error("the feed cannot report on %s: too many metrics", s_streams[i]);
            free(f);
            return -1;
        }
    }
    f->conn = conn;
    f->pool = pool;
    f->max_streams = max_streams;
    pthread_mutex_init(&f->lock, NULL);
    uv_timer_init(loop, &f->timer);
    f->timer.data = f;
    s_on_timer(&f->timer); /* know where the streams are before the first request */
    uv_timer_start(&f->timer, s_on_timer, POLL_MS, POLL_MS);
    *out = f;
    return 0;
}

/* --- one stream ------------------------------------------------------------ */

/* Cuts personal data out of an event's JSON, at any depth. */
static void s_redact(json_t *j)
{
    static const char *const cut[] = {"reporter", "phone", "email", "callers", "contact_hint"};
    if (json_is_object(j)) {
        for (size_t i = 0; i < sizeof cut / sizeof *cut; i++)
            json_object_del(j, cut[i]);
        const char *key;
        json_t *v;
        json_object_foreach(j, key, v) s_redact(v);
    } else if (json_is_array(j)) {
        size_t i;
        json_t *v;
        json_array_foreach(j, i, v) s_redact(v);
    }
}

static int s_append(conn_t *c, const char *text, size_t len)
{
    if (c->out_len + len > c->out_cap) {
        size_t cap = c->out_cap ? c->out_cap : 4096;
        while (cap < c->out_len + len)
            cap *= 2;
        char *grown = realloc(c->out, cap);
        if (!grown)
            return -1;
        c->out = grown;
        c->out_cap = cap;
    }
    memcpy(c->out + c->out_len, text, len);
    c->out_len += len;
    return 0;
}

/* Looks up who blew whistle `id` (once per whistle and stream: feedscope
 * keeps it). A database failure learns nothing, so the next event asks again. */
static void s_learn_whistle(conn_t *c, worker_t *w, int64_t id)
{
    char ids[24];
    snprintf(ids, sizeof ids, "%lld", (long long) id);
    const char *params[] = {ids};
    PGresult *res = pstmt_exec(w->sql,
                               "SELECT u.code FROM whistles w JOIN units u ON u.id = w.caller_unit_id"
                               " WHERE w.id = $1::bigint",
                               1, params, NULL);
    if (res)
        feedscope_learn_whistle(&c->scope, id, PQntuples(res) == 1 ? PQgetvalue(res, 0, 0) : "");
    PQclear(res);
}

/* One stored event: sent when the person may see it; the position moves
 * past it either way. */
static void s_event(conn_t *c, worker_t *w, int stream, long long seq, const uint8_t *bytes,
                    size_t len)
{
    c->cursor[stream] = seq;
    Gov__Envelope *env = envelope_unpack(bytes, len);
    const ProtobufCMessageDescriptor *desc = env ? msgtypes_find(env->type) : NULL;
    ProtobufCMessage *msg = desc ? envelope_payload(env, desc) : NULL;
    int64_t whistle = msg ? feedscope_whistle_wanted(&c->scope, s_streams[stream], msg) : 0;
    if (whistle)
        s_learn_whistle(c, w, whistle);
    if (msg && feedscope_visible(&c->scope, s_streams[stream], msg)) {
        json_t *data = pbjson_from_message(msg);
        s_redact(data);
        json_t *event = json_pack("{s:s, s:I, s:s, s:I, s:o}", "stream", s_streams[stream], "seq",
                                  (json_int_t) seq, "type", env->type, "time_ms",
                                  (json_int_t) env->time_ms, "data", data);
        char *text = event ? json_dumps(event, JSON_COMPACT) : NULL;
        char id[64], head[128];
        s_format_id(c->cursor, id);
        int n = snprintf(head, sizeof head, "id: %s\nevent: %s\ndata: ", id, env->type);
        if (text && n > 0 && (size_t) n < sizeof head && !s_append(c, head, (size_t) n) &&
            !s_append(c, text, strlen(text)))
            s_append(c, "\n\n", 2);
        free(text);
        json_decref(event);
    }
    if (msg)
        protobuf_c_message_free_unpacked(msg, NULL);
    envelope_free(&env);
}

/* Reads the next events of `stream` after the stream's position. Returns
 * 0, or -1 when the database failed. */
static int s_read(conn_t *c, worker_t *w, int stream)
{
    char after[24], limit[8];
    snprintf(after, sizeof after, "%lld", c->cursor[stream]);
    snprintf(limit, sizeof limit, "%d", BATCH);
    const char *params[] = {s_streams[stream], after, limit};
    PGresult *res = pstmt_exec(w->sql,
                               "SELECT seq, payload FROM outbox WHERE stream = $1"
                               " AND seq > $2::bigint ORDER BY seq LIMIT $3::int",
                               3, params, NULL);
    if (!res)
        return -1;
    for (int r = 0; r < PQntuples(res) && c->out_len < OUT_SOFT_MAX; r++) {
        size_t len;
        unsigned char *bytes = PQunescapeBytea((const unsigned char *) PQgetvalue(res, r, 1), &len);
        if (bytes)
            s_event(c, w, stream, strtoll(PQgetvalue(res, r, 0), NULL, 10), bytes, len);
        PQfreemem(bytes);
    }
    PQclear(res);
    return 0;
}

/* Fills `c->out` with what there is to send. Returns 1 when there is
 * something, 0 when nothing, -1 when the stream must end. */
static int s_fill(conn_t *c, const long long heads[NSTREAMS])
{
    feed_t *f = c->feed;
    int64_t now = envelope_now_ms();
    int behind = 0;
    for (int i = 0; i < NSTREAMS; i++)
        behind |= c->cursor[i] < heads[i];
    if (!behind && now - c->checked_ms < RECHECK_MS) {
        if (now - c->sent_ms < KEEPALIVE_MS)
            return 0;
        return s_append(c, ": keep-alive\n\n", 14) ? -1 : 1;
    }
    worker_t *w = pool_take(f->pool);
    int rc = 0;
    if (now - c->checked_ms >= RECHECK_MS) { /* a revoked credential ends its streams */
        principal_t again;
        int found = c->who.via == AUTH_BEARER
                        ? auth_resolve(w, NULL, NULL, c->credential, now, &again)
                        : auth_resolve(w, NULL, c->credential, NULL, now, &again);
        c->checked_ms = now;
        if (found == 0)
            rc = -1;
    }
    for (int i = 0; rc == 0 && i < NSTREAMS && c->out_len == 0; i++)
        if (c->cursor[i] < heads[i] && s_read(c, w, i))
            rc = -1;
    pool_give(f->pool, w);
    return rc < 0 ? -1 : c->out_len > 0;
}

static long s_pull(void *arg, char *buf, size_t max)
{
    conn_t *c = arg;
    feed_t *f = c->feed;
    for (int tries = 0; c->out_pos == c->out_len; tries++) {
        if (atomic_load(&f->stopping))
            return -1;
        c->out_len = c->out_pos = 0;
        long long heads[NSTREAMS];
        for (int i = 0; i < NSTREAMS; i++)
            heads[i] = atomic_load(&f->heads[i]);
        int rc = s_fill(c, heads);
        if (rc < 0)
            return -1;
        if (rc > 0)
            break;
        /* Nothing: wait, unless the streams moved since we looked (the
         * timer moves the heads before it takes the lock to wake us). */
        pthread_mutex_lock(&f->lock);
        int moved = 0;
        for (int i = 0; i < NSTREAMS; i++)
            moved |= atomic_load(&f->heads[i]) != heads[i];
        if (!moved || tries > 8) {
            c->suspended = 1;
            http_suspend(c->http);
            pthread_mutex_unlock(&f->lock);
            return 0;
        }
        pthread_mutex_unlock(&f->lock);
    }
    size_t n = c->out_len - c->out_pos;
    if (n > max)
        n = max;
    memcpy(buf, c->out + c->out_pos, n);
    c->out_pos += n;
    c->sent_ms = envelope_now_ms();
    return (long) n;
}

static void s_close(void *arg)
{
    conn_t *c = arg;
    feed_t *f = c->feed;
    pthread_mutex_lock(&f->lock);
    for (conn_t **p = &f->list; *p; p = &(*p)->next)
        if (*p == c) {
            *p = c->next;
            break;
        }
    f->open--;
    pthread_mutex_unlock(&f->lock);
    free(c->out);
    free(c);
}

/* What `who` may see: their units with kinds and areas, their home grid. */
static int s_scope(worker_t *w, const principal_t *who, feedscope_t *s)
{
    memset(s, 0, sizeof *s);
    snprintf(s->person, sizeof s->person, "%s", who->code);
    char id[24];
    snprintf(id, sizeof id, "%lld", (long long) who->person_id);
    const char *params[] = {id};
    PGresult *res = pstmt_exec(
        w->sql,
        "SELECT u.code, u.kind, coalesce(a.code, '') FROM unit_members m"
        " JOIN units u ON u.id = m.unit_id LEFT JOIN areas a ON a.id = u.area_id"
        " WHERE m.person_id = $1::bigint ORDER BY u.code LIMIT 8",
        1, params, NULL);
    if (!res)
        return -1;
    for (int r = 0; r < PQntuples(res); r++) {
        feedscope_unit_t *u = &s->units[s->nunits++];
        snprintf(u->code, sizeof u->code, "%s", PQgetvalue(res, r, 0));
        snprintf(u->kind, sizeof u->kind, "%s", PQgetvalue(res, r, 1));
        snprintf(u->area, sizeof u->area, "%s", PQgetvalue(res, r, 2));
        if (strcmp(u->kind, "dispatch_centre") == 0 || strcmp(u->kind, "leadership") == 0)
            s->all = 1;
    }
    PQclear(res);
    res = pstmt_exec(w->sql,
                     "SELECT a.code FROM residents r JOIN households h ON h.id = r.household_id"
                     " JOIN areas a ON a.id = h.grid_id WHERE r.person_id = $1::bigint",
                     1, params, NULL);
    if (!res)
        return -1;
    if (PQntuples(res) == 1)
        snprintf(s->home, sizeof s->home, "%s", PQgetvalue(res, 0, 0));
    PQclear(res);
    return 0;
}

void feed_open(feed_t *f, worker_t *w, const principal_t *who, const char *credential,
               const http_req_t *req, http_res_t *res)
{
    const char *last = http_header(req, "Last-Event-ID");
    conn_t *c = calloc(1, sizeof *c);
    if (!c) {
        http_refuse(res, 503, "OVERLOADED", "out of memory");
        return;
    }
    if (last && feed_parse_id(last, c->cursor)) {
        free(c);
        http_refuse(res, 400, "BAD_JSON", "Last-Event-ID is not a position this gateway gave");
        return;
    }
    if (!last)
        for (int i = 0; i < NSTREAMS; i++)
            c->cursor[i] = atomic_load(&f->heads[i]);
    if (s_scope(w, who, &c->scope)) {
        free(c);
        http_refuse(res, 503, "DB_UNAVAILABLE", "the database did not answer");
        return;
    }
    c->feed = f;
    c->http = req->conn;
    c->who = *who;
    snprintf(c->credential, sizeof c->credential, "%s", credential);
    c->checked_ms = c->sent_ms = envelope_now_ms();
    pthread_mutex_lock(&f->lock);
    int full = f->open >= f->max_streams;
    if (!full) {
        c->next = f->list;
        f->list = c;
        f->open++;
    }
    pthread_mutex_unlock(&f->lock);
    if (full) {
        free(c);
        http_refuse(res, 503, "OVERLOADED", "too many event streams are open");
        res->retry_after = 5;
        return;
    }
    /* The first bytes say how long a browser waits before reconnecting. */
    s_append(c, "retry: 2000\n\n", 13);
    res->status = 200;
    res->type = "text/event-stream";
    res->stream = s_pull;
    res->stream_arg = c;
    res->stream_free = s_close;
}

uint64_t feed_generation(feed_t *f)
{
    return atomic_load(&f->generation);
}

void feed_touch(feed_t *f)
{
    atomic_fetch_add(&f->generation, 1);
}

void feed_stop(feed_t *f)
{
    if (!f)
        return;
    atomic_store(&f->stopping, 1);
    s_wake_all(f);
}

void feed_destroy(feed_t **self_p)
{
    feed_t *f = *self_p;
    if (!f)
        return;
    *self_p = NULL;
    uv_timer_stop(&f->timer);
    uv_close((uv_handle_t *) &f->timer, (uv_close_cb) free);
    pthread_mutex_destroy(&f->lock);
}
