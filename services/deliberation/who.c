#include "who.h"

#include <stdio.h>
#include <string.h>

#include "power.h"
#include "queries.h"

int who_load(delib_t *d, const Gov__Actor *actor, who_t *out, apperr_t *err)
{
    memset(out, 0, sizeof *out);
    if (!actor || !actor->id || !actor->id[0])
        return apperr_fail(err, "NO_ACTOR", "the request names no actor",
                          "set the envelope's actor: your person code (and unit, for a committee)",
                          NULL);
    out->code = actor->id;
    PGresult *res = delib_exec(d, Q_PERSON, 1, (const char *[]){actor->id}, err);
    if (!res)
        return -1;
    if (PQntuples(res) == 0) {
        PQclear(res);
        return apperr_fail(err, "UNKNOWN_PERSON", "no such person", NULL, "\"%s\"", actor->id);
    }
    out->person_id = delib_cell_i64(res, 0, 0);
    out->resident = PQgetvalue(res, 0, 1)[0] == 't';
    out->adult = PQgetvalue(res, 0, 2)[0] == 't';
    out->household_rep = PQgetvalue(res, 0, 3)[0] == 't';
    out->representative = PQgetvalue(res, 0, 4)[0] == 't';
    out->grid_id = delib_cell_i64(res, 0, 5);
    out->community_id = delib_cell_i64(res, 0, 6);
    PQclear(res);
    if (!actor->unit || !actor->unit[0])
        return 0;
    if (!(res = delib_exec(d, Q_MEMBER, 2, (const char *[]){actor->unit, actor->id}, err)))
        return -1;
    if (PQntuples(res) == 0) {
        PQclear(res);
        return apperr_fail(err, "NOT_A_MEMBER", "the actor is not a member of the unit", NULL,
                          "%s is not a member of %s", actor->id, actor->unit);
    }
    snprintf(out->unit_kind, sizeof out->unit_kind, "%s", PQgetvalue(res, 0, 0));
    out->unit_area_id = delib_cell_i64(res, 0, 1);
    out->unit_community_id = delib_cell_i64(res, 0, 2);
    PQclear(res);
    return 0;
}

int who_in_scope(const who_t *w, const matter_ref_t *m)
{
    if (!w->resident || !w->adult)
        return 0;
    return strcmp(m->scope, "grid") == 0 ? w->grid_id == m->area_id
                                         : w->community_id == m->community_id;
}

int who_acts_for(const who_t *w, const matter_ref_t *m, const char *kind)
{
    return strcmp(w->unit_kind, kind) == 0 && w->unit_area_id == m->community_id;
}

int who_committee(const who_t *w, const matter_ref_t *m)
{
    return who_acts_for(w, m, POWER_EXECUTOR);
}

int who_party(const who_t *w, const matter_ref_t *m)
{
    return who_acts_for(w, m, POWER_PARTY);
}

int who_supervisor(const who_t *w, const matter_ref_t *m)
{
    return who_acts_for(w, m, POWER_SUPERVISION);
}

int who_require_scope(const who_t *w, const matter_ref_t *m, apperr_t *err)
{
    if (who_in_scope(w, m))
        return 0;
    return apperr_fail(err, "OUTSIDE_SCOPE", "only adult residents in the matter's scope may do this",
                      NULL, "%s is not an adult resident of the matter's %s", w->code, m->scope);
}

int who_require_committee(const who_t *w, const matter_ref_t *m, apperr_t *err)
{
    if (who_committee(w, m))
        return 0;
    return apperr_fail(err, "NOT_COMMITTEE",
                      "only the community's residents' committee (居委会) may do this",
                      "act as a member of the community unit (--unit cm.…)",
                      "%s acts for %s", w->code, w->unit_kind[0] ? w->unit_kind : "no unit");
}

int who_require_supervisor(const who_t *w, const matter_ref_t *m, apperr_t *err)
{
    if (who_supervisor(w, m))
        return 0;
    return apperr_fail(err, "NOT_SUPERVISOR",
                      "only the community's supervision committee (监督委员会) may do this",
                      "act as a member of the supervision unit (--unit sv.…)",
                      "%s acts for %s", w->code, w->unit_kind[0] ? w->unit_kind : "no unit");
}

int who_require_party(const who_t *w, const matter_ref_t *m, apperr_t *err)
{
    if (who_party(w, m))
        return 0;
    return apperr_fail(err, "NOT_PARTY_COMMITTEE",
                      "only the community's party committee (社区党委) may do this",
                      "act as a member of the party committee unit (--unit pc.…)",
                      "%s acts for %s", w->code, w->unit_kind[0] ? w->unit_kind : "no unit");
}

int who_require_body(const who_t *w, const matter_ref_t *m, const char *kind, apperr_t *err)
{
    if (strcmp(kind, POWER_PARTY) == 0)
        return who_require_party(w, m, err);
    if (strcmp(kind, POWER_SUPERVISION) == 0)
        return who_require_supervisor(w, m, err);
    return who_require_committee(w, m, err);
}
