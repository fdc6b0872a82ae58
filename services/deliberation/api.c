#include "api.h"

#include <stdlib.h>
#include <string.h>

#include "chain.h"
#include "council.h"
#include "db.h"
#include "idem.h"
#include "joint.h"
#include "lists.h"
#include "meeting.h"
#include "mattermsg.h"
#include "orders.h"
#include "queries.h"
#include "routing.pb-c.h"
#include "steps.h"
#include "supervise.h"
#include "tasks.h"

/* What a command is answered with, after COMMIT. */
typedef enum {
    REPLY_MATTER, REPLY_VOTE, REPLY_LISTS, REPLY_ORDER, REPLY_VOLUNTEER, REPLY_JOINT, REPLY_SCHEDULE
} reply_t;

typedef struct {
    const char *type;
    const ProtobufCMessageDescriptor *desc;
    delib_cmd_fn fn;
    reply_t reply;
} cmd_t;

static const cmd_t s_cmds[] = {
    {"ProposeMatter", &gov__propose_matter__descriptor, steps_propose, REPLY_MATTER},
    {"AmendMatter", &gov__amend_matter__descriptor, steps_amend, REPLY_MATTER},
    {"CosignMatter", &gov__matter_id__descriptor, steps_cosign, REPLY_MATTER},
    {"AcceptMatter", &gov__accept_matter__descriptor, steps_accept, REPLY_MATTER},
    {"DeclineMatter", &gov__decline_matter__descriptor, steps_decline, REPLY_MATTER},
    {"OpineMatter", &gov__opine_matter__descriptor, steps_opine, REPLY_MATTER},
    {"ConveneMeeting", &gov__convene_meeting__descriptor, meeting_convene, REPLY_MATTER},
    {"AttendMeeting", &gov__attend_meeting__descriptor, meeting_attend, REPLY_MATTER},
    {"CastVote", &gov__cast_vote__descriptor, meeting_vote, REPLY_VOTE},
    {"CloseMeeting", &gov__matter_id__descriptor, meeting_close, REPLY_MATTER},
    {"PublishDecision", &gov__matter_id__descriptor, steps_publish, REPLY_MATTER},
    {"ObjectMatter", &gov__object_matter__descriptor, steps_object, REPLY_MATTER},
    {"ActMatter", &gov__act_matter__descriptor, steps_act, REPLY_MATTER},
    {"ProgressMatter", &gov__progress_matter__descriptor, steps_progress, REPLY_MATTER},
    {"EvaluateMatter", &gov__evaluate_matter__descriptor, steps_evaluate, REPLY_MATTER},
    {"ObserveMatter", &gov__observe_matter__descriptor, steps_observe, REPLY_MATTER},
    {"FlagMatter", &gov__flag_matter__descriptor, supervise_flag, REPLY_MATTER},
    {"AnswerFlag", &gov__answer_flag__descriptor, supervise_answer, REPLY_MATTER},
    {"RateExecution", &gov__rate_execution__descriptor, supervise_rate, REPLY_MATTER},
    {"AnswerObjection", &gov__answer_objection__descriptor, steps_answer_objection, REPLY_MATTER},
    {"ReviewMatter", &gov__review_matter__descriptor, council_review, REPLY_MATTER},
    {"AddNeed", &gov__add_need__descriptor, lists_add_need, REPLY_LISTS},
    {"AddResource", &gov__add_resource__descriptor, lists_add_resource, REPLY_LISTS},
    {"ClaimNeed", &gov__claim_need__descriptor, lists_claim, REPLY_LISTS},
    {"SignProject", &gov__sign_project__descriptor, lists_sign, REPLY_LISTS},
    {"CompleteProject", &gov__complete_project__descriptor, lists_complete, REPLY_LISTS},
    {"RegisterVolunteer", &gov__register_volunteer__descriptor, orders_register, REPLY_VOLUNTEER},
    {"OrderService", &gov__order_service__descriptor, orders_order, REPLY_ORDER},
    {"ClaimOrder", &gov__claim_order__descriptor, orders_claim, REPLY_ORDER},
    {"CompleteOrder", &gov__complete_order__descriptor, orders_complete, REPLY_ORDER},
    {"DispatchOrder", &gov__dispatch_order__descriptor, orders_dispatch, REPLY_ORDER},
    {"ConfirmOrder", &gov__confirm_order__descriptor, orders_confirm, REPLY_ORDER},
    {"PublishOrder", &gov__publish_order__descriptor, orders_publish, REPLY_ORDER},
    {"TakeResource", &gov__take_resource__descriptor, lists_take_resource, REPLY_LISTS},
    /* joint meetings (联席会议) on recurring days: joint.c */
    {"ScheduleJointMeeting", &gov__schedule_joint_meeting__descriptor, joint_schedule, REPLY_SCHEDULE},
    {"StopJointSchedule", &gov__stop_joint_schedule__descriptor, joint_stop, REPLY_SCHEDULE},
    {"AttendJointMeeting", &gov__attend_joint_meeting__descriptor, joint_attend, REPLY_JOINT},
    {"DecideJointMeeting", &gov__decide_joint_meeting__descriptor, joint_decide, REPLY_JOINT},
    {"CloseJointMeeting", &gov__close_joint_meeting__descriptor, joint_close, REPLY_JOINT},
    {"AssignTask", &gov__assign_task__descriptor, tasks_assign, REPLY_MATTER},
    {"ReportTask", &gov__report_task__descriptor, tasks_report, REPLY_MATTER},
    {"CheckTask", &gov__check_task__descriptor, tasks_check, REPLY_MATTER},
};

