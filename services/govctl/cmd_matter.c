/* govctl matter ...: 由民做主 — community matters through the deliberation service. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "deliberation.pb-c.h"
#include "govctl.h"
#include "routing.pb-c.h"

static const char *s_usage =
    "usage: govctl matter [--as PERSON [--unit UNIT]] COMMAND\n"
    "  propose --scope grid|community --area CODE --title T --text T [--attach URL ...]  居民提事\n"
    "  amend ID --title T --text T      the proposer, while only proposed\n"
    "  cosign ID                        a resident in scope co-signs (联署)\n"
    "  accept ID [--hours H]            the party committee accepts (受理); opens the opinion window\n"
    "  decline ID --reason T            ... or declines, with a public reason\n"
    "  opine ID --stance for|against|neutral [--text T]   网格议事\n"
    "  convene ID --roster residents|households|representatives|council --ballot open|secret\n"
    "         --motion T --starts-ms MS [--allow-change]   会议定事 (the party committee)\n"
    "         [--elect PERSON ... --term-months N]   an election of the 村务商议团 (7 to 9)\n"
    "  attend ID [--person PERSON]      a roster member, or the party committee for them\n"
    "  vote ID --choice yes|no|abstain  prints a receipt\n"
    "  receipt ID --receipt R           was the vote counted?\n"
    "  close ID                         the party committee closes the meeting and counts\n"
    "  review ID --approve|--reject --text T   两委联席审议 of what the council agreed\n"
    "  publish ID                       公示 of the decision, with the chain's head hash\n"
    "  object ID --text T               an objection during the 公示\n"
    "  answer ID --objection N --text T the party committee answers it\n"
    "  act ID [--dept CODE ...] [--task T ...] [--text T]   联动办事\n"
    "  progress ID --text T [--task TASK_ID] [--done]       --done opens the evaluation\n"
    "  task ID --type T --owner-unit UNIT --owner PERSON --standard T --days N --text T\n"
    "                                   五定: the residents' committee assigns a task (N working days)\n"
    "  report ID --task TASK_ID --text T   its owner (or owner unit) reports it done\n"
    "  check ID --task TASK_ID --verdict passed|failed --note T   验收 (party or supervision committee)\n"
    "  evaluate ID --rating satisfied|basic|dissatisfied [--text T]   居民评事\n"
    "  observe ID --text T              the supervision committee's note (监督)\n"
    "  flag ID --record N --text T      supervision flags a step as irregular: holds the matter\n"
    "  answer-flag ID --flag N --text T the body that owns the flagged step answers\n"
    "  rate ID --rating satisfied|basic|dissatisfied [--text T]   supervision rates the execution\n"
    "  council COMMUNITY                the standing 村务商议团 now\n"
    "  show ID | record ID | verify ID | list [--community CODE] [--step S]\n"
    "--as and --unit name who acts (default: GOV_ACTOR, GOV_ACTOR_UNIT).\n";

#define MATTER_MAX_LIST 64

/* Every value of option `name`, in order, into `out` (at most MATTER_MAX_LIST). */
static size_t s_all(int argc, char **argv, const char *name, char **out)
{
    size_t n = 0;
    for (int i = 1; i + 1 < argc; i++)
        if (strcmp(argv[i], name) == 0 && n < MATTER_MAX_LIST)
            out[n++] = argv[++i];
    return n;
}

static char *s_opt(int argc, char **argv, const char *name)
{
    return (char *) govctl_opt(argc, argv, name);
}

static int s_call(const char *type, const ProtobufCMessage *m)
{
    return govctl_call("deliberation", type, m, NULL);
}

/* Commands that carry only the matter's id. */
static int s_matter_id(const char *type, long long id)
{
    Gov__MatterId m = GOV__MATTER_ID__INIT;
    m.matter_id = id;
    return s_call(type, &m.base);
}

static int s_cosign(int argc, char **argv, long long id)
{
    (void) argc, (void) argv;
    return s_matter_id("CosignMatter", id);
}

static int s_close(int argc, char **argv, long long id)
{
    (void) argc, (void) argv;
    return s_matter_id("CloseMeeting", id);
}

static int s_publish(int argc, char **argv, long long id)
{
    (void) argc, (void) argv;
    return s_matter_id("PublishDecision", id);
}

static int s_show(int argc, char **argv, long long id)
{
    (void) argc, (void) argv;
    return s_matter_id("GetMatter", id);
}

static int s_verify(int argc, char **argv, long long id)
{
    (void) argc, (void) argv;
    return s_matter_id("VerifyMatter", id);
}

