#include "pump.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "curluv.h"
#include "db.h"
#include "log.h"
#include "pgasync.h"
#include "plan.h"
#include "queries.h"
#include "ratelimit.h"
#include "ration.h"
#include "record.h"
#include "rowq.h"
#include "settle.h"

/* One request under way. */
typedef struct send {
    pump_t *pump;
    const channel_t *ch;
    channel_req_t req;
    int64_t id;
    int failures;
    char destination[512];
    struct send *prev, *next;
} send_t;

typedef record_outcome_t result_t;

struct pump {
    uv_timer_t wake;          /* a kick: look on the next pass of the loop */
    uv_timer_t due;           /* the next due row */
    uv_timer_t sweep;
    PGconn *conn;
    pgasync_t *claim;         /* a claim under way: the connection is its alone */
    const svclock_t *clock;
    channel_config_t ch;
    pump_config_t cfg;
    settle_config_t settle;   /* cfg's retry and window settings */
    curluv_t *cu;
    ratelimit_t *robots;
    send_t *sends;
    rowq_t *queue;            /* claimed and not yet started, robots first */
    int drained;              /* the last claim found nothing more due */
    uint64_t wakes;           /* times something may have become due */
    uint64_t claim_wakes;     /* wakes when the claim under way began */
    record_t *record;         /* outcomes, written on their own connection */
    int64_t claim_now, claim_lease;
    unsigned int seed;        /* jitter */
    pump_stats_t stats;
    int closed_handles;
};

static void s_on_wake(uv_timer_t *timer);
static void s_on_due(uv_timer_t *timer);

/* Rows are claimed ahead when fewer than this many wait for a free slot. */
#define QUEUE_LOW(p) ((size_t) (p)->cfg.concurrency)

/* Look again on the next pass of the loop, for room only: the database is
 * not asked unless the queue runs low and the last claim was not short. */
static void s_kick_room(pump_t *p)
{
    uv_timer_start(&p->wake, s_on_wake, 0, 0);
}

/* Something may have become due: the next cycle claims again. */
static void s_undrain(pump_t *p)
{
    p->drained = 0;
    p->wakes++;
}

static int64_t s_now(const pump_t *p)
{
    return svclock_now_ms(p->clock);
}

/* Queues an outcome to be written with the others of this pass. */
static void s_result(pump_t *p, const result_t *r)
{
    record_add(p->record, r);  /* on failure the row stays 'sending' and its lease runs out */
}

/* A batch of outcomes is durable: their slots are free, and retried or
 * rate-limited rows are pending again, so look for when. */
static void s_on_recorded(size_t n, size_t pending, void *arg)
{
    (void) n;
    pump_t *p = arg;
    if (pending)
        s_undrain(p);
    s_kick_room(p);
}

/* What an outcome means for the row (settle.h); a robot that said it is
 * full gets nothing more this window. */
static void s_settle(pump_t *p, result_t *r, outcome_t outcome, int failures, const char *dest,
                     int group)
{
    int64_t now = s_now(p);
    settle_t s = settle_outcome(&p->settle, outcome, failures, now, (uint32_t) rand_r(&p->seed));
    r->outcome = s.outcome;
    r->state = s.state;
    r->failures = s.failures;
    r->next_ms = s.next_ms;
    if (outcome == OUTCOME_SENT)
        p->stats.sent++;
    else if (outcome == OUTCOME_RATE_LIMITED)
        p->stats.rate_limited++;
    else if (settle_is_dead(&s))
        p->stats.dead++;
    else
        p->stats.retried++;
    if (outcome == OUTCOME_RATE_LIMITED && group)
        ratelimit_fill(p->robots, dest, now);
}

static void s_unlink(pump_t *p, send_t *s)
{
    if (s->prev)
        s->prev->next = s->next;
    else
        p->sends = s->next;
    if (s->next)
        s->next->prev = s->prev;
    p->stats.inflight--;
}

