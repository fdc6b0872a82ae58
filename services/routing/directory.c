#include "directory.h"

#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "orgcheck.h"
#include "outbox.h"
#include "queries.h"
#include "readscope.h"
#include "text.h"

#define PEOPLE_LIMIT_DEFAULT 50
#define PEOPLE_LIMIT_MAX 500

static const char *s_person_fields[] = {"phone", "email", NULL};
static const char *s_unit_fields[] = {"area", "parent", "supervisor", NULL};

/* --- rows into messages (heap-built, freed by free_unpacked) --------------- */

static char *s_dup(const char *s)
{
    return strdup(s ? s : "");
}

/* "a<US>x<RS>b<US>y" into memberships; `unit` or `person` is the side
 * fixed by the row, the other comes from the text. Returns 0 or -1 (memory). */
static int s_members(const char *text, const char *unit, const char *person,
                     Gov__Membership ***out, size_t *n)
{
    size_t cap = text[0] ? 1 : 0;
    for (const char *p = text; *p; p++)
        cap += *p == '\x1e';
    *n = 0;
    *out = cap ? calloc(cap, sizeof **out) : NULL;
    if (cap && !*out)
        return -1;
    const char *p = text;
    while (*n < cap) {
        const char *end = strchr(p, '\x1e'), *sep = strchr(p, '\x1f');
        size_t len = end ? (size_t) (end - p) : strlen(p);
        if (!sep || sep > p + len)
            break;
        Gov__Membership *m = malloc(sizeof *m);
        if (!m)
            return -1;
        gov__membership__init(m);
        (*out)[(*n)++] = m;
        char *other = strndup(p, (size_t) (sep - p)); /* the side the text gives */
        m->role = strndup(sep + 1, len - (size_t) (sep - p) - 1);
        m->unit = unit ? s_dup(unit) : other;
        m->person = person ? s_dup(person) : other;
        if (!m->role || !m->unit || !m->person)
            return -1;
        if (!end)
            break;
        p = end + 1;
    }
    return 0;
}

/* Row `row` of Q_PERSON_COLUMNS. NULL when out of memory. */
static Gov__Person *s_person_row(const PGresult *res, int row)
{
    Gov__Person *p = malloc(sizeof *p);
    if (!p)
        return NULL;
    gov__person__init(p);
    p->id = strtoll(PQgetvalue(res, row, 0), NULL, 10);
    p->code = s_dup(PQgetvalue(res, row, 1));
    p->name = s_dup(PQgetvalue(res, row, 2));
    p->phone = s_dup(PQgetvalue(res, row, 3));
    p->email = s_dup(PQgetvalue(res, row, 4));
    if (!p->code || !p->name || !p->phone || !p->email ||
        s_members(PQgetvalue(res, row, 5), NULL, PQgetvalue(res, row, 1), &p->units,
                  &p->n_units)) {
        protobuf_c_message_free_unpacked(&p->base, NULL);
        return NULL;
    }
    return p;
}

/* Row `row` of Q_UNIT_COLUMNS. NULL when out of memory. */
static Gov__Unit *s_unit_row(const PGresult *res, int row)
{
    Gov__Unit *u = malloc(sizeof *u);
    if (!u)
        return NULL;
    gov__unit__init(u);
    u->id = strtoll(PQgetvalue(res, row, 0), NULL, 10);
    char **fields[] = {&u->code, &u->name, &u->kind, &u->area, &u->parent, &u->supervisor};
    int bad = 0;
    for (int i = 0; i < 6; i++)
        bad |= !(*fields[i] = s_dup(PQgetvalue(res, row, 1 + i)));
    if (bad || s_members(PQgetvalue(res, row, 7), PQgetvalue(res, row, 1), NULL, &u->members,
                         &u->n_members)) {
        protobuf_c_message_free_unpacked(&u->base, NULL);
        return NULL;
    }
    return u;
}

/* One row of `sql` with `params` into *out by `conv`: 1, 0 (no row), -1. */
static int s_one(routing_t *r, const char *sql, int64_t id, void *(*conv)(const PGresult *, int),
                 void **out, apperr_t *err)
{
    char b[24], sqlstate[6];
    const char *params[] = {routing_i64(b, id)};
    PGresult *res = pstmt_exec(r->sql, sql, 1, params, sqlstate);
    if (!res)
        return apperr_db(err, sqlstate);
    int found = PQntuples(res) == 1;
    *out = found ? conv(res, 0) : NULL;
    PQclear(res);
    if (found && !*out)
        return apperr_code(err, "OVERLOADED", "out of memory");
    return found;
}

