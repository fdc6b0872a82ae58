#include "submit.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "intake.pb-c.h"
#include "idem.h"
#include "log.h"
#include "merge.h"
#include "outbox.h"
#include "pgarray.h"
#include "queries.h"
#include "spheroid.h"
#include "text.h"
#include "validate.h"

/* The path of a case that is on no area (address only). */
static const areapath_t s_no_path;

/* A lane's own connection and copy of the map. */
struct submit {
    PGconn *conn;
    submit_config_t cfg;
    areamap_t *map; /* read by the first batch */
    int session;    /* the backend the settings and statements were made on */
};

/* Prepared once per session: planning the lookup costs more than running it;
 * the events' INSERT is outbox's (numbered as they are written). */
static const db_statement_t s_statements[] = {
    {"intake_lock", Q_LOCK_CATEGORIES, 1},  {"intake_lookup", Q_LOOKUP, 10},
    {"intake_ids", Q_NEXT_IDS, 1},          {"intake_cases", Q_INSERT_CASES, 14},
    {"intake_merges", Q_ADD_CALLERS, 2},    {"intake_callers", Q_INSERT_CALLERS, 7},
    {"intake_requests", Q_INSERT_REQUESTS, 7}, OUTBOX_NUMBERED_STATEMENT,
};

/* Lookup columns (Q_LOOKUP). */
enum { L_SEEN_CASE = 1, L_SEEN_SAME, L_SEEN_MERGED, L_SEEN_STATUS, L_SEEN_CALLERS, L_SEEN_AREA,
       L_SEEN_CREATED, L_CATEGORY_OK, L_CANDIDATES, L_NOW, L_AREAS_VERSION, L_RESERVED_ID };

static const Gov__Point *s_point(const submit_item_t *it)
{
    return it->msg->location->point;
}

static int s_bool(const PGresult *res, int row, int col)
{
    return !PQgetisnull(res, row, col) && PQgetvalue(res, row, col)[0] == 't';
}

static int64_t s_int(const PGresult *res, int row, int col)
{
    return PQgetisnull(res, row, col) ? 0 : strtoll(PQgetvalue(res, row, col), NULL, 10);
}

static const areapath_t *s_path_of(const areamap_t *map, int64_t area_id)
{
    const areamap_area_t *a = areamap_find(map, area_id);
    return a ? &a->path : &s_no_path;
}

/* The batch's earlier submissions, as merge_nearest sees them. */
typedef struct {
    const submit_item_t *items;
    const char *category;
} s_batch_t;

static int s_batch_point(void *arg, size_t j, double *lat, double *lon)
{
    const s_batch_t *b = arg;
    const submit_item_t *o = &b->items[j];
    if (!o->fresh || strcmp(o->msg->category, b->category) != 0 || !s_point(o))
        return 0;
    *lat = s_point(o)->lat;
    *lon = s_point(o)->lon;
    return 1;
}

/* Decides item i from its lookup row and the items before it, in order: a
 * replay, a refusal, a merge into an open case (stored or new in this
 * batch, whichever is nearer; ties go to the lower id, batch cases last), or
 * a new case. */