static const cmd_t *s_cmd(const char *type)
{
    for (size_t i = 0; i < sizeof s_cmds / sizeof *s_cmds; i++)
        if (strcmp(s_cmds[i].type, type) == 0)
            return &s_cmds[i];
    return NULL;
}

static void s_reply_matter(delib_t *d, rpcsrv_t *srv, rpc_req_t *req, int64_t id)
{
    mattermsg_t v;
    apperr_t err;
    int found = mattermsg_load(d, id, &v, &err);
    if (found < 0) {
        rpcsrv_fail_err(srv, req, &err);
    } else if (found == 0) {
        rpcsrv_fail(srv, req, "NOT_FOUND", "no such matter", NULL, NULL, NULL);
    } else {
        Gov__MatterReply reply = GOV__MATTER_REPLY__INIT;
        reply.item = &v.msg;
        rpcsrv_reply(srv, req, "MatterReply", &reply.base);
    }
    mattermsg_clear(&v);
}

/* --- reads ----------------------------------------------------------------- */

static void s_reply_lists(delib_t *d, rpcsrv_t *srv, rpc_req_t *req, int64_t community,
                          const char *code)
{
    lview_t v;
    apperr_t err;
    PGresult *res = NULL;
    if (!code) { /* after a command: the community by id */
        char ids[24];
        res = delib_exec(d, "SELECT code FROM areas WHERE id = $1", 1,
                         (const char *[]){delib_i64(ids, community)}, &err);
        code = res && PQntuples(res) ? PQgetvalue(res, 0, 0) : "";
    }
    if (lview_load(d, community, code, &v, &err))
        rpcsrv_fail_err(srv, req, &err);
    else
        rpcsrv_reply(srv, req, "ListsReply", &v.msg.base);
    lview_clear(&v);
    PQclear(res);
}

static void s_get_lists(delib_t *d, rpcsrv_t *srv, rpc_req_t *req, const Gov__GetLists *m)
{
    apperr_t err;
    int64_t community = lists_community(d, m->community, &err);
    if (community < 0)
        rpcsrv_fail_err(srv, req, &err);
    else
        s_reply_lists(d, srv, req, community, m->community);
}

