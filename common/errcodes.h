/* errcodes: every code a service answers with, in one table, in the manner
 * of PostgreSQL's errcodes.txt. A client acts on the code and its class:
 *
 *   R  refused: the request itself is wrong; sending it again gets the same
 *      answer. Fix the request.
 *   S  state: the request is well formed but the thing it acts on is not in
 *      a state that allows it (already signed, window closed, not yours).
 *   T  transient: nothing was changed; retry with the same message id.
 *
 * Each row: code, class, the message a person reads, a hint (or NULL). A
 * service may answer a code with a message of its own that says more
 * (apperr_fail); the code must be in this table (tests/cli/test_errcodes.sh
 * checks every code in the sources). `govctl errcodes` prints the table. */
#ifndef GOV_ERRCODES_H
#define GOV_ERRCODES_H

#include <stddef.h>

#define GOV_ERRCODES(X)                                                                           \
    /* transport and runtime */                                                                   \
    X(BAD_FRAME, 'R', "request is not a gov.Envelope", "send one frame, a packed gov.Envelope")    \
    X(BAD_PAYLOAD, 'R', "payload does not decode as the type's message", NULL)                    \
    X(UNKNOWN_TYPE, 'R', "unknown message type", "see the service's proto file")                 \
    X(DB_UNAVAILABLE, 'T', "the database did not answer", "retry with the same message id")        \
    X(OVERLOADED, 'T', "the service is out of resources", "retry later with the same message id") \
    X(INTERNAL, 'T', "the service failed", "retry later; report it if it persists")               \
    X(IDEMPOTENCY_CONFLICT, 'R', "the message id was used before for a different request",         \
      "give every new request a new message id; resend the same content to get the first answer") \
    X(CLOCK_FIXED, 'R', "the clock cannot be moved", "only services started with GOV_TEST_CLOCK=1") \
    X(NO_ACTOR, 'R', "the request names no actor", "say who acts (--as)")                          \
    X(ACTOR_NOT_ALLOWED, 'R', "this client's key may not act for a person",                       \
      "send it through the gateway, or with a key listed in the key folder's actors file")        \
    X(KEY_NOT_ALLOWED, 'R', "this client's key may not send this request",                       \
      "only the gateway's key asks notify for login codes; only routing's and notify's keys ask " \
      "intake for reporters' contacts")                                                          \
    /* text, URLs and simple fields (common/text.h) */                                            \
    X(MISSING_TEXT, 'R', "a required text is empty", NULL)                                        \
    X(TEXT_TOO_LONG, 'R', "a text is longer than its field allows", "limits are in characters")    \
    X(INVALID_TEXT, 'R', "a text is not valid UTF-8 or holds a control character", NULL)          \
    X(TOO_MANY_URLS, 'R', "too many URLs", NULL)                                                   \
    X(INVALID_URL, 'R', "a URL is not an http(s) URL", "no spaces; at most 2048 bytes")            \
    X(INVALID_LIMIT, 'R', "limit is out of range", NULL)                                           \
    X(INVALID_STATUS, 'R', "unknown status", NULL)                                                \
    X(BAD_MONTH, 'R', "month is not YYYY-MM", NULL)                                                \
    X(BAD_KIND, 'R', "unknown kind", NULL)                                                         \
    /* intake */                                                                                  \
    X(INVALID_CHANNEL, 'R', "unknown channel",                                                     \
      "use one of hotline, app, wechat, grid_patrol, open311, visit")                             \
    X(INVALID_URGENCY, 'R', "unknown urgency", "use one of normal, urgent, emergency")            \
    X(MISSING_CATEGORY, 'R', "category is required", "`govctl categories list` shows the codes")  \
    X(MISSING_LOCATION, 'R', "location is required",                                               \
      "give a point (lat, lon) or an address, or both")                                            \
    X(INVALID_POINT, 'R', "point is not a WGS84 coordinate",                                       \
      "lat must be in [-90, 90] and lon in [-180, 180]")                                           \
    X(INVALID_PHONE, 'R', "phone number is not valid",                                             \
      "give an 11-digit mobile (13800001234) or a landline with its area code (010-12345678)")    \
    X(UNKNOWN_CATEGORY, 'R', "unknown category", "`govctl categories list` shows the codes")       \
    X(OUTSIDE_AREA, 'R', "point is outside every area",                                            \
      "check lat/lon order, or give an address only")                                              \
    X(NOT_FOUND, 'R', "no such object", NULL)                                                      \
    /* who acts */                                                                                \
    X(UNKNOWN_PERSON, 'R', "no such person", NULL)                                                 \
    X(UNKNOWN_UNIT, 'R', "no such unit", "see govctl units list")                                  \
    X(UNKNOWN_AREA, 'R', "no such area", "see govctl areas list")                                  \
    X(UNKNOWN_DEPARTMENT, 'R', "no such department", "see govctl units list")                      \
    X(NOT_A_MEMBER, 'S', "the actor is not a member of the unit", NULL)                            \
    X(NOT_A_UNIT, 'R', "the actor acts for no unit", "say which unit (--unit)")                     \
    X(NOT_A_RESIDENT, 'S', "the actor is not a resident here", NULL)                               \
    X(NOT_A_PARTY, 'S', "the actor is not a party to this", NULL)                                  \
    X(NOT_A_CALLER, 'S', "the actor did not call about this case", NULL)                           \
    X(NOT_THE_REPORTER, 'S', "only the reporter may do this", NULL)                                \
    X(NOT_CENTRE, 'S', "only the dispatch centre may do this", NULL)                               \
    X(NOT_COMMITTEE, 'S', "only the community's committee may do this", NULL)                      \
    X(NOT_SUPERVISOR, 'S', "only the supervision committee may do this", NULL)                     \
    X(NOT_PROPOSER, 'S', "only the proposer may do this", NULL)                                    \
    X(NOT_A_VOLUNTEER, 'S', "the actor is not a registered volunteer here", NULL)                  \
    X(OUTSIDE_SCOPE, 'S', "the actor may not act in this area", NULL)                              \
    X(BAD_SCOPE, 'R', "the scope is grid or community", NULL)                                      \
    /* routing: dispatches and whistles */                                                        \
    X(ILLEGAL_TRANSITION, 'S', "the dispatch is not in a state that allows this", NULL)            \
    X(NOT_YOUR_DISPATCH, 'S', "the dispatch belongs to another unit", NULL)                        \
    X(ALREADY_SIGNED, 'S', "already signed", NULL)                                                 \
    X(NOT_SIGNED, 'S', "sign for the dispatch first", NULL)                                        \
    X(ARRIVAL_REQUIRED, 'S', "report arrival first", NULL)                                         \
    X(NOT_RESOLVED, 'S', "the case is not resolved yet", NULL)                                     \
    X(BAD_REASON, 'R', "unknown reason", "function, territory or ownership")                       \
    X(REASON_REQUIRED, 'R', "a reason is required", NULL)                                          \
    X(CENTRE_CANNOT_RETURN, 'S', "the dispatch centre cannot return a dispatch", "reassign it")    \
    X(NO_CENTRE, 'S', "no dispatch centre covers this area", NULL)                                 \
    X(NO_DEPARTMENTS, 'R', "a whistle summons at least one department", NULL)                      \
    X(DUPLICATE_DEPARTMENT, 'R', "a department is named twice", NULL)                              \
    X(BAD_ORIGIN, 'R', "callers cannot set a whistle's origin", NULL)                              \
    X(NOT_YOUR_WHISTLE, 'S', "the whistle was blown by another unit", NULL)                        \
    X(NOT_SUMMONED, 'S', "the unit was not summoned by this whistle", NULL)                        \
    X(WHISTLE_OPEN, 'S', "the whistle is still open", NULL)                                        \
    X(ALREADY_RATED, 'S', "already rated", NULL)                                                   \
    X(BAD_RESULT, 'R', "unknown result", NULL)                                                     \
    X(BAD_SCORE, 'R', "score is out of range", NULL)                                               \
    X(ALREADY_EVALUATED, 'S', "already evaluated", NULL)                                           \
    X(EVALUATION_CLOSED, 'S', "the evaluation window has closed", NULL)                            \
    /* routing: 上报 (PassUpDispatch) and the KPI targets */                                      \
    X(NOT_GRID_TEAM, 'S', "only a grid team passes work up (上报)",                               \
      "return the dispatch with a reason instead")                                                \
    X(BAD_PASS_UP_REASON, 'R', "unknown 上报 reason", "beyond, cross or major")                   \
    X(NO_COMMUNITY, 'S', "the grid team has no community to pass work up to",                     \
      "give the grid team its community as parent")                                               \
    X(BAD_FIGURE, 'R', "unknown KPI figure", "response, resolution, satisfaction, rating or score") \
    X(BAD_TARGET, 'R', "the target is out of range", "a rate is 0 to 1, a score 0 to 100")        \
    /* notify */                                                                                  \
    X(SMS_NOT_SENT, 'T', "the SMS gateway did not take the message",                              \
      "ask again in a moment (POST /api/v1/session/code)")                                         \
    /* routing: the directory and the calendar (the admin) */                                     \
    X(NOT_ADMIN, 'S', "only the admin may do this",                                                \
      "act for a unit of kind admin (X-Gov-Unit: its code)")                                      \
    X(BAD_CODE, 'R', "a code is 1-64 characters of a-z 0-9 . _ -, starting with a letter or digit", NULL) \
    X(CODE_TAKEN, 'R', "the code is taken", "codes are unique for good: update the one there is") \
    X(BAD_ROLE, 'R', "a role is 1-32 characters of a-z 0-9 _", "e.g. head, member, grid_worker")   \
    X(INVALID_EMAIL, 'R', "e-mail address is not valid", "one @, no spaces, at most 254 bytes")   \
    X(BAD_FIELD, 'R', "clear names a field that cannot be emptied", NULL)                          \
    X(BAD_PARENT, 'R', "a unit cannot be its own parent or supervisor, above itself or not", NULL) \
    X(LAST_ADMIN, 'S', "this would leave no admin", "add another admin first")                    \
    X(BAD_CALENDAR_DAY, 'R', "a calendar day does not fit",                                       \
      "day YYYY-MM-DD, kind holiday or workday (a Saturday or Sunday), a name and a source")      \
    X(TOO_MANY_DAYS, 'R', "too many calendar days in one import", "at most 1000")                   \
    /* deliberation */                                                                            \
    X(WRONG_STEP, 'S', "the matter is not at the step this needs", NULL)                           \
    X(WINDOW_CLOSED, 'S', "the window has closed", NULL)                                           \
    X(BAD_WINDOW, 'R', "window length is out of range", NULL)                                      \
    X(BAD_STANCE, 'R', "unknown stance", "support, oppose or neutral")                             \
    X(ALREADY_COSIGNED, 'S', "already co-signed", NULL)                                            \
    X(HAS_COSIGNATURES, 'S', "a co-signed matter cannot be amended", "propose a new matter")       \
    X(BAD_ROSTER, 'R', "unknown roster kind", NULL)                                                \
    X(EMPTY_ROSTER, 'S', "the roster is empty", NULL)                                              \
    X(BAD_COUNCIL, 'R', "a council member is named twice, or named for a meeting", NULL)                   \
    /* deliberation: "1+3" and the 村务商议团 (seeds 000, 002) */                                  \
    X(NOT_PARTY_COMMITTEE, 'S', "only the community's party committee (社区党委) may do this",      \
      "act as a member of the party committee unit (--unit pc.…)")                                \
    X(MATTER_HELD, 'S', "the matter is held by a flag the owning body has not answered",          \
      "the body that owns the flagged step answers it (govctl matter answer-flag)")               \
    X(UNKNOWN_RECORD, 'R', "the matter has no record with that number", "see govctl matter record") \
    X(FLAG_TARGET, 'R', "that record cannot be flagged", "flag a step of a body, not the supervision's own") \
    X(UNKNOWN_FLAG, 'R', "the matter has no such flag", NULL)                                      \
    X(UNKNOWN_OBJECTION, 'R', "the matter has no such objection", NULL)                            \
    X(ALREADY_ANSWERED, 'S', "it is answered already", NULL)                                       \
    X(COUNCIL_SIZE, 'R', "a 村务商议团 has 7 to 9 members", "seed 002: 7至9个村民代表")              \
    X(NO_COUNCIL, 'S', "the community has no standing council in its term",                       \
      "elect one: convene the representatives with --elect")                                      \
    X(NOT_A_REPRESENTATIVE, 'S', "council members are residents' representatives of the community", NULL) \
    X(BAD_TERM, 'R', "a council's term is 1 to 60 months", NULL)                                   \
    X(NOT_REVIEWER, 'S', "only the 两委 (party committee and residents' committee) review", NULL)    \
    X(ALREADY_REVIEWED, 'S', "this body has reviewed the matter already", NULL)                    \
    X(BAD_BALLOT, 'R', "the ballot is open or secret", NULL)                                       \
    X(BAD_RULES, 'R', "quorum or majority rule does not parse", "e.g. >1/2, >=2/3")                \
    X(NO_MEETING, 'S', "no meeting is open", NULL)                                                 \
    X(CONVENE_REQUIRED, 'S', "convene a meeting first", NULL)                                      \
    X(MEETING_CLOSED, 'S', "the meeting has closed", NULL)                                         \
    X(NOT_ON_ROSTER, 'S', "the actor is not on the meeting's roster", NULL)                        \
    X(ALREADY_ATTENDED, 'S', "already attended", NULL)                                             \
    X(ALREADY_VOTED, 'S', "already voted", NULL)                                                   \
    X(BAD_CHOICE, 'R', "the choice is yes, no or abstain", NULL)                                   \
    X(BAD_RECEIPT, 'R', "a receipt is 32 hexadecimal characters", NULL)                            \
    /* secret ballots sealed to the tally key (services/deliberation/seal.h) */                  \
    X(BALLOT_SEALED, 'S', "the secret ballot is sealed until the meeting closes",                  \
      "check the receipt after the meeting has closed")                                           \
    X(TALLY_KEY_MISSING, 'S', "the deployment has no tally key: secret ballots are off",           \
      "make it with govctl keys generate DIR and start the service with GOV_KEYS_DIR=DIR")        \
    X(TALLY_KEY_BAD, 'S', "the tally key is malformed or its halves do not match",                 \
      "restore tally.public and tally.secret in GOV_KEYS_DIR from the deployment's backup")       \
    X(TALLY_KEY_CHANGED, 'S', "the tally key is not the one the meeting was convened with",        \
      "restore the meeting's tally key in GOV_KEYS_DIR; ballots sealed to it open only with it")  \
    X(BALLOT_UNREADABLE, 'S', "a sealed ballot does not open with the tally key",                  \
      "a sealed ballot was altered or sealed to another key; nothing was counted")                \
    X(BALLOTS_MISMATCH, 'S', "the sealed ballots do not match who voted",                          \
      "a sealed ballot was added, removed or copied in the database; nothing was counted")        \
    X(NOTICE_PERIOD, 'S', "the public notice period has not ended", NULL)                         \
    X(NOTICE_ENDED, 'S', "the public notice period has ended", NULL)                               \
    X(NOTICE_TOO_SHORT, 'R', "the public notice period is too short", NULL)                        \
    X(RECORD_CLOSED, 'S', "the record is closed", NULL)                                            \
    X(UNKNOWN_TASK, 'R', "no such task", NULL)                                                     \
    X(NOTHING_TO_DO, 'R', "the command changes nothing", NULL)                                     \
    X(BAD_RATING, 'R', "unknown rating", NULL)                                                     \
    X(ALREADY_CLAIMED, 'S', "already claimed", NULL)                                               \
    X(ALREADY_REGISTERED, 'S', "already registered", NULL)                                         \
    X(OWN_ORDER, 'S', "a volunteer cannot take their own order", NULL)                             \
    X(NOT_YOUR_ORDER, 'S', "the order is another's", NULL)                                         \
    X(NOT_YOUR_RESOURCE, 'S', "the resource is another unit's", NULL)                              \
    /* the 知行家 station's orders, 3+1 both ways, pairing (0015) */                             \
    X(NO_STATION, 'S', "the community has no 知行家 station to take orders",                         \
      "the admin adds a unit of kind station in the community")                                   \
    X(NOT_DISPATCHER, 'S', "only the order's station's dispatcher may dispatch it",                  \
      "act as a dispatcher (or head) of the station (--unit st.…)")                               \
    X(NOT_DISPATCHED, 'S', "the order is not dispatched to anyone now", NULL)                      \
    X(ALREADY_TAKEN, 'S', "already taken", NULL)                                                   \
    X(ALREADY_PUBLISHED, 'S', "the order is published already", NULL)                              \
    X(BAD_SOURCE, 'R', "a need's source is visit, forum, case (with case_id) or other", NULL)      \
    /* joint meetings (联席会议) on recurring days (0022) */                                       \
    X(NOT_MEMBER_UNIT, 'S', "the unit is not a member unit (委员单位) of the community's joint meeting", \
      "see govctl pairing list --community C: kind member")                                       \
    X(BAD_RULE, 'R', "not a recurrence rule",                                                     \
      "monthly N WEEKDAY [next|keep|skip] (N 1..4 or last), or weekly WEEKDAY [next|keep|skip]")   \
    X(MEETING_NOT_STARTED, 'S', "the joint meeting has not started", "attend and record from its start") \
    X(SCHEDULE_STOPPED, 'S', "the schedule is stopped already", NULL)                             \
    X(BAD_ZONE, 'R', "not a 责任区 of that grid, or not a set of its buildings",                   \
      "a 责任区 is 1 to 200 buildings of one grid, each in no other")                              \
    X(NO_PAIRED_UNITS, 'S', "the place's community has no such paired units",                     \
      "see govctl pairing list --community C")                                                    \
    X(UNIT_NOT_PAIRED, 'R', "the unit is not paired with the community",                           \
      "see govctl pairing list --community C")                                                    \
    X(NOT_YOUR_NEED, 'S', "the need is aimed at another unit", NULL)                               \
    /* 五定 for the tasks of a decided matter (docs/deliberation.md, "五定") */                    \
    X(MATTER_NOT_DECIDED, 'S', "the matter's decision is not in force",                                  \
      "tasks are assigned to a matter approved or acting")                                        \
    X(BAD_TASK_TYPE, 'R', "unknown task type (定类)",                                               \
      "city_management, community_governance, renovation, public_security, civility or other")    \
    X(TASK_NO_OWNER, 'R', "a task names its owner, a unit and a person of it (定责)", NULL)        \
    X(TASK_NO_STANDARD, 'R', "a task states its standard (定标)", NULL)                            \
    X(TASK_NO_DUE, 'R', "a task has a due date in working days (定时)", NULL)                      \
    X(BAD_DUE, 'R', "a task is due in 1 to 365 working days", NULL)                              \
    X(OWNER_NOT_MEMBER, 'R', "the task's owner is not a member of its owner unit",                 \
      "name a member of the unit (govctl units list)")                                            \
    X(NOT_TASK_OWNER, 'S', "only the task's owner, or its owner unit, reports it done", NULL)     \
    X(NOT_CHECKER, 'S', "only the party committee or the supervision committee checks a task",    \
      "act for the community's party_committee or supervision unit")                              \
    X(TASK_NOT_OPEN, 'S', "the task is not open", NULL)                                           \
    X(TASK_NOT_REPORTED, 'S', "the task is not reported done", NULL)                              \
    X(BAD_VERDICT, 'R', "a check's verdict is passed or failed", NULL)                            \
    X(TASKS_OPEN, 'S', "the matter has tasks not yet checked (验收)",                                \
      "each 五定 task is reported done and checked first")                                         \
    /* the gateway's Open311 (docs/open311.md) */                                                 \
    X(API_KEY_REQUIRED, 'R', "api_key is required to file a request",                             \
      "ask the city's operators for one (govctl apikey create)")                                  \
    X(API_KEY_INVALID, 'R', "the api_key is unknown or revoked", NULL)                            \
    X(BAD_FORM, 'R', "the body is not a URL-encoded form",                                         \
      "send Content-Type: application/x-www-form-urlencoded, name=value pairs joined by &")       \
    X(BAD_ARGUMENT, 'R', "an argument is not well formed", NULL)                                   \
    X(BAD_DATE, 'R', "a date is not a W3C datetime", "e.g. 2026-01-01T00:00:00+08:00")            \
    X(RANGE_TOO_LONG, 'R', "start_date and end_date are more than 90 days apart",                  \
      "ask for 90 days at most")                                                                  \
    /* the gateway (HTTP) */                                                                      \
    X(UNAUTHENTICATED, 'R', "log in, or send an API token", "POST /api/v1/session, or Authorization: Bearer") \
    X(BAD_CREDENTIALS, 'R', "unknown person, or a wrong password or code",                        \
      "a login code works once, for GOV_GATEWAY_LOGIN_CODE_S, and not after 5 wrong tries")       \
    X(CSRF_REQUIRED, 'R', "the X-CSRF-Token header is missing or wrong",                           \
      "send the csrf_token the login (or GET /api/v1/me) returned")                              \
    X(BAD_JSON, 'R', "the body or a query argument does not fit the request", NULL)                 \
    X(BODY_TOO_LARGE, 'R', "the body is too large", NULL)                                          \
    X(NO_ROUTE, 'R', "no such route", "docs/openapi.yaml lists them")                              \
    X(BAD_IDEMPOTENCY_KEY, 'R', "Idempotency-Key is 1-200 characters of A-Z a-z 0-9 . _ : -", NULL) \
    X(NOT_YOUR_UNIT, 'R', "X-Gov-Unit names a unit you do not belong to", "GET /api/v1/me lists yours") \
    X(UNIT_REQUIRED, 'R', "you belong to several units: say which you act for",                  \
      "send X-Gov-Unit: CODE (or none, to act as yourself)")                                      \
    X(SERVICE_TIMEOUT, 'T', "a service did not answer in time", "retry with the same Idempotency-Key") \
    X(RATE_LIMITED, 'T', "too many requests", "wait as long as Retry-After says")                \
    /* personal data (docs/privacy.md) */                                                         \
    X(NOT_AUDITOR, 'S', "only the dispatch centre or the admin reads the audit log",               \
      "act for the dispatch centre or the admin unit (X-Gov-Unit: its code)")

/* One row of the table. */
typedef struct {
    const char *code;
    char kind; /* 'R', 'S' or 'T' */
    const char *message;
    const char *hint; /* may be NULL */
} errcode_t;

/* The row of `code`, or NULL when it is not in the table. */
const errcode_t *errcode_find(const char *code);

/* Row `i` (0, 1, ...) of the table, or NULL past its end. */
const errcode_t *errcode_at(size_t i);

#endif
