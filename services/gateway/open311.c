#include "open311.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "credential.h"
#include "envelope.h"
#include "errcodes.h"
#include "form.h"
#include "georeport.h"
#include "log.h"
#include "xml.h"

/* --- one request ------------------------------------------------------------------------ */

typedef struct {
    gateway_t *gw;
    worker_t *w;
    const http_req_t *req;
    http_res_t *res;
    int xml;          /* answer in XML (.xml), else JSON */
    const char *arg;  /* the path's {service_code}, {id} or {token}; "" none */
} s_call_t;

static void s_discovery(s_call_t *c);
static void s_services(s_call_t *c);
static void s_service_definition(s_call_t *c);
static void s_post_request(s_call_t *c);
static void s_requests(s_call_t *c);
static void s_request(s_call_t *c);
static void s_token(s_call_t *c);
static void s_updates(s_call_t *c);

/* Every resource: the method, its name (with_arg: followed by /{arg}) and
 * its handler. Each answers .json and .xml. */
typedef struct {
    const char *method, *resource;
    int with_arg;
    void (*fn)(s_call_t *c);
} s_route_t;

static const s_route_t s_routes[] = {
    {"GET", "discovery", 0, s_discovery},                 /* discovery.{fmt} */
    {"GET", "services", 0, s_services},                   /* services.{fmt} */
    {"GET", "services", 1, s_service_definition},         /* services/{service_code}.{fmt} */
    {"POST", "requests", 0, s_post_request},              /* requests.{fmt} */
    {"GET", "requests", 0, s_requests},                   /* requests.{fmt}?... */
    {"GET", "requests", 1, s_request},                    /* requests/{id}.{fmt} */
    {"GET", "tokens", 1, s_token},                        /* tokens/{token}.{fmt} */
    {"GET", "servicerequestupdates", 0, s_updates},       /* FixMyStreet's extension */
};

/* The elements of each list, for the XML (the specification's names). */
static const xml_item_t s_items[] = {
    {"services", "service"},         {"attributes", "attribute"}, {"values", "value"},
    {"endpoints", "endpoint"},       {"formats", "format"},       {"service_requests", "request"},
    {"service_requests_updates", "request_update"},               {"errors", "error"},
};

/* --- what the gateway reads itself -------------------------------------------------
 *
 * Cases come from intake (GetCase, ListCases). What routing did with them —
 * the lead unit, its deadline, the log of each dispatch, the evaluations —
 * is read here from routing's tables: no routing request answers a case's
 * log or a time range of logs, and one query for a thousand cases beats a
 * thousand requests (docs/open311.md, docs/architecture.md's exceptions). */

/* A filing's api key and category in one round trip: the key's id (NULL
 * unless it is live), when it expires (-1: never), and the category's name
 * (NULL when there is none). */
static const char Q_FILING[] =
    "SELECT k.id, coalesce(k.expires_ms, -1), (SELECT name FROM categories WHERE code = $3)"
    " FROM (SELECT 1) one LEFT JOIN gateway_tokens k ON k.digest = $1::bytea AND k.kind = 'apikey'"
    " AND k.revoked_ms IS NULL AND (k.expires_ms IS NULL OR k.expires_ms > $2::bigint)";
static const char Q_CATEGORIES[] =
    "SELECT code, name, kind, subject, subject_name FROM categories ORDER BY kind, subject LIMIT 1000";
static const char Q_CATEGORY[] =
    "SELECT code, name, kind, subject, subject_name FROM categories WHERE code = $1";

/* What a case's reporter may see happen, oldest first by (at, seq): the log
 * of its dispatches (not the reminders and escalations, which are the
 * units' business) and its evaluations. Columns: update_id, case_id,
 * action, lead, unit, text, reason, result, media, at, seq. */
#define Q_EVENTS                                                                               \
    "SELECT 'd' || l.id AS update_id, d.case_id, l.action,"                                    \
    " (d.role = 'lead' AND d.whistle_id IS NULL) AS lead, u.name AS unit, l.text,"            \
    " coalesce(d.return_reason, '') AS reason, '' AS result,"                                 \
    " coalesce(l.media_urls[1], '') AS media, l.at, l.id AS seq"                               \
    " FROM dispatch_log l JOIN dispatches d ON d.id = l.dispatch_id"                           \
    " JOIN units u ON u.id = d.unit_id"                                                        \
    " WHERE d.case_id IS NOT NULL AND l.action IN ('sent', 'signed', 'contacted', 'arrived',"  \
    "  'progress', 'resolved', 'returned', 'reassigned', 'released')"                          \
    " UNION ALL"                                                                               \
    " SELECT 'e' || e.id, d.case_id, 'evaluated', true, u.name, '', '', e.result, '', e.at,"   \
    "  e.id FROM evaluations e JOIN dispatches d ON d.id = e.dispatch_id"                      \
    " JOIN units u ON u.id = d.unit_id"
