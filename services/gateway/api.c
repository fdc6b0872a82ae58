#include "api.h"
#include "areas.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "auth.h"
#include "envelope.h"
#include "errcodes.h"
#include "log.h"
#include "logincode.h"
#include "msgtypes.h"
#include "open311.h"
#include "pbjson.h"
#include "routing.pb-c.h"
#include "web.h"

/* Every route: the method and path ("{id}" is a number that fills
 * `id_field`), the service and request type, and whether it changes
 * anything (then it needs the CSRF token with a cookie, and honours
 * Idempotency-Key). */
typedef struct {
    const char *method, *path;
    gw_service_t service;
    const char *type, *id_field;
} route_t;

#define POST(p, s, t, f) {"POST", p, s, t, f}
#define GET(p, s, t, f) {"GET", p, s, t, f}

static const route_t s_routes[] = {
    /* cases (intake) */
    POST("/api/v1/cases", GW_INTAKE, "SubmitCase", NULL),
    GET("/api/v1/cases", GW_INTAKE, "ListCases", NULL),
    GET("/api/v1/cases/{id}", GW_INTAKE, "GetCase", "case_id"),
    GET("/api/v1/audit/reads", GW_INTAKE, "ListPiiReads", NULL),
    POST("/api/v1/cases/{id}/evaluation", GW_ROUTING, "EvaluateCase", "case_id"),
    /* dispatches and their transitions (routing) */
    GET("/api/v1/dispatches", GW_ROUTING, "ListDispatches", NULL),
    GET("/api/v1/dispatches/{id}", GW_ROUTING, "GetDispatch", "dispatch_id"),
    POST("/api/v1/dispatches/{id}/sign", GW_ROUTING, "SignDispatch", "dispatch_id"),
    POST("/api/v1/dispatches/{id}/arrive", GW_ROUTING, "ArriveDispatch", "dispatch_id"),
    POST("/api/v1/dispatches/{id}/progress", GW_ROUTING, "ProgressDispatch", "dispatch_id"),
    POST("/api/v1/dispatches/{id}/resolve", GW_ROUTING, "ResolveDispatch", "dispatch_id"),
    POST("/api/v1/dispatches/{id}/return", GW_ROUTING, "ReturnDispatch", "dispatch_id"),
    POST("/api/v1/dispatches/{id}/reassign", GW_ROUTING, "ReassignDispatch", "dispatch_id"),
    POST("/api/v1/dispatches/{id}/release", GW_ROUTING, "ReleaseDispatch", "dispatch_id"),
    POST("/api/v1/dispatches/{id}/pass-up", GW_ROUTING, "PassUpDispatch", "dispatch_id"),
    /* whistles, KPIs (routing) */
    POST("/api/v1/whistles", GW_ROUTING, "BlowWhistle", NULL),
    GET("/api/v1/whistles", GW_ROUTING, "ListWhistles", NULL),
    GET("/api/v1/whistles/{id}", GW_ROUTING, "GetWhistle", "whistle_id"),
    POST("/api/v1/whistles/{id}/rating", GW_ROUTING, "RateWhistle", "whistle_id"),
    GET("/api/v1/kpi", GW_ROUTING, "GetKpi", NULL),
    GET("/api/v1/kpi/ranking", GW_ROUTING, "RankKpi", NULL),
    POST("/api/v1/kpi/targets", GW_ROUTING, "SetKpiTarget", NULL),
    /* the routing rules: any unit reads them, the dispatch centre or the admin turns one on or off */
    GET("/api/v1/rules", GW_ROUTING, "ListRules", NULL),
    POST("/api/v1/rules/{id}", GW_ROUTING, "SetRule", "rule_id"),
    /* the directory and the calendar (routing's directory.c, holidays.c): the
     * admin keeps them; people are the admin's to read (anyone else reads
     * their own record), the units any unit's, the calendar anyone's */
    GET("/api/v1/people", GW_ROUTING, "ListPeople", NULL),
    POST("/api/v1/people", GW_ROUTING, "CreatePerson", NULL),
    POST("/api/v1/people/{id}", GW_ROUTING, "UpdatePerson", "person_id"),
    GET("/api/v1/units", GW_ROUTING, "ListUnits", NULL),
    POST("/api/v1/units", GW_ROUTING, "CreateUnit", NULL),
    POST("/api/v1/units/{id}", GW_ROUTING, "UpdateUnit", "unit_id"),
    POST("/api/v1/units/{id}/members", GW_ROUTING, "AddMember", "unit_id"),
    POST("/api/v1/units/{id}/members/remove", GW_ROUTING, "RemoveMember", "unit_id"),
    GET("/api/v1/calendar", GW_ROUTING, "GetCalendar", NULL),
    POST("/api/v1/calendar", GW_ROUTING, "ImportCalendar", NULL),
    /* matters, meetings, votes (deliberation) */
    POST("/api/v1/matters", GW_DELIBERATION, "ProposeMatter", NULL),
    GET("/api/v1/matters", GW_DELIBERATION, "ListMatters", NULL),
    GET("/api/v1/matters/{id}", GW_DELIBERATION, "GetMatter", "matter_id"),
    GET("/api/v1/matters/{id}/record", GW_DELIBERATION, "GetRecord", "matter_id"),
    GET("/api/v1/matters/{id}/verification", GW_DELIBERATION, "VerifyMatter", "matter_id"),
    POST("/api/v1/matters/{id}/amend", GW_DELIBERATION, "AmendMatter", "matter_id"),
    POST("/api/v1/matters/{id}/cosign", GW_DELIBERATION, "CosignMatter", "matter_id"),
    POST("/api/v1/matters/{id}/accept", GW_DELIBERATION, "AcceptMatter", "matter_id"),
    POST("/api/v1/matters/{id}/decline", GW_DELIBERATION, "DeclineMatter", "matter_id"),
    POST("/api/v1/matters/{id}/opinions", GW_DELIBERATION, "OpineMatter", "matter_id"),
    POST("/api/v1/matters/{id}/meeting", GW_DELIBERATION, "ConveneMeeting", "matter_id"),
    POST("/api/v1/matters/{id}/attendance", GW_DELIBERATION, "AttendMeeting", "matter_id"),
    POST("/api/v1/matters/{id}/votes", GW_DELIBERATION, "CastVote", "matter_id"),
    GET("/api/v1/matters/{id}/receipt", GW_DELIBERATION, "CheckReceipt", "matter_id"),
    POST("/api/v1/matters/{id}/close", GW_DELIBERATION, "CloseMeeting", "matter_id"),
    POST("/api/v1/matters/{id}/publication", GW_DELIBERATION, "PublishDecision", "matter_id"),
    POST("/api/v1/matters/{id}/objections", GW_DELIBERATION, "ObjectMatter", "matter_id"),
    POST("/api/v1/matters/{id}/act", GW_DELIBERATION, "ActMatter", "matter_id"),
    POST("/api/v1/matters/{id}/progress", GW_DELIBERATION, "ProgressMatter", "matter_id"),
    POST("/api/v1/matters/{id}/evaluation", GW_DELIBERATION, "EvaluateMatter", "matter_id"),
    POST("/api/v1/matters/{id}/observations", GW_DELIBERATION, "ObserveMatter", "matter_id"),
    POST("/api/v1/matters/{id}/flags", GW_DELIBERATION, "FlagMatter", "matter_id"),
    POST("/api/v1/matters/{id}/flag-answers", GW_DELIBERATION, "AnswerFlag", "matter_id"),
    POST("/api/v1/matters/{id}/objection-answers", GW_DELIBERATION, "AnswerObjection", "matter_id"),
    POST("/api/v1/matters/{id}/reviews", GW_DELIBERATION, "ReviewMatter", "matter_id"),
    POST("/api/v1/matters/{id}/execution-rating", GW_DELIBERATION, "RateExecution", "matter_id"),
    /* 五定: the residents' committee assigns, the owner reports, the party or supervision committee checks */
    POST("/api/v1/matters/{id}/tasks", GW_DELIBERATION, "AssignTask", "matter_id"),
    POST("/api/v1/matters/{id}/task-reports", GW_DELIBERATION, "ReportTask", "matter_id"),
    POST("/api/v1/matters/{id}/task-checks", GW_DELIBERATION, "CheckTask", "matter_id"),
    /* 3+1 lists and service orders (deliberation) */
    GET("/api/v1/lists", GW_DELIBERATION, "GetLists", NULL),
    GET("/api/v1/council", GW_DELIBERATION, "GetCouncil", NULL),
    POST("/api/v1/lists/needs", GW_DELIBERATION, "AddNeed", NULL),
    POST("/api/v1/lists/resources", GW_DELIBERATION, "AddResource", NULL),
    POST("/api/v1/lists/claims", GW_DELIBERATION, "ClaimNeed", NULL),
    POST("/api/v1/lists/projects/{id}/sign", GW_DELIBERATION, "SignProject", "project_id"),
    POST("/api/v1/lists/projects/{id}/done", GW_DELIBERATION, "CompleteProject", "project_id"),
    POST("/api/v1/volunteers", GW_DELIBERATION, "RegisterVolunteer", NULL),
    POST("/api/v1/orders", GW_DELIBERATION, "OrderService", NULL),
    GET("/api/v1/orders", GW_DELIBERATION, "ListOrders", NULL),
    GET("/api/v1/orders/{id}", GW_DELIBERATION, "GetOrder", "order_id"),
    POST("/api/v1/orders/{id}/claim", GW_DELIBERATION, "ClaimOrder", "order_id"),
    POST("/api/v1/orders/{id}/done", GW_DELIBERATION, "CompleteOrder", "order_id"),
    POST("/api/v1/orders/{id}/dispatch", GW_DELIBERATION, "DispatchOrder", "order_id"),
    POST("/api/v1/orders/{id}/confirmation", GW_DELIBERATION, "ConfirmOrder", "order_id"),
    POST("/api/v1/orders/{id}/publication", GW_DELIBERATION, "PublishOrder", "order_id"),
    POST("/api/v1/lists/resources/{id}/take", GW_DELIBERATION, "TakeResource", "resource_id"),
    /* pairing (结对共建) and 双报到 (routing's pairing.c) */
    GET("/api/v1/pairings", GW_ROUTING, "ListPairings", NULL),
    POST("/api/v1/pairings", GW_ROUTING, "PairUnit", NULL),
    POST("/api/v1/pairings/remove", GW_ROUTING, "UnpairUnit", NULL),
    POST("/api/v1/pairings/reports", GW_ROUTING, "ReportMember", NULL),
    POST("/api/v1/pairings/zones", GW_ROUTING, "SetDutyZone", NULL),
    /* joint meetings (联席会议) on recurring days (deliberation's joint.c) */
    GET("/api/v1/joint-meetings", GW_DELIBERATION, "ListJointMeetings", NULL),
    GET("/api/v1/joint-meetings/{id}", GW_DELIBERATION, "GetJointMeeting", "meeting_id"),
    POST("/api/v1/joint-meetings/{id}/attendance", GW_DELIBERATION, "AttendJointMeeting", "meeting_id"),
    POST("/api/v1/joint-meetings/{id}/decisions", GW_DELIBERATION, "DecideJointMeeting", "meeting_id"),
    POST("/api/v1/joint-meetings/{id}/close", GW_DELIBERATION, "CloseJointMeeting", "meeting_id"),
    POST("/api/v1/joint-schedules", GW_DELIBERATION, "ScheduleJointMeeting", NULL),
    POST("/api/v1/joint-schedules/{id}/stop", GW_DELIBERATION, "StopJointSchedule", "schedule_id"),
};

