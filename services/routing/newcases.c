#include "newcases.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "dispatch.h"
#include "dispatchmsg.h"
#include "intake.pb-c.h"
#include "log.h"
#include "match.h"
#include "outbox.h"
#include "pgarray.h"
#include "queries.h"
#include "rules.h"

struct newcases {
    Gov__CaseCreated **cases; /* decoded, owned */
    char **traces;            /* the events' trace ids, owned */
    size_t n;
    int numbered_session;     /* the backend pid OUTBOX_NUMBERED_STATEMENT was prepared in */
};

newcases_t *newcases_new(void)
{
    newcases_t *nc = calloc(1, sizeof *nc);
    if (nc) {
        nc->cases = calloc(NEWCASES_MAX, sizeof *nc->cases);
        nc->traces = calloc(NEWCASES_MAX, sizeof *nc->traces);
        if (!nc->cases || !nc->traces)
            newcases_destroy(&nc);
    }
    return nc;
}

void newcases_reset(newcases_t *nc)
{
    for (size_t i = 0; i < nc->n; i++) {
        gov__case_created__free_unpacked(nc->cases[i], NULL);
        free(nc->traces[i]);
    }
    nc->n = 0;
}

void newcases_destroy(newcases_t **self_p)
{
    newcases_t *nc = *self_p;
    if (!nc)
        return;
    *self_p = NULL;
    if (nc->cases && nc->traces)
        newcases_reset(nc);
    free(nc->cases);
    free(nc->traces);
    free(nc);
}

int newcases_add(newcases_t *nc, const Gov__Envelope *event)
{
    if (strcmp(event->type, "CaseCreated") != 0)
        return (int) nc->n;
    if (nc->n == NEWCASES_MAX) {
        log_error("routing: a batch of new cases is full; route it first");
        return -1;
    }
    Gov__CaseCreated *ev =
        (Gov__CaseCreated *) envelope_payload(event, &gov__case_created__descriptor);
    if (!ev || !ev->item) {
        log_error("routing: undecodable CaseCreated at seq %llu", (unsigned long long) event->seq);
        if (ev)
            gov__case_created__free_unpacked(ev, NULL);
        return -1;
    }
    for (size_t i = 0; i < nc->n; i++)
        if (nc->cases[i]->item->id == ev->item->id) {
            gov__case_created__free_unpacked(ev, NULL);
            return (int) nc->n;
        }
    char *trace = strdup(event->trace_id ? event->trace_id : "");
    if (!trace) {
        gov__case_created__free_unpacked(ev, NULL);
        log_error("routing: out of memory gathering new cases");
        return -1;
    }
    nc->cases[nc->n] = ev;
    nc->traces[nc->n++] = trace;
    return (int) nc->n;
}

/* ---- pipelines: a few round trips a batch -------------------------------- */

/* The statements of a pass, prepared on the session before a pipeline
 * sends them (pstmt_send). */
static const struct {
    const char *sql;
    int nparams;
} s_statements[] = {
    {Q_CALENDAR_REVISION, 0}, {Q_NEWCASES_INSERT, 10}, {Q_RULES_ENABLED, 0},
    {Q_POLICIES_CASES, 0},    {Q_LADDERS_CASES, 0},    {Q_INSERT_DISPATCHES, 12},
    {Q_INSERT_DEADLINES_MANY, 5}, {Q_LOG_SENT_MANY, 2}, {Q_DISPATCHES_BY_IDS, 1},
};

#define S_PIPE_MAX 6

/* Statements queued on r->conn in pipeline mode, and then their results. */
typedef struct {
    routing_t *r;
    int n;                  /* queued */
    int broken;             /* one could not be queued */
    PGresult *res[S_PIPE_MAX];
} s_pipe_t;

static int s_pipe_begin(s_pipe_t *pp, routing_t *r, char sqlstate[6])
{
    memset(pp, 0, sizeof *pp);
    pp->r = r;
    if (PQenterPipelineMode(r->conn))
        return 0;
    memcpy(sqlstate, "08006", 6);
    log_error("routing: cannot enter pipeline mode: %s", PQerrorMessage(r->conn));
    return -1;
}