#define Q_EVENT_COLUMNS                                                                        \
    "ev.action, ev.lead, ev.unit, ev.text, ev.reason, ev.result,"                             \
    " (extract(epoch FROM ev.at) * 1000)::bigint"

/* $1 case ids bigint[]. One row per id, in order: the id, the current lead
 * dispatch's unit name and resolve-by (ms), then the last event (NULLs when
 * none). */
static const char Q_PROGRESS[] =
    "SELECT x.id, lead.name, lead.resolve_by_ms, " Q_EVENT_COLUMNS
    " FROM unnest($1::bigint[]) WITH ORDINALITY AS x(id, ord)"
    " LEFT JOIN LATERAL (SELECT u.name,"
    "   (extract(epoch FROM d.resolve_by) * 1000)::bigint AS resolve_by_ms"
    "   FROM dispatches d JOIN units u ON u.id = d.unit_id"
    "   WHERE d.case_id = x.id AND d.role = 'lead' AND d.whistle_id IS NULL"
    "   ORDER BY d.id DESC LIMIT 1) lead ON true"
    " LEFT JOIN LATERAL (SELECT * FROM (" Q_EVENTS ") e WHERE e.case_id = x.id"
    "   ORDER BY e.at DESC, e.seq DESC LIMIT 1) ev ON true"
    " ORDER BY x.ord";

/* $1 since (ms), $2 until (ms, excluded), $3 limit. */
static const char Q_UPDATES[] =
    "SELECT ev.update_id, ev.case_id, ev.media, " Q_EVENT_COLUMNS " FROM (" Q_EVENTS ") ev"
    " WHERE ev.at >= to_timestamp($1::bigint / 1000.0) AND ev.at < to_timestamp($2::bigint / 1000.0)"
    " ORDER BY ev.at, ev.seq LIMIT $3::int";

/* --- answers ---------------------------------------------------------------------------- */

/* Answers `doc` (taken) under `root`, in the request's format. */
static void s_send(s_call_t *c, unsigned status, const char *root, json_t *doc)
{
    size_t len = 0;
    char *body = !doc ? NULL
                 : c->xml ? xml_from_json(root, doc, s_items, sizeof s_items / sizeof *s_items, &len)
                          : json_dumps(doc, JSON_COMPACT | JSON_REAL_PRECISION(12));
    if (body && !c->xml)
        len = strlen(body);
    json_decref(doc);
    free(c->res->body); /* answered twice: the last answer stands */
    c->res->status = status;
    c->res->type = c->xml ? "text/xml; charset=utf-8" : "application/json; charset=utf-8";
    c->res->body = body; /* NULL: the listener answers 500 */
    c->res->body_len = len;
}

/* A refusal in the specification's form: [{code, description}]. The code is
 * ours (common/errcodes.h), as the specification allows ("more specific and
 * unique error code identifiers"); the HTTP status is its 400, 403 or 404. */
static void s_refuse(s_call_t *c, unsigned status, const char *code, const char *message,
                     const char *detail)
{
    char text[512];
    snprintf(text, sizeof text, "%s%s%s", message, detail && *detail ? ": " : "",
             detail ? detail : "");
    json_t *description = json_string(text); /* a detail that is not UTF-8: the message alone */
    json_t *e = json_pack("{s:s, s:o}", "code", code, "description",
                          description ? description : json_string(message));
    s_send(c, status, "errors", json_pack("[o]", e));
}

static void s_refuse_err(s_call_t *c, unsigned status, const apperr_t *err)
{
    s_refuse(c, status, err->code, err->message, err->detail);
}

/* Refuses with `code` from the table. */
static void s_refuse_code(s_call_t *c, unsigned status, const char *code, const char *detail_fmt,
                          ...) __attribute__((format(printf, 4, 5)));
static void s_refuse_code(s_call_t *c, unsigned status, const char *code, const char *detail_fmt,
                          ...)
{
    char detail[256] = "";
    if (detail_fmt) {
        va_list ap;
        va_start(ap, detail_fmt);
        vsnprintf(detail, sizeof detail, detail_fmt, ap);
        va_end(ap);
    }
    const errcode_t *row = errcode_find(code);
    s_refuse(c, status, code, row ? row->message : code, detail);
}