static void s_decide(submit_item_t *items, size_t i, const PGresult *res, const areamap_t *map,
                     double merge_m)
{
    submit_item_t *it = &items[i];
    int row = (int) i;
    it->target = -1;
    it->created_ms = s_int(res, row, L_NOW);
    for (size_t j = 0; j < i; j++) {
        if (strcmp(items[j].key, it->key) != 0)
            continue;
        if (memcmp(items[j].hash, it->hash, sizeof it->hash) != 0) {
            apperr_code(&it->err, "IDEMPOTENCY_CONFLICT", NULL);
            return;
        }
        if (!items[j].err.code) {
            it->replayed = 1;
            it->target = (int) j;
            return;
        }
    }
    if (!PQgetisnull(res, row, L_SEEN_CASE)) {
        if (!s_bool(res, row, L_SEEN_SAME)) {
            apperr_code(&it->err, "IDEMPOTENCY_CONFLICT", NULL);
            return;
        }
        it->replayed = 1;
        it->case_id = s_int(res, row, L_SEEN_CASE);
        it->merged = s_bool(res, row, L_SEEN_MERGED);
        it->status = PQgetvalue(res, row, L_SEEN_STATUS);
        it->callers = (int) s_int(res, row, L_SEEN_CALLERS);
        it->path = s_path_of(map, s_int(res, row, L_SEEN_AREA));
        it->created_ms = s_int(res, row, L_SEEN_CREATED);
        return;
    }
    if (!s_bool(res, row, L_CATEGORY_OK)) {
        apperr_code(&it->err, "UNKNOWN_CATEGORY", NULL);
        return;
    }
    const Gov__Point *pt = s_point(it);
    if (pt && !(it->area = areamap_place(map, pt->lon, pt->lat))) {
        apperr_code(&it->err, "OUTSIDE_AREA", NULL);
        return;
    }
    it->status = "open";
    it->path = it->area ? &it->area->path : &s_no_path;
    /* The nearest open case: a stored one the lookup found, or one this
     * batch is creating (merge.c). */
    merge_candidate_t found = {0};
    size_t in_batch = 0;
    s_batch_t batch = {items, it->msg->category};
    merge_kind_t kind = pt ? merge_nearest(pt->lat, pt->lon, PQgetvalue(res, row, L_CANDIDATES), i,
                                           s_batch_point, &batch, merge_m, &found, &in_batch)
                           : MERGE_NEW;
    if (kind == MERGE_BATCH) {
        it->merged = 1;
        it->target = (int) in_batch;
        it->path = items[in_batch].path;
    } else if (kind == MERGE_STORED) {
        it->merged = 1;
        it->case_id = found.id;
        it->status = found.status;
        it->path = s_path_of(map, found.area_id);
        it->callers = found.callers;
    } else {
        it->fresh = 1;
        it->callers = 1;
    }
    if (it->merged) {
        /* One more than the case had, counting merges earlier in this batch. */
        it->callers = it->target >= 0 ? 1 : it->callers;
        for (size_t j = 0; j < i; j++)
            if (items[j].merged && !items[j].replayed && items[j].target == it->target &&
                (it->target >= 0 || items[j].case_id == it->case_id))
                it->callers++;
        it->callers++;
    }
}

/* After new ids are known: merges into new cases and replays of earlier
 * items take their case from their target. */
static void s_resolve(submit_item_t *items, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        submit_item_t *it = &items[i];
        if (it->err.code || it->target < 0)
            continue;
        const submit_item_t *t = &items[it->target];
        it->case_id = t->case_id;
        if (it->replayed) {
            it->merged = t->merged;
            it->status = t->status;
            it->callers = t->callers;
            it->path = t->path;
            it->created_ms = t->created_ms;
        }
    }
}

static const char *s_phone(const submit_item_t *it)
{
    return it->msg->reporter ? it->msg->reporter->phone : "";
}

static const char *s_name(const submit_item_t *it)
{
    return it->msg->reporter ? it->msg->reporter->name : "";
}

/* Adds the item's media URLs to `a` as one text[] literal. Returns 0, or -1
 * when out of memory. */
static int s_add_media(pgarray_t *a, const Gov__SubmitCase *m)
{
    char *media = db_text_array(m->media_urls, m->n_media_urls);
    if (media)
        pgarray_add_text(a, media);
    free(media);
    return media ? 0 : -1;
}