/* Queues prepared statement `sql` (or, with nparams < 0, `sql` as it is). */
static void s_pipe_send(s_pipe_t *pp, const char *sql, int nparams, const char *const *params)
{
    if (pp->broken || pp->n == S_PIPE_MAX) {
        pp->broken = 1;
        return;
    }
    int ok = nparams < 0 ? PQsendQueryParams(pp->r->conn, sql, 0, NULL, NULL, NULL, NULL, 0)
                         : pstmt_send(pp->r->sql, sql, nparams, params) == 0;
    if (ok)
        pp->n++;
    else
        pp->broken = 1;
}

/* Syncs and reads every result into pp->res (the caller frees them with
 * s_pipe_clear), leaving pipeline mode. Returns 0 when every statement
 * succeeded, else -1 with the first failure's SQLSTATE. */
static int s_pipe_end(s_pipe_t *pp, char sqlstate[6])
{
    PGconn *conn = pp->r->conn;
    if (!PQpipelineSync(conn)) {
        log_error("routing: cannot send a pipeline: %s", PQerrorMessage(conn));
        db_failed(conn, NULL, sqlstate); /* resets a lost connection */
        return -1;
    }
    int rc = db_pipeline_collect(conn, pp->n, pp->res, sqlstate);
    if (rc == 0 && pp->broken) {
        rc = -1;
        memcpy(sqlstate, "08006", 6);
        log_error("routing: a statement could not be queued: %s", PQerrorMessage(conn));
    }
    PQexitPipelineMode(conn);
    return rc;
}

static void s_pipe_clear(s_pipe_t *pp)
{
    for (int i = 0; i < S_PIPE_MAX; i++)
        PQclear(pp->res[i]);
    memset(pp->res, 0, sizeof pp->res);
}

/* ---- one set of statements ---------------------------------------------- */

/* A dispatch to send: the lead of a case, or one of its assisting units. */
typedef struct {
    size_t c;          /* index of the case in the batch */
    int64_t unit_id, rule_id, policy_id;
    const char *role;
    int on_site;
} s_send_t;

typedef struct {
    int64_t id;
    dispatch_policy_t p;
} s_policy_t;

#define S_COLUMNS 17 /* the most parameters a statement here takes, + the steps' */

/* Everything one pass allocates, freed in one place. */
typedef struct {
    s_pipe_t read, write, events; /* the pass's three pipelines */
    PGresult *facts, *policies, *ladders, *ids, *steps, *views; /* borrowed from them */
    rules_enabled_t rules;
    match_case_t *mcase;
    int64_t *paths;          /* the cases' area paths, which mcase points into */
    size_t *fresh;           /* case index of each row of `facts` */
    int64_t *policy_of;      /* policy of each row of `facts` */
    match_decision_t *dec;
    s_send_t *send;
    s_policy_t *pol;
    int64_t *dispatch_ids;
    pgarray_t *col[S_COLUMNS];
    outbox_batch_t *events_out;
} s_pass_t;

static void s_pass_free(s_pass_t *p)
{
    s_pipe_clear(&p->read);
    s_pipe_clear(&p->write);
    s_pipe_clear(&p->events);
    rules_enabled_clear(&p->rules);
    PQclear(p->ids);
    free(p->mcase);
    free(p->paths);
    free(p->fresh);
    free(p->policy_of);
    free(p->dec);
    free(p->send);
    free(p->pol);
    free(p->dispatch_ids);
    for (size_t i = 0; i < sizeof p->col / sizeof *p->col; i++)
        pgarray_destroy(&p->col[i]);
    outbox_batch_destroy(&p->events_out);
}