/* --- asking the services ---------------------------------------------------------------- */

/* Sends `msg` as `type` to `service` with no actor — the gateway itself
 * asks, a trusted process, as an integration is no person — and decodes
 * the reply as `desc` into `*out` (the caller frees it). Returns 1; 0 for
 * NOT_FOUND (not answered); -1 after answering any other refusal (404 for
 * an unknown category, else 400, the specification's "general service
 * error", transient faults included). */
static int s_ask(s_call_t *c, gw_service_t service, const char *type, const ProtobufCMessage *msg,
                 const ProtobufCMessageDescriptor *desc, ProtobufCMessage **out)
{
    char id[33];
    envelope_new_id(id);
    Gov__Envelope env = GOV__ENVELOPE__INIT, *reply = NULL;
    env.type = (char *) type;
    env.message_id = id;
    if (rpccli_call(c->w->cli[service], &env, msg, c->gw->timeout_ms, &reply)) {
        s_refuse_code(c, 400, "SERVICE_TIMEOUT", "%s", type);
        return -1;
    }
    int rc = 1;
    if (reply->error) {
        const Gov__Error *e = reply->error;
        rc = strcmp(e->code, "NOT_FOUND") == 0 ? 0 : -1;
        if (rc < 0)
            s_refuse(c, strcmp(e->code, "UNKNOWN_CATEGORY") == 0 ? 404 : 400, e->code, e->message,
                     e->detail);
    } else if (!(*out = envelope_payload(reply, desc))) {
        s_refuse_code(c, 400, "INTERNAL", "%s", reply->type);
        rc = -1;
    }
    envelope_free(&reply);
    return rc;
}

/* Case `id` into `*out` (the caller frees it). Returns 1, 0 when there is
 * no such case, -1 after answering. */
static int s_get_case(s_call_t *c, int64_t id, Gov__Case **out)
{
    Gov__GetCase m = GOV__GET_CASE__INIT;
    m.case_id = id;
    Gov__GetCaseReply *reply = NULL;
    int rc = s_ask(c, GW_INTAKE, "GetCase", &m.base, &gov__get_case_reply__descriptor,
                   (ProtobufCMessage **) &reply);
    if (rc == 1) {
        *out = reply->item;
        reply->item = NULL;
        gov__get_case_reply__free_unpacked(reply, NULL);
        rc = *out ? 1 : 0;
    }
    return rc;
}

/* --- reading the database ----------------------------------------------------------------- */

static PGresult *s_sql(s_call_t *c, const char *sql, int n, const char *const *params)
{
    PGresult *res = pstmt_exec(c->w->sql, sql, n, params, NULL);
    if (!res)
        s_refuse_code(c, 400, "DB_UNAVAILABLE", NULL);
    return res;
}

/* What a filing needs to know before intake is asked. */
typedef struct {
    long long key_id; /* the api key's id; 0: no live key */
    char *category;   /* the category's name (malloc'd); NULL: no such category */
} s_filing_t;

/* An api key's cached answer is "ID EXPIRES_MS" (-1: never): live while not expired. */
static long long s_live_key(const char *cached, long long now_ms)
{
    long long id = 0, expires = 0;
    if (!cached || sscanf(cached, "%lld %lld", &id, &expires) != 2)
        return 0;
    return expires < 0 || expires > now_ms ? id : 0;
}

/* Looks up api key `key` (its digest only; the key itself is never logged)
 * and category `code` ("" for none): from memory while nothing changed in
 * their tables (dbwatch.h), else in one round trip, whose live answers are
 * kept for the next filing. Returns 0, or -1 after answering. */
static int s_filing(s_call_t *c, const char *key, const char *code, s_filing_t *out)
{
    char hex[67], now[24], kkey[80], ckey[160];
    long long now_ms = (long long) envelope_now_ms();
    credential_digest_hex(key, hex);
    snprintf(kkey, sizeof kkey, "apikey %s", hex);
    int cacheable = snprintf(ckey, sizeof ckey, "category %s", code) < (int) sizeof ckey;
    uint64_t generation = c->gw->watch && c->gw->filing ? dbwatch_generation(c->gw->watch) : 0;
    size_t len;
    if (generation && cacheable) {
        char *k = cache_get(c->gw->filing, kkey, generation, &len);
        out->key_id = s_live_key(k, now_ms);
        free(k);
        if (out->key_id && (out->category = cache_get(c->gw->filing, ckey, generation, &len)))
            return 0;
    }
    snprintf(now, sizeof now, "%lld", now_ms);
    const char *params[] = {hex, now, code};
    PGresult *res = s_sql(c, Q_FILING, 3, params);
    if (!res)
        return -1;
    out->key_id = PQgetisnull(res, 0, 0) ? 0 : strtoll(PQgetvalue(res, 0, 0), NULL, 10);
    out->category = PQgetisnull(res, 0, 2) ? NULL : strdup(PQgetvalue(res, 0, 2));
    if (generation && cacheable && out->key_id) { /* refusals are not kept: they cost a query */
        char value[48];
        len = (size_t) snprintf(value, sizeof value, "%lld %s", out->key_id, PQgetvalue(res, 0, 1));
        cache_put(c->gw->filing, kkey, generation, value, len);
        if (out->category)
            cache_put(c->gw->filing, ckey, generation, out->category, strlen(out->category));
    }
    PQclear(res);
    return 0;
}