static void *s_person_conv(const PGresult *res, int row) { return s_person_row(res, row); }
static void *s_unit_conv(const PGresult *res, int row) { return s_unit_row(res, row); }

int directory_person(routing_t *r, int64_t id, Gov__Person **out, apperr_t *err)
{
    return s_one(r, Q_PERSON, id, s_person_conv, (void **) out, err);
}

int directory_unit(routing_t *r, int64_t id, Gov__Unit **out, apperr_t *err)
{
    return s_one(r, Q_UNIT, id, s_unit_conv, (void **) out, err);
}

/* --- the event ------------------------------------------------------------ */

static int s_announce(routing_t *r, const Gov__Envelope *env, const char *type,
                      const char *person, const char *unit, const char *role, apperr_t *err)
{
    Gov__DirectoryEvent ev = GOV__DIRECTORY_EVENT__INIT;
    ev.person = (char *) (person ? person : "");
    ev.unit = (char *) (unit ? unit : "");
    ev.role = (char *) (role ? role : "");
    if (outbox_add(r->conn, ROUTING_STREAM, type, env->actor, env->trace_id, &ev.base))
        return apperr_fail(err, "DB_UNAVAILABLE", "the event could not be stored", "retry later",
                           NULL);
    log_info("directory: %s by %s: person %s unit %s role %s", type, env->actor->id, ev.person,
             ev.unit, ev.role);
    return 0;
}

/* The id of the row `sql` finds by `code` ("" gives 0), or -1 with `err`
 * set to `unknown` when there is none. */
static int64_t s_id(routing_t *r, const char *sql, const char *code, const char *unknown,
                    apperr_t *err)
{
    if (!code || !code[0])
        return 0;
    char sqlstate[6];
    const char *params[] = {code};
    PGresult *res = pstmt_exec(r->sql, sql, 1, params, sqlstate);
    if (!res)
        return apperr_db(err, sqlstate);
    int64_t id = PQntuples(res) ? strtoll(PQgetvalue(res, 0, 0), NULL, 10) : -1;
    PQclear(res);
    if (id < 0)
        apperr_code(err, unknown, "\"%.64s\"", code);
    return id;
}

/* Some admin is left: LAST_ADMIN otherwise (the change rolls back). Asked
 * only when a change takes someone out of an admin unit, so a deployment
 * with no admin yet (the operator's govctl makes the first) is not held. */
static int s_admin_left(routing_t *r, apperr_t *err)
{
    char sqlstate[6];
    PGresult *res = pstmt_exec(r->sql, Q_ADMINS, 0, NULL, sqlstate);
    if (!res)
        return apperr_db(err, sqlstate);
    long long n = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
    PQclear(res);
    return n > 0 ? 0 : apperr_code(err, "LAST_ADMIN", NULL);
}

/* --- people ----------------------------------------------------------------- */

static int s_person_fields_ok(const char *name, int name_required, const char *phone,
                              const char *email, apperr_t *err)
{
    return text_check(name, TEXT_NAME, name_required, "name", err) ||
           orgcheck_phone(phone, err) || orgcheck_email(email, err) ||
           text_check(email, TEXT_NAME, 0, "email", err);
}

int directory_create_person(routing_t *r, const Gov__Envelope *env, const ProtobufCMessage *msg,
                            idem_answer_t *out, apperr_t *err)
{
    const Gov__CreatePerson *m = (const Gov__CreatePerson *) msg;
    if (routing_admin(r, env->actor, err) || orgcheck_code(m->code, "code", 0, err) ||
        s_person_fields_ok(m->name, 1, m->phone, m->email, err))
        return -1;
    char sqlstate[6];
    const char *params[] = {m->code, m->name, m->phone, m->email};
    PGresult *res = pstmt_exec(r->sql, Q_PERSON_INSERT, 4, params, sqlstate);
    if (!res)
        return apperr_db(err, sqlstate);
    int made = PQntuples(res) == 1;
    out->ids[0] = made ? strtoll(PQgetvalue(res, 0, 0), NULL, 10) : 0;
    PQclear(res);
    if (!made)
        return apperr_code(err, "CODE_TAKEN", "person %.64s", m->code);
    return s_announce(r, env, "PersonChanged", m->code, NULL, NULL, err);
}