static void s_on_done(CURL *easy, CURLcode rc, void *arg)
{
    send_t *s = arg;
    pump_t *p = s->pump;
    long status = 0;
    double secs = 0;
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_getinfo(easy, CURLINFO_TOTAL_TIME, &secs);
    result_t r = {.id = s->id, .status = status, .ms = (int) (secs * 1000)};
    outcome_t outcome = s->ch->judge(&s->req, rc, status, r.why, sizeof r.why);
    snprintf(r.response, sizeof r.response, "%.255s", s->req.response);
    if (s->ch->group)
        ratelimit_finished(p->robots, s->destination, s_now(p));
    s_settle(p, &r, outcome, s->failures, s->destination, s->ch->group);
    if (strcmp(r.state, "dead") == 0)
        log_warn("notify: delivery %" PRId64 " is dead: %s", s->id, r.why);
    s_unlink(p, s);
    channel_req_clear(&s->req);
    free(s);
    s_result(p, &r);
    s_kick_room(p);  /* room for one more */
}

/* Starts one request; a row that cannot even start is settled at once. */
static void s_send(pump_t *p, const rowq_row_t *row, int64_t now)
{
    result_t r = {.id = row->id};
    const channel_t *ch = channel_find(row->channel);
    send_t *s = ch ? calloc(1, sizeof *s) : NULL;
    delivery_t d = {row->id, row->idem_key, row->kind, row->recipient, row->channel,
                    row->destination, row->secret, row->subject, row->body};
    if (!s || channel_req_init(&s->req, &p->ch) || ch->prepare(&p->ch, &d, now, &s->req)) {
        snprintf(r.why, sizeof r.why, "%s", !ch ? "unknown channel" : !s ? "out of memory"
                                            : "the channel cannot send this delivery");
        s_settle(p, &r, OUTCOME_FAILED, row->failures, row->destination, 0);
        if (s)
            channel_req_clear(&s->req);
        free(s);
        s_result(p, &r);
        return;
    }
    s->pump = p;
    s->ch = ch;
    s->id = row->id;
    s->failures = row->failures;
    snprintf(s->destination, sizeof s->destination, "%s", row->destination);
    if (curluv_add(p->cu, s->req.easy, s_on_done, s)) {
        snprintf(r.why, sizeof r.why, "cannot start the request");
        s_settle(p, &r, OUTCOME_RETRY, row->failures, row->destination, 0);
        channel_req_clear(&s->req);
        free(s);
        s_result(p, &r);
        return;
    }
    s->next = p->sends;
    if (p->sends)
        p->sends->prev = s;
    p->sends = s;
    p->stats.inflight++;
}

static char *s_dup(const PGresult *res, int row, int col)
{
    return strdup(PQgetvalue(res, row, col));
}

/* Writes the holds and the digest of one destination; returns the digest's
 * row to send (id 0 when there is none) or -1 on a database error. */
static int s_digest(pump_t *p, rowq_row_t *rows, size_t n, const char *dest, int64_t now,
                    rowq_row_t *out)
{
    char **ids = calloc(n, sizeof *ids);
    const char **items = calloc(n, sizeof *items);
    size_t m = 0;
    rowq_row_t *lead = NULL;
    int rc = -1;
    if (!ids || !items)
        goto out;
    for (size_t i = 0; i < n; i++)
        if (rows[i].fate == RATION_MERGE && strcmp(rows[i].destination, dest) == 0) {
            if (!lead)
                lead = &rows[i];
            char id[24];
            snprintf(id, sizeof id, "%" PRId64, rows[i].id);
            if (!(ids[m] = strdup(id)))
                goto out;
            items[m++] = strcmp(rows[i].kind, "Digest") == 0 ? rows[i].body : rows[i].subject;
            rows[i].fate = RATION_MERGED;
        }
    char *subject = NULL, *body = NULL, *array = db_text_array(ids, m);
    if (array && !plan_digest(p->conn, items, m, &subject, &body)) {
        char key[64], now_s[24], lease[24];
        snprintf(key, sizeof key, "digest:%" PRId64, lead->id);
        snprintf(now_s, sizeof now_s, "%" PRId64, now);
        snprintf(lease, sizeof lease, "%" PRId64, now + p->cfg.lease_ms);
        const char *params[] = {array, key, lead->recipient, lead->channel, lead->destination,
                                lead->secret, subject, body, now_s, lease};
        PGresult *res = db_exec(p->conn, Q_DIGEST, 10, params, NULL);
        if (res && PQntuples(res) == 1) {
            *out = (rowq_row_t){.id = strtoll(PQgetvalue(res, 0, 0), NULL, 10),
                                .idem_key = strdup(key), .kind = strdup("Digest"),
                                .recipient = strdup(lead->recipient),
                                .channel = strdup(lead->channel),
                                .destination = strdup(lead->destination),
                                .secret = strdup(lead->secret), .subject = subject, .body = body};
            subject = body = NULL;
            p->stats.digests++;
            rc = 0;
        }
        PQclear(res);
    }
    free(subject);
    free(body);
    free(array);
out:
    for (size_t i = 0; ids && i < m; i++)
        free(ids[i]);
    free(ids);
    free(items);
    return rc;
}