static int s_record(int argc, char **argv, long long id)
{
    (void) argc, (void) argv;
    Gov__GetRecord m = GOV__GET_RECORD__INIT;
    m.matter_id = id;
    return s_call("GetRecord", &m.base);
}

static int s_propose(int argc, char **argv, long long id)
{
    (void) id;
    Gov__ProposeMatter m = GOV__PROPOSE_MATTER__INIT;
    char *urls[MATTER_MAX_LIST];
    m.scope = s_opt(argc, argv, "--scope");
    m.area = s_opt(argc, argv, "--area");
    m.title = s_opt(argc, argv, "--title");
    m.body = s_opt(argc, argv, "--text");
    m.n_attachments = s_all(argc, argv, "--attach", urls);
    m.attachments = urls;
    if (!m.scope || !m.area || !m.title || !m.body)
        return govctl_usage(s_usage, 0);
    return s_call("ProposeMatter", &m.base);
}

static int s_convene(int argc, char **argv, long long id)
{
    Gov__ConveneMeeting m = GOV__CONVENE_MEETING__INIT;
    char *members[MATTER_MAX_LIST];
    const char *starts = govctl_opt(argc, argv, "--starts-ms");
    m.matter_id = id;
    m.roster_kind = s_opt(argc, argv, "--roster");
    m.ballot = s_opt(argc, argv, "--ballot");
    m.motion = s_opt(argc, argv, "--motion");
    m.allow_change = govctl_flag(argc, argv, "--allow-change");
    m.n_council = s_all(argc, argv, "--member", members);
    m.council = members;
    char *slate[MATTER_MAX_LIST];
    const char *term = govctl_opt(argc, argv, "--term-months");
    m.n_elect = s_all(argc, argv, "--elect", slate);
    m.elect = slate;
    m.term_months = term ? (int) govctl_parse_int(term) : 0;
    m.starts_ms = starts ? govctl_parse_int(starts) : -1;
    if (!m.roster_kind || !m.ballot || !m.motion || m.starts_ms < 0)
        return govctl_usage(s_usage, 0);
    return s_call("ConveneMeeting", &m.base);
}

static int s_act(int argc, char **argv, long long id)
{
    Gov__ActMatter m = GOV__ACT_MATTER__INIT;
    char *depts[MATTER_MAX_LIST], *tasks[MATTER_MAX_LIST];
    m.matter_id = id;
    m.n_departments = s_all(argc, argv, "--dept", depts);
    m.departments = depts;
    m.n_tasks = s_all(argc, argv, "--task", tasks);
    m.tasks = tasks;
    m.text = s_opt(argc, argv, "--text");
    return s_call("ActMatter", &m.base);
}

static int s_opine(int argc, char **argv, long long id)
{
    Gov__OpineMatter m = GOV__OPINE_MATTER__INIT;
    m.matter_id = id;
    m.stance = s_opt(argc, argv, "--stance");
    m.text = s_opt(argc, argv, "--text");
    return m.stance ? s_call("OpineMatter", &m.base) : govctl_usage(s_usage, 0);
}

static int s_object(int argc, char **argv, long long id)
{
    Gov__ObjectMatter m = GOV__OBJECT_MATTER__INIT;
    m.matter_id = id;
    m.text = s_opt(argc, argv, "--text");
    return m.text ? s_call("ObjectMatter", &m.base) : govctl_usage(s_usage, 0);
}

static int s_observe(int argc, char **argv, long long id)
{
    Gov__ObserveMatter m = GOV__OBSERVE_MATTER__INIT;
    m.matter_id = id;
    m.text = s_opt(argc, argv, "--text");
    return m.text ? s_call("ObserveMatter", &m.base) : govctl_usage(s_usage, 0);
}

static int s_evaluate(int argc, char **argv, long long id)
{
    Gov__EvaluateMatter m = GOV__EVALUATE_MATTER__INIT;
    m.matter_id = id;
    m.rating = s_opt(argc, argv, "--rating");
    m.text = s_opt(argc, argv, "--text");
    return m.rating ? s_call("EvaluateMatter", &m.base) : govctl_usage(s_usage, 0);
}

static int s_progress(int argc, char **argv, long long id)
{
    Gov__ProgressMatter m = GOV__PROGRESS_MATTER__INIT;
    const char *task = govctl_opt(argc, argv, "--task");
    m.matter_id = id;
    m.text = s_opt(argc, argv, "--text");
    m.task_id = task ? govctl_parse_int(task) : 0;
    m.done = govctl_flag(argc, argv, "--done");
    return m.text && m.task_id >= 0 ? s_call("ProgressMatter", &m.base) : govctl_usage(s_usage, 0);
}