static georeport_category_t s_category(const PGresult *res, int row)
{
    return (georeport_category_t) {PQgetvalue(res, row, 0), PQgetvalue(res, row, 1),
                                   PQgetvalue(res, row, 2), PQgetvalue(res, row, 3),
                                   PQgetvalue(res, row, 4)};
}

static const char *s_category_name(const PGresult *cats, const char *code)
{
    for (int i = 0; i < PQntuples(cats); i++)
        if (strcmp(PQgetvalue(cats, i, 0), code) == 0)
            return PQgetvalue(cats, i, 1);
    return NULL;
}

/* An event from `res` at `row`, its columns from `col` on (Q_EVENT_COLUMNS);
 * 0 when they are NULL (no event). */
static int s_event(const PGresult *res, int row, int col, georeport_event_t *e)
{
    if (PQgetisnull(res, row, col))
        return 0;
    *e = (georeport_event_t) {
        .action = PQgetvalue(res, row, col), .lead = PQgetvalue(res, row, col + 1)[0] == 't',
        .unit = PQgetvalue(res, row, col + 2), .text = PQgetvalue(res, row, col + 3),
        .reason = PQgetvalue(res, row, col + 4), .result = PQgetvalue(res, row, col + 5),
        .at_ms = strtoll(PQgetvalue(res, row, col + 6), NULL, 10)};
    return 1;
}

/* --- the resources --------------------------------------------------------------------- */

static void s_discovery(s_call_t *c)
{
    char url[300];
    georeport_endpoint_url(http_header(c->req, "Host"), c->gw->secure_cookie, url);
    json_t *endpoint = json_pack("{s:s, s:s, s:s, s:s, s:[s, s]}", "specification", GEOREPORT_SPEC,
                                 "url", url, "changeset", GEOREPORT_CHANGESET, "type",
                                 "production", "formats", "text/xml", "application/json");
    s_send(c, 200, "discovery",
           json_pack("{s:s, s:s, s:s, s:[o]}", "changeset", GEOREPORT_CHANGESET, "contact",
                     "12345 政务服务便民热线（接诉即办）", "key_service",
                     "api_key 由城市运行指挥中心的运维人员签发（govctl apikey create）",
                     "endpoints", endpoint));
}

static void s_services(s_call_t *c)
{
    PGresult *cats = s_sql(c, Q_CATEGORIES, 0, NULL);
    if (!cats)
        return;
    json_t *list = json_array();
    for (int i = 0; i < PQntuples(cats); i++) {
        georeport_category_t cat = s_category(cats, i);
        json_array_append_new(list, georeport_service(&cat));
    }
    PQclear(cats);
    s_send(c, 200, "services", list);
}

/* Our categories have no attributes: every definition's list is empty. */
static void s_service_definition(s_call_t *c)
{
    const char *params[] = {c->arg};
    PGresult *cat = s_sql(c, Q_CATEGORY, 1, params);
    if (!cat)
        return;
    if (PQntuples(cat) == 0)
        s_refuse_code(c, 404, "UNKNOWN_CATEGORY", "service_code %.100s", c->arg);
    else
        s_send(c, 200, "service_definition",
               json_pack("{s:s, s:[]}", "service_code", PQgetvalue(cat, 0, 0), "attributes"));
    PQclear(cat);
}

static int s_number(const char *text, double *v)
{
    char *end;
    *v = strtod(text, &end);
    return end != text && !*end && isfinite(*v) ? 0 : -1;
}

/* POST requests: a form with api_key, service_code, a place (lat and long,
 * or address_string), and what the reporter says. Unknown attribute[code]
 * fields are accepted and ignored (no category has attributes); email,
 * device_id and account_id are accepted and not kept (intake has no place
 * for them, and a GET must show no personal data anyway). */
