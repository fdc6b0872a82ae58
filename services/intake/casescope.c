#include "casescope.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "queries.h"
#include "text.h"

static int s_empty(const char *s)
{
    return !s || !s[0];
}

/* 1 when `actor` is a trusted process or the operator acting for no unit. */
static int s_trusted(const Gov__Actor *actor)
{
    return !actor || s_empty(actor->id) ||
           (s_empty(actor->unit) && actor->role && strcmp(actor->role, "operator") == 0);
}

/* Copies `text` into `out` (`size` bytes); 0, or -1 when it does not fit. */
static int s_copy(char *out, size_t size, const char *text)
{
    if (strlen(text) >= size)
        return -1;
    memcpy(out, text, strlen(text) + 1);
    return 0;
}

casescope_t casescope_rule(const Gov__Actor *actor, const char *unit_kind, const char *unit_area,
                           const char *phone)
{
    casescope_t s = {CASESCOPE_NONE, "", "", ""};
    const char *kind = unit_kind ? unit_kind : "";
    if (s_trusted(actor)) {
        s.kind = CASESCOPE_ALL;
    } else if (!s_empty(actor->unit)) {
        if (strcmp(kind, "dispatch_centre") == 0)
            s.kind = CASESCOPE_ALL;
        else if (strcmp(kind, "grid_team") == 0 || strcmp(kind, "community") == 0 ||
                 strcmp(kind, "street_office") == 0)
            s.kind = !s_empty(unit_area) && s_copy(s.area, sizeof s.area, unit_area) == 0
                         ? CASESCOPE_AREA
                         : CASESCOPE_NONE;
        else if (kind[0])
            s.kind = s_copy(s.unit, sizeof s.unit, actor->unit) == 0 ? CASESCOPE_MASKED
                                                                      : CASESCOPE_NONE;
    } else if (actor->role && strcmp(actor->role, "public") == 0) {
        s.kind = CASESCOPE_MASKED; /* s.unit "": no case is its own */
    } else if (!s_empty(phone) && s_copy(s.phone, sizeof s.phone, phone) == 0) {
        s.kind = CASESCOPE_OWN;
    }
    return s;
}

int casescope_of(PGconn *conn, const Gov__Actor *actor, casescope_t *out, apperr_t *err)
{
    if (s_trusted(actor)) {
        *out = casescope_rule(actor, "", "", "");
        return 0;
    }
    const char *unit = actor->unit ? actor->unit : "";
    const char *params[] = {actor->id, unit};
    char sqlstate[6];
    PGresult *res = db_exec(conn, Q_CASESCOPE, 2, params, sqlstate);
    if (!res)
        return apperr_db(err, sqlstate);
    int rc = 0;
    if (PQntuples(res) != 1) {
        rc = apperr_code(err, "INTERNAL", "the read scope query answered %d rows", PQntuples(res));
    } else if (unit[0] && strcmp(PQgetvalue(res, 0, 3), "t") != 0) {
        rc = apperr_fail(err, "NOT_A_MEMBER", "the actor is not a member of the unit", NULL,
                         "%s is not a member of %s", actor->id, unit);
    } else {
        *out = casescope_rule(actor, PQgetvalue(res, 0, 1), PQgetvalue(res, 0, 2),
                              PQgetvalue(res, 0, 0));
    }
    PQclear(res);
    return rc;
}

static int s_same_phone(const Gov__Reporter *r, const char *phone)
{
    return r && !s_empty(r->phone) && strcmp(r->phone, phone) == 0;
}

int casescope_sees(const casescope_t *s, const Gov__Case *c)
{
    switch (s->kind) {
    case CASESCOPE_ALL:
    case CASESCOPE_MASKED:
        return 1;
    case CASESCOPE_AREA:
        for (size_t i = 0; i < c->n_area_path; i++)
            if (c->area_path[i] && c->area_path[i]->code &&
                strcmp(c->area_path[i]->code, s->area) == 0)
                return 1;
        return 0;
    case CASESCOPE_OWN:
        if (s_same_phone(c->reporter, s->phone))
            return 1;
        for (size_t i = 0; i < c->n_callers; i++)
            if (c->callers[i] && s_same_phone(c->callers[i]->reporter, s->phone))
                return 1;
        return 0;
    case CASESCOPE_NONE:
        break;
    }
    return 0;
}

/* 1 when `s` masks person `r` of a case whose lead unit is `lead`. */
static int s_masks(const casescope_t *s, const Gov__Reporter *r, const char *lead)
{
    if (!r)
        return 0;
    if (s->kind == CASESCOPE_MASKED)
        return s_empty(lead) || strcmp(lead, s->unit) != 0;
    return s->kind == CASESCOPE_OWN && !s_same_phone(r, s->phone);
}

/* 1 when `r` holds a name or a phone that `s` leaves in full and that is
 * not the reader's own. */
static int s_shows(const casescope_t *s, const Gov__Reporter *r, const char *lead)
{
    if (!r || (s_empty(r->name) && s_empty(r->phone)) || s_masks(s, r, lead))
        return 0;
    return s->kind != CASESCOPE_OWN && s->kind != CASESCOPE_NONE;
}

int casescope_shows_contact(const casescope_t *s, const Gov__Case *c, const char *lead_unit)
{
    if (s_shows(s, c->reporter, lead_unit))
        return 1;
    for (size_t i = 0; i < c->n_callers; i++)
        if (c->callers[i] && s_shows(s, c->callers[i]->reporter, lead_unit))
            return 1;
    return 0;
}

/* Masks `r` into `*at`, moving it on; `at` NULL only counts the bytes. */
static size_t s_mask_one(Gov__Reporter *r, char **at)
{
    size_t n = r->phone ? strlen(r->phone) + 1 : 0;
    if (at) {
        r->name = (char *) "";
        if (r->phone) {
            text_mask_phone(r->phone, *at);
            r->phone = *at;
            *at += n;
        }
    }
    return n;
}

int casescope_mask(const casescope_t *s, Gov__Case *c, const char *lead_unit, char **storage)
{
    *storage = NULL;
    size_t size = 0;
    if (s_masks(s, c->reporter, lead_unit))
        size += s_mask_one(c->reporter, NULL);
    for (size_t i = 0; i < c->n_callers; i++)
        if (c->callers[i] && s_masks(s, c->callers[i]->reporter, lead_unit))
            size += s_mask_one(c->callers[i]->reporter, NULL);
    char *block = size ? malloc(size) : NULL;
    if (size && !block)
        return -1;
    char *at = block;
    if (s_masks(s, c->reporter, lead_unit))
        s_mask_one(c->reporter, &at);
    for (size_t i = 0; i < c->n_callers; i++)
        if (c->callers[i] && s_masks(s, c->callers[i]->reporter, lead_unit))
            s_mask_one(c->callers[i]->reporter, &at);
    *storage = block;
    return 0;
}