/* Puts a claimed row at the back of the queue, or at the front; the queue
 * owns its strings now. Returns 0, or -1 when out of memory (the row stays
 * the caller's to free; its lease runs out and it goes again). */
static int s_enqueue(pump_t *p, rowq_row_t *row, int front)
{
    if (rowq_push(p->queue, row, front) == 0)
        return 0;
    log_error("notify: out of memory queueing delivery %" PRId64, row->id);
    return -1;
}

/* Gives claimed rows that never started back to pending at once, as if they
 * had not been claimed (no attempt is written: nothing was sent). Only rows
 * still under this claim change. Frees the rows. */
static void s_release(pump_t *p, rowq_row_t *rows, size_t n)
{
    if (!n)
        return;
    char **ids = calloc(n, sizeof *ids), **leases = calloc(n, sizeof *leases);
    int ok = ids && leases;
    for (size_t i = 0; ok && i < n; i++) {
        char num[24];
        snprintf(num, sizeof num, "%" PRId64, rows[i].id);
        ok = (ids[i] = strdup(num)) != NULL;
        snprintf(num, sizeof num, "%" PRId64, rows[i].lease_until);
        ok = ok && (leases[i] = strdup(num)) != NULL;
    }
    char *a = ok ? db_text_array(ids, n) : NULL, *b = ok ? db_text_array(leases, n) : NULL;
    const char *params[] = {a, b};
    if (!a || !b || db_run(p->conn, Q_RELEASE, 2, params))
        log_warn("notify: cannot give back %zu unsent deliveries; their leases will run out", n);
    free(a);
    free(b);
    for (size_t i = 0; i < n; i++) {
        if (ids)
            free(ids[i]);
        if (leases)
            free(leases[i]);
        rowq_row_free(&rows[i]);
    }
    free(ids);
    free(leases);
}

static void s_claimed(pump_t *p, int n);

/* The rest of a claim, once its rows are here (`res`, NULL when the claim
 * failed): rations the robots and writes their holds and digests in the
 * claim's transaction, commits, and queues the rows. Returns the number of
 * rows claimed, or -1 on a database error (all rolled back). */
