#include "submit.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "caseview.h"
#include "db.h"
#include "intake.pb-c.h"
#include "log.h"
#include "outbox.h"
#include "queries.h"
#include "validate.h"

/* One submission on its way through the batch. */
typedef struct {
    rpc_req_t *req;
    Gov__SubmitCase *msg;
    const char *key;
    char *hex;              /* the request bytes, hex: what replays are compared by */
    const char *error;      /* a code from s_errors, or NULL */
    int fresh;              /* makes a new case */
    int merged, replayed;
    int target;             /* the earlier item this one merges into or replays, or -1 */
    int64_t case_id;        /* known now for existing cases, after Q_NEXT_IDS for new */
    int64_t area_id;        /* new cases: where the point is, 0 for none */
    int callers;            /* the case's caller count after this submission */
    const char *status;     /* borrowed from the lookup result or static */
    const char *path_json;  /* likewise */
    int64_t created_ms;
    areapath_t path;   /* parsed for the reply and the event */
} s_item_t;

/* The refusals that need the database, with what a person should read. */
static const struct {
    const char *code, *message, *hint;
} s_errors[] = {
    {"UNKNOWN_CATEGORY", "unknown category", "`govctl categories list` shows the codes"},
    {"OUTSIDE_AREA", "point is outside every area", "check lat/lon order, or give an address only"},
    {"IDEMPOTENCY_CONFLICT", "idempotency key was used for a different request",
     "use a new key for a new request; resend the same content to get the first answer"},
};

/* Prepared once per session: planning the lookup costs more than running it. */
static const db_statement_t s_statements[] = {
    {"intake_lock", Q_LOCK_CATEGORIES, 1},  {"intake_lookup", Q_LOOKUP, 3},
    {"intake_ids", Q_NEXT_IDS, 1},          {"intake_cases", Q_INSERT_CASES, 1},
    {"intake_merges", Q_ADD_CALLERS, 1},    {"intake_callers", Q_INSERT_CALLERS, 1},
    {"intake_requests", Q_INSERT_REQUESTS, 1},
};

/* Lookup columns (Q_LOOKUP). */
enum { L_SEEN_CASE = 1, L_SEEN_SAME, L_SEEN_MERGED, L_SEEN_STATUS, L_SEEN_CALLERS, L_SEEN_PATH,
       L_SEEN_CREATED, L_CATEGORY_OK, L_AREA_ID, L_AREA_PATH, L_MERGE_CASE, L_MERGE_CALLERS,
       L_MERGE_DISTANCE, L_MERGE_STATUS, L_MERGE_PATH, L_NOW };

static char *s_hex(const uint8_t *data, size_t len)
{
    static const char digits[] = "0123456789abcdef";
    char *out = malloc(2 * len + 1);
    for (size_t i = 0; out && i < len; i++) {
        out[2 * i] = digits[data[i] >> 4];
        out[2 * i + 1] = digits[data[i] & 15];
    }
    if (out)
        out[2 * len] = '\0';
    return out;
}

static const Gov__Point *s_point(const s_item_t *it)
{
    return it->msg->location->point;
}

/* Great-circle distance in metres (a sphere; PostGIS measures the spheroid,
 * which differs by well under 1% at these distances). */
static double s_distance_m(const Gov__Point *a, const Gov__Point *b)
{
    const double r = 6371008.8, rad = M_PI / 180;
    double dlat = (b->lat - a->lat) * rad, dlon = (b->lon - a->lon) * rad;
    double h = sin(dlat / 2) * sin(dlat / 2) +
               cos(a->lat * rad) * cos(b->lat * rad) * sin(dlon / 2) * sin(dlon / 2);
    return 2 * r * asin(sqrt(h));
}

static int s_bool(const PGresult *res, int row, int col)
{
    return !PQgetisnull(res, row, col) && PQgetvalue(res, row, col)[0] == 't';
}

static int64_t s_int(const PGresult *res, int row, int col)
{
    return PQgetisnull(res, row, col) ? 0 : strtoll(PQgetvalue(res, row, col), NULL, 10);
}

