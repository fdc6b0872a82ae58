#include "submit.h"

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

/* One request on its way through the batch. */
typedef struct {
    rpc_req_t *req;
    Gov__SubmitCase *msg;
    PGresult *res;        /* intake_submit's row */
    caseview_path_t path; /* parsed from res */
} s_item_t;

/* Error codes intake_submit() returns, with what a person should read. */
static const struct {
    const char *code, *message, *hint;
} s_db_errors[] = {
    {"UNKNOWN_CATEGORY", "unknown category", "`govctl categories list` shows the codes"},
    {"OUTSIDE_AREA", "point is outside every area", "check lat/lon order, or give an address only"},
    {"IDEMPOTENCY_CONFLICT", "idempotency key was used for a different request",
     "use a new key for a new request; resend the same content to get the first answer"},
};

static void s_fail_code(rpcsrv_t *srv, rpc_req_t *req, const char *code)
{
    for (size_t i = 0; i < sizeof s_db_errors / sizeof *s_db_errors; i++)
        if (strcmp(code, s_db_errors[i].code) == 0) {
            rpcsrv_fail(srv, req, code, s_db_errors[i].message, NULL, s_db_errors[i].hint, NULL);
            return;
        }
    rpcsrv_fail(srv, req, "INTERNAL", "unexpected result from the database", code, NULL, NULL);
}

static const char *s_key(const s_item_t *it)
{
    return *it->msg->idempotency_key ? it->msg->idempotency_key : it->req->env->message_id;
}

/* Queues intake_submit() for one item on a connection in pipeline mode. */
static int s_send_submit(PGconn *conn, const submit_config_t *cfg, const s_item_t *it)
{
    const Gov__SubmitCase *m = it->msg;
    char lon[32], lat[32], dist[32], window[32];
    const Gov__Point *pt = m->location->point;
    snprintf(lon, sizeof lon, "%.9f", pt ? pt->lon : 0);
    snprintf(lat, sizeof lat, "%.9f", pt ? pt->lat : 0);
    snprintf(dist, sizeof dist, "%.3f", cfg->merge_distance_m);
    snprintf(window, sizeof window, "%d hours", cfg->merge_window_hours);
    char *media = db_text_array(m->media_urls, m->n_media_urls);
    const Gov__Reporter *rep = m->reporter;
    const char *values[14] = {s_key(it),
                              (const char *) it->req->env->payload.data,
                              m->channel,
                              m->category,
                              m->description,
                              validate_urgency(m),
                              pt ? lon : NULL,
                              pt ? lat : NULL,
                              m->location->address,
                              rep ? rep->name : "",
                              rep ? rep->phone : "",
                              media,
                              dist,
                              window};
    int lens[14] = {0, (int) it->req->env->payload.len};
    int formats[14] = {0, 1};
    int ok = media && PQsendQueryPrepared(conn, "intake_submit", 14, values, lens, formats, 0);
    free(media);
    return ok ? 0 : -1;
}

static int s_ok(const s_item_t *it)
{
    return it->res && PQntuples(it->res) == 1 && strcmp(PQgetvalue(it->res, 0, 0), "OK") == 0;
}

static int s_replayed(const s_item_t *it)
{
    return PQgetvalue(it->res, 0, 3)[0] == 't';
}

/* Queues the outbox insert for a new or merged case. */
static int s_send_event(PGconn *conn, s_item_t *it)
{
    const Gov__SubmitCase *m = it->msg;
    const PGresult *r = it->res;
    int64_t case_id = strtoll(PQgetvalue(r, 0, 1), NULL, 10);
    int merged = PQgetvalue(r, 0, 2)[0] == 't';
    Gov__Reporter empty = GOV__REPORTER__INIT;
    Gov__Reporter *reporter = m->reporter ? m->reporter : &empty;
    const Gov__Envelope *env = it->req->env;
    if (merged) {
        Gov__Caller caller = GOV__CALLER__INIT;
        caller.channel = m->channel;
        caller.reporter = reporter;
        caller.description = m->description;
        caller.media_urls = m->media_urls;
        caller.n_media_urls = m->n_media_urls;
        caller.created_ms = env->time_ms;
        Gov__CaseMerged ev = GOV__CASE_MERGED__INIT;
        ev.case_id = case_id;
        ev.category = m->category;
        ev.area_path = it->path.ptrs;
        ev.n_area_path = it->path.n;
        ev.caller = &caller;
        ev.caller_count = atoi(PQgetvalue(r, 0, 5));
        return outbox_send_add(conn, "intake", "CaseMerged", env->actor, env->trace_id,
                               &ev.base);
    }
    Gov__Case c = GOV__CASE__INIT;
    c.id = case_id;
    c.status = PQgetvalue(r, 0, 4);
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
    c.created_ms = c.updated_ms = strtoll(PQgetvalue(r, 0, 7), NULL, 10);
    Gov__CaseCreated ev = GOV__CASE_CREATED__INIT;
    ev.item = &c;
    return outbox_send_add(conn, "intake", "CaseCreated", env->actor, env->trace_id, &ev.base);
}

/* Runs the items in one transaction. Returns events written, or -1 (rolled
 * back; nothing answered). */