static void s_post_request(s_call_t *c)
{
    form_t f;
    char why[96];
    char *name = NULL;
    s_filing_t filing = {0, NULL};
    Gov__SubmitCaseReply *reply = NULL;
    const char *type = http_header(c->req, "Content-Type");
    memset(&f, 0, sizeof f);
    if (type && strncasecmp(type, "application/x-www-form-urlencoded", 33) != 0) {
        s_refuse_code(c, 400, "BAD_FORM", "Content-Type %.80s", type);
        goto done;
    }
    if (form_parse(c->req->body, c->req->body_len, &f, why)) {
        s_refuse_code(c, 400, "BAD_FORM", "%s", why);
        goto done;
    }
    const char *key = form_get(&f, "api_key");
    if (!key || !*key)
        key = http_query(c->req, "api_key");
    const char *code = form_get(&f, "service_code");
    if (s_filing(c, key ? key : "", code ? code : "", &filing))
        goto done;
    if (!filing.key_id) {
        s_refuse_code(c, 403, key && *key ? "API_KEY_INVALID" : "API_KEY_REQUIRED", NULL);
        goto done;
    }
    long long key_id = filing.key_id;
    if (!code || !*code) {
        s_refuse_code(c, 400, "MISSING_CATEGORY", "send service_code (GET services.xml lists them)");
        goto done;
    }
    if (!filing.category) { /* the specification: 404, service_code not found */
        s_refuse_code(c, 404, "UNKNOWN_CATEGORY", "service_code %.100s", code);
        goto done;
    }
    const char *lat = form_get(&f, "lat"), *lon = form_get(&f, "long");
    const char *address = form_get(&f, "address_string");
    int has_lat = lat && *lat, has_lon = lon && *lon;
    Gov__Point point = GOV__POINT__INIT;
    if (has_lat != has_lon || (!has_lat && !(address && *address))) {
        s_refuse_code(c, 400, "MISSING_LOCATION", "send lat and long (both), or address_string");
        goto done;
    }
    if (has_lat && (s_number(lat, &point.lat) || s_number(lon, &point.lon))) {
        s_refuse_code(c, 400, "INVALID_POINT", "lat and long are decimal degrees (WGS84)");
        goto done;
    }
    const char *description = form_get(&f, "description");
    char *media[FORM_FIELDS_MAX];
    size_t nmedia = 0;
    for (int i = 0; i < f.n; i++)
        if (strcmp(f.fields[i].name, "media_url") == 0 && f.fields[i].value[0])
            media[nmedia++] = (char *) f.fields[i].value;
    name = georeport_reporter_name(form_get(&f, "first_name"), form_get(&f, "last_name"));

    Gov__Location location = GOV__LOCATION__INIT;
    location.point = has_lat ? &point : NULL;
    location.address = (char *) (address ? address : "");
    Gov__Reporter reporter = GOV__REPORTER__INIT;
    reporter.name = name ? name : "";
    reporter.phone = (char *) (form_get(&f, "phone") ? form_get(&f, "phone") : "");
    Gov__SubmitCase m = GOV__SUBMIT_CASE__INIT;
    m.channel = "open311";
    m.category = (char *) code;
    /* intake needs a description; the specification does not: the service's name stands in */
    m.description = (char *) (description && *description ? description : filing.category);
    m.location = &location;
    m.reporter = &reporter;
    m.media_urls = media;
    m.n_media_urls = nmedia;
    if (s_ask(c, GW_INTAKE, "SubmitCase", &m.base, &gov__submit_case_reply__descriptor,
              (ProtobufCMessage **) &reply) <= 0) {
        if (!c->res->body)
            s_refuse_code(c, 400, "INTERNAL", "SubmitCase");
        goto done;
    }
    log_info("open311: api key %lld filed case %lld%s", key_id, (long long) reply->case_id,
             reply->merged ? " (joined an open case nearby)" : "");
    s_send(c, 200, "service_requests",
           json_pack("[o]", georeport_filed(reply->case_id, reply->merged)));
done:
    if (reply)
        gov__submit_case_reply__free_unpacked(reply, NULL);
    free(filing.category);
    free(name);
    form_clear(&f);
}