/* The positive number after option `name`, or -1. */
static long long s_number(int argc, char **argv, const char *name)
{
    const char *n = govctl_opt(argc, argv, name);
    long long v = n ? govctl_parse_int(n) : -1;
    return v > 0 ? v : -1;
}

static int s_flag(int argc, char **argv, long long id)
{
    Gov__FlagMatter m = GOV__FLAG_MATTER__INIT;
    long long v = s_number(argc, argv, "--record");
    m.matter_id = id;
    m.record_n = (int) v;
    m.text = s_opt(argc, argv, "--text");
    return m.text && v > 0 ? s_call("FlagMatter", &m.base) : govctl_usage(s_usage, 0);
}

static int s_answer_flag(int argc, char **argv, long long id)
{
    Gov__AnswerFlag m = GOV__ANSWER_FLAG__INIT;
    m.matter_id = id;
    m.flag_id = s_number(argc, argv, "--flag");
    m.text = s_opt(argc, argv, "--text");
    return m.text && m.flag_id > 0 ? s_call("AnswerFlag", &m.base) : govctl_usage(s_usage, 0);
}

static int s_answer(int argc, char **argv, long long id)
{
    Gov__AnswerObjection m = GOV__ANSWER_OBJECTION__INIT;
    m.matter_id = id;
    m.objection_id = s_number(argc, argv, "--objection");
    m.text = s_opt(argc, argv, "--text");
    return m.text && m.objection_id > 0 ? s_call("AnswerObjection", &m.base)
                                        : govctl_usage(s_usage, 0);
}

static int s_rate(int argc, char **argv, long long id)
{
    Gov__RateExecution m = GOV__RATE_EXECUTION__INIT;
    m.matter_id = id;
    m.rating = s_opt(argc, argv, "--rating");
    m.text = s_opt(argc, argv, "--text");
    return m.rating ? s_call("RateExecution", &m.base) : govctl_usage(s_usage, 0);
}

static int s_review(int argc, char **argv, long long id)
{
    Gov__ReviewMatter m = GOV__REVIEW_MATTER__INIT;
    int approve = govctl_flag(argc, argv, "--approve"), reject = govctl_flag(argc, argv, "--reject");
    m.matter_id = id;
    m.approve = approve;
    m.text = s_opt(argc, argv, "--text");
    return m.text && approve != reject ? s_call("ReviewMatter", &m.base) : govctl_usage(s_usage, 0);
}

static int s_amend(int argc, char **argv, long long id)
{
    Gov__AmendMatter m = GOV__AMEND_MATTER__INIT;
    m.matter_id = id;
    m.title = s_opt(argc, argv, "--title");
    m.body = s_opt(argc, argv, "--text");
    return m.title && m.body ? s_call("AmendMatter", &m.base) : govctl_usage(s_usage, 0);
}

static int s_accept(int argc, char **argv, long long id)
{
    Gov__AcceptMatter m = GOV__ACCEPT_MATTER__INIT;
    const char *v = govctl_opt(argc, argv, "--hours");
    m.matter_id = id;
    m.window_hours = v ? (int) govctl_parse_int(v) : 0;
    return m.window_hours >= 0 ? s_call("AcceptMatter", &m.base) : govctl_usage(s_usage, 0);
}

static int s_decline(int argc, char **argv, long long id)
{
    Gov__DeclineMatter m = GOV__DECLINE_MATTER__INIT;
    m.matter_id = id;
    m.reason = s_opt(argc, argv, "--reason");
    return m.reason ? s_call("DeclineMatter", &m.base) : govctl_usage(s_usage, 0);
}

static int s_attend(int argc, char **argv, long long id)
{
    Gov__AttendMeeting m = GOV__ATTEND_MEETING__INIT;
    m.matter_id = id;
    m.person = s_opt(argc, argv, "--person");
    return s_call("AttendMeeting", &m.base);
}

static int s_vote(int argc, char **argv, long long id)
{
    Gov__CastVote m = GOV__CAST_VOTE__INIT;
    m.matter_id = id;
    m.choice = s_opt(argc, argv, "--choice");
    return m.choice ? s_call("CastVote", &m.base) : govctl_usage(s_usage, 0);
}

static int s_receipt(int argc, char **argv, long long id)
{
    Gov__CheckReceipt m = GOV__CHECK_RECEIPT__INIT;
    m.matter_id = id;
    m.receipt = s_opt(argc, argv, "--receipt");
    return m.receipt ? s_call("CheckReceipt", &m.base) : govctl_usage(s_usage, 0);
}

static int s_list(int argc, char **argv, long long id)
{
    (void) id;
    Gov__ListMatters m = GOV__LIST_MATTERS__INIT;
    m.community = s_opt(argc, argv, "--community");
    m.step = s_opt(argc, argv, "--step");
    return s_call("ListMatters", &m.base);
}