static int s_transact(PGconn *conn, const submit_config_t *cfg, s_item_t *items, size_t n,
                      char sqlstate[6])
{
    int events = 0, rc = -1;
    PGresult **results = calloc(n + 2, sizeof *results);
    if (!results || db_prepare(conn, "intake_submit", Q_SUBMIT, 14) || !PQenterPipelineMode(conn))
        goto done;
    /* Round trip 1: BEGIN and every submission. */
    int sent = PQsendQueryParams(conn, "BEGIN", 0, NULL, NULL, NULL, NULL, 0) ? 1 : -1;
    for (size_t i = 0; sent > 0 && i < n; i++)
        sent = s_send_submit(conn, cfg, &items[i]) ? -1 : sent + 1;
    if (sent < 0 || !PQpipelineSync(conn))
        goto abort;
    if (db_pipeline_collect(conn, sent, results, sqlstate))
        goto abort;
    for (size_t i = 0; i < n; i++) {
        items[i].res = results[i + 1];
        results[i + 1] = NULL;
        if (s_ok(&items[i]) && caseview_path_parse(&items[i].path, PQgetvalue(items[i].res, 0, 6)))
            goto abort;
    }
    PQclear(results[0]);
    results[0] = NULL;
    /* Round trip 2: the events, and COMMIT. */
    sent = 0;
    for (size_t i = 0; i < n; i++) {
        if (!s_ok(&items[i]) || s_replayed(&items[i]))
            continue;
        if (s_send_event(conn, &items[i]))
            goto abort;
        sent++;
    }
    events = sent;
    if (!PQsendQueryParams(conn, "COMMIT", 0, NULL, NULL, NULL, NULL, 0) || !PQpipelineSync(conn))
        goto abort;
    rc = db_pipeline_collect(conn, sent + 1, results, sqlstate);
    for (int i = 0; i < sent + 1; i++)
        PQclear(results[i]);
    if (rc == 0 && PQtransactionStatus(conn) != PQTRANS_IDLE)
        rc = -1; /* COMMIT of a failed transaction reports success as ROLLBACK */
    goto done;
abort:
    /* Everything sent was collected unless the connection broke or a send
     * failed half-way; then the only clean state is a new connection. */
    if (PQpipelineStatus(conn) != PQ_PIPELINE_OFF && !PQexitPipelineMode(conn))
        PQreset(conn);
    else if (PQtransactionStatus(conn) != PQTRANS_IDLE)
        PQclear(PQexec(conn, "ROLLBACK"));
    rc = -1;
done:
    if (PQpipelineStatus(conn) != PQ_PIPELINE_OFF)
        PQexitPipelineMode(conn);
    free(results);
    return rc ? -1 : events;
}

static void s_answer(rpcsrv_t *srv, s_item_t *it)
{
    if (!s_ok(it)) {
        s_fail_code(srv, it->req, PQgetvalue(it->res, 0, 0));
        return;
    }
    const PGresult *r = it->res;
    Gov__SubmitCaseReply reply = GOV__SUBMIT_CASE_REPLY__INIT;
    reply.case_id = strtoll(PQgetvalue(r, 0, 1), NULL, 10);
    reply.merged = PQgetvalue(r, 0, 2)[0] == 't';
    reply.replayed = s_replayed(it);
    reply.status = PQgetvalue(r, 0, 4);
    reply.caller_count = atoi(PQgetvalue(r, 0, 5));
    reply.area_path = it->path.ptrs;
    reply.n_area_path = it->path.n;
    rpcsrv_reply(srv, it->req, "SubmitCaseReply", &reply.base);
}

static void s_item_clear(s_item_t *it)
{
    if (it->msg)
        gov__submit_case__free_unpacked(it->msg, NULL);
    PQclear(it->res);
    caseview_path_clear(&it->path);
    memset(it, 0, sizeof *it);
}

int submit_batch(PGconn *conn, rpcsrv_t *srv, const submit_config_t *cfg, rpc_req_t **reqs,
                 size_t n)
{
    s_item_t *items = calloc(n, sizeof *items);
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
        if (err.code || !items) {
            if (!items)
                rpcsrv_fail(srv, req, "OVERLOADED", "out of memory", NULL, "retry later", NULL);
            else
                rpcsrv_fail(srv, req, err.code, err.message, NULL, err.hint, NULL);
            gov__submit_case__free_unpacked(msg, NULL);
            continue;
        }
        items[valid].req = req;
        items[valid].msg = msg;
        valid++;
    }
    if (valid == 0) {
        free(items);
        return 0;
    }
    char sqlstate[6] = "";
    int events = s_transact(conn, cfg, items, valid, sqlstate);
    if (events >= 0) {
        for (size_t i = 0; i < valid; i++) {
            s_answer(srv, &items[i]);
            s_item_clear(&items[i]);
        }
    } else if (valid > 1) {
        /* Find the culprit: each request alone. */
        events = 0;
        for (size_t i = 0; i < valid; i++) {
            rpc_req_t *one = items[i].req;
            gov__submit_case__free_unpacked(items[i].msg, NULL);
            items[i].msg = NULL;
            s_item_clear(&items[i]);
            int e = submit_batch(conn, srv, cfg, &one, 1);
            events += e > 0 ? e : 0;
        }
    } else {
        rpcsrv_fail(srv, items[0].req, "DB_UNAVAILABLE", "the case could not be stored",
                    "nothing was written", "retry with the same message_id or idempotency key",
                    sqlstate);
        s_item_clear(&items[0]);
        events = -1;
    }
    free(items);
    return events;
}