static void s_list(delib_t *d, rpcsrv_t *srv, rpc_req_t *req, const Gov__ListMatters *m)
{
    int limit = m->limit <= 0 ? LIST_LIMIT_DEFAULT : m->limit > LIST_LIMIT_MAX ? LIST_LIMIT_MAX : m->limit;
    char b[2][24];
    apperr_t err;
    const char *params[] = {m->community ? m->community : "", m->step ? m->step : "",
                            delib_i64(b[0], limit), delib_i64(b[1], m->before_id)};
    PGresult *res = delib_exec(d, Q_LIST, 4, params, &err);
    if (!res) {
        rpcsrv_fail_err(srv, req, &err);
        return;
    }
    size_t n = (size_t) PQntuples(res), ok = 0;
    mattermsg_t *views = calloc(n + 1, sizeof *views);
    Gov__Matter **ptrs = calloc(n + 1, sizeof *ptrs);
    while (views && ptrs && ok < n &&
           mattermsg_load(d, delib_cell_i64(res, (int) ok, 0), &views[ok], &err) == 1) {
        ptrs[ok] = &views[ok].msg;
        ok++;
    }
    if (ok < n) {
        rpcsrv_fail(srv, req, "DB_UNAVAILABLE", "the matters could not be read", NULL, NULL, NULL);
    } else {
        Gov__ListMattersReply reply = GOV__LIST_MATTERS_REPLY__INIT;
        size_t fit = rpcsrv_page_fit((ProtobufCMessage *const *) ptrs, n);
        reply.items = ptrs;
        reply.n_items = fit; /* the rest on the next page */
        reply.next_before_id = fit < n || (int) n == limit ? ptrs[fit - 1]->id : 0;
        rpcsrv_reply(srv, req, "ListMattersReply", &reply.base);
    }
    for (size_t i = 0; views && i <= ok && i < n; i++)
        mattermsg_clear(&views[i]);
    free(views);
    free(ptrs);
    PQclear(res);
}

static void s_record(delib_t *d, rpcsrv_t *srv, rpc_req_t *req, int64_t id)
{
    char ids[24];
    apperr_t err;
    PGresult *res = delib_exec(d, Q_CHAIN_RECORDS, 1, (const char *[]){delib_i64(ids, id)}, &err);
    if (!res) {
        rpcsrv_fail_err(srv, req, &err);
        return;
    }
    size_t n = (size_t) PQntuples(res);
    Gov__MatterRecord *recs = calloc(n + 1, sizeof *recs);
    Gov__MatterRecord **ptrs = calloc(n + 1, sizeof *ptrs);
    if (!recs || !ptrs) {
        rpcsrv_fail(srv, req, "INTERNAL", "out of memory", NULL, NULL, NULL);
    } else if (n == 0) {
        rpcsrv_fail(srv, req, "NOT_FOUND", "no such matter", NULL, NULL, NULL);
    } else {
        for (size_t i = 0; i < n; i++) {
            Gov__MatterRecord *r = &recs[i];
            gov__matter_record__init(r);
            r->n = (int) delib_cell_i64(res, (int) i, 0);
            r->kind = PQgetvalue(res, (int) i, 1);
            r->actor = PQgetvalue(res, (int) i, 2);
            r->at_ms = delib_cell_i64(res, (int) i, 3);
            r->body = PQgetvalue(res, (int) i, 4);
            r->prev_hash = PQgetvalue(res, (int) i, 5);
            r->hash = PQgetvalue(res, (int) i, 6);
            ptrs[i] = r;
        }
        Gov__GetRecordReply reply = GOV__GET_RECORD_REPLY__INIT;
        reply.records = ptrs;
        reply.n_records = n;
        rpcsrv_reply(srv, req, "GetRecordReply", &reply.base);
    }
    free(recs);
    free(ptrs);
    PQclear(res);
}

