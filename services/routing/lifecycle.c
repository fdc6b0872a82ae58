#include "lifecycle.h"

#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "dispatch.h"
#include "dispatchmsg.h"
#include "outbox.h"
#include "queries.h"
#include "routing.pb-c.h"
#include "rules.h"
#include "text.h"
#include "whistle.h"

/* At most this many photos' and files' links on one progress or resolution. */
#define LIFECYCLE_MAX_MEDIA 20

/* Who may make a move: the dispatch's unit, the dispatch centre, or the
 * whistle's caller. */
typedef enum { BY_UNIT, BY_CENTRE, BY_CALLER } mover_t;

typedef struct {
    const char *type;
    const char *from;     /* states it may start from, space-separated */
    const char *to;       /* NULL: the state stays */
    const char *cancel;   /* deadline kinds it stops (text[]); NULL: all */
    const char *event;
    const char *log;
    mover_t by;
} move_t;

static const move_t s_moves[] = {
    {"SignDispatch", "sent", "signed", "{sign}",
     "DispatchSigned", "signed", BY_UNIT},
    {"ArriveDispatch", "signed", "arrived", "{arrive}",
     "DispatchArrived", "arrived", BY_UNIT},
    {"ProgressDispatch", "sent signed arrived", NULL,
     "{contact}", "DispatchProgress", "progress", BY_UNIT},
    {"ResolveDispatch", "signed arrived", "resolved", NULL,
     "DispatchResolved", "resolved", BY_UNIT},
    {"ReturnDispatch", "sent signed", "returned", NULL,
     "DispatchReturned", "returned", BY_UNIT},
    {"ReassignDispatch", "sent signed arrived", "reassigned",
     NULL, "DispatchReassigned", "reassigned", BY_CENTRE},
    {"ReleaseDispatch", "sent signed arrived", "released",
     NULL, "DispatchReleased", "released", BY_CALLER},
    /* 上报: a grid team passes signed work up to its community. */
    {"PassUpDispatch", "signed arrived", "passed_up", NULL,
     "DispatchPassedUp", "passed_up", BY_UNIT},
};

/* The reasons a grid team may pass a case up (migration 0019). */
#define LIFECYCLE_PASS_UP_REASONS "beyond cross major"

/* What the different command messages carry, in one shape. */
typedef struct {
    int64_t dispatch_id;
    const char *text;
    char **media;
    size_t n_media;
    int contacted;
    const char *reason;
    const char *unit;
} cmd_t;

static const move_t *s_move(const char *type)
{
    for (size_t i = 0; i < sizeof s_moves / sizeof *s_moves; i++)
        if (strcmp(s_moves[i].type, type) == 0)
            return &s_moves[i];
    return NULL;
}

static void s_read(const ProtobufCMessage *msg, cmd_t *cmd)
{
    memset(cmd, 0, sizeof *cmd);
    cmd->text = "";
    if (msg->descriptor == &gov__sign_dispatch__descriptor) {
        cmd->dispatch_id = ((const Gov__SignDispatch *) msg)->dispatch_id;
    } else if (msg->descriptor == &gov__arrive_dispatch__descriptor) {
        cmd->dispatch_id = ((const Gov__ArriveDispatch *) msg)->dispatch_id;
    } else if (msg->descriptor == &gov__progress_dispatch__descriptor) {
        const Gov__ProgressDispatch *m = (const Gov__ProgressDispatch *) msg;
        *cmd = (cmd_t){m->dispatch_id, m->text, m->media_urls, m->n_media_urls, m->contacted,
                       NULL, NULL};
    } else if (msg->descriptor == &gov__resolve_dispatch__descriptor) {
        const Gov__ResolveDispatch *m = (const Gov__ResolveDispatch *) msg;
        *cmd = (cmd_t){m->dispatch_id, m->text, m->media_urls, m->n_media_urls, 0, NULL, NULL};
    } else if (msg->descriptor == &gov__return_dispatch__descriptor) {
        const Gov__ReturnDispatch *m = (const Gov__ReturnDispatch *) msg;
        *cmd = (cmd_t){m->dispatch_id, m->text, NULL, 0, 0, m->reason, NULL};
    } else if (msg->descriptor == &gov__reassign_dispatch__descriptor) {
        const Gov__ReassignDispatch *m = (const Gov__ReassignDispatch *) msg;
        *cmd = (cmd_t){m->dispatch_id, m->text, NULL, 0, 0, NULL, m->unit};
    } else if (msg->descriptor == &gov__pass_up_dispatch__descriptor) {
        const Gov__PassUpDispatch *m = (const Gov__PassUpDispatch *) msg;
        *cmd = (cmd_t){m->dispatch_id, m->text, NULL, 0, 0, m->reason, NULL};
    } else if (msg->descriptor == &gov__release_dispatch__descriptor) {
        const Gov__ReleaseDispatch *m = (const Gov__ReleaseDispatch *) msg;
        *cmd = (cmd_t){m->dispatch_id, m->text, NULL, 0, 0, NULL, NULL};
    }
}