/* Adds the item's CaseCreated or CaseMerged to the batch's events. */
static int s_event(outbox_batch_t *events, submit_item_t *it)
{
    const Gov__SubmitCase *m = it->msg;
    const Gov__Envelope *env = it->req->env;
    Gov__AreaRef **path = (Gov__AreaRef **) it->path->ptrs;
    if (it->merged) {
        Gov__Caller caller = GOV__CALLER__INIT;
        caller.channel = m->channel;
        caller.reporter = NULL; /* no subscriber needs it: GetCase gives it, scoped and logged */
        caller.description = m->description;
        caller.media_urls = m->media_urls;
        caller.n_media_urls = m->n_media_urls;
        caller.created_ms = it->created_ms;
        Gov__CaseMerged ev = GOV__CASE_MERGED__INIT;
        ev.case_id = it->case_id;
        ev.category = m->category;
        ev.area_path = path;
        ev.n_area_path = it->path->n;
        ev.caller = &caller;
        ev.caller_count = it->callers;
        return outbox_batch_add(events, "CaseMerged", env->actor, env->trace_id, &ev.base);
    }
    Gov__Case c = GOV__CASE__INIT;
    c.id = it->case_id;
    c.status = (char *) it->status;
    c.channel = m->channel;
    c.category = m->category;
    c.description = m->description;
    c.urgency = (char *) validate_urgency(m);
    c.location = m->location;
    c.area_path = path;
    c.n_area_path = it->path->n;
    /* A reference, not the number: who must reach the reporter asks
     * (GetContacts, contacts.h), and the event stays free of them. */
    char ref[32];
    snprintf(ref, sizeof ref, "case:%" PRId64, it->case_id);
    int reachable = m->reporter && m->reporter->phone[0];
    c.contact_ref = reachable ? ref : "";
    char hint[32] = "";
    if (reachable && strlen(m->reporter->phone) < sizeof hint)
        text_mask_phone(m->reporter->phone, hint);
    else if (reachable)
        snprintf(hint, sizeof hint, "***");
    c.contact_hint = hint;
    c.media_urls = m->media_urls;
    c.n_media_urls = m->n_media_urls;
    c.caller_count = 1;
    c.created_ms = c.updated_ms = it->created_ms;
    Gov__CaseCreated ev = GOV__CASE_CREATED__INIT;
    ev.item = &c;
    return outbox_batch_add(events, "CaseCreated", env->actor, env->trace_id, &ev.base);
}

/* A statement's array parameters, built column by column. */
#define S_MAX_COLUMNS 14
typedef struct {
    pgarray_t *col[S_MAX_COLUMNS];
    int n;
} s_columns_t;

static int s_columns_init(s_columns_t *cols, int n)
{
    cols->n = n;
    int rc = 0;
    for (int i = 0; i < n; i++)
        if (!(cols->col[i] = pgarray_new()))
            rc = -1;
    return rc;
}

static void s_columns_clear(s_columns_t *cols)
{
    for (int i = 0; i < cols->n; i++)
        pgarray_destroy(&cols->col[i]);
    cols->n = 0;
}

/* Queues the prepared `statement` with the columns as its parameters. */
static int s_send_columns(PGconn *conn, const char *statement, s_columns_t *cols)
{
    const char *values[S_MAX_COLUMNS];
    for (int i = 0; i < cols->n; i++)
        if (!(values[i] = pgarray_text(cols->col[i])))
            return -1;
    return PQsendQueryPrepared(conn, statement, cols->n, values, NULL, NULL, 0) ? 0 : -1;
}