static void s_verify(delib_t *d, rpcsrv_t *srv, rpc_req_t *req, int64_t id)
{
    Gov__VerifyMatterReply reply = GOV__VERIFY_MATTER_REPLY__INIT;
    char *buf = NULL;
    apperr_t err;
    if (chain_verify(d, id, &reply, &buf, &err))
        rpcsrv_fail_err(srv, req, &err);
    else
        rpcsrv_reply(srv, req, "VerifyMatterReply", &reply.base);
    if (reply.head_hash != protobuf_c_empty_string)
        free(reply.head_hash);
    free(buf);
}

static void s_advance(delib_t *d, rpcsrv_t *srv, rpc_req_t *req, const Gov__AdvanceClock *m)
{
    if (svclock_advance(d->clock, m->ms)) {
        rpcsrv_fail(srv, req, "CLOCK_FIXED", "the clock cannot be moved", NULL,
                    "only a service started with GOV_TEST_CLOCK=1 (tests), and only forward",
                    NULL);
        return;
    }
    deadline_clock_jumped(d->windows);
    deadline_clock_jumped(d->take_by);
    deadline_clock_jumped(d->joint);
    deadline_clock_jumped(d->task_due);
    Gov__AdvanceClockReply reply = GOV__ADVANCE_CLOCK_REPLY__INIT;
    reply.now_ms = svclock_now_ms(d->clock);
    rpcsrv_reply(srv, req, "AdvanceClockReply", &reply.base);
}

/* Answers a read; 0 when `req` is not one. */
static int s_read(delib_t *d, rpcsrv_t *srv, rpc_req_t *req)
{
    const char *type = req->env->type;
    ProtobufCMessage *m = NULL;
    if (strcmp(type, "GetMatter") == 0) {
        if ((m = rpcsrv_payload(srv, req, &gov__matter_id__descriptor)))
            s_reply_matter(d, srv, req, ((Gov__MatterId *) m)->matter_id);
    } else if (strcmp(type, "ListMatters") == 0) {
        if ((m = rpcsrv_payload(srv, req, &gov__list_matters__descriptor)))
            s_list(d, srv, req, (Gov__ListMatters *) m);
    } else if (strcmp(type, "GetRecord") == 0) {
        if ((m = rpcsrv_payload(srv, req, &gov__get_record__descriptor)))
            s_record(d, srv, req, ((Gov__GetRecord *) m)->matter_id);
    } else if (strcmp(type, "VerifyMatter") == 0) {
        if ((m = rpcsrv_payload(srv, req, &gov__matter_id__descriptor)))
            s_verify(d, srv, req, ((Gov__MatterId *) m)->matter_id);
    } else if (strcmp(type, "CheckReceipt") == 0) {
        if ((m = rpcsrv_payload(srv, req, &gov__check_receipt__descriptor))) {
            Gov__CheckReceiptReply reply = GOV__CHECK_RECEIPT_REPLY__INIT;
            char choice[12];
            apperr_t err;
            if (meeting_check_receipt(d, (Gov__CheckReceipt *) m, &reply, choice, &err))
                rpcsrv_fail_err(srv, req, &err);
            else
                rpcsrv_reply(srv, req, "CheckReceiptReply", &reply.base);
        }
    } else if (strcmp(type, "GetCouncil") == 0) {
        if ((m = rpcsrv_payload(srv, req, &gov__get_council__descriptor)))
            council_reply(d, srv, req, (Gov__GetCouncil *) m);
    } else if (strcmp(type, "GetLists") == 0) {
        if ((m = rpcsrv_payload(srv, req, &gov__get_lists__descriptor)))
            s_get_lists(d, srv, req, (Gov__GetLists *) m);
    } else if (strcmp(type, "GetOrder") == 0) {
        if ((m = rpcsrv_payload(srv, req, &gov__get_order__descriptor)))
            orders_reply(d, srv, req, ((Gov__GetOrder *) m)->order_id);
    } else if (strcmp(type, "ListOrders") == 0) {
        if ((m = rpcsrv_payload(srv, req, &gov__list_orders__descriptor)))
            orders_list(d, srv, req, (Gov__ListOrders *) m);
    } else if (strcmp(type, "GetJointMeeting") == 0) {
        if ((m = rpcsrv_payload(srv, req, &gov__get_joint_meeting__descriptor)))
            joint_reply_meeting(d, srv, req, ((Gov__GetJointMeeting *) m)->meeting_id);
    } else if (strcmp(type, "ListJointMeetings") == 0) {
        if ((m = rpcsrv_payload(srv, req, &gov__list_joint_meetings__descriptor)))
            joint_list(d, srv, req, (Gov__ListJointMeetings *) m);
    } else if (strcmp(type, "AdvanceClock") == 0) {
        if ((m = rpcsrv_payload(srv, req, &gov__advance_clock__descriptor)))
            s_advance(d, srv, req, (Gov__AdvanceClock *) m);
    } else {
        return 0;
    }
    if (m)
        protobuf_c_message_free_unpacked(m, NULL);
    return 1;
}