static int s_columns(s_pass_t *p, size_t n)
{
    for (size_t i = 0; i < sizeof p->col / sizeof *p->col; i++)
        pgarray_destroy(&p->col[i]);
    for (size_t i = 0; i < n; i++)
        if (!(p->col[i] = pgarray_new()))
            return -1;
    return 0;
}

/* The columns' literals as parameters; -1 when one ran out of memory. */
static int s_values(s_pass_t *p, size_t n, const char **values)
{
    for (size_t i = 0; i < n; i++)
        if (!(values[i] = pgarray_text(p->col[i])))
            return -1;
    return 0;
}

static int s_oom(char sqlstate[6])
{
    memcpy(sqlstate, "53200", 6);
    log_error("routing: out of memory routing new cases");
    return -1;
}

/* Reads the policies (Q_POLICIES_CASES' rows in p->policies). */
static int s_read_policies(s_pass_t *p, size_t *n_pol, char sqlstate[6])
{
    int n = PQntuples(p->policies);
    if (!(p->pol = calloc((size_t) n + 1, sizeof *p->pol)))
        return s_oom(sqlstate);
    for (int i = 0; i < n; i++) {
        p->pol[i].id = strtoll(PQgetvalue(p->policies, i, 0), NULL, 10);
        for (int k = 0; k < DISPATCH_DEADLINES; k++) {
            p->pol[i].p.minutes[k] = strtoll(PQgetvalue(p->policies, i, 1 + 2 * k), NULL, 10);
            p->pol[i].p.working[k] = PQgetvalue(p->policies, i, 2 + 2 * k)[0] == 't';
        }
    }
    *n_pol = (size_t) n;
    return 0;
}

static dispatch_policy_t s_policy(const s_pass_t *p, size_t n_pol, int64_t id)
{
    dispatch_policy_t none = {{0}, {0}};
    for (size_t i = 0; id && i < n_pol; i++)
        if (p->pol[i].id == id)
            return p->pol[i].p;
    return none;
}

static int s_prepare(newcases_t *nc, routing_t *r, const char *savepoint, const char *release,
                     char sqlstate[6])
{
    static const db_statement_t numbered[] = {OUTBOX_NUMBERED_STATEMENT};
    int pid = PQbackendPID(r->conn);
    if (pid != nc->numbered_session) {
        if (db_prepare(r->conn, numbered, 1)) {
            memcpy(sqlstate, "08006", 6);
            return -1;
        }
        nc->numbered_session = pid;
    }
    for (size_t i = 0; i < sizeof s_statements / sizeof *s_statements; i++)
        if (pstmt_prepare(r->sql, s_statements[i].sql, s_statements[i].nparams, sqlstate))
            return -1;
    return pstmt_prepare(r->sql, savepoint, 0, sqlstate) ||
                   pstmt_prepare(r->sql, release, 0, sqlstate)
               ? -1
               : 0;
}

/* Routes cases [from, from + count) of the batch inside savepoint
 * `savepoint` (its SAVEPOINT and RELEASE statements, string literals), in
 * four round trips: (1) the savepoint, the calendar's revision, the cases
 * recorded with their facts, the rules, the policies and their ladders;
 * (2) the dispatches' ids; (3) the dispatches, their ladder steps and log
 * lines, and their views; (4) their events, numbered as they are written
 * (which holds the routing stream's row lock to the subscriber's COMMIT:
 * the relay and other numbering writers wait for it, as intake's do), and
 * the release. Returns 0, or
 * -1 with the SQLSTATE of the failure in `sqlstate` (nothing is armed then;
 * the savepoint, if made, is the caller's to roll back to). */