/* Round trip 1: lock the categories, look every submission up. */
static int s_lookup(PGconn *conn, const submit_config_t *cfg, submit_item_t *items, size_t n,
                    PGresult **lookup, char sqlstate[6])
{
    s_columns_t u;
    char **categories = malloc(n * sizeof *categories);
    int rc = s_columns_init(&u, 7) == 0 && categories ? 0 : -1;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        const Gov__Point *pt = s_point(&items[i]);
        pgarray_add_text(u.col[0], items[i].key);
        pgarray_add_bytes(u.col[1], items[i].hash, sizeof items[i].hash);
        pgarray_add_text(u.col[2], items[i].msg->category);
        if (pt) {
            double dlat, dlon;
            spheroid_box(pt->lat, pt->lon, cfg->merge_distance_m, &dlat, &dlon);
            pgarray_add_double(u.col[3], pt->lon);
            pgarray_add_double(u.col[4], pt->lat);
            pgarray_add_double(u.col[5], dlat);
            pgarray_add_double(u.col[6], dlon);
        } else {
            for (int k = 3; k < 7; k++)
                pgarray_add_null(u.col[k]);
        }
        categories[i] = items[i].msg->category;
    }
    char *cats = rc == 0 ? db_text_array(categories, n) : NULL;
    char window[32], distance[32];
    snprintf(window, sizeof window, "%d hours", cfg->merge_window_hours);
    snprintf(distance, sizeof distance, "%.17g", cfg->merge_distance_m);
    char now[24];
    snprintf(now, sizeof now, "%lld", (long long) svclock_now_ms(cfg->clock));
    const char *lookup_params[10] = {0};
    for (int k = 0; rc == 0 && k < 7; k++)
        if (!(lookup_params[k] = pgarray_text(u.col[k])))
            rc = -1;
    lookup_params[7] = window;
    lookup_params[8] = distance;
    lookup_params[9] = now;
    const char *lock_params[] = {cats};
    PGresult *results[3] = {0};
    rc = rc == 0 && cats && PQsendQueryParams(conn, "BEGIN", 0, NULL, NULL, NULL, NULL, 0) &&
                 PQsendQueryPrepared(conn, "intake_lock", 1, lock_params, NULL, NULL, 0) &&
                 PQsendQueryPrepared(conn, "intake_lookup", 10, lookup_params, NULL, NULL, 0) &&
                 PQpipelineSync(conn)
             ? db_pipeline_collect(conn, 3, results, sqlstate)
             : -1;
    if (rc == 0 && PQntuples(results[2]) != (int) n)
        rc = -1;
    PQclear(results[0]);
    PQclear(results[1]);
    *lookup = rc ? NULL : results[2];
    if (rc)
        PQclear(results[2]);
    free(cats);
    free(categories);
    s_columns_clear(&u);
    return rc;
}

static int s_cmp_id(const void *a, const void *b)
{
    int64_t x = *(const int64_t *) a, y = *(const int64_t *) b;
    return (x > y) - (x < y);
}

/* Ids for the new cases, in order: those the lookup reserved, and when they
 * fall short (round trip 2, rare) as many more as needed. Reserved ids a
 * batch does not use are left unused, as a rolled-back insert leaves its. */
static int s_assign_ids(PGconn *conn, submit_item_t *items, size_t n, const PGresult *lookup,
                        size_t fresh, char sqlstate[6])
{
    int64_t *ids = malloc((n + fresh + 1) * sizeof *ids);
    if (!ids)
        return -1;
    size_t have = 0;
    for (int row = 0; row < PQntuples(lookup); row++)
        if (!PQgetisnull(lookup, row, L_RESERVED_ID))
            ids[have++] = s_int(lookup, row, L_RESERVED_ID);
    qsort(ids, have, sizeof *ids, s_cmp_id);
    int rc = 0;
    if (have < fresh) {
        char count[24];
        snprintf(count, sizeof count, "%zu", fresh - have);
        const char *params[] = {count};
        PGresult *more = NULL;
        rc = PQsendQueryPrepared(conn, "intake_ids", 1, params, NULL, NULL, 0) && PQpipelineSync(conn)
                 ? db_pipeline_collect(conn, 1, &more, sqlstate)
                 : -1;
        if (rc == 0 && PQntuples(more) != (int) (fresh - have))
            rc = -1;
        for (int row = 0; rc == 0 && row < PQntuples(more); row++)
            ids[have++] = s_int(more, row, 0);
        PQclear(more);
    }
    for (size_t i = 0, k = 0; rc == 0 && i < n; i++)
        if (items[i].fresh)
            items[i].case_id = ids[k++];
    free(ids);
    return rc;
}