/* Answers `cases` (n of them, taken and freed) as service requests. */
static void s_answer_requests(s_call_t *c, Gov__Case **cases, size_t n)
{
    PGresult *cats = s_sql(c, Q_CATEGORIES, 0, NULL), *prog = NULL;
    char *ids = malloc(n * 21 + 3);
    if (cats && ids) {
        size_t at = 0;
        ids[at++] = '{';
        for (size_t i = 0; i < n; i++)
            at += (size_t) sprintf(ids + at, "%s%lld", i ? "," : "", (long long) cases[i]->id);
        snprintf(ids + at, 2, "}");
        const char *params[] = {ids};
        prog = s_sql(c, Q_PROGRESS, 1, params);
    }
    if (prog && (size_t) PQntuples(prog) == n) {
        json_t *list = json_array();
        for (size_t i = 0; i < n; i++) {
            georeport_event_t last;
            int row = (int) i;
            georeport_progress_t p = {
                .agency = PQgetisnull(prog, row, 1) ? NULL : PQgetvalue(prog, row, 1),
                .expected_ms = strtoll(PQgetvalue(prog, row, 2), NULL, 10),
                .last = s_event(prog, row, 3, &last) ? &last : NULL};
            const char *name = s_category_name(cats, cases[i]->category);
            json_array_append_new(list, georeport_request(cases[i], name, &p));
        }
        s_send(c, 200, "service_requests", list);
    } else if (!c->res->body) {
        s_refuse_code(c, 400, "INTERNAL", "the requests could not be read");
    }
    for (size_t i = 0; i < n; i++)
        protobuf_c_message_free_unpacked(&cases[i]->base, NULL);
    free(ids);
    PQclear(cats);
    PQclear(prog);
}

/* The items of a comma-separated list (spaces around them dropped) into
 * `out`, at most `max`; returns how many, or -1 when there are more. They
 * point into `copy`, which the caller frees. */
static int s_split(const char *list, char **copy, char **out, int max)
{
    int n = 0;
    *copy = strdup(list ? list : "");
    char *save = NULL;
    for (char *t = *copy ? strtok_r(*copy, ",", &save) : NULL; t; t = strtok_r(NULL, ",", &save)) {
        while (*t == ' ')
            t++;
        for (char *e = t + strlen(t); e > t && e[-1] == ' ';)
            *--e = '\0';
        if (!*t)
            continue;
        if (n == max)
            return -1;
        out[n++] = t;
    }
    return n;
}

/* One stream of intake's ListCases, newest first, a page at a time. */
typedef struct {
    Gov__ListCases q;
    Gov__ListCasesReply *page;
    size_t at;
    int started, done;
} s_cursor_t;

/* The cursor's next case (still in its page), fetching the next page when
 * this one is used up. Returns 1 with `*head`, 0 at the end, -1 after
 * answering a refusal. */
static int s_head(s_call_t *c, s_cursor_t *k, Gov__Case **head)
{
    while (!k->done && !(k->page && k->at < k->page->n_items)) {
        if (k->page) {
            k->q.before_id = k->page->next_before_id;
            gov__list_cases_reply__free_unpacked(k->page, NULL);
            k->page = NULL;
            k->at = 0;
            k->done = k->q.before_id == 0;
        } else if (k->started) {
            k->done = 1;
        } else {
            k->started = 1;
        }
        int rc = k->done ? 1
                         : s_ask(c, GW_INTAKE, "ListCases", &k->q.base,
                                 &gov__list_cases_reply__descriptor, (ProtobufCMessage **) &k->page);
        if (rc <= 0) {
            if (rc == 0)
                s_refuse_code(c, 400, "INTERNAL", "ListCases");
            return -1;
        }
        k->done |= k->page && k->page->n_items == 0;
    }
    if (k->done)
        return 0;
    *head = k->page->items[k->at];
    return 1;
}

/* The next case of all the streams `ks`, newest first, into `cases` (`*n`
 * of them, at most GEOREPORT_MAX_REQUESTS). Returns 0, or -1 after
 * answering. */
static int s_merge(s_call_t *c, s_cursor_t *ks, size_t nk, Gov__Case **cases, size_t *n)
{
    while (*n < GEOREPORT_MAX_REQUESTS) {
        s_cursor_t *best = NULL;
        Gov__Case *head, *best_head = NULL;
        for (size_t i = 0; i < nk; i++) {
            int rc = s_head(c, &ks[i], &head);
            if (rc < 0)
                return -1;
            if (rc && (!best_head || head->id > best_head->id))
                best = &ks[i], best_head = head;
        }
        if (!best)
            return 0;
        best->page->items[best->at++] = NULL; /* taken */
        if (*n && cases[*n - 1]->id == best_head->id) /* seen twice: it moved on between pages */
            gov__case__free_unpacked(best_head, NULL);
        else
            cases[(*n)++] = best_head;
    }
    return 0;
}