/* Whether `state` is one of the space-separated words of `list`. */
static int s_state_in(const char *state, const char *list)
{
    if (strchr(state, ' '))
        return 0; /* "function territory" is two words of the list, not one */
    size_t n = strlen(state);
    for (const char *p = list; (p = strstr(p, state)); p += n)
        if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
            return 1;
    return 0;
}

/* Who may act: a member of the right unit. */
static int s_authorise(routing_t *r, const move_t *move, const Gov__Actor *actor,
                       const dispatchmsg_t *d, apperr_t *err)
{
    int64_t unit_id;
    char kind[24];
    if (routing_member(r, actor, &unit_id, kind, NULL, err))
        return -1;
    switch (move->by) {
    case BY_UNIT:
        if (strcmp(move->type, "PassUpDispatch") == 0 && strcmp(kind, "grid_team") != 0)
            return apperr_fail(err, "NOT_GRID_TEAM", "only a grid team passes work up (上报)",
                                "return the dispatch with a reason, or ask the centre",
                                "%s is a %s", actor->unit, kind);
        if (unit_id != d->unit_id)
            return apperr_fail(err, "NOT_YOUR_DISPATCH", "the dispatch belongs to another unit",
                                NULL, "dispatch %lld is %s's, not %s's", (long long) d->msg.id,
                                d->msg.unit, actor->unit);
        if (strcmp(move->type, "ReturnDispatch") == 0 && strcmp(kind, "dispatch_centre") == 0)
            return apperr_fail(err, "CENTRE_CANNOT_RETURN",
                                "the dispatch centre cannot return a dispatch",
                                "reassign it to the unit that should own it", NULL);
        return 0;
    case BY_CENTRE:
        if (strcmp(kind, "dispatch_centre") != 0)
            return apperr_fail(err, "NOT_CENTRE", "only the dispatch centre may reassign",
                                "return the dispatch with a reason instead", "%s is a %s",
                                actor->unit, kind);
        return 0;
    case BY_CALLER:
        if (!d->caller_unit_id)
            return apperr_fail(err, "NOT_SUMMONED", "only a whistle's dispatch can be released",
                                NULL, "dispatch %lld is not from a whistle",
                                (long long) d->msg.id);
        if (unit_id != d->caller_unit_id)
            return apperr_fail(err, "NOT_YOUR_WHISTLE", "only the whistle's caller may release",
                                NULL, NULL);
        return 0;
    }
    return 0;
}