/* Round trip 3: cases, callers, idempotency records, events; COMMIT. */
static int s_write(PGconn *conn, submit_item_t *items, size_t n, int *nevents, char sqlstate[6])
{
    s_columns_t cases, merges, callers, requests;
    outbox_batch_t *events = outbox_batch_new("intake");
    int rc = s_columns_init(&cases, 14) | s_columns_init(&merges, 2) |
                     s_columns_init(&callers, 7) | s_columns_init(&requests, 7) || !events
                 ? -1
                 : 0;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        submit_item_t *it = &items[i];
        if (it->err.code || it->replayed)
            continue;
        const Gov__SubmitCase *m = it->msg;
        const Gov__Point *pt = s_point(it);
        if (it->fresh) {
            pgarray_t **c = cases.col;
            pgarray_add_int(c[0], it->case_id);
            pgarray_add_text(c[1], m->channel);
            pgarray_add_text(c[2], m->category);
            pgarray_add_text(c[3], m->description);
            pgarray_add_text(c[4], validate_urgency(m));
            if (pt) {
                pgarray_add_double(c[5], pt->lon);
                pgarray_add_double(c[6], pt->lat);
            } else {
                pgarray_add_null(c[5]);
                pgarray_add_null(c[6]);
            }
            pgarray_add_text(c[7], m->location->address);
            if (it->area)
                pgarray_add_int(c[8], it->area->id);
            else
                pgarray_add_null(c[8]);
            pgarray_add_text(c[9], it->area ? it->area->path_ids : "{}");
            pgarray_add_text(c[10], s_name(it));
            pgarray_add_text(c[11], s_phone(it));
            rc |= s_add_media(c[12], m);
            pgarray_add_int(c[13], it->created_ms);
        } else {
            pgarray_add_int(merges.col[0], it->case_id);
            pgarray_add_int(merges.col[1], it->created_ms);
        }
        pgarray_add_int(callers.col[0], it->case_id);
        pgarray_add_text(callers.col[1], m->channel);
        pgarray_add_text(callers.col[2], s_name(it));
        pgarray_add_text(callers.col[3], s_phone(it));
        pgarray_add_text(callers.col[4], m->description);
        rc |= s_add_media(callers.col[5], m);
        pgarray_add_int(callers.col[6], it->created_ms);
        pgarray_add_text(requests.col[0], it->key);
        pgarray_add_bytes(requests.col[1], it->hash, sizeof it->hash);
        pgarray_add_int(requests.col[2], it->case_id);
        pgarray_add_text(requests.col[3], it->merged ? "t" : "f");
        pgarray_add_text(requests.col[4], it->status);
        pgarray_add_int(requests.col[5], it->callers);
        pgarray_add_int(requests.col[6], it->created_ms);
        rc |= s_event(events, it);
    }
    /* Queue every statement that has rows, then COMMIT; count what was sent. */
    int sent = 0;
    struct {
        const char *statement;
        s_columns_t *cols;
    } steps[] = {{"intake_cases", &cases},
                 {"intake_merges", &merges},
                 {"intake_callers", &callers},
                 {"intake_requests", &requests}};
    for (size_t k = 0; rc == 0 && k < sizeof steps / sizeof *steps; k++) {
        if (pgarray_count(steps[k].cols->col[0]) == 0)
            continue;
        rc = s_send_columns(conn, steps[k].statement, steps[k].cols);
        sent++;
    }
    /* The events last: numbering them locks the stream until COMMIT. */
    if (rc == 0 && outbox_batch_size(events)) {
        rc = outbox_batch_send_numbered(conn, events);
        sent++;
    }
    *nevents = events ? (int) outbox_batch_size(events) : 0;
    if (rc == 0 && (!PQsendQueryParams(conn, "COMMIT", 0, NULL, NULL, NULL, NULL, 0) ||
                    !PQpipelineSync(conn)))
        rc = -1;
    sent++;
    if (rc == 0) {
        PGresult *results[8] = {0};
        rc = db_pipeline_collect(conn, sent, results, sqlstate);
        for (int i = 0; i < sent; i++)
            PQclear(results[i]);
        if (rc == 0 && PQtransactionStatus(conn) != PQTRANS_IDLE)
            rc = -1; /* a COMMIT of a failed transaction "succeeds" as ROLLBACK */
    }
    outbox_batch_destroy(&events);
    s_columns_clear(&cases);
    s_columns_clear(&merges);
    s_columns_clear(&callers);
    s_columns_clear(&requests);
    return rc;
}

/* Makes sure the map is the one the lookup saw (same areas version); reads
 * it again, in the batch's transaction, when not. */
static int s_fresh_map(PGconn *conn, areamap_t **map, const PGresult *lookup)
{
    int64_t version = s_int(lookup, 0, L_AREAS_VERSION);
    if (*map && areamap_version(*map) == version)
        return 0;
    areamap_t *loaded = NULL;
    if (!PQexitPipelineMode(conn) || areamap_load(conn, &loaded) || !PQenterPipelineMode(conn)) {
        areamap_destroy(&loaded);
        return -1;
    }
    areamap_destroy(map);
    *map = loaded;
    log_info("map read: %zu areas at version %lld", areamap_size(loaded),
             (long long) areamap_version(loaded));
    return 0;
}