/* The cases of a comma-separated list of ids, in its order; unknown ids
 * left out, the first GEOREPORT_MAX_REQUESTS read. Returns 0, or -1 after
 * answering. */
static int s_cases_by_id(s_call_t *c, const char *ids, Gov__Case **cases, size_t *n)
{
    char *copy, *items[GEOREPORT_MAX_REQUESTS];
    int nids = s_split(ids, &copy, items, GEOREPORT_MAX_REQUESTS), rc = 0;
    if (nids < 0)
        nids = GEOREPORT_MAX_REQUESTS; /* the first thousand, as the specification says */
    for (int i = 0; rc >= 0 && i < nids; i++) {
        int64_t id;
        if (georeport_id(items[i], &id)) {
            s_refuse_code(c, 400, "BAD_ARGUMENT", "service_request_id %.40s", items[i]);
            rc = -1;
        } else if ((rc = s_get_case(c, id, &cases[*n])) > 0) {
            (*n)++;
        }
    }
    free(copy);
    return rc < 0 ? -1 : 0;
}

#define S_MAX_CODES 64

/* The cases of service_code, status and the dates, newest first: one
 * ListCases stream per code and intake status, merged a page at a time.
 * Returns 0, or -1 after answering. */
static int s_cases_by_filter(s_call_t *c, Gov__Case **cases, size_t *n)
{
    apperr_t err;
    int64_t since, until;
    char *codecopy = NULL, *statuscopy = NULL, *codes[S_MAX_CODES], *statuses[2];
    s_cursor_t *ks = NULL;
    size_t nk = 0;
    int rc = -1;
    if (georeport_range(http_query(c->req, "start_date"), http_query(c->req, "end_date"),
                        envelope_now_ms(), &since, &until, &err)) {
        s_refuse_err(c, 400, &err);
        goto done;
    }
    int ncodes = s_split(http_query(c->req, "service_code"), &codecopy, codes, S_MAX_CODES);
    int nstatus = s_split(http_query(c->req, "status"), &statuscopy, statuses, 2);
    if (ncodes < 0) {
        s_refuse_code(c, 400, "BAD_ARGUMENT", "at most %d service codes", S_MAX_CODES);
        goto done;
    }
    int want_open = nstatus <= 0, want_closed = nstatus <= 0;
    for (int i = 0; i < nstatus; i++) {
        want_open |= strcmp(statuses[i], "open") == 0;
        want_closed |= strcmp(statuses[i], "closed") == 0;
        if (strcmp(statuses[i], "open") != 0 && strcmp(statuses[i], "closed") != 0) {
            s_refuse_code(c, 400, "INVALID_STATUS", "status is open or closed");
            goto done;
        }
    }
    /* intake's statuses for Open311's (georeport_status) */
    static const char *const st_any[] = {""}, *const st_open[] = {"open", "dispatched"},
                             *const st_closed[] = {"resolved", "closed"};
    const char *const *st = want_open && want_closed ? st_any : want_open ? st_open : st_closed;
    size_t nst = st == st_any ? 1 : 2;
    nk = (ncodes > 0 ? (size_t) ncodes : 1) * nst;
    if (!(ks = calloc(nk, sizeof *ks))) {
        s_refuse_code(c, 400, "OVERLOADED", NULL);
        goto done;
    }
    int page = GEOREPORT_MAX_REQUESTS / (int) nk + 1;
    for (size_t i = 0; i < nk; i++) {
        gov__list_cases__init(&ks[i].q);
        ks[i].q.category = ncodes > 0 ? codes[i / nst] : (char *) "";
        ks[i].q.status = (char *) st[i % nst];
        ks[i].q.since_ms = since;
        ks[i].q.until_ms = until;
        ks[i].q.limit = page < 10 ? 10 : page > 500 ? 500 : page; /* 500: ListCases' most */
    }
    rc = s_merge(c, ks, nk, cases, n);
done:
    for (size_t i = 0; ks && i < nk; i++)
        if (ks[i].page)
            gov__list_cases_reply__free_unpacked(ks[i].page, NULL);
    free(ks);
    free(codecopy);
    free(statuscopy);
    return rc;
}

/* GET requests: by service_request_id (which overrides the rest), or by
 * service_code, status and the dates. At most GEOREPORT_MAX_REQUESTS cases
 * are held, and a page per stream. */