/* --- commands ----------------------------------------------------------------- */

/* The request's digest for idempotency. A vote's covers its matter alone:
 * with three choices and a known voter, a digest over the choice would give
 * a secret ballot away to anyone who can read deliberation_requests (so the
 * same message id with another choice replays the first vote rather than
 * being refused). */
static void s_digest(const Gov__Envelope *env, const ProtobufCMessage *m,
                     char out[IDEM_DIGEST_HEX])
{
    if (m->descriptor == &gov__cast_vote__descriptor) {
        char body[40];
        int n = snprintf(body, sizeof body, "matter %lld",
                         (long long) ((const Gov__CastVote *) m)->matter_id);
        idem_digest(env, body, (size_t) n, out);
    } else {
        idem_digest(env, NULL, 0, out);
    }
}

/* A command's result as idempotency keeps it, and back. A secret ballot's
 * receipt is not kept: a retried secret vote is answered without it (the
 * first answer had it). */
static void s_to_answer(const delib_result_t *r, idem_answer_t *a)
{
    *a = (idem_answer_t){{r->matter_id, r->meeting_id, r->item_id, r->community_id}, ""};
    if (!r->secret)
        snprintf(a->note, sizeof a->note, "%s", r->receipt);
}

static void s_from_answer(const idem_answer_t *a, delib_result_t *r)
{
    memset(r, 0, sizeof *r);
    r->matter_id = a->ids[0];
    r->meeting_id = a->ids[1];
    r->item_id = a->ids[2];
    r->community_id = a->ids[3];
    snprintf(r->receipt, sizeof r->receipt, "%s", a->note);
}

/* Runs one command inside a savepoint. Returns 1 when it succeeded (to be
 * answered after COMMIT), 0 when it was refused and answered. */
static int s_command(delib_t *d, rpcsrv_t *srv, rpc_req_t *req, const cmd_t *cmd,
                     delib_result_t *out)
{
    ProtobufCMessage *m = rpcsrv_payload(srv, req, cmd->desc);
    if (!m)
        return 0;
    apperr_t err = {0};
    memset(out, 0, sizeof *out);
    char digest[IDEM_DIGEST_HEX];
    idem_answer_t answer;
    s_digest(req->env, m, digest);
    int rc = delib_run(d, "SAVEPOINT cmd", 0, NULL, &err), replay = 0;
    if (rc == 0 && (replay = idem_lookup(d->idem, d->sql, req->env, digest, &answer, &err)) < 0)
        rc = -1;
    if (rc == 0 && replay)
        s_from_answer(&answer, out);
    if (rc == 0 && !replay && (rc = cmd->fn(d, req->env, m, out, &err)) == 0) {
        s_to_answer(out, &answer);
        rc = idem_store(d->idem, d->sql, req->env, digest, &answer, svclock_now_ms(d->clock),
                        &err);
    }
    if (rc == 0)
        rc = delib_run(d, "RELEASE SAVEPOINT cmd", 0, NULL, &err);
    if (rc)
        db_run(d->conn, "ROLLBACK TO SAVEPOINT cmd", 0, NULL);
    protobuf_c_message_free_unpacked(m, NULL);
    if (rc) {
        rpcsrv_fail_err(srv, req, &err);
        return 0;
    }
    return 1;
}

