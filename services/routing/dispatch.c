#include "dispatch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "dispatchmsg.h"
#include "outbox.h"
#include "queries.h"
#include "readscope.h"

const char *const dispatch_deadline_names[DISPATCH_DEADLINES] = {"sign", "contact", "arrive",
                                                                 "resolve"};

int dispatch_deadline_index(const char *name)
{
    for (int i = 0; i < DISPATCH_DEADLINES; i++)
        if (strcmp(name, dispatch_deadline_names[i]) == 0)
            return i;
    return -1;
}

int64_t dispatch_step_due(const calendar_t *cal, int64_t sent_ms, int64_t minutes, int working,
                          int64_t percent, int64_t after_minutes)
{
    return calendar_add(cal, sent_ms, minutes * percent / 100, working) + after_minutes * 60000;
}

void dispatch_policy_trim(dispatch_policy_t *p, int has_case, int on_site)
{
    if (!has_case)
        p->minutes[1] = 0;
    if (!on_site)
        p->minutes[2] = 0;
}

static int s_load_policy(routing_t *r, const dispatch_spec_t *spec, dispatch_policy_t *p,
                         apperr_t *err)
{
    memset(p, 0, sizeof *p);
    if (!spec->policy_id)
        return 0;
    char ids[24], sqlstate[6];
    const char *params[] = {routing_i64(ids, spec->policy_id)};
    PGresult *res = pstmt_exec(r->sql, Q_POLICY, 1, params, sqlstate);
    if (!res)
        return apperr_db(err, sqlstate);
    int64_t revision = -1, working = 0;
    if (PQntuples(res) == 1) {
        for (int i = 0; i < DISPATCH_DEADLINES; i++) {
            p->minutes[i] = strtoll(PQgetvalue(res, 0, 1 + 2 * i), NULL, 10);
            p->working[i] = PQgetvalue(res, 0, 2 + 2 * i)[0] == 't';
            working |= p->minutes[i] && p->working[i];
        }
        revision = strtoll(PQgetvalue(res, 0, 9), NULL, 10);
    }
    PQclear(res);
    /* the calendar as it stands: loaded again when calendar_revision moved */
    if (working && calendar_refresh(r->cal, r->conn, revision))
        return apperr_fail(err, "DB_UNAVAILABLE", "the calendar could not be loaded",
                           "retry with the same message id", NULL);
    dispatch_policy_trim(p, spec->case_id != 0, spec->on_site);
    return 0;
}

/* Inserts the first ladder step of each deadline the dispatch has, and arms them. */
static int s_insert_steps(routing_t *r, int64_t id, int64_t policy_id, const dispatch_policy_t *p,
                          int64_t sent, apperr_t *err)
{
    char ids[24], pids[24], sqlstate[6];
    const char *lp[] = {routing_i64(pids, policy_id)};
    PGresult *ladder = pstmt_exec(r->sql, Q_LADDER, 1, lp, sqlstate);
    if (!ladder)
        return apperr_db(err, sqlstate);
    int n = PQntuples(ladder), rc = -1;
    /* Four arrays as text[] / int[] / bigint[] literals; every value is plain. */
    size_t cap = 64 + (size_t) n * 48;
    char *kinds = malloc(cap), *steps = malloc(cap), *actions = malloc(cap), *dues = malloc(cap);
    size_t lk = 0, ls = 0, la = 0, ld = 0;
    int used = 0;
    if (!kinds || !steps || !actions || !dues) {
        apperr_fail(err, "INTERNAL", "out of memory", NULL, NULL);
        goto done;
    }
    lk = ls = la = ld = 1;
    kinds[0] = steps[0] = actions[0] = dues[0] = '{';
    for (int i = 0; i < n; i++) {
        int k = dispatch_deadline_index(PQgetvalue(ladder, i, 0));
        if (k < 0 || !p->minutes[k])
            continue;
        int64_t percent = strtoll(PQgetvalue(ladder, i, 2), NULL, 10);
        int64_t after = strtoll(PQgetvalue(ladder, i, 3), NULL, 10);
        int64_t due = dispatch_step_due(r->cal, sent, p->minutes[k], p->working[k], percent, after);
        const char *sep = used ? "," : "";
        lk += (size_t) snprintf(kinds + lk, cap - lk, "%s%s", sep, dispatch_deadline_names[k]);
        ls += (size_t) snprintf(steps + ls, cap - ls, "%s%s", sep, PQgetvalue(ladder, i, 1));
        la += (size_t) snprintf(actions + la, cap - la, "%s%s", sep, PQgetvalue(ladder, i, 4));
        ld += (size_t) snprintf(dues + ld, cap - ld, "%s%lld", sep, (long long) due);
        used++;
    }
    if (!used) {
        rc = 0;
        goto done;
    }
    snprintf(kinds + lk, cap - lk, "}");
    snprintf(steps + ls, cap - ls, "}");
    snprintf(actions + la, cap - la, "}");
    snprintf(dues + ld, cap - ld, "}");
    const char *params[] = {routing_i64(ids, id), kinds, steps, actions, dues};
    PGresult *res = pstmt_exec(r->sql, Q_INSERT_DEADLINES, 5, params, sqlstate);
    if (!res) {
        apperr_db(err, sqlstate);
        goto done;
    }
    for (int i = 0; i < PQntuples(res); i++)
        deadline_arm(r->ladder, strtoll(PQgetvalue(res, i, 0), NULL, 10),
                     strtoll(PQgetvalue(res, i, 1), NULL, 10));
    PQclear(res);
    rc = 0;
done:
    PQclear(ladder);
    free(kinds);
    free(steps);
    free(actions);
    free(dues);
    return rc;
}