static int s_claim_finish(pump_t *p, PGresult *res)
{
    int64_t now = p->claim_now, lease_until = p->claim_lease;
    size_t n = res ? (size_t) PQntuples(res) : 0;
    rowq_row_t *rows = n ? calloc(n, sizeof *rows) : NULL;
    rowq_row_t *digests = n ? calloc(n, sizeof *digests) : NULL;
    size_t n_digests = 0;
    int ok = res != NULL && (!n || (rows && digests));
    for (size_t i = 0; ok && i < n; i++) {
        int r = (int) i;
        rows[i] = (rowq_row_t){.id = strtoll(PQgetvalue(res, r, 0), NULL, 10),
                               .idem_key = s_dup(res, r, 1), .kind = s_dup(res, r, 2),
                               .recipient = s_dup(res, r, 3), .channel = s_dup(res, r, 4),
                               .destination = s_dup(res, r, 5), .secret = s_dup(res, r, 6),
                               .subject = s_dup(res, r, 7), .body = s_dup(res, r, 8),
                               .failures = atoi(PQgetvalue(res, r, 9)),
                               .lease_until = lease_until};
    }
    PQclear(res);

    /* Robots: at most robot_limit a window per destination. */
    if (ok)
        ration_claim(p->robots, rows, n, now);
    char **held = n ? calloc(n, sizeof *held) : NULL;
    size_t n_held = 0;
    int64_t held_until = now;
    for (size_t i = 0; ok && i < n; i++) {
        if (rows[i].fate == RATION_MERGE) {
            if (s_digest(p, rows, n, rows[i].destination, now, &digests[n_digests]) == 0)
                digests[n_digests++].lease_until = lease_until;
            else
                ok = 0;
        } else if (rows[i].fate == RATION_HOLD && held) {
            char id[24];
            snprintf(id, sizeof id, "%" PRId64, rows[i].id);
            held[n_held++] = strdup(id);
            int64_t next = ratelimit_next(p->robots, rows[i].destination, now);
            if (next > held_until)
                held_until = next;
        }
    }
    if (ok && n_held) {
        char *array = db_text_array(held, n_held), until[24];
        snprintf(until, sizeof until, "%" PRId64, held_until);
        const char *hold[] = {array, until};
        ok = array && db_run(p->conn, Q_HOLD, 2, hold) == 0;
        free(array);
    }
    for (size_t i = 0; i < n_held; i++)
        free(held[i]);
    free(held);
    ok = db_run(p->conn, ok ? "COMMIT" : "ROLLBACK", 0, NULL) == 0 && ok;

    /* Robots' rows and digests go first: their slots in the window are
     * taken already. */
    for (size_t i = 0; ok && i < n_digests; i++)
        s_enqueue(p, &digests[i], 1);
    for (size_t i = n; ok && i-- > 0;) {
        if (rows[i].fate != RATION_SEND)
            continue;
        const channel_t *ch = channel_find(rows[i].channel);
        if (ch && ch->group)
            s_enqueue(p, &rows[i], 1);
    }
    for (size_t i = 0; ok && i < n; i++)
        if (rows[i].fate == RATION_SEND && rows[i].idem_key)
            s_enqueue(p, &rows[i], 0);
    for (size_t i = 0; i < n; i++)
        rowq_row_free(&rows[i]);
    for (size_t i = 0; i < n_digests; i++)
        rowq_row_free(&digests[i]);
    free(rows);
    free(digests);
    return ok ? (int) n : -1;
}

/* The claim's statement has answered (or the connection broke): finish it,
 * then go on with the cycle. */
static void s_on_claim_rows(PGresult *res, void *arg)
{
    pump_t *p = arg;
    if (!res || PQresultStatus(res) != PGRES_TUPLES_OK) {
        log_error("notify: the claim failed: %s",
                  res ? PQresultErrorMessage(res) : PQerrorMessage(p->conn));
        PQclear(res);
        res = NULL;
    }
    s_claimed(p, s_claim_finish(p, res));
}

/* Starts a claim of up to claim_batch due rows: BEGIN, then the claim's
 * statement, sent without waiting for its answer, so the requests under way
 * go on while the database works (a claim of 500 takes 5–15 ms);
 * s_on_claim_rows finishes it. While it is under way the connection is the
 * claim's alone. Returns 0, or -1 when nothing is under way. */
static int s_claim_begin(pump_t *p)
{
    p->claim_wakes = p->wakes;
    p->claim_now = s_now(p);
    p->claim_lease = p->claim_now + p->cfg.lease_ms;
    char now_s[24], lease[24], limit_s[16];
    snprintf(now_s, sizeof now_s, "%" PRId64, p->claim_now);
    snprintf(lease, sizeof lease, "%" PRId64, p->claim_lease);
    snprintf(limit_s, sizeof limit_s, "%d", p->cfg.claim_batch);
    const char *params[] = {now_s, lease, limit_s};
    if (db_run(p->conn, "BEGIN", 0, NULL))
        return -1;
    if (pgasync_send(p->claim, Q_CLAIM, 0, 3, params, s_on_claim_rows, p)) {
        log_error("notify: cannot send the claim: %s", PQerrorMessage(p->conn));
        db_run(p->conn, "ROLLBACK", 0, NULL);
        return -1;
    }
    return 0;
}