/* --- answers ------------------------------------------------------------- */

/* The HTTP status for a service's refusal. Another unit's dispatch or
 * whistle is "not found", so guessing ids tells nothing. */
static unsigned s_status(const char *code)
{
    const errcode_t *row = errcode_find(code);
    if (strcmp(code, "NOT_FOUND") == 0)
        return 404;
    if (strcmp(code, "IDEMPOTENCY_CONFLICT") == 0)
        return 409;
    if (strncmp(code, "NOT_", 4) == 0 || strcmp(code, "OUTSIDE_SCOPE") == 0 ||
        strcmp(code, "ACTOR_NOT_ALLOWED") == 0 || strcmp(code, "NO_ACTOR") == 0)
        return 403;
    if (!row || row->kind == 'T')
        return 503;
    return row->kind == 'S' ? 409 : 400;
}

static void s_service_error(http_res_t *res, const Gov__Error *e)
{
    json_t *err = json_pack("{s:s, s:s, s:s, s:s}", "code", e->code, "message", e->message,
                            "detail", e->detail ? e->detail : "", "hint", e->hint ? e->hint : "");
    http_json(res, s_status(e->code), json_pack("{s:o}", "error", err));
}

/* --- the request ----------------------------------------------------------- */

/* Matches `path` against `pattern`; 1 with `*id` set when "{id}" is in it. */
static int s_match(const char *pattern, const char *path, int64_t *id)
{
    while (*pattern && *path) {
        if (strncmp(pattern, "{id}", 4) == 0) {
            char *end;
            errno = 0;
            long long v = strtoll(path, &end, 10);
            if (end == path || errno || v <= 0 || *path == '+' || *path == '-')
                return 0;
            *id = v;
            pattern += 4;
            path = end;
            continue;
        }
        if (*pattern++ != *path++)
            return 0;
    }
    return *pattern == '\0' && *path == '\0';
}

