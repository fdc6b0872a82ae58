#include "decisions.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "deliberation.pb-c.h"
#include "log.h"
#include "queries.h"
#include "routing.pb-c.h"
#include "whistle.h"

static int s_blow(routing_t *r, const Gov__Envelope *event, const Gov__Matter *m,
                  const Gov__MatterTask *task)
{
    char sqlstate[6];
    PGresult *res = pstmt_exec(r->sql, Q_AREA_POINT, 1, (const char *[]){m->area}, sqlstate);
    if (!res)
        return -1;
    Gov__Point pt = GOV__POINT__INIT;
    int found = PQntuples(res) == 1;
    if (found) {
        pt.lon = strtod(PQgetvalue(res, 0, 0), NULL);
        pt.lat = strtod(PQgetvalue(res, 0, 1), NULL);
    }
    PQclear(res);
    if (!found) {
        log_error("routing: matter %lld names unknown area %s; no whistle", (long long) m->id,
                  m->area);
        return 0;
    }
    Gov__BlowWhistle blow = GOV__BLOW_WHISTLE__INIT;
    blow.kind = "routine";
    blow.reason = task->text[0] ? task->text : m->title;
    blow.point = &pt;
    blow.departments = task->units;
    blow.n_departments = task->n_units;
    blow.matter_id = m->id;
    apperr_t err;
    if (whistle_blow_in(r, event, &blow, &err) >= 0)
        return 0;
    if (strcmp(err.code, "DB_UNAVAILABLE") == 0)
        return -1;
    log_error("routing: matter %lld's whistle refused: %s: %s (%s)", (long long) m->id, err.code,
              err.message, err.detail);
    return 0;
}

int decisions_apply(routing_t *r, const Gov__Envelope *event)
{
    if (strcmp(event->type, "MatterActing") != 0)
        return 0;
    Gov__MatterEvent *ev =
        (Gov__MatterEvent *) envelope_payload(event, &gov__matter_event__descriptor);
    if (!ev || !ev->item) {
        log_error("routing: undecodable MatterActing at seq %llu", (unsigned long long) event->seq);
        if (ev)
            gov__matter_event__free_unpacked(ev, NULL);
        return 0;
    }
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < ev->item->n_tasks; i++) {
        const Gov__MatterTask *t = ev->item->tasks[i];
        if (strcmp(t->kind, "dispatch") == 0 && !t->whistle_id && t->n_units)
            rc = s_blow(r, event, ev->item, t);
    }
    gov__matter_event__free_unpacked(ev, NULL);
    return rc;
}