/* Decides item i from its lookup row and the items before it, in order: a
 * replay, a refusal, a merge into an open case (stored or new in this
 * batch, whichever is nearer), or a new case. */
static void s_decide(s_item_t *items, size_t i, const PGresult *res, double merge_m)
{
    s_item_t *it = &items[i];
    int row = (int) i;
    it->target = -1;
    it->created_ms = s_int(res, row, L_NOW);
    for (size_t j = 0; j < i; j++) {
        if (strcmp(items[j].key, it->key) != 0)
            continue;
        if (strcmp(items[j].hex, it->hex) != 0) {
            it->error = "IDEMPOTENCY_CONFLICT";
            return;
        }
        if (!items[j].error) {
            it->replayed = 1;
            it->target = (int) j;
            return;
        }
    }
    if (!PQgetisnull(res, row, L_SEEN_CASE)) {
        if (!s_bool(res, row, L_SEEN_SAME)) {
            it->error = "IDEMPOTENCY_CONFLICT";
            return;
        }
        it->replayed = 1;
        it->case_id = s_int(res, row, L_SEEN_CASE);
        it->merged = s_bool(res, row, L_SEEN_MERGED);
        it->status = PQgetvalue(res, row, L_SEEN_STATUS);
        it->callers = (int) s_int(res, row, L_SEEN_CALLERS);
        it->path_json = PQgetvalue(res, row, L_SEEN_PATH);
        it->created_ms = s_int(res, row, L_SEEN_CREATED);
        return;
    }
    if (!s_bool(res, row, L_CATEGORY_OK)) {
        it->error = "UNKNOWN_CATEGORY";
        return;
    }
    const Gov__Point *pt = s_point(it);
    if (pt && PQgetisnull(res, row, L_AREA_ID)) {
        it->error = "OUTSIDE_AREA";
        return;
    }
    it->status = "open";
    it->path_json = pt ? PQgetvalue(res, row, L_AREA_PATH) : "[]";
    it->area_id = s_int(res, row, L_AREA_ID);
    /* The nearest open case: the stored one the lookup found, or one this
     * batch is creating. */
    double best = PQgetisnull(res, row, L_MERGE_CASE) ? INFINITY
                                                      : strtod(PQgetvalue(res, row, L_MERGE_DISTANCE), NULL);
    int in_batch = -1;
    for (size_t j = 0; pt && j < i; j++) {
        const s_item_t *o = &items[j];
        if (!o->fresh || strcmp(o->msg->category, it->msg->category) != 0 || !s_point(o))
            continue;
        double d = s_distance_m(pt, s_point(o));
        if (d <= merge_m && d < best) {
            best = d;
            in_batch = (int) j;
        }
    }
    if (in_batch >= 0) {
        it->merged = 1;
        it->target = in_batch;
        it->path_json = items[in_batch].path_json;
    } else if (isfinite(best)) {
        it->merged = 1;
        it->case_id = s_int(res, row, L_MERGE_CASE);
        it->status = PQgetvalue(res, row, L_MERGE_STATUS);
        it->path_json = PQgetvalue(res, row, L_MERGE_PATH);
        it->callers = (int) s_int(res, row, L_MERGE_CALLERS);
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
static void s_resolve(s_item_t *items, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        s_item_t *it = &items[i];
        if (it->error || it->target < 0)
            continue;
        const s_item_t *t = &items[it->target];
        it->case_id = t->case_id;
        if (it->replayed) {
            it->merged = t->merged;
            it->status = t->status;
            it->callers = t->callers;
            it->path_json = t->path_json;
            it->created_ms = t->created_ms;
        }
    }
}

static json_t *s_strings(char **items, size_t n)
{
    json_t *array = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(array, json_string(items[i]));
    return array;
}

static const char *s_phone(const s_item_t *it)
{
    return it->msg->reporter ? it->msg->reporter->phone : "";
}

static const char *s_name(const s_item_t *it)
{
    return it->msg->reporter ? it->msg->reporter->name : "";
}

/* Adds the item's CaseCreated or CaseMerged to the batch's events. */
static int s_event(outbox_batch_t *events, s_item_t *it)
{
    const Gov__SubmitCase *m = it->msg;
    const Gov__Envelope *env = it->req->env;
    Gov__Reporter empty = GOV__REPORTER__INIT;
    Gov__Reporter *reporter = m->reporter ? m->reporter : &empty;
    if (it->merged) {
        Gov__Caller caller = GOV__CALLER__INIT;
        caller.channel = m->channel;
        caller.reporter = reporter;
        caller.description = m->description;
        caller.media_urls = m->media_urls;
        caller.n_media_urls = m->n_media_urls;
        caller.created_ms = it->created_ms;
        Gov__CaseMerged ev = GOV__CASE_MERGED__INIT;
        ev.case_id = it->case_id;
        ev.category = m->category;
        ev.area_path = it->path.ptrs;
        ev.n_area_path = it->path.n;
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
    c.area_path = it->path.ptrs;
    c.n_area_path = it->path.n;
    c.reporter = reporter;
    c.media_urls = m->media_urls;
    c.n_media_urls = m->n_media_urls;
    c.caller_count = 1;
    c.created_ms = c.updated_ms = it->created_ms;
    Gov__CaseCreated ev = GOV__CASE_CREATED__INIT;
    ev.item = &c;
    return outbox_batch_add(events, "CaseCreated", env->actor, env->trace_id, &ev.base);
}

/* Sends one prepared statement whose single parameter is `json` (stolen). */
static int s_send_json(PGconn *conn, const char *statement, json_t *json)
{
    char *text = json_dumps(json, JSON_COMPACT);
    const char *values[] = {text};
    int ok = text && PQsendQueryPrepared(conn, statement, 1, values, NULL, NULL, 0);
    free(text);
    json_decref(json);
    return ok ? 0 : -1;
}

/* Round trip 1: lock the categories, look every submission up. */
static int s_lookup(PGconn *conn, const submit_config_t *cfg, s_item_t *items, size_t n,
                    PGresult **lookup, char sqlstate[6])
{
    json_t *rows = json_array();
    char **categories = malloc(n * sizeof *categories);
    for (size_t i = 0; categories && i < n; i++) {
        const Gov__Point *pt = s_point(&items[i]);
        json_array_append_new(rows, json_pack("{s:s, s:s, s:s, s:o, s:o}", "key", items[i].key,
                                              "req", items[i].hex, "category",
                                              items[i].msg->category, "lon",
                                              pt ? json_real(pt->lon) : json_null(), "lat",
                                              pt ? json_real(pt->lat) : json_null()));
        categories[i] = items[i].msg->category;
    }
    char *cats = categories ? db_text_array(categories, n) : NULL;
    char *rows_text = json_dumps(rows, JSON_COMPACT);
    char dist[32], window[32];
    snprintf(dist, sizeof dist, "%.3f", cfg->merge_distance_m);
    snprintf(window, sizeof window, "%d hours", cfg->merge_window_hours);
    const char *lock_params[] = {cats};
    const char *lookup_params[] = {rows_text, dist, window};
    PGresult *results[3] = {0};
    int rc = cats && rows_text &&
                     PQsendQueryParams(conn, "BEGIN", 0, NULL, NULL, NULL, NULL, 0) &&
                     PQsendQueryPrepared(conn, "intake_lock", 1, lock_params, NULL, NULL, 0) &&
                     PQsendQueryPrepared(conn, "intake_lookup", 3, lookup_params, NULL, NULL, 0) &&
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
    free(rows_text);
    json_decref(rows);
    return rc;
}

/* Round trip 2: ids for the new cases, in order. */
static int s_assign_ids(PGconn *conn, s_item_t *items, size_t n, size_t fresh, char sqlstate[6])
{
    char count[24];
    snprintf(count, sizeof count, "%zu", fresh);
    const char *params[] = {count};
    PGresult *ids = NULL;
    int rc = PQsendQueryPrepared(conn, "intake_ids", 1, params, NULL, NULL, 0) && PQpipelineSync(conn)
                 ? db_pipeline_collect(conn, 1, &ids, sqlstate)
                 : -1;
    if (rc == 0 && PQntuples(ids) != (int) fresh)
        rc = -1;
    for (size_t i = 0, k = 0; rc == 0 && i < n; i++)
        if (items[i].fresh)
            items[i].case_id = s_int(ids, (int) k++, 0);
    PQclear(ids);
    return rc;
}

/* Round trip 3: cases, callers, idempotency records, events; COMMIT. */
static int s_write(PGconn *conn, s_item_t *items, size_t n, int *nevents, char sqlstate[6])
{
    json_t *cases = json_array(), *merges = json_array(), *callers = json_array(),
           *requests = json_array();
    outbox_batch_t *events = outbox_batch_new("intake");
    int rc = events ? 0 : -1;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        s_item_t *it = &items[i];
        if (it->error || it->replayed)
            continue;
        const Gov__SubmitCase *m = it->msg;
        const Gov__Point *pt = s_point(it);
        if (areapath_parse(&it->path, it->path_json))
            rc = -1;
        if (it->fresh)
            json_array_append_new(
                cases, json_pack("{s:I, s:s, s:s, s:s, s:s, s:o, s:o, s:s, s:o, s:s, s:s, s:o}",
                                 "id", (json_int_t) it->case_id, "channel", m->channel,
                                 "category", m->category, "description", m->description,
                                 "urgency", validate_urgency(m), "lon",
                                 pt ? json_real(pt->lon) : json_null(), "lat",
                                 pt ? json_real(pt->lat) : json_null(), "address",
                                 m->location->address, "area_id",
                                 it->area_id ? json_integer(it->area_id) : json_null(), "name",
                                 s_name(it), "phone", s_phone(it), "media",
                                 s_strings(m->media_urls, m->n_media_urls)));
        else
            json_array_append_new(merges, json_pack("{s:I}", "id", (json_int_t) it->case_id));
        json_array_append_new(callers,
                              json_pack("{s:I, s:s, s:s, s:s, s:s, s:o}", "case_id",
                                        (json_int_t) it->case_id, "channel", m->channel, "name",
                                        s_name(it), "phone", s_phone(it), "description",
                                        m->description, "media",
                                        s_strings(m->media_urls, m->n_media_urls)));
        json_array_append_new(requests,
                              json_pack("{s:s, s:s, s:I, s:b, s:s, s:i}", "key", it->key, "req",
                                        it->hex, "case_id", (json_int_t) it->case_id, "merged",
                                        it->merged, "status", it->status, "callers", it->callers));
        if (rc == 0)
            rc = s_event(events, it);
    }
    /* Queue every statement that has rows, then COMMIT; count what was sent. */
    int sent = 0;
    struct {
        const char *statement;
        json_t *rows;
    } steps[] = {{"intake_cases", cases},
                 {"intake_merges", merges},
                 {"intake_callers", callers},
                 {"intake_requests", requests}};
    for (size_t k = 0; rc == 0 && k < sizeof steps / sizeof *steps; k++) {
        if (json_array_size(steps[k].rows) == 0)
            continue;
        rc = s_send_json(conn, steps[k].statement, json_incref(steps[k].rows));
        sent++;
    }
    if (rc == 0 && outbox_batch_size(events)) {
        rc = outbox_batch_send(conn, events);
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
    json_decref(cases);
    json_decref(merges);
    json_decref(callers);
    json_decref(requests);
    return rc;
}

/* Runs the items in one transaction. Returns the events written, or -1 with
 * the transaction rolled back and nothing answered. */
static int s_transact(PGconn *conn, const submit_config_t *cfg, s_item_t *items, size_t n,
                      PGresult **lookup, char sqlstate[6])
{
    int nevents = 0;
    int rc = db_prepare(conn, s_statements, sizeof s_statements / sizeof *s_statements) == 0 &&
                     PQenterPipelineMode(conn)
                 ? 0
                 : -1;
    if (rc == 0)
        rc = s_lookup(conn, cfg, items, n, lookup, sqlstate);
    size_t fresh = 0;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        s_decide(items, i, *lookup, cfg->merge_distance_m);
        fresh += (size_t) items[i].fresh;
    }
    if (rc == 0 && fresh)
        rc = s_assign_ids(conn, items, n, fresh, sqlstate);
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

static void s_answer(rpcsrv_t *srv, s_item_t *it)
{
    for (size_t k = 0; it->error && k < sizeof s_errors / sizeof *s_errors; k++)
        if (strcmp(it->error, s_errors[k].code) == 0) {
            rpcsrv_fail(srv, it->req, it->error, s_errors[k].message, NULL, s_errors[k].hint, NULL);
            return;
        }
    if (it->replayed && areapath_parse(&it->path, it->path_json)) {
        rpcsrv_fail(srv, it->req, "INTERNAL", "stored answer could not be read", NULL, NULL, NULL);
        return;
    }
    Gov__SubmitCaseReply reply = GOV__SUBMIT_CASE_REPLY__INIT;
    reply.case_id = it->case_id;
    reply.merged = it->merged;
    reply.replayed = it->replayed;
    reply.status = (char *) it->status;
    reply.caller_count = it->callers;
    reply.area_path = it->path.ptrs;
    reply.n_area_path = it->path.n;
    rpcsrv_reply(srv, it->req, "SubmitCaseReply", &reply.base);
}

static void s_item_clear(s_item_t *it)
{
    if (it->msg)
        gov__submit_case__free_unpacked(it->msg, NULL);
    free(it->hex);
    areapath_clear(&it->path);
    memset(it, 0, sizeof *it);
}

/* Decodes and validates; answers the invalid ones. Returns how many are left
 * in `items`. */
static size_t s_admit(rpcsrv_t *srv, rpc_req_t **reqs, size_t n, s_item_t *items)
{
    size_t valid = 0;
    for (size_t i = 0; i < n; i++) {
        rpc_req_t *req = reqs[i];
        Gov__SubmitCase *msg =
            (Gov__SubmitCase *) envelope_payload(req->env, &gov__submit_case__descriptor);
        if (!msg) {
            rpcsrv_fail(srv, req, "BAD_PAYLOAD", "payload is not a gov.SubmitCase", NULL, NULL,
                        NULL);
            continue;
        }
        validate_error_t err = validate_submit(msg);
        char *hex = err.code ? NULL : s_hex(req->env->payload.data, req->env->payload.len);
        if (err.code || !hex) {
            rpcsrv_fail(srv, req, err.code ? err.code : "OVERLOADED",
                        err.code ? err.message : "out of memory", NULL, err.hint, NULL);
            gov__submit_case__free_unpacked(msg, NULL);
            continue;
        }
        s_item_t *it = &items[valid++];
        it->req = req;
        it->msg = msg;
        it->hex = hex;
        it->key = *msg->idempotency_key ? msg->idempotency_key : req->env->message_id;
    }
    return valid;
}

int submit_batch(PGconn *conn, rpcsrv_t *srv, const submit_config_t *cfg, rpc_req_t **reqs,
                 size_t n)
{
    s_item_t *items = calloc(n, sizeof *items);
    if (!items) {
        for (size_t i = 0; i < n; i++)
            rpcsrv_fail(srv, reqs[i], "OVERLOADED", "out of memory", NULL, "retry later", NULL);
        return -1;
    }
    size_t valid = s_admit(srv, reqs, n, items);
    char sqlstate[6] = "";
    PGresult *lookup = NULL;
    int events = valid ? s_transact(conn, cfg, items, valid, &lookup, sqlstate) : 0;
    if (events >= 0) {
        for (size_t i = 0; i < valid; i++)
            s_answer(srv, &items[i]);
    } else if (valid > 1) {
        /* Find the culprit: each request alone. */
        events = 0;
        for (size_t i = 0; i < valid; i++) {
            int e = submit_batch(conn, srv, cfg, &items[i].req, 1);
            events += e > 0 ? e : 0;
        }
    } else {
        rpcsrv_fail(srv, items[0].req, "DB_UNAVAILABLE", "the case could not be stored",
                    "nothing was written", "retry with the same message_id or idempotency key",
                    sqlstate);
    }
    for (size_t i = 0; i < valid; i++)
        s_item_clear(&items[i]);
    PQclear(lookup);
    free(items);
    return events;
}