typedef struct {
    json_t *obj;
    const ProtobufCMessageDescriptor *desc;
    char bad[128];
} s_query_t;

/* A query argument as the JSON value its field takes. */
static void s_query_arg(const char *name, const char *value, void *arg)
{
    s_query_t *q = arg;
    if (q->bad[0])
        return;
    const ProtobufCFieldDescriptor *f = protobuf_c_message_descriptor_get_field_by_name(q->desc, name);
    if (!f || f->label == PROTOBUF_C_LABEL_REPEATED || f->type == PROTOBUF_C_TYPE_MESSAGE || !value) {
        snprintf(q->bad, sizeof q->bad, "%.60s: not a query argument of this route", name);
        return;
    }
    json_t *v;
    switch (f->type) {
    case PROTOBUF_C_TYPE_STRING:
    case PROTOBUF_C_TYPE_ENUM:
        v = json_string(value);
        break;
    case PROTOBUF_C_TYPE_BOOL:
        v = strcmp(value, "true") == 0 ? json_true() : strcmp(value, "false") == 0 ? json_false() : NULL;
        break;
    case PROTOBUF_C_TYPE_DOUBLE:
    case PROTOBUF_C_TYPE_FLOAT: {
        char *end;
        double d = strtod(value, &end);
        v = *value && !*end ? json_real(d) : NULL;
        break;
    }
    default: { /* the integers: pbjson checks each one's range */
        char *end;
        errno = 0;
        long long n = strtoll(value, &end, 10);
        v = *value && !*end && !errno ? json_integer(n) : NULL;
    }
    }
    if (!v) {
        snprintf(q->bad, sizeof q->bad, "%.60s: not a value of its type", name);
        return;
    }
    json_object_set_new(q->obj, name, v);
}