/* Readies a new database session (the first, or one after a reset): its
 * planner settings and prepared statements. Every statement here finds its
 * rows by key, and a prepared statement keeps the generic plan it was first
 * given; on a young table — a new deployment, or the benchmark — the planner
 * would pick sequential scans and hash joins and keep them as the table grows
 * (a lookup that scans every idempotency record). Ruling those out for this
 * session keeps the cached plans the index plans they are at any size; and
 * since that prices the few tiny scans left (areas_version) out of any
 * sensible range, JIT, which would then compile every batch, is off too
 * (these statements are far too short to gain from it anyway). With the
 * plans safe at any size, the planner's custom plans buy nothing: the
 * generic one is used from the first call (PostgreSQL would otherwise plan
 * some statements afresh on every batch, as it did the caller-count UPDATE). */
static int s_session(submit_t *self)
{
    int pid = PQbackendPID(self->conn);
    if (pid && pid == self->session)
        return 0;
    if (db_run(self->conn, "SET enable_seqscan = off", 0, NULL) ||
        db_run(self->conn, "SET enable_hashjoin = off", 0, NULL) ||
        db_run(self->conn, "SET enable_mergejoin = off", 0, NULL) ||
        db_run(self->conn, "SET jit = off", 0, NULL) ||
        db_run(self->conn, "SET plan_cache_mode = force_generic_plan", 0, NULL) ||
        db_prepare(self->conn, s_statements, sizeof s_statements / sizeof *s_statements))
        return -1;
    self->session = pid;
    return 0;
}

/* Runs the items in one transaction. Returns the events written, or -1 with
 * the transaction rolled back and nothing answered. */
static int s_transact(submit_t *self, submit_item_t *items, size_t n, PGresult **lookup,
                      char sqlstate[6])
{
    PGconn *conn = self->conn;
    const submit_config_t *cfg = &self->cfg;
    areamap_t **map = &self->map;
    int nevents = 0;
    int rc = s_session(self) == 0 && PQenterPipelineMode(conn) ? 0 : -1;
    if (rc == 0)
        rc = s_lookup(conn, cfg, items, n, lookup, sqlstate);
    if (rc == 0)
        rc = s_fresh_map(conn, map, *lookup);
    size_t fresh = 0;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        s_decide(items, i, *lookup, *map, cfg->merge_distance_m);
        fresh += (size_t) items[i].fresh;
    }
    if (rc == 0 && fresh)
        rc = s_assign_ids(conn, items, n, *lookup, fresh, sqlstate);
    if (rc == 0) {
        s_resolve(items, n);
        rc = s_write(conn, items, n, &nevents, sqlstate);
    }
    if (rc) {
        /* Everything sent was collected unless the connection broke or a
         * send failed half-way; then the only clean state is a new one. */
        if (PQpipelineStatus(conn) != PQ_PIPELINE_OFF && !PQexitPipelineMode(conn))
            PQreset(conn);
        else if (PQtransactionStatus(conn) != PQTRANS_IDLE)
            PQclear(PQexec(conn, "ROLLBACK"));
    }
    if (PQpipelineStatus(conn) != PQ_PIPELINE_OFF)
        PQexitPipelineMode(conn);
    return rc ? -1 : nevents;
}

/* Packs the item's reply, or sets its refusal's words, while the map and
 * the lookup it borrows from are still there. */
static void s_verdict(submit_item_t *it)
{
    if (it->err.code)
        return;
    Gov__SubmitCaseReply reply = GOV__SUBMIT_CASE_REPLY__INIT;
    reply.case_id = it->case_id;
    reply.merged = it->merged;
    reply.replayed = it->replayed;
    reply.status = (char *) it->status;
    reply.caller_count = it->callers;
    reply.area_path = (Gov__AreaRef **) it->path->ptrs;
    reply.n_area_path = it->path->n;
    size_t len = gov__submit_case_reply__get_packed_size(&reply);
    if (!(it->reply = malloc(len ? len : 1))) {
        apperr_code(&it->err, "OVERLOADED", "out of memory");
        return;
    }
    it->reply_len = gov__submit_case_reply__pack(&reply, it->reply);
}