static int s_council(int argc, char **argv, long long id)
{
    (void) id;
    Gov__GetCouncil m = GOV__GET_COUNCIL__INIT;
    m.community = argv[1];
    return argc == 2 ? s_call("GetCouncil", &m.base) : govctl_usage(s_usage, 0);
}

/* tests: a service with GOV_TEST_CLOCK=1 */
static int s_clock(int argc, char **argv, long long id)
{
    (void) id;
    Gov__AdvanceClock m = GOV__ADVANCE_CLOCK__INIT;
    m.ms = govctl_parse_int(argv[1]);
    return argc == 2 && m.ms > 0 ? s_call("AdvanceClock", &m.base) : govctl_usage(s_usage, 0);
}

/* 五定: every field is sent as given; the service refuses what is missing. */
static int s_task(int argc, char **argv, long long id)
{
    Gov__AssignTask m = GOV__ASSIGN_TASK__INIT;
    const char *days = govctl_opt(argc, argv, "--days");
    m.matter_id = id;
    m.type = s_opt(argc, argv, "--type");
    m.owner_unit = s_opt(argc, argv, "--owner-unit");
    m.owner = s_opt(argc, argv, "--owner");
    m.standard = s_opt(argc, argv, "--standard");
    m.due_days = days ? (int) govctl_parse_int(days) : 0;
    m.text = s_opt(argc, argv, "--text");
    return s_call("AssignTask", &m.base);
}

/* The task a report or a check is about (--task), or -1. */
static long long s_task_id(int argc, char **argv)
{
    const char *task = govctl_opt(argc, argv, "--task");
    long long t = task ? govctl_parse_int(task) : -1;
    return t > 0 ? t : -1;
}

static int s_report(int argc, char **argv, long long id)
{
    Gov__ReportTask m = GOV__REPORT_TASK__INIT;
    m.matter_id = id;
    m.task_id = s_task_id(argc, argv);
    m.text = s_opt(argc, argv, "--text");
    return m.task_id > 0 ? s_call("ReportTask", &m.base) : govctl_usage(s_usage, 0);
}

static int s_check(int argc, char **argv, long long id)
{
    Gov__CheckTask m = GOV__CHECK_TASK__INIT;
    m.matter_id = id;
    m.task_id = s_task_id(argc, argv);
    m.verdict = s_opt(argc, argv, "--verdict");
    m.note = s_opt(argc, argv, "--note");
    return m.task_id > 0 ? s_call("CheckTask", &m.base) : govctl_usage(s_usage, 0);
}

static const govctl_word_t s_words[] = {
    {"propose", GOVCTL_NOTHING, s_propose}, {"list", GOVCTL_NOTHING, s_list},
    {"council", GOVCTL_WORD, s_council},    {"clock", GOVCTL_WORD, s_clock},
    {"amend", GOVCTL_ID, s_amend},          {"cosign", GOVCTL_ID, s_cosign},
    {"accept", GOVCTL_ID, s_accept},        {"decline", GOVCTL_ID, s_decline},
    {"opine", GOVCTL_ID, s_opine},          {"convene", GOVCTL_ID, s_convene},
    {"attend", GOVCTL_ID, s_attend},        {"vote", GOVCTL_ID, s_vote},
    {"receipt", GOVCTL_ID, s_receipt},      {"close", GOVCTL_ID, s_close},
    {"review", GOVCTL_ID, s_review},        {"publish", GOVCTL_ID, s_publish},
    {"object", GOVCTL_ID, s_object},        {"answer", GOVCTL_ID, s_answer},
    {"act", GOVCTL_ID, s_act},              {"progress", GOVCTL_ID, s_progress},
    {"task", GOVCTL_ID, s_task},            {"report", GOVCTL_ID, s_report},
    {"check", GOVCTL_ID, s_check},
    {"evaluate", GOVCTL_ID, s_evaluate},    {"observe", GOVCTL_ID, s_observe},
    {"flag", GOVCTL_ID, s_flag},            {"answer-flag", GOVCTL_ID, s_answer_flag},
    {"rate", GOVCTL_ID, s_rate},            {"show", GOVCTL_ID, s_show},
    {"record", GOVCTL_ID, s_record},        {"verify", GOVCTL_ID, s_verify},
};

int cmd_matter(int argc, char **argv)
{
    int rc;
    if (!govctl_group_args(&argc, &argv, s_usage, 1, &rc))
        return rc;
    return govctl_run_word(s_words, sizeof s_words / sizeof *s_words, argc, argv, s_usage);
}