int directory_update_person(routing_t *r, const Gov__Envelope *env, const ProtobufCMessage *msg,
                            idem_answer_t *out, apperr_t *err)
{
    const Gov__UpdatePerson *m = (const Gov__UpdatePerson *) msg;
    unsigned clear;
    if (routing_admin(r, env->actor, err) ||
        s_person_fields_ok(m->name, 0, m->phone, m->email, err) ||
        orgcheck_clear(m->clear, m->n_clear, s_person_fields, &clear, err))
        return -1;
    char b[24], sqlstate[6];
    const char *params[] = {routing_i64(b, m->person_id), m->name, m->phone, m->email,
                            clear & 1 ? "true" : "false", clear & 2 ? "true" : "false"};
    PGresult *res = pstmt_exec(r->sql, Q_PERSON_UPDATE, 6, params, sqlstate);
    if (!res)
        return apperr_db(err, sqlstate);
    int found = PQntuples(res) == 1;
    char code[72] = "";
    if (found)
        snprintf(code, sizeof code, "%s", PQgetvalue(res, 0, 1));
    PQclear(res);
    if (!found)
        return apperr_fail(err, "NOT_FOUND", "no such person", NULL, "person %lld",
                           (long long) m->person_id);
    out->ids[0] = m->person_id;
    return s_announce(r, env, "PersonChanged", code, NULL, NULL, err);
}

int directory_people(routing_t *r, const Gov__Actor *actor, const Gov__ListPeople *q,
                     Gov__ListPeopleReply **out, apperr_t *err)
{
    *out = NULL;
    Gov__ListPeople own = *q;
    if (routing_admin(r, actor, err)) {
        if (strcmp(err->code, "NOT_ADMIN") != 0)
            return -1; /* no actor, not a member of the unit named, the database */
        own.unit = (char *) ""; /* anyone else: their own record, whatever they asked */
        own.code = actor->id;
        q = &own;
    }
    int limit = q->limit <= 0 ? PEOPLE_LIMIT_DEFAULT : q->limit;
    if (limit > PEOPLE_LIMIT_MAX)
        return apperr_code(err, "INVALID_LIMIT", "limit %d: at most %d", q->limit,
                           PEOPLE_LIMIT_MAX);
    char b[24], sqlstate[6];
    const char *params[] = {q->unit, q->code, q->after_code, routing_i64(b, limit)};
    PGresult *res = pstmt_exec(r->sql, Q_PEOPLE, 4, params, sqlstate);
    if (!res)
        return apperr_db(err, sqlstate);
    size_t n = (size_t) PQntuples(res);
    Gov__ListPeopleReply *reply = malloc(sizeof *reply);
    int rc = -1;
    if (!reply)
        goto done;
    gov__list_people_reply__init(reply);
    reply->next_after_code = s_dup((int) n == limit ? PQgetvalue(res, (int) n - 1, 1) : "");
    reply->items = n ? calloc(n, sizeof *reply->items) : NULL;
    if (!reply->next_after_code || (n && !reply->items))
        goto done;
    for (; reply->n_items < n; reply->n_items++)
        if (!(reply->items[reply->n_items] = s_person_row(res, (int) reply->n_items)))
            goto done;
    *out = reply;
    reply = NULL;
    rc = 0;
done:
    PQclear(res);
    if (reply)
        protobuf_c_message_free_unpacked(&reply->base, NULL);
    return rc ? apperr_code(err, "OVERLOADED", "out of memory") : 0;
}

/* --- units ------------------------------------------------------------------- */

typedef struct {
    int64_t area, parent, supervisor; /* 0: none given */
} s_refs_t;

static int s_unit_refs(routing_t *r, const char *area, const char *parent, const char *supervisor,
                       s_refs_t *refs, apperr_t *err)
{
    if (orgcheck_code(area, "area", 1, err) || orgcheck_code(parent, "parent", 1, err) ||
        orgcheck_code(supervisor, "supervisor", 1, err))
        return -1;
    if ((refs->area = s_id(r, Q_AREA_ID, area, "UNKNOWN_AREA", err)) < 0 ||
        (refs->parent = s_id(r, Q_UNIT_ID, parent, "UNKNOWN_UNIT", err)) < 0 ||
        (refs->supervisor = s_id(r, Q_UNIT_ID, supervisor, "UNKNOWN_UNIT", err)) < 0)
        return -1;
    return 0;
}