const char *dispatch_actor_id(const Gov__Actor *actor)
{
    return actor && actor->id && actor->id[0] ? actor->id : "system:routing";
}

int64_t dispatch_send(routing_t *r, const dispatch_spec_t *spec, const Gov__Actor *actor,
                      const char *trace_id, apperr_t *err)
{
    dispatch_policy_t p;
    if (s_load_policy(r, spec, &p, err))
        return -1;
    int64_t sent = svclock_now_ms(r->clock);
    char b[13][24], sqlstate[6];
    const char *by[DISPATCH_DEADLINES];
    for (int i = 0; i < DISPATCH_DEADLINES; i++)
        by[i] = p.minutes[i] ? routing_i64(b[9 + i],
                                           calendar_add(r->cal, sent, p.minutes[i], p.working[i]))
                             : NULL;
    const char *params[] = {routing_i64(b[0], spec->case_id), routing_i64(b[1], spec->whistle_id),
                            routing_i64(b[2], spec->unit_id), spec->role,
                            routing_i64(b[3], spec->rule_id), routing_i64(b[4], spec->policy_id),
                            spec->on_site ? "true" : "false", routing_i64(b[5], sent),
                            by[0], by[1], by[2], by[3], spec->reopen ? "true" : "false"};
    PGresult *res = pstmt_exec(r->sql, Q_INSERT_DISPATCH, 13, params, sqlstate);
    if (!res)
        return apperr_db(err, sqlstate);
    int64_t id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
    PQclear(res);
    if (s_insert_steps(r, id, spec->policy_id, &p, sent, err) ||
        dispatch_log(r, id, sent, "sent", dispatch_actor_id(actor), "", NULL, 0, err) ||
        dispatch_announce(r, id, "DispatchSent", actor, trace_id, "", NULL, 0, err))
        return -1;
    return id;
}

int dispatch_log(routing_t *r, int64_t id, int64_t at_ms, const char *action, const char *actor,
                 const char *text, char **media, size_t n_media, apperr_t *err)
{
    char ids[24], at[24], sqlstate[6];
    char *array = n_media ? db_text_array(media, n_media) : NULL;
    if (n_media && !array)
        return apperr_fail(err, "INTERNAL", "out of memory", NULL, NULL);
    const char *params[] = {routing_i64(ids, id), routing_i64(at, at_ms), action, actor,
                            text ? text : "", array};
    PGresult *res = pstmt_exec(r->sql, Q_LOG, 6, params, sqlstate);
    free(array);
    if (!res)
        return apperr_db(err, sqlstate);
    PQclear(res);
    return 0;
}

int dispatch_announce(routing_t *r, int64_t id, const char *type, const Gov__Actor *actor,
                      const char *trace_id, const char *text, char **media, size_t n_media,
                      apperr_t *err)
{
    dispatchmsg_t view;
    PGresult *res;
    char sqlstate[6];
    int found = dispatchmsg_load(r, id, 0, &view, &res, sqlstate);
    int rc = -1;
    if (found <= 0) {
        apperr_db(err, sqlstate);
        goto done;
    }
    Gov__DispatchEvent ev = GOV__DISPATCH_EVENT__INIT;
    dispatchmsg_for_event(&view, readscope_event_contact(type));
    ev.item = &view.msg;
    ev.text = (char *) (text ? text : "");
    ev.media_urls = media;
    ev.n_media_urls = n_media;
    if (outbox_add(r->conn, ROUTING_STREAM, type, actor, trace_id, &ev.base)) {
        apperr_fail(err, "DB_UNAVAILABLE", "the event could not be stored", "retry later", NULL);
        goto done;
    }
    rc = 0;
done:
    dispatchmsg_clear(&view);
    PQclear(res);
    return rc;
}