/* Forgets what a failed transaction decided about the item, so it can be
 * tried again. */
static void s_undecide(submit_item_t *it)
{
    submit_item_t fresh = {.req = it->req, .msg = it->msg, .key = it->key, .queued_by = it->queued_by};
    memcpy(fresh.hash, it->hash, sizeof fresh.hash);
    *it = fresh;
}

int submit_admit(rpcsrv_t *srv, rpc_req_t *req, submit_item_t *it)
{
    Gov__SubmitCase *msg =
        (Gov__SubmitCase *) rpcsrv_payload(srv, req, &gov__submit_case__descriptor);
    if (!msg)
        return -1;
    memset(it, 0, sizeof *it);
    apperr_t err;
    if (validate_submit(msg, &err)) {
        rpcsrv_fail_err(srv, req, &err);
        gov__submit_case__free_unpacked(msg, NULL);
        return -1;
    }
    idem_digest_bytes(req->env, NULL, 0, it->hash);
    it->req = req;
    it->msg = msg;
    it->key = *msg->idempotency_key ? msg->idempotency_key : req->env->message_id;
    return 0;
}

const char *submit_category(const submit_item_t *it)
{
    return it->msg->category;
}

int submit_new(const char *db_url, const submit_config_t *cfg, submit_t **out)
{
    submit_t *self = calloc(1, sizeof *self);
    if (!self || !(self->conn = db_connect(db_url, 10000))) {
        free(self);
        return -1;
    }
    self->cfg = *cfg;
    *out = self;
    return 0;
}

int submit_warm(submit_t *self)
{
    if (s_session(self))
        return -1;
    areamap_t *loaded = NULL;
    if (areamap_load(self->conn, &loaded))
        return -1;
    areamap_destroy(&self->map);
    self->map = loaded;
    return 0;
}

int submit_serve(submit_t *self, submit_item_t *items, size_t n)
{
    char sqlstate[6] = "";
    PGresult *lookup = NULL;
    int events = n ? s_transact(self, items, n, &lookup, sqlstate) : 0;
    if (events >= 0) {
        for (size_t i = 0; i < n; i++)
            s_verdict(&items[i]);
    } else if (n > 1) {
        /* Find the culprit: each request alone. */
        events = 0;
        for (size_t i = 0; i < n; i++) {
            s_undecide(&items[i]);
            int e = submit_serve(self, &items[i], 1);
            events += e > 0 ? e : 0;
        }
    } else {
        apperr_db(&items[0].err, sqlstate);
        snprintf(items[0].err.detail, sizeof items[0].err.detail, "nothing was written");
    }
    PQclear(lookup);
    /* The answers are made; what they were made from can go. */
    for (size_t i = 0; i < n; i++) {
        if (items[i].msg)
            gov__submit_case__free_unpacked(items[i].msg, NULL);
        items[i].msg = NULL;
        items[i].key = NULL;
        items[i].status = NULL;
        items[i].path = NULL;
        items[i].area = NULL;
    }
    return events;
}

void submit_answer(rpcsrv_t *srv, submit_item_t *it)
{
    if (it->err.code)
        rpcsrv_fail_err(srv, it->req, &it->err);
    else
        rpcsrv_reply_packed(srv, it->req, "SubmitCaseReply", it->reply, it->reply_len);
    it->req = NULL;
    submit_item_clear(it);
}

void submit_item_clear(submit_item_t *it)
{
    rpcsrv_req_free(&it->req);
    if (it->msg)
        gov__submit_case__free_unpacked(it->msg, NULL);
    free(it->reply);
    memset(it, 0, sizeof *it);
}

void submit_destroy(submit_t **self_p)
{
    submit_t *self = *self_p;
    if (!self)
        return;
    *self_p = NULL;
    PQfinish(self->conn);
    areamap_destroy(&self->map);
    free(self);
}