/* The code (72 bytes) and kind (32) of unit `id`; NOT_FOUND when none. */
static int s_unit_of(routing_t *r, int64_t id, char code[72], char kind[32], apperr_t *err)
{
    Gov__Unit *u;
    int found = directory_unit(r, id, &u, err);
    if (found < 0)
        return -1;
    if (!found)
        return apperr_fail(err, "NOT_FOUND", "no such unit", NULL, "unit %lld", (long long) id);
    snprintf(code, 72, "%s", u->code);
    snprintf(kind, 32, "%s", u->kind);
    protobuf_c_message_free_unpacked(&u->base, NULL);
    return 0;
}

/* Unit `id` is neither its own supervisor nor at or above `parent`. */
static int s_no_cycle(routing_t *r, int64_t id, const s_refs_t *refs, apperr_t *err)
{
    if (refs->supervisor && refs->supervisor == id)
        return apperr_code(err, "BAD_PARENT", "the unit would supervise itself");
    if (!refs->parent)
        return 0;
    char a[24], b[24], sqlstate[6];
    const char *params[] = {routing_i64(a, id), routing_i64(b, refs->parent)};
    PGresult *res = pstmt_exec(r->sql, Q_UNIT_ABOVE, 2, params, sqlstate);
    if (!res)
        return apperr_db(err, sqlstate);
    int above = PQgetvalue(res, 0, 0)[0] == 't';
    PQclear(res);
    return above ? apperr_code(err, "BAD_PARENT", "the unit would be its own parent or above it")
                 : 0;
}

int directory_create_unit(routing_t *r, const Gov__Envelope *env, const ProtobufCMessage *msg,
                          idem_answer_t *out, apperr_t *err)
{
    const Gov__CreateUnit *m = (const Gov__CreateUnit *) msg;
    s_refs_t refs;
    if (routing_admin(r, env->actor, err) || orgcheck_code(m->code, "code", 0, err) ||
        text_check(m->name, TEXT_NAME, 1, "name", err) || orgcheck_kind(m->kind, 0, err) ||
        s_unit_refs(r, m->area, m->parent, m->supervisor, &refs, err))
        return -1;
    char b[3][24], sqlstate[6];
    const char *params[] = {m->code, m->name, m->kind, routing_i64(b[0], refs.area),
                            routing_i64(b[1], refs.parent), routing_i64(b[2], refs.supervisor)};
    PGresult *res = pstmt_exec(r->sql, Q_UNIT_INSERT, 6, params, sqlstate);
    if (!res)
        return apperr_db(err, sqlstate);
    int made = PQntuples(res) == 1;
    out->ids[0] = made ? strtoll(PQgetvalue(res, 0, 0), NULL, 10) : 0;
    PQclear(res);
    if (!made)
        return apperr_code(err, "CODE_TAKEN", "unit %.64s", m->code);
    return s_announce(r, env, "UnitChanged", NULL, m->code, NULL, err);
}

int directory_update_unit(routing_t *r, const Gov__Envelope *env, const ProtobufCMessage *msg,
                          idem_answer_t *out, apperr_t *err)
{
    const Gov__UpdateUnit *m = (const Gov__UpdateUnit *) msg;
    s_refs_t refs;
    unsigned clear;
    if (routing_admin(r, env->actor, err) || text_check(m->name, TEXT_NAME, 0, "name", err) ||
        orgcheck_kind(m->kind, 1, err) ||
        orgcheck_clear(m->clear, m->n_clear, s_unit_fields, &clear, err) ||
        s_unit_refs(r, m->area, m->parent, m->supervisor, &refs, err) ||
        s_no_cycle(r, m->unit_id, &refs, err))
        return -1;
    char was[72], was_kind[32], b[4][24], sqlstate[6];
    if (s_unit_of(r, m->unit_id, was, was_kind, err))
        return -1;
    const char *params[] = {routing_i64(b[0], m->unit_id), m->name, m->kind,
                            routing_i64(b[1], refs.area), routing_i64(b[2], refs.parent),
                            routing_i64(b[3], refs.supervisor), clear & 1 ? "true" : "false",
                            clear & 2 ? "true" : "false", clear & 4 ? "true" : "false"};
    PGresult *res = pstmt_exec(r->sql, Q_UNIT_UPDATE, 9, params, sqlstate);
    if (!res)
        return apperr_db(err, sqlstate);
    int found = PQntuples(res) == 1;
    char code[72] = "";
    if (found)
        snprintf(code, sizeof code, "%s", PQgetvalue(res, 0, 1));
    PQclear(res);
    if (!found)
        return apperr_fail(err, "NOT_FOUND", "no such unit", NULL, "unit %lld",
                           (long long) m->unit_id);
    out->ids[0] = m->unit_id;
    if (strcmp(was_kind, "admin") == 0 && m->kind[0] && strcmp(m->kind, "admin") != 0 &&
        s_admin_left(r, err))
        return -1;
    return s_announce(r, env, "UnitChanged", NULL, code, NULL, err);
}