static int s_route(newcases_t *nc, routing_t *r, size_t from, size_t count, const char *savepoint,
                   const char *release, newcases_stats_t *stats, char sqlstate[6])
{
    s_pass_t p = {0};
    int rc = -1, released = 0;
    const char *values[11];
    size_t n_pol = 0, n_send = 0;
    if (s_prepare(nc, r, savepoint, release, sqlstate))
        goto done;
    /* 1. Record the cases and read their facts, the rules and the policies. */
    if (s_columns(&p, 11))
        goto oom;
    for (size_t i = from; i < from + count; i++) {
        const Gov__Case *c = nc->cases[i]->item;
        pgarray_t **col = p.col;
        pgarray_add_int(col[0], c->id);
        pgarray_add_text(col[1], c->category);
        pgarray_add_text(col[2], c->urgency);
        pgarray_add_text(col[3], c->description);
        if (c->n_area_path)
            pgarray_add_text(col[4], c->area_path[c->n_area_path - 1]->code);
        else
            pgarray_add_null(col[4]);
        if (c->location && c->location->point) {
            pgarray_add_double(col[5], c->location->point->lon);
            pgarray_add_double(col[6], c->location->point->lat);
        } else {
            pgarray_add_null(col[5]);
            pgarray_add_null(col[6]);
        }
        /* the event's own reporter (events before contact_ref); else none
         * kept, only the phone masked (intake gives the number, reporters.h) */
        const Gov__Reporter *rep = c->reporter;
        pgarray_add_text(col[7], rep ? rep->name : "");
        pgarray_add_text(col[8], rep ? rep->phone : "");
        pgarray_add_int(col[9], c->created_ms);
        pgarray_add_text(col[10], c->contact_hint ? c->contact_hint : "");
    }
    if (s_values(&p, 11, values))
        goto oom;
    if (s_pipe_begin(&p.read, r, sqlstate))
        goto done;
    s_pipe_send(&p.read, savepoint, 0, NULL);
    s_pipe_send(&p.read, Q_CALENDAR_REVISION, 0, NULL);
    s_pipe_send(&p.read, Q_NEWCASES_INSERT, 11, values);
    s_pipe_send(&p.read, Q_RULES_ENABLED, 0, NULL);
    s_pipe_send(&p.read, Q_POLICIES_CASES, 0, NULL);
    s_pipe_send(&p.read, Q_LADDERS_CASES, 0, NULL);
    if (s_pipe_end(&p.read, sqlstate))
        goto done;
    PGresult *revision = p.read.res[1];
    p.facts = p.read.res[2];
    p.policies = p.read.res[4];
    p.ladders = p.read.res[5];
    /* the deadlines below count on the calendar as it stands */
    if (routing_calendar_at(r, PQntuples(revision) ? strtoll(PQgetvalue(revision, 0, 0), NULL, 10)
                                                   : 0)) {
        memcpy(sqlstate, "58000", 6);
        goto done;
    }
    size_t n_fresh = (size_t) PQntuples(p.facts);
    if (!n_fresh) {
        stats->seen += count;
        rc = 0;
        goto done;
    }
    /* 2. Match them to the rules. */
    p.mcase = calloc(n_fresh, sizeof *p.mcase);
    p.fresh = calloc(n_fresh, sizeof *p.fresh);
    p.policy_of = calloc(n_fresh, sizeof *p.policy_of);
    p.dec = calloc(n_fresh, sizeof *p.dec);
    size_t chars = 0;
    for (size_t k = 0; k < n_fresh; k++)
        chars += strlen(PQgetvalue(p.facts, (int) k, 1)) / 2 + 1;
    int64_t *paths = p.paths = malloc((chars + 1) * sizeof *paths);
    if (!p.mcase || !p.fresh || !p.policy_of || !p.dec || !paths)
        goto oom;
    size_t used = 0, at = from;
    for (size_t k = 0; k < n_fresh; k++) {
        int row = (int) k;
        int64_t id = strtoll(PQgetvalue(p.facts, row, 0), NULL, 10);
        while (at < from + count && nc->cases[at]->item->id != id)
            at++; /* rows come in the batch's order */
        if (at == from + count) {
            memcpy(sqlstate, "XX000", 6);
            log_error("routing: case %lld came back out of order", (long long) id);
            goto done;
        }
        p.fresh[k] = at;
        match_case_t *m = &p.mcase[k];
        m->category = nc->cases[at]->item->category;
        m->path = paths + used;
        m->n_path = pgarray_parse_ints(PQgetvalue(p.facts, row, 1), paths + used);
        used += m->n_path;
        for (int t = 0; t < 3; t++)
            m->team[t] = strtoll(PQgetvalue(p.facts, row, 2 + t), NULL, 10);
        m->centre = strtoll(PQgetvalue(p.facts, row, 5), NULL, 10);
        p.policy_of[k] = strtoll(PQgetvalue(p.facts, row, 6), NULL, 10);
    }
    stats->seen += count - n_fresh;
    PGresult *rules = p.read.res[3];
    p.read.res[3] = NULL; /* p.rules owns it now */
    if (rules_enabled_from(rules, &p.rules, sqlstate))
        goto done;
    match_batch(p.mcase, n_fresh, p.rules.rules, p.rules.n, p.dec);
    /* 3. The dispatches: each case's lead, then its assisting units. */
    size_t cap = 0;
    for (size_t k = 0; k < n_fresh; k++)
        cap += 1 + (p.dec[k].how == MATCH_BY_RULE ? p.dec[k].rule->n_assists : 0);
    if (!(p.send = calloc(cap, sizeof *p.send)))
        goto oom;
    size_t routed = 0;
    for (size_t k = 0; k < n_fresh; k++) {
        const match_decision_t *d = &p.dec[k];
        const Gov__Case *c = nc->cases[p.fresh[k]]->item;
        if (d->how == MATCH_NOBODY) {
            log_error("routing: case %lld not routed: NO_CENTRE: no rule takes it and no"
                      " dispatch centre is configured (add a unit of kind dispatch_centre)",
                      (long long) c->id);
            stats->unrouted++;
            continue;
        }
        int64_t rule = d->how == MATCH_BY_RULE ? d->rule->id : 0;
        p.send[n_send++] = (s_send_t){.c = p.fresh[k], .unit_id = d->unit_id, .rule_id = rule,
                                      .policy_id = p.policy_of[k], .role = "lead",
                                      .on_site = d->on_site};
        for (size_t a = 0; d->how == MATCH_BY_RULE && a < d->rule->n_assists; a++)
            p.send[n_send++] = (s_send_t){.c = p.fresh[k], .unit_id = d->rule->assists[a],
                                          .rule_id = rule, .policy_id = p.policy_of[k],
                                          .role = "assist"};
        routed++;
    }
    if (!n_send) {
        rc = 0;
        goto done;
    }
    if (s_read_policies(&p, &n_pol, sqlstate))
        goto done;
    /* 4. Their ids, in the order they are sent, so events follow that order. */
    char count_text[24];
    values[0] = routing_i64(count_text, (int64_t) n_send);
    if (!(p.ids = pstmt_exec(r->sql, Q_DISPATCH_IDS, 1, values, sqlstate)))
        goto done;
    if ((size_t) PQntuples(p.ids) != n_send ||
        !(p.dispatch_ids = calloc(n_send, sizeof *p.dispatch_ids)))
        goto oom;
    for (size_t i = 0; i < n_send; i++) {
        int64_t id = strtoll(PQgetvalue(p.ids, (int) i, 0), NULL, 10);
        size_t j = i; /* ascending, though a sequence hands them out so already */
        while (j > 0 && p.dispatch_ids[j - 1] > id) {
            p.dispatch_ids[j] = p.dispatch_ids[j - 1];
            j--;
        }
        p.dispatch_ids[j] = id;
    }
    /* 5. The dispatches with their deadlines, and their ladders' steps
     * (columns 0-6 and 8-11 the dispatches', 12-16 the steps'). */
    int64_t sent = svclock_now_ms(r->clock);
    if (s_columns(&p, S_COLUMNS))
        goto oom;
    pgarray_t **col = p.col;
    int n_ladder = PQntuples(p.ladders);
    for (size_t i = 0; i < n_send; i++) {
        const s_send_t *s = &p.send[i];
        dispatch_policy_t pol = s_policy(&p, n_pol, s->policy_id);
        dispatch_policy_trim(&pol, 1, s->on_site);
        pgarray_add_int(col[0], p.dispatch_ids[i]);
        pgarray_add_int(col[1], nc->cases[s->c]->item->id);
        pgarray_add_int(col[2], s->unit_id);
        pgarray_add_text(col[3], s->role);
        pgarray_add_int(col[4], s->rule_id);
        pgarray_add_int(col[5], s->policy_id);
        pgarray_add_text(col[6], s->on_site ? "true" : "false");
        for (int k = 0; k < DISPATCH_DEADLINES; k++) {
            if (pol.minutes[k])
                pgarray_add_int(col[8 + k],
                                calendar_add(r->cal, sent, pol.minutes[k], pol.working[k]));
            else
                pgarray_add_null(col[8 + k]);
        }
        char policy_text[24];
        routing_i64(policy_text, s->policy_id);
        for (int l = 0; s->policy_id && l < n_ladder; l++) {
            if (strcmp(PQgetvalue(p.ladders, l, 0), policy_text) != 0)
                continue;
            int k = dispatch_deadline_index(PQgetvalue(p.ladders, l, 1));
            if (k < 0 || !pol.minutes[k])
                continue;
            int64_t percent = strtoll(PQgetvalue(p.ladders, l, 3), NULL, 10);
            int64_t after = strtoll(PQgetvalue(p.ladders, l, 4), NULL, 10);
            int64_t due = dispatch_step_due(r->cal, sent, pol.minutes[k], pol.working[k],
                                            percent, after);
            pgarray_add_int(col[12], p.dispatch_ids[i]);
            pgarray_add_text(col[13], dispatch_deadline_names[k]);
            pgarray_add_text(col[14], PQgetvalue(p.ladders, l, 2));
            pgarray_add_text(col[15], PQgetvalue(p.ladders, l, 5));
            pgarray_add_int(col[16], due);
        }
    }
    const char *v[S_COLUMNS];
    char sent_text[24];
    if (s_values(&p, S_COLUMNS, v))
        goto oom;
    v[7] = routing_i64(sent_text, sent); /* not an array: when they are all sent */
    /* 6. Written in one round trip: the dispatches, their steps, their log
     * lines, and their views as the world sees them. */
    const char *lv[] = {v[0], sent_text};
    int has_steps = pgarray_count(col[12]) > 0;
    if (s_pipe_begin(&p.write, r, sqlstate))
        goto done;
    s_pipe_send(&p.write, Q_INSERT_DISPATCHES, 12, v);
    if (has_steps)
        s_pipe_send(&p.write, Q_INSERT_DEADLINES_MANY, 5, v + 12);
    s_pipe_send(&p.write, Q_LOG_SENT_MANY, 2, lv);
    s_pipe_send(&p.write, Q_DISPATCHES_BY_IDS, 1, (const char *[]){v[0]});
    if (s_pipe_end(&p.write, sqlstate))
        goto done;
    p.steps = has_steps ? p.write.res[1] : NULL;
    p.views = p.write.res[has_steps ? 3 : 2];
    if ((size_t) PQntuples(p.views) != n_send || !(p.events_out = outbox_batch_new(ROUTING_STREAM)))
        goto oom;
    for (size_t i = 0; i < n_send; i++) {
        dispatchmsg_t view;
        if (dispatchmsg_from_row(&view, p.views, (int) i)) {
            dispatchmsg_clear(&view);
            memcpy(sqlstate, "XX000", 6);
            log_error("routing: dispatch %lld has a bad area path", (long long) p.dispatch_ids[i]);
            goto done;
        }
        Gov__DispatchEvent ev = GOV__DISPATCH_EVENT__INIT;
        dispatchmsg_for_event(&view, 1); /* a reference, not the reporter (readscope.h) */
        ev.item = &view.msg;
        ev.text = "";
        int added = outbox_batch_add(p.events_out, "DispatchSent", NULL, nc->traces[p.send[i].c],
                                     &ev.base);
        dispatchmsg_clear(&view);
        if (added)
            goto oom;
    }
    /* 7. Their events, and the savepoint released, in one round trip. The
     * events take their numbers now (the relay then only publishes them,
     * rather than rewrite every row to number it). */
    if (s_pipe_begin(&p.events, r, sqlstate))
        goto done;
    if (outbox_batch_send_numbered(r->conn, p.events_out))
        p.events.broken = 1;
    else
        p.events.n++;
    s_pipe_send(&p.events, release, 0, NULL);
    if (s_pipe_end(&p.events, sqlstate))
        goto done;
    released = 1;
    /* 8. Everything is written: arm the near steps. */
    for (int i = 0; r->ladder && p.steps && i < PQntuples(p.steps); i++)
        deadline_arm(r->ladder, strtoll(PQgetvalue(p.steps, i, 0), NULL, 10),
                     strtoll(PQgetvalue(p.steps, i, 1), NULL, 10));
    stats->routed += routed;
    rc = 0;
    goto done;
oom:
    s_oom(sqlstate);
done:
    if (rc == 0 && !released) {
        PGresult *res = pstmt_exec(r->sql, release, 0, NULL, sqlstate);
        rc = res ? 0 : -1;
        PQclear(res);
    }
    s_pass_free(&p);
    return rc;
}