/* The request's fields as one JSON object: the body (POST) or the query
 * (GET), and the path's id. NULL with `bad` filled when they do not fit. */
static json_t *s_fields(const http_req_t *req, const route_t *r, int64_t id,
                        const ProtobufCMessageDescriptor *desc, char bad[128])
{
    json_t *obj;
    if (strcmp(r->method, "POST") == 0) {
        json_error_t jerr;
        obj = req->body_len ? json_loadb(req->body, req->body_len, JSON_REJECT_DUPLICATES, &jerr)
                            : json_object();
        if (!obj || !json_is_object(obj)) {
            snprintf(bad, 128, "the body is not a JSON object%s%.80s", obj ? "" : ": ",
                     obj ? "" : jerr.text);
            json_decref(obj);
            return NULL;
        }
    } else {
        s_query_t q = {json_object(), desc, ""};
        http_each_query(req, s_query_arg, &q);
        if (q.bad[0]) {
            snprintf(bad, 128, "%s", q.bad);
            json_decref(q.obj);
            return NULL;
        }
        obj = q.obj;
    }
    if (r->id_field) {
        json_t *given = json_object_get(obj, r->id_field);
        if (given && !(json_is_integer(given) && json_integer_value(given) == id)) {
            snprintf(bad, 128, "%s: the body says another id than the path", r->id_field);
            json_decref(obj);
            return NULL;
        }
        json_object_set_new(obj, r->id_field, json_integer(id));
    }
    return obj;
}

/* Idempotency-Key, checked, as the person's own: the message id is a digest
 * of who sends it and the key, so one person's key never meets another's
 * (and is always 69 bytes, whatever the key). Or a fresh id (always for a
 * read: reads are not deduplicated). Returns 0, or -1 (a bad key). */
static int s_message_id(const http_req_t *req, const principal_t *who, int read,
                        char out[ENVELOPE_ID_MAX + 1])
{
    const char *key = read ? NULL : http_header(req, "Idempotency-Key");
    if (!key) {
        uint8_t r[16];
        if (getrandom(r, sizeof r, 0) != (ssize_t) sizeof r)
            return -1;
        for (int i = 0; i < 16; i++)
            snprintf(out + 2 * i, 3, "%02x", r[i]);
        return 0;
    }
    size_t n = strlen(key);
    if (n == 0 || n > 200 || strspn(key, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                          "0123456789._:-") != n)
        return -1;
    char scoped[300];
    uint8_t digest[32];
    snprintf(scoped, sizeof scoped, "%s\n%s", who->code, key);
    credential_digest(scoped, digest);
    memcpy(out, "idem:", 5);
    for (int i = 0; i < 32; i++)
        snprintf(out + 5 + 2 * i, 3, "%02x", digest[i]);
    return 0;
}

typedef struct {
    char *key;
    size_t len, cap;
} s_key_t;