/* How long after its request ends a row's outcome may take to be durably
 * recorded: a batch of outcomes under way, or one that failed and goes again
 * a second later. Up to 1 s, and never more than half what the lease leaves
 * after the timeout. */
static int64_t s_record_margin(const pump_t *p)
{
    int64_t spare = (p->cfg.lease_ms - p->ch.timeout_ms) / 2;
    return spare < 1000 ? spare : 1000;
}

/* Starts queued rows while there is room. A row whose claim could end before
 * its request times out and its outcome is recorded is given back instead of
 * sent: the lease must outlive every request made under it, and the record
 * of how it went, or the sweep would send a confirmed delivery again. */
static void s_start(pump_t *p)
{
    int64_t now = s_now(p);
    rowq_row_t *stale = NULL;
    size_t n_stale = 0;
    /* Sent and not yet durably recorded counts too: a kill at any moment
     * leaves at most `concurrency` deliveries sent and unconfirmed. */
    rowq_row_t row;
    while (p->stats.inflight + record_unwritten(p->record) < (uint64_t) p->cfg.concurrency &&
           rowq_pop(p->queue, &row) == 0) {
        if (row.lease_until - now <= p->ch.timeout_ms + s_record_margin(p)) {
            if (pgasync_busy(p->claim)) {  /* given back after the claim, whose the connection is */
                if (s_enqueue(p, &row, 1))
                    rowq_row_free(&row);  /* its lease runs out, and it goes again */
                break;
            }
            if (!stale && !(stale = calloc(rowq_len(p->queue) + 1, sizeof *stale))) {
                rowq_row_free(&row);  /* its lease runs out, and it goes again */
                continue;
            }
            stale[n_stale++] = row;
            continue;
        }
        s_send(p, &row, now);
        rowq_row_free(&row);
    }
    s_release(p, stale, n_stale);
    free(stale);
    if (n_stale)
        s_undrain(p);  /* they are due again */
}

/* Starts what is queued, and claims ahead when the queue runs low, so each
 * claim statement takes many rows rather than the few free slots. */
static void s_cycle(pump_t *p)
{
    s_start(p);
    if (pgasync_busy(p->claim) || rowq_len(p->queue) >= QUEUE_LOW(p) || p->drained)
        return;
    s_claim_begin(p);  /* on failure the sweep tries again */
}

/* A claim is done: n rows, or -1 (the sweep tries again). */
static void s_claimed(pump_t *p, int n)
{
    s_start(p);  /* also after a failed claim: rows that waited for it are due */
    if (n < 0)
        return;
    if (n == p->cfg.claim_batch || p->wakes != p->claim_wakes) {
        s_kick_room(p);  /* more may be due (a full claim, or news while it ran) */
        return;
    }
    /* Nothing more is due now: sleep until the next due row (the sweep,
     * new plans and finished attempts that will be retried wake us too). */
    p->drained = 1;
    PGresult *next = db_exec(p->conn, Q_NEXT_DUE, 0, NULL, NULL);
    if (next && !PQgetisnull(next, 0, 0)) {
        int64_t wait = strtoll(PQgetvalue(next, 0, 0), NULL, 10) - s_now(p);
        if (wait < p->cfg.sweep_ms)
            uv_timer_start(&p->due, s_on_due, wait > 0 ? (uint64_t) wait : 1, 0);
    }
    PQclear(next);
}

static void s_on_wake(uv_timer_t *timer)
{
    s_cycle(timer->data);
}

static void s_on_due(uv_timer_t *timer)
{
    pump_t *p = timer->data;
    s_undrain(p);
    s_cycle(p);
}

static void s_on_sweep(uv_timer_t *timer)
{
    pump_t *p = timer->data;
    if (pgasync_busy(p->claim))
        return;  /* the connection is the claim's: next time */
    char now[24];
    snprintf(now, sizeof now, "%" PRId64, s_now(p));
    const char *params[] = {now};
    PGresult *res = db_exec(p->conn, Q_EXPIRE_LEASES, 1, params, NULL);
    if (res) {
        uint64_t n = strtoull(PQcmdTuples(res), NULL, 10);
        if (n)
            log_warn("notify: %" PRIu64 " deliveries were unconfirmed; sending them again", n);
        p->stats.unconfirmed += n;
    }
    PQclear(res);
    s_undrain(p);  /* other processes, or govctl notify retry, may have made rows due */
    s_cycle(p);
}