/* ---- savepoints: one case's data does not fail the others ---------------- */

static int s_run(routing_t *r, const char *sql)
{
    char sqlstate[6];
    PGresult *res = pstmt_exec(r->sql, sql, 0, NULL, sqlstate);
    PQclear(res);
    return res ? 0 : -1;
}

/* Whether a failure is the data's own (the same data would fail again): a
 * data exception or an integrity constraint, SQLSTATE class 22 or 23. */
static int s_data_error(const char sqlstate[6])
{
    return strncmp(sqlstate, "22", 2) == 0 || strncmp(sqlstate, "23", 2) == 0;
}

int newcases_route(newcases_t *nc, routing_t *r, newcases_stats_t *stats)
{
    if (!nc->n)
        return 0;
    char sqlstate[6] = "00000";
    int rc = -1;
    newcases_stats_t all = {0};
    if (s_route(nc, r, 0, nc->n, "SAVEPOINT newcases", "RELEASE SAVEPOINT newcases", &all,
                sqlstate) == 0) {
        rc = 0;
        goto done;
    }
    if (!s_data_error(sqlstate) || s_run(r, "ROLLBACK TO SAVEPOINT newcases"))
        goto done;
    /* One of them (or more) cannot be written: each on its own. */
    log_error("routing: a batch of %zu new cases failed on its data (%s); routing them one by one",
              nc->n, sqlstate);
    memset(&all, 0, sizeof all);
    for (size_t i = 0; i < nc->n; i++) {
        newcases_stats_t one = {0};
        if (s_route(nc, r, i, 1, "SAVEPOINT newcases_one", "RELEASE SAVEPOINT newcases_one", &one,
                    sqlstate) == 0) {
            all.routed += one.routed;
            all.seen += one.seen;
            all.unrouted += one.unrouted;
            continue;
        }
        if (!s_data_error(sqlstate) || s_run(r, "ROLLBACK TO SAVEPOINT newcases_one") ||
            s_run(r, "RELEASE SAVEPOINT newcases_one"))
            goto done;
        log_error("routing: case %lld not routed: its data cannot be stored (%s)",
                  (long long) nc->cases[i]->item->id, sqlstate);
        all.unrouted++;
    }
    rc = s_run(r, "RELEASE SAVEPOINT newcases");
done:
    if (rc == 0) {
        stats->routed += all.routed;
        stats->seen += all.seen;
        stats->unrouted += all.unrouted;
    }
    newcases_reset(nc);
    return rc;
}