static void s_key_add(s_key_t *k, const char *text)
{
    size_t n = strlen(text);
    if (k->len + n + 1 > k->cap) {
        size_t cap = (k->len + n + 1) * 2;
        char *grown = realloc(k->key, cap);
        if (!grown)
            return;
        k->key = grown;
        k->cap = cap;
    }
    memcpy(k->key + k->len, text, n + 1);
    k->len += n;
}

static void s_key_arg(const char *name, const char *value, void *arg)
{
    s_key_add(arg, "&");
    s_key_add(arg, name);
    s_key_add(arg, "=");
    s_key_add(arg, value ? value : "");
}

/* The cache key of a read of routing's: the route, the query, and the unit
 * and role it is read for (all routing's read scope looks at), and for
 * people the person too (anyone but the admin reads their own record).
 * NULL for anything not cached: one dispatch is always read from routing,
 * which shows its reporter in full to the unit that calls them and logs
 * every such read (docs/privacy.md) — a cached answer would go unlogged. */
static char *s_cache_key(const http_req_t *req, const route_t *r, const Gov__Actor *actor)
{
    if (r->service != GW_ROUTING || strcmp(r->method, "GET") != 0 ||
        strcmp(r->path, "/api/v1/dispatches/{id}") == 0)
        return NULL;
    s_key_t k = {0};
    s_key_add(&k, req->path);
    http_each_query(req, s_key_arg, &k);
    s_key_add(&k, "|");
    s_key_add(&k, actor->unit);
    s_key_add(&k, "|");
    s_key_add(&k, actor->role);
    if (strncmp(r->path, "/api/v1/people", 14) == 0) { /* one's own record: by person */
        s_key_add(&k, "|");
        s_key_add(&k, actor->id);
    }
    return k.key;
}

/* A command on a dispatch or whistle refused for who asks: when the asker
 * may not even see the object, the answer is routing's own "not found" for
 * it — the same as for an id that does not exist — so guessing ids tells
 * nothing, whatever order routing's checks run in. Returns 1 when it
 * answered so. */
static int s_hide(gateway_t *gw, worker_t *w, const route_t *r, int64_t id, Gov__Actor *actor,
                  const Gov__Error *e, http_res_t *res)
{
    int hides_id = r->id_field && (strcmp(r->id_field, "dispatch_id") == 0 ||
                                   strcmp(r->id_field, "whistle_id") == 0);
    unsigned status = s_status(e->code);
    if (!hides_id || strcmp(r->method, "GET") == 0 || (status != 403 && status != 409))
        return 0;
    int dispatch = strcmp(r->id_field, "dispatch_id") == 0;
    Gov__GetDispatch gd = GOV__GET_DISPATCH__INIT;
    Gov__GetWhistle gw_ = GOV__GET_WHISTLE__INIT;
    gd.dispatch_id = gw_.whistle_id = id;
    char message_id[40];
    snprintf(message_id, sizeof message_id, "probe-%lld", (long long) id);
    Gov__Envelope env = GOV__ENVELOPE__INIT, *reply = NULL;
    env.type = dispatch ? "GetDispatch" : "GetWhistle";
    env.message_id = message_id;
    env.actor = actor;
    if (rpccli_call(w->cli[GW_ROUTING], &env, dispatch ? &gd.base : &gw_.base, gw->timeout_ms,
                    &reply))
        return 0;
    int hidden = reply->error && strcmp(reply->error->code, "NOT_FOUND") == 0;
    if (hidden)
        s_service_error(res, reply->error);
    envelope_free(&reply);
    return hidden;
}