/* Connections kept open: one for each request that may be under way, so
 * a steady flow to one receiver reuses its connections rather than opening
 * new ones whenever slots wait for their outcomes' commit. */
static long s_keep(const pump_config_t *cfg)
{
    return (long) cfg->concurrency;
}

int pump_new(uv_loop_t *loop, PGconn *conn, PGconn *outcomes, const svclock_t *clock,
             const channel_config_t *ch, const pump_config_t *cfg, pump_t **out)
{
    pump_t *p = calloc(1, sizeof *p);
    if (!p)
        return -1;
    p->conn = conn;
    p->clock = clock;
    p->ch = *ch;
    p->cfg = *cfg;
    p->seed = (unsigned) (svclock_now_ms(clock) ^ (int64_t) (uintptr_t) p);
    p->settle = (settle_config_t){.max_attempts = cfg->max_attempts,
                                  .retry_base_ms = cfg->retry_base_ms,
                                  .retry_max_ms = cfg->retry_max_ms,
                                  .robot_window_ms = cfg->robot_window_ms};
    if (!(p->robots = ratelimit_new(cfg->robot_limit, cfg->robot_window_ms)) ||
        !(p->queue = rowq_new()) ||
        pgasync_new(loop, conn, &p->claim) ||
        record_new(loop, outcomes, clock, s_on_recorded, p, &p->record) ||
        curluv_new(loop, s_keep(cfg), &p->cu)) {
        ratelimit_destroy(&p->robots);
        rowq_destroy(&p->queue);
        pgasync_destroy(&p->claim);
        record_destroy(&p->record);
        free(p);
        log_error("notify: cannot start the sender");
        return -1;
    }
    uv_timer_t *timers[] = {&p->wake, &p->due, &p->sweep};
    for (int i = 0; i < 3; i++) {
        uv_timer_init(loop, timers[i]);
        timers[i]->data = p;
    }
    uv_timer_start(&p->sweep, s_on_sweep, 0, (uint64_t) cfg->sweep_ms);
    *out = p;
    return 0;
}

void pump_kick(pump_t *p)
{
    s_undrain(p);
    uv_timer_start(&p->wake, s_on_wake, 0, 0);
}

pump_stats_t pump_stats(const pump_t *p)
{
    return p->stats;
}

static void s_on_close(uv_handle_t *handle)
{
    pump_t *p = handle->data;
    if (++p->closed_handles == 3)
        free(p);
}

void pump_destroy(pump_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    pump_t *p = *self_p;
    *self_p = NULL;
    if (pgasync_busy(p->claim)) {  /* a claim under way is rolled back: its rows stay due */
        PQclear(pgasync_wait(p->claim));
        db_run(p->conn, "ROLLBACK", 0, NULL);
    }
    pgasync_destroy(&p->claim);
    record_destroy(&p->record);  /* write down what we know; the rest expires */
    /* What never started goes back at once rather than when its lease ends. */
    size_t queued = rowq_len(p->queue);
    rowq_row_t *unsent = queued ? calloc(queued, sizeof *unsent) : NULL;
    size_t n_unsent = 0;
    for (rowq_row_t row; unsent && rowq_pop(p->queue, &row) == 0;)
        unsent[n_unsent++] = row;
    s_release(p, unsent, n_unsent);
    free(unsent);
    rowq_destroy(&p->queue);  /* what could not be given back: its leases run out */
    curluv_destroy(&p->cu);
    while (p->sends) {
        send_t *s = p->sends;
        s_unlink(p, s);
        channel_req_clear(&s->req);
        free(s);
    }
    ratelimit_destroy(&p->robots);
    uv_close((uv_handle_t *) &p->wake, s_on_close);
    uv_close((uv_handle_t *) &p->due, s_on_close);
    uv_close((uv_handle_t *) &p->sweep, s_on_close);
}