static void s_answer(delib_t *d, rpcsrv_t *srv, rpc_req_t *req, const cmd_t *cmd,
                     const delib_result_t *res)
{
    switch (cmd->reply) {
    case REPLY_LISTS:
        s_reply_lists(d, srv, req, res->community_id, NULL);
        break;
    case REPLY_VOLUNTEER:
        orders_reply_volunteer(d, srv, req, res->community_id);
        break;
    case REPLY_ORDER:
        orders_reply(d, srv, req, res->item_id);
        break;
    case REPLY_JOINT:
        joint_reply_meeting(d, srv, req, res->item_id);
        break;
    case REPLY_SCHEDULE:
        joint_reply_schedule(d, srv, req, res->item_id);
        break;
    case REPLY_VOTE: {
        Gov__CastVoteReply reply = GOV__CAST_VOTE_REPLY__INIT;
        reply.matter_id = res->matter_id;
        reply.meeting_id = res->meeting_id;
        reply.receipt = (char *) res->receipt;
        rpcsrv_reply(srv, req, "CastVoteReply", &reply.base);
        break;
    }
    case REPLY_MATTER:
        s_reply_matter(d, srv, req, res->matter_id);
        break;
    }
}

void api_batch(delib_t *d, rpcsrv_t *srv, rpc_req_t **reqs, size_t n)
{
    rpc_req_t **done = calloc(n, sizeof *done);
    delib_result_t *results = calloc(n, sizeof *results);
    char *is_cmd = calloc(n, 1);
    size_t ok = 0;
    int in_tx = 0;
    if (!done || !results || !is_cmd) {
        for (size_t i = 0; i < n; i++)
            rpcsrv_fail(srv, reqs[i], "INTERNAL", "out of memory", NULL, NULL, NULL);
        goto out;
    }
    /* Commands first, in one transaction; reads after it, outside. */
    for (size_t i = 0; i < n; i++) {
        rpc_req_t *req = reqs[i];
        const cmd_t *cmd = s_cmd(req->env->type);
        if (!cmd)
            continue;
        is_cmd[i] = 1;
        if (!in_tx && db_run(d->conn, "BEGIN", 0, NULL)) {
            rpcsrv_fail(srv, req, "DB_UNAVAILABLE", "the database did not answer", NULL,
                        "retry later", NULL);
            continue;
        }
        in_tx = 1;
        if (s_command(d, srv, req, cmd, &results[ok]))
            done[ok++] = req;
    }
    if (in_tx && db_run(d->conn, "COMMIT", 0, NULL)) {
        db_run(d->conn, "ROLLBACK", 0, NULL);
        for (size_t i = 0; i < ok; i++)
            rpcsrv_fail(srv, done[i], "DB_UNAVAILABLE", "the commit failed; nothing was changed",
                        NULL, "retry later", NULL);
        ok = 0;
    }
    if (ok && d->relay)
        relay_kick(d->relay);
    for (size_t i = 0; i < ok; i++)
        s_answer(d, srv, done[i], s_cmd(done[i]->env->type), &results[i]);
    for (size_t i = 0; i < n; i++)
        if (!is_cmd[i] && !s_read(d, srv, reqs[i]))
            rpcsrv_fail(srv, reqs[i], "UNKNOWN_TYPE", "unknown message type", reqs[i]->env->type,
                        "deliberation answers matter commands and reads", NULL);
out:
    free(done);
    free(results);
    free(is_cmd);
}