/* Runs `r` for `who` and answers with the service's reply. */
static void s_call(gateway_t *gw, worker_t *w, const principal_t *who, const http_req_t *req,
                   const route_t *r, int64_t id, http_res_t *res)
{
    const ProtobufCMessageDescriptor *desc = msgtypes_find(r->type);
    char bad[128] = "", message_id[ENVELOPE_ID_MAX + 1];
    const char *wanted = http_header(req, "X-Gov-Unit");
    int as_person = wanted && strcmp(wanted, "none") == 0; /* a member acting as a resident */
    const auth_unit_t *unit = as_person ? NULL : auth_acting_unit(who, wanted);
    if (wanted && !as_person && !unit) {
        http_refuse(res, 403, "NOT_YOUR_UNIT", wanted);
        return;
    }
    if (!wanted && who->nunits > 1) {
        http_refuse(res, 400, "UNIT_REQUIRED", NULL);
        return;
    }
    if (s_message_id(req, who, strcmp(r->method, "GET") == 0, message_id)) {
        http_refuse(res, 400, "BAD_IDEMPOTENCY_KEY", NULL);
        return;
    }
    json_t *fields = desc ? s_fields(req, r, id, desc, bad) : NULL;
    if (fields && !unit && strcmp(r->type, "SubmitCase") == 0) /* a person reports as themselves */
        json_object_set_new(fields, "reporter",
                            json_pack("{s:s, s:s}", "name", who->name, "phone", who->phone));
    ProtobufCMessage *msg = fields ? pbjson_to_message(desc, fields, bad, sizeof bad) : NULL;
    json_decref(fields);
    if (!msg) {
        http_refuse(res, 400, "BAD_JSON", bad);
        return;
    }
    Gov__Actor actor = GOV__ACTOR__INIT;
    actor.id = (char *) who->code;
    actor.role = (char *) (unit ? unit->role : who->resident ? "resident" : "person");
    actor.unit = (char *) (unit ? unit->code : "");
    char *key = gw->cache ? s_cache_key(req, r, &actor) : NULL;
    uint64_t generation = feed_generation(gw->feed); /* before the read: see cache.h */
    if (key && (res->body = cache_get(gw->cache, key, generation, &res->body_len))) {
        res->status = 200;
        protobuf_c_message_free_unpacked(msg, NULL);
        free(key);
        return;
    }
    Gov__Envelope env = GOV__ENVELOPE__INIT, *reply = NULL;
    env.type = (char *) r->type;
    env.message_id = message_id;
    env.actor = &actor;
    int rc = rpccli_call(w->cli[r->service], &env, msg, gw->timeout_ms, &reply);
    protobuf_c_message_free_unpacked(msg, NULL);
    if (strcmp(r->method, "GET") != 0)
        feed_touch(gw->feed); /* what this gateway reads next sees this command */
    if (rc) {
        free(key);
        http_refuse(res, 503, "SERVICE_TIMEOUT", r->type);
        res->retry_after = 1;
        return;
    }
    if (reply->error) {
        if (!s_hide(gw, w, r, id, &actor, reply->error, res))
            s_service_error(res, reply->error);
    } else {
        const ProtobufCMessageDescriptor *rdesc = msgtypes_find(reply->type);
        ProtobufCMessage *out = rdesc ? envelope_payload(reply, rdesc) : NULL;
        if (out) {
            http_json(res, strcmp(r->method, "POST") == 0 ? 201 : 200, pbjson_from_message(out));
            protobuf_c_message_free_unpacked(out, NULL);
            if (key && res->body)
                cache_put(gw->cache, key, generation, res->body, res->body_len);
        } else {
            http_refuse(res, 503, "INTERNAL", reply->type);
        }
    }
    free(key);
    envelope_free(&reply);
}

/* 1 (answered 429) when `key`'s bucket in `l` is empty. */
static int s_limited(limiter_t *l, const char *kind, const char *key, http_res_t *res)
{
    char full[160];
    snprintf(full, sizeof full, "%s:%.140s", kind, key);
    unsigned wait = l ? limiter_take(l, full, envelope_now_ms()) : 0;
    if (wait) {
        http_refuse(res, 429, "RATE_LIMITED", kind);
        res->retry_after = wait;
    }
    return wait != 0;
}

/* --- sessions ---------------------------------------------------------------- */

static json_t *s_me(const principal_t *who)
{
    json_t *units = json_array();
    for (int i = 0; i < who->nunits; i++)
        json_array_append_new(units, json_pack("{s:s, s:s, s:s}", "code", who->units[i].code,
                                                "kind", who->units[i].kind, "role",
                                                who->units[i].role));
    json_t *me = json_pack("{s:s, s:s, s:o, s:b}", "person", who->code, "name", who->name, "units",
                           units, "resident", who->resident);
    if (who->via == AUTH_COOKIE) {
        char csrf[CREDENTIAL_CSRF_LEN + 1];
        credential_csrf(who->session, csrf);
        json_object_set_new(me, "csrf_token", json_string(csrf));
    }
    return me;
}

/* A login's body: "person" (a code) or "phone", and "password" or "code"
 * (one-time, logincode.h). NULL with `body` released when it is neither. */
static json_t *s_login_body(const http_req_t *req, const char **who, const char **phone,
                            const char **secret, const char *secret_name)
{
    json_error_t jerr;
    json_t *body = json_loadb(req->body, req->body_len, JSON_REJECT_DUPLICATES, &jerr);
    *who = json_string_value(json_object_get(body, "person"));
    *phone = json_string_value(json_object_get(body, "phone"));
    if (secret_name)
        *secret = json_string_value(json_object_get(body, secret_name));
    if (!*who == !*phone || (secret_name && !*secret)) {
        json_decref(body);
        return NULL;
    }
    return body;
}