/* Command-specific checks on the content. */
static int s_validate(routing_t *r, const move_t *move, const cmd_t *cmd, const dispatchmsg_t *d,
                      int64_t *new_unit, apperr_t *err)
{
    if (text_check(cmd->text, TEXT_BODY, 0, "text", err) ||
        text_check_urls(cmd->media, cmd->n_media, LIFECYCLE_MAX_MEDIA, "media_urls", err))
        return -1;
    if (strcmp(move->type, "ResolveDispatch") == 0 && d->msg.on_site && !d->msg.arrived_ms)
        return apperr_fail(err, "ARRIVAL_REQUIRED", "the unit has not reported arrival",
                            "report arrival (报到) on site before resolving",
                            "dispatch %lld requires presence on site", (long long) d->msg.id);
    if (strcmp(move->type, "ReturnDispatch") == 0) {
        static const char *reasons = "function territory ownership";
        if (!cmd->reason || !cmd->reason[0] || !s_state_in(cmd->reason, reasons))
            return apperr_fail(err, "BAD_REASON", "a return needs a reason code",
                                "function (职能不符), territory (属地不符) or ownership (权属不清)",
                                "got \"%s\"", cmd->reason ? cmd->reason : "");
        if (!d->msg.case_id && !d->msg.whistle_id)
            return apperr_fail(err, "INTERNAL", "dispatch without case or whistle", NULL, NULL);
    }
    if (strcmp(move->type, "PassUpDispatch") == 0) {
        if (!cmd->reason || !cmd->reason[0] || !s_state_in(cmd->reason, LIFECYCLE_PASS_UP_REASONS))
            return apperr_fail(err, "BAD_PASS_UP_REASON", "a 上报 needs a reason code",
                                "beyond (超出网格处置能力), cross (跨网格、需社区协调) or major (大事)",
                                "got \"%s\"", cmd->reason ? cmd->reason : "");
        char sqlstate[6], ids[24];
        const char *params[] = {routing_i64(ids, d->unit_id)};
        PGresult *res = pstmt_exec(r->sql, Q_PASS_UP_TARGET, 1, params, sqlstate);
        if (!res)
            return apperr_db(err, sqlstate);
        *new_unit = PQntuples(res) && !PQgetisnull(res, 0, 0)
                        ? strtoll(PQgetvalue(res, 0, 0), NULL, 10) : 0;
        PQclear(res);
        if (!*new_unit)
            return apperr_fail(err, "NO_COMMUNITY", "the grid team has no community to pass up to",
                                "give the grid team its community as parent (govctl units)",
                                "%s", d->msg.unit);
    }
    if (strcmp(move->type, "ReassignDispatch") == 0) {
        char sqlstate[6];
        const char *params[] = {cmd->unit ? cmd->unit : ""};
        PGresult *res = pstmt_exec(r->sql, "SELECT id FROM units WHERE code = $1", 1, params,
                                sqlstate);
        if (!res)
            return apperr_db(err, sqlstate);
        *new_unit = PQntuples(res) ? strtoll(PQgetvalue(res, 0, 0), NULL, 10) : 0;
        PQclear(res);
        if (!*new_unit)
            return apperr_fail(err, "UNKNOWN_UNIT", "no such unit", "see govctl units list",
                                "\"%s\"", cmd->unit ? cmd->unit : "");
    }
    return 0;
}

/* The lead of a case resolved it: ask the reporter for an evaluation. */
static int s_request_evaluation(routing_t *r, const dispatchmsg_t *d, const Gov__Envelope *env,
                                apperr_t *err)
{
    char ids[24], at[24], sqlstate[6];
    const char *params[] = {routing_i64(ids, d->msg.case_id), "resolved", NULL,
                            routing_i64(at, svclock_now_ms(r->clock))};
    PGresult *c = pstmt_exec(r->sql, Q_CASE, 1, params, sqlstate);
    if (!c)
        return apperr_db(err, sqlstate);
    params[2] = PQgetvalue(c, 0, 4);
    PGresult *u = pstmt_exec(r->sql, Q_CASE_STATE, 4, params, sqlstate);
    PQclear(c);
    if (!u)
        return apperr_db(err, sqlstate);
    PQclear(u);
    dispatchmsg_t view;
    PGresult *row;
    int rc = -1;
    if (dispatchmsg_load(r, d->msg.id, 0, &view, &row, sqlstate) <= 0) {
        apperr_db(err, sqlstate);
        goto done;
    }
    Gov__CaseEvaluation ev = GOV__CASE_EVALUATION__INIT;
    ev.case_id = d->msg.case_id;
    dispatchmsg_for_event(&view, 1);   /* notify texts them for their evaluation: */
    ev.contact_ref = view.contact_ref; /* it asks intake by the reference (readscope.h) */
    view.msg.contact_ref = "";
    ev.item = &view.msg;
    if (outbox_add(r->conn, ROUTING_STREAM, "EvaluationRequested", env->actor, env->trace_id,
                   &ev.base)) {
        apperr_fail(err, "DB_UNAVAILABLE", "the event could not be stored", "retry later", NULL);
        goto done;
    }
    rc = 0;
done:
    dispatchmsg_clear(&view);
    PQclear(row);
    return rc;
}