static void s_requests(s_call_t *c)
{
    Gov__Case **cases = calloc(GEOREPORT_MAX_REQUESTS, sizeof *cases);
    size_t n = 0;
    if (!cases) {
        s_refuse_code(c, 400, "OVERLOADED", NULL);
        return;
    }
    const char *ids = http_query(c->req, "service_request_id");
    if ((ids && *ids ? s_cases_by_id(c, ids, cases, &n) : s_cases_by_filter(c, cases, &n)) == 0) {
        s_answer_requests(c, cases, n); /* takes them */
        n = 0;
    }
    for (size_t i = 0; i < n; i++)
        gov__case__free_unpacked(cases[i], NULL);
    free(cases);
}

static void s_request(s_call_t *c)
{
    int64_t id;
    Gov__Case *one = NULL;
    int rc = georeport_id(c->arg, &id) ? 0 : s_get_case(c, id, &one);
    if (rc == 0)
        s_refuse_code(c, 404, "NOT_FOUND", "service_request_id %.40s", c->arg);
    else if (rc > 0)
        s_answer_requests(c, &one, 1);
}

/* We file in real time and give no tokens; a token is read as the request
 * id it would stand for: tokens/{id} answers that id when the request
 * exists. */
static void s_token(s_call_t *c)
{
    int64_t id;
    Gov__Case *one = NULL;
    int rc = georeport_id(c->arg, &id) ? 0 : s_get_case(c, id, &one);
    if (rc == 0)
        s_refuse_code(c, 404, "NOT_FOUND", "token %.40s", c->arg);
    else if (rc > 0)
        s_send(c, 200, "service_requests",
               json_pack("[{s:I, s:s}]", "service_request_id", (json_int_t) id, "token", c->arg));
    if (one)
        gov__case__free_unpacked(one, NULL);
}

/* FixMyStreet's GET servicerequestupdates: what happened to every case
 * between start_date and end_date, oldest first, at most
 * GEOREPORT_MAX_REQUESTS. */
static void s_updates(s_call_t *c)
{
    apperr_t err;
    int64_t since, until;
    if (georeport_range(http_query(c->req, "start_date"), http_query(c->req, "end_date"),
                        envelope_now_ms(), &since, &until, &err)) {
        s_refuse_err(c, 400, &err);
        return;
    }
    char b[3][24];
    snprintf(b[0], sizeof b[0], "%lld", (long long) since);
    snprintf(b[1], sizeof b[1], "%lld", (long long) until);
    snprintf(b[2], sizeof b[2], "%d", GEOREPORT_MAX_REQUESTS);
    const char *params[] = {b[0], b[1], b[2]};
    PGresult *rows = s_sql(c, Q_UPDATES, 3, params);
    if (!rows)
        return;
    json_t *list = json_array();
    for (int i = 0; i < PQntuples(rows); i++) {
        georeport_event_t e;
        s_event(rows, i, 3, &e);
        json_array_append_new(list, georeport_update(PQgetvalue(rows, i, 0),
                                                     strtoll(PQgetvalue(rows, i, 1), NULL, 10), &e,
                                                     PQgetvalue(rows, i, 2)));
    }
    PQclear(rows);
    s_send(c, 200, "service_requests_updates", list);
}

void open311_refuse(const http_req_t *req, http_res_t *res, unsigned status, const char *code)
{
    char resource[32], arg[128] = "";
    s_call_t c = {.req = req, .res = res, .xml = 1, .arg = arg};
    if (georeport_path(req->path + strlen(OPEN311_PREFIX), resource, arg, &c.xml) != 0)
        c.xml = 1;
    s_refuse_code(&c, status, code, NULL);
}

void open311_handle(gateway_t *gw, const http_req_t *req, http_res_t *res)
{
    char resource[32], arg[128] = "";
    s_call_t c = {.gw = gw, .req = req, .res = res, .xml = 1, .arg = arg};
    const s_route_t *route = NULL;
    int known = 0;
    if (georeport_path(req->path + strlen(OPEN311_PREFIX), resource, arg, &c.xml) == 0)
        for (size_t i = 0; !route && i < sizeof s_routes / sizeof *s_routes; i++)
            if (strcmp(s_routes[i].resource, resource) == 0 && s_routes[i].with_arg == !!arg[0]) {
                known = 1;
                if (strcmp(s_routes[i].method, req->method) == 0)
                    route = &s_routes[i];
            }
    if (route) {
        c.w = pool_take(gw->pool);
        route->fn(&c);
        pool_give(gw->pool, c.w);
    } else {
        s_refuse_code(&c, known ? 400 : 404, "NO_ROUTE", "%s %.100s", req->method, req->path);
    }
    if (res->status >= 400)
        atomic_fetch_add(&gw->refused, 1);
}