static void s_login(gateway_t *gw, worker_t *w, const http_req_t *req, http_res_t *res)
{
    const char *person, *phone, *password = NULL, *code = NULL;
    json_t *body = s_login_body(req, &person, &phone, &password, "password");
    if (body && !person) { /* a password goes with the person's code */
        json_decref(body);
        body = NULL;
    }
    if (!body && !(body = s_login_body(req, &person, &phone, &code, "code"))) {
        http_refuse(res, 400, "BAD_JSON", "send {\"person\": CODE, \"password\": PASSWORD}, or "
                                          "{\"person\" or \"phone\", \"code\": SIX DIGITS}");
        return;
    }
    char as[64];
    if (logincode_limit_key(w, person, phone, as, sizeof as)) {
        json_decref(body);
        http_refuse(res, 503, "DB_UNAVAILABLE", NULL);
        return;
    }
    if (s_limited(gw->logins, "login from", req->remote, res) ||
        s_limited(gw->logins, "login as", as, res)) {
        json_decref(body);
        return;
    }
    char token[CREDENTIAL_TOKEN_MAX];
    int64_t now = envelope_now_ms(), id = 0;
    int rc = password ? auth_login(w, person, password, now, gw->session_ttl_ms, token)
                      : logincode_check(w, person, phone, code, now, &id);
    if (rc == 1 && !password && auth_open_session(w, id, now, gw->session_ttl_ms, token))
        rc = -1;
    json_decref(body);
    principal_t who;
    if (rc == 1 && auth_resolve(w, NULL, token, NULL, now, &who) == 1) {
        snprintf(res->cookie, sizeof res->cookie,
                 AUTH_COOKIE_NAME "=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%lld%s", token,
                 (long long) (gw->session_ttl_ms / 1000), gw->secure_cookie ? "; Secure" : "");
        http_json(res, 200, s_me(&who));
    } else if (rc == 0) {
        atomic_fetch_add(&gw->logins_failed, 1);
        http_refuse(res, 401, "BAD_CREDENTIALS", NULL);
    } else {
        http_refuse(res, 503, "DB_UNAVAILABLE", NULL);
    }
}

/* POST /api/v1/session/code: a one-time login code by SMS (logincode.h).
 * Whether anyone is behind the person or phone, the answer is the same 202;
 * only a failure to send is told, so the person knows to ask again. */
static void s_login_code(gateway_t *gw, worker_t *w, const http_req_t *req, http_res_t *res)
{
    const char *person, *phone;
    json_t *body = s_login_body(req, &person, &phone, NULL, NULL);
    if (!body) {
        http_refuse(res, 400, "BAD_JSON", "send {\"person\": CODE} or {\"phone\": NUMBER}");
        return;
    }
    int ttl_s = (int) (gw->login_code_ttl_ms / 1000);
    char as[64];
    if (logincode_limit_key(w, person, phone, as, sizeof as)) {
        json_decref(body);
        http_refuse(res, 503, "DB_UNAVAILABLE", NULL);
        return;
    }
    if (s_limited(gw->logins, "code from", req->remote, res) ||
        s_limited(gw->logins, "code for", as, res)) {
        json_decref(body);
        return;
    }
    logincode_t lc;
    char refusal[64] = "";
    int rc = logincode_issue(w, person, phone, envelope_now_ms(), gw->login_code_ttl_ms, &lc);
    json_decref(body);
    if (rc < 0) {
        http_refuse(res, 503, "DB_UNAVAILABLE", NULL);
        return;
    }
    if (rc == 1) /* else nobody to text: the same answer, and no SMS */
        rc = logincode_send(w, &lc, ttl_s, gw->timeout_ms, refusal);
    explicit_bzero(&lc, sizeof lc);
    if (rc >= 0) {
        http_json(res, 202, json_pack("{s:b, s:i}", "accepted", 1, "expires_s", ttl_s));
    } else if (rc == -ETIMEDOUT || strcmp(refusal, "SMS_NOT_SENT") == 0) {
        http_refuse(res, 503, rc == -ETIMEDOUT ? "SERVICE_TIMEOUT" : "SMS_NOT_SENT", NULL);
        res->retry_after = 1;
    } else { /* the deployment is wrong (a key notify does not take ...): say so to operators */
        log_error("gateway: notify refused a login code: %s", refusal);
        http_refuse(res, 503, "INTERNAL", NULL);
    }
}

/* --- the handler ------------------------------------------------------------- */