/* What follows a move: the next owner, the evaluation request, the whistle. */
static int s_follow_up(routing_t *r, const move_t *move, const Gov__Envelope *env,
                       const dispatchmsg_t *d, int64_t new_unit, int64_t *next_id, apperr_t *err)
{
    const char *t = move->type;
    int lead_of_case = d->msg.case_id && strcmp(d->msg.role, "lead") == 0 && !d->msg.whistle_id;
    if (strcmp(t, "ReturnDispatch") == 0 && lead_of_case) {
        if ((*next_id = rules_route_next(r, d->msg.case_id, env->actor, env->trace_id, 0, err)) < 0)
            return -1;
    } else if (strcmp(t, "ReassignDispatch") == 0 || strcmp(t, "PassUpDispatch") == 0) {
        dispatch_spec_t spec = {.case_id = d->msg.case_id, .whistle_id = d->msg.whistle_id,
                                .unit_id = new_unit, .policy_id = d->policy_id,
                                .role = d->msg.role, .on_site = d->msg.on_site};
        if ((*next_id = dispatch_send(r, &spec, env->actor, env->trace_id, err)) < 0)
            return -1;
    } else if (strcmp(t, "ResolveDispatch") == 0 && lead_of_case) {
        if (s_request_evaluation(r, d, env, err))
            return -1;
    }
    if (d->msg.whistle_id && strcmp(t, "ReassignDispatch") != 0 && strcmp(t, "PassUpDispatch") != 0 &&
        move->to)
        return whistle_maybe_close(r, d->msg.whistle_id, env->actor, env->trace_id, err);
    return 0;
}

static int s_apply(routing_t *r, const move_t *move, const Gov__Envelope *env, const cmd_t *cmd,
                   dispatchmsg_t *d, int64_t *next_id, apperr_t *err)
{
    int64_t new_unit = 0;
    if (s_authorise(r, move, env->actor, d, err))
        return -1;
    if (!s_state_in(d->msg.state, move->from))
        return apperr_fail(err, "ILLEGAL_TRANSITION", "the dispatch is not in a state for this",
                            NULL, "dispatch %lld is %s; %s needs %s", (long long) d->msg.id,
                            d->msg.state, move->type, move->from);
    if (s_validate(r, move, cmd, d, &new_unit, err))
        return -1;

    int64_t now = svclock_now_ms(r->clock);
    char ids[24], at[24], sqlstate[6];
    routing_i64(ids, d->msg.id);
    routing_i64(at, now);
    const char *event = move->event, *log = move->log, *cancel = move->cancel;
    int contact_only = strcmp(move->type, "ProgressDispatch") == 0;
    if (move->to) {
        const char *params[] = {ids, move->to, at, cmd->text, cmd->reason};
        PGresult *res = pstmt_exec(r->sql, Q_MOVE, 5, params, sqlstate);
        if (!res)
            return apperr_db(err, sqlstate);
        PQclear(res);
    } else if (contact_only && cmd->contacted) {
        const char *params[] = {ids, at};
        PGresult *res = pstmt_exec(r->sql, Q_CONTACTED, 2, params, sqlstate);
        if (!res)
            return apperr_db(err, sqlstate);
        PQclear(res);
        event = "DispatchContacted";
        log = "contacted";
    }
    if (!contact_only || cmd->contacted) {
        const char *params[] = {ids, cancel, at};
        PGresult *res = pstmt_exec(r->sql, Q_CANCEL_STEPS, 3, params, sqlstate);
        if (!res)
            return apperr_db(err, sqlstate);
        PQclear(res);
    }
    if (dispatch_log(r, d->msg.id, now, log, dispatch_actor_id(env->actor), cmd->text, cmd->media,
                     cmd->n_media, err) ||
        dispatch_announce(r, d->msg.id, event, env->actor, env->trace_id, cmd->text, cmd->media,
                          cmd->n_media, err))
        return -1;
    return s_follow_up(r, move, env, d, new_unit, next_id, err);
}

int lifecycle_apply(routing_t *r, const Gov__Envelope *env, const ProtobufCMessage *msg,
                    idem_answer_t *out, apperr_t *err)
{
    const move_t *move = s_move(env->type);
    if (!move)
        return apperr_fail(err, "UNKNOWN_TYPE", "unknown message type", NULL, "%s", env->type);
    cmd_t cmd;
    s_read(msg, &cmd);
    dispatchmsg_t d;
    PGresult *row = NULL;
    char sqlstate[6];
    int rc = -1;
    memset(&d, 0, sizeof d);
    int found = dispatchmsg_load(r, cmd.dispatch_id, 1, &d, &row, sqlstate);
    if (found < 0)
        apperr_db(err, sqlstate);
    else if (found == 0)
        apperr_fail(err, "NOT_FOUND", "no such dispatch", NULL, "dispatch %lld",
                     (long long) cmd.dispatch_id);
    else if (s_apply(r, move, env, &cmd, &d, &out->ids[1], err) == 0) {
        out->ids[0] = cmd.dispatch_id;
        rc = 0;
    }
    dispatchmsg_clear(&d);
    PQclear(row);
    return rc;
}