int directory_units(routing_t *r, const Gov__Actor *actor, const Gov__ListUnits *q,
                    Gov__ListUnitsReply **out, apperr_t *err)
{
    *out = NULL;
    readscope_t scope;
    if (readscope_of(r, actor, &scope, err))
        return -1;
    if (scope.kind == READSCOPE_NONE)
        return apperr_fail(err, "OUTSIDE_SCOPE", "only units read the units", "act for your unit",
                           NULL);
    apperr_t ignored;
    int admin = routing_admin(r, actor, &ignored) == 0;
    char sqlstate[6];
    const char *params[] = {q->kind, q->code, admin ? "true" : "false"};
    PGresult *res = pstmt_exec(r->sql, Q_UNITS, 3, params, sqlstate);
    if (!res)
        return apperr_db(err, sqlstate);
    size_t n = (size_t) PQntuples(res);
    Gov__ListUnitsReply *reply = malloc(sizeof *reply);
    int rc = -1;
    if (!reply)
        goto done;
    gov__list_units_reply__init(reply);
    reply->items = n ? calloc(n, sizeof *reply->items) : NULL;
    if (n && !reply->items)
        goto done;
    for (; reply->n_items < n; reply->n_items++)
        if (!(reply->items[reply->n_items] = s_unit_row(res, (int) reply->n_items)))
            goto done;
    *out = reply;
    reply = NULL;
    rc = 0;
done:
    PQclear(res);
    if (reply)
        protobuf_c_message_free_unpacked(&reply->base, NULL);
    return rc ? apperr_code(err, "OVERLOADED", "out of memory") : 0;
}

/* --- memberships ----------------------------------------------------------------- */

int directory_add_member(routing_t *r, const Gov__Envelope *env, const ProtobufCMessage *msg,
                         idem_answer_t *out, apperr_t *err)
{
    const Gov__AddMember *m = (const Gov__AddMember *) msg;
    char unit[72], kind[32], b[24], sqlstate[6];
    if (routing_admin(r, env->actor, err) || orgcheck_code(m->person, "person", 0, err) ||
        orgcheck_role(m->role, err) || s_unit_of(r, m->unit_id, unit, kind, err))
        return -1;
    const char *params[] = {routing_i64(b, m->unit_id), m->person, m->role};
    PGresult *res = pstmt_exec(r->sql, Q_MEMBER_SET, 3, params, sqlstate);
    if (!res)
        return apperr_db(err, sqlstate);
    int found = PQntuples(res) == 1;
    PQclear(res);
    if (!found)
        return apperr_code(err, "UNKNOWN_PERSON", "\"%.64s\"", m->person);
    out->ids[0] = m->unit_id;
    return s_announce(r, env, "MembersChanged", m->person, unit, m->role, err);
}

int directory_remove_member(routing_t *r, const Gov__Envelope *env, const ProtobufCMessage *msg,
                            idem_answer_t *out, apperr_t *err)
{
    const Gov__RemoveMember *m = (const Gov__RemoveMember *) msg;
    char unit[72], kind[32], b[24], sqlstate[6];
    if (routing_admin(r, env->actor, err) || orgcheck_code(m->person, "person", 0, err) ||
        s_unit_of(r, m->unit_id, unit, kind, err))
        return -1;
    const char *params[] = {routing_i64(b, m->unit_id), m->person};
    PGresult *res = pstmt_exec(r->sql, Q_MEMBER_REMOVE, 2, params, sqlstate);
    if (!res)
        return apperr_db(err, sqlstate);
    int found = PQntuples(res) == 1;
    PQclear(res);
    if (!found)
        return apperr_fail(err, "NOT_FOUND", "no such membership", NULL, "%.64s is not in %s",
                           m->person, unit);
    out->ids[0] = m->unit_id;
    if (strcmp(kind, "admin") == 0 && s_admin_left(r, err))
        return -1;
    return s_announce(r, env, "MembersChanged", m->person, unit, "", err);
}