void api_handle(const http_req_t *req, http_res_t *res, void *arg)
{
    gateway_t *gw = arg;
    atomic_fetch_add(&gw->requests, 1);
    if (strcmp(req->path, "/healthz") == 0) {
        http_json(res, 200, json_pack("{s:s}", "status", "ok"));
        return;
    }
    int open311 = strncmp(req->path, OPEN311_PREFIX, strlen(OPEN311_PREFIX)) == 0;
    if (s_limited(gw->per_address, "address", req->remote, res)) {
        if (open311) { /* in the specification's words, Retry-After kept */
            unsigned wait = res->retry_after;
            free(res->body);
            res->body = NULL;
            open311_refuse(req, res, 429, "RATE_LIMITED");
            res->retry_after = wait;
        }
        atomic_fetch_add(&gw->refused, 1);
        return;
    }
    if (open311) {
        open311_handle(gw, req, res); /* Open311 GeoReport v2: docs/open311.md */
        return;
    }
    if (strncmp(req->path, "/api/", 5) != 0) {
        web_serve(gw->web, req, res); /* the console's files: docs/console.md */
        if (res->status >= 400)
            atomic_fetch_add(&gw->refused, 1);
        return;
    }
    const route_t *route = NULL;
    int64_t id = 0;
    int session = strcmp(req->path, "/api/v1/session") == 0, me = strcmp(req->path, "/api/v1/me") == 0;
    int events = strcmp(req->path, "/api/v1/events") == 0;
    int code = strcmp(req->path, "/api/v1/session/code") == 0, post = strcmp(req->method, "POST") == 0;
    int areas = strcmp(req->path, "/api/v1/areas") == 0;
    int path_known = session || me || events || code || areas;
    for (size_t i = 0; !route && i < sizeof s_routes / sizeof *s_routes; i++)
        if (s_match(s_routes[i].path, req->path, &id)) {
            path_known = 1;
            if (strcmp(s_routes[i].method, req->method) == 0)
                route = &s_routes[i];
        }
    if (!path_known || (!route && !session && !me && !events && !areas && !(code && post))) {
        http_refuse(res, path_known ? 405 : 404, "NO_ROUTE", req->method);
        atomic_fetch_add(&gw->refused, 1);
        return;
    }
    worker_t *w = pool_take(gw->pool);
    if ((session || code) && post) {
        if (code)
            s_login_code(gw, w, req, res);
        else
            s_login(gw, w, req, res);
        pool_give(gw->pool, w);
        return;
    }
    principal_t who;
    const char *bearer = http_header(req, "Authorization");
    if (bearer && strncmp(bearer, "Bearer ", 7) == 0)
        bearer += 7;
    else
        bearer = NULL;
    const char *cookie = http_cookie(req, AUTH_COOKIE_NAME);
    auth_memory_t memory = {gw->principals, gw->watch};
    int found = auth_resolve(w, &memory, cookie, bearer, envelope_now_ms(), &who);
    int changes = strcmp(req->method, "GET") != 0;
    if (found < 0) {
        http_refuse(res, 503, "DB_UNAVAILABLE", NULL);
    } else if (found == 0) {
        http_refuse(res, 401, "UNAUTHENTICATED", NULL);
    } else if (s_limited(gw->per_person, "person", who.code, res)) {
        /* answered 429 */
    } else if (changes && !auth_csrf_ok(&who, http_header(req, "X-CSRF-Token"))) {
        http_refuse(res, 403, "CSRF_REQUIRED", NULL);
    } else if (me && strcmp(req->method, "GET") == 0) {
        http_json(res, 200, s_me(&who));
    } else if (areas && strcmp(req->method, "GET") == 0) {
        areas_answer(w, res); /* the map's polygons (areas.h) */
    } else if (events && strcmp(req->method, "GET") == 0) {
        feed_open(gw->feed, w, &who, who.via == AUTH_BEARER ? bearer : cookie, req, res);
    } else if (session && strcmp(req->method, "DELETE") == 0) {
        if (who.via == AUTH_COOKIE && auth_logout(w, who.session, envelope_now_ms())) {
            http_refuse(res, 503, "DB_UNAVAILABLE", NULL);
        } else {
            if (gw->watch) /* the cookie's next request finds nothing remembered */
                dbwatch_touch(gw->watch);
            snprintf(res->cookie, sizeof res->cookie,
                     AUTH_COOKIE_NAME "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
            http_json(res, 200, json_pack("{s:b}", "ended", who.via == AUTH_COOKIE));
        }
    } else if (route) {
        s_call(gw, w, &who, req, route, id, res);
    } else {
        http_refuse(res, 405, "NO_ROUTE", req->method);
    }
    pool_give(gw->pool, w);
    if (res->status >= 400)
        atomic_fetch_add(&gw->refused, 1);
}
