/* queries: every SQL statement the routing service runs, in one place.
 *
 * Times go in and come out as milliseconds since the epoch from the service's
 * clock (svclock), never the database's now(), so a test can move time. */
#ifndef ROUTING_QUERIES_H
#define ROUTING_QUERIES_H

#include "sqltime.h"

/* The member `$2` (person code) of unit `$1` (unit code): its id, kind, area.
 * No row: not a member. Columns: 0 id, 1 kind, 2 area_id */
#define Q_MEMBER                                                                               \
    "SELECT u.id, u.kind, coalesce(u.area_id, 0) FROM units u"                                 \
    " JOIN unit_members m ON m.unit_id = u.id JOIN people p ON p.id = m.person_id"             \
    " WHERE u.code = $1 AND p.code = $2"

/* A dispatch as the world sees it. Columns: 0 id, 1 case_id, 2 whistle_id,
 * 3 unit, 4 unit_name, 5 role, 6 state, 7 on_site, 8 category, 9 path_json,
 * 10 sent, 11 sign_by, 12 contact_by, 13 arrive_by, 14 resolve_by, 15 signed,
 * 16 contacted, 17 arrived, 18 resolved, 19 ended, 20 return_reason, 21 note,
 * 22 reopen, 23 description, 24 reporter_name, 25 reporter_phone, 26 unit_id,
 * 27 whistle caller unit_id, 28 policy_id (0 none), 29 urgency, 30 pass_up_reason,
 * 31 contact_hint (the phone masked; 24 and 25 are "" unless a copy made
 * before 0024) */
#define Q_DISPATCH_SELECT                                                                      \
    "SELECT d.id, coalesce(d.case_id, 0), coalesce(d.whistle_id, 0), u.code, u.name, d.role,"  \
    " d.state, d.on_site, coalesce(c.category_code, ''), coalesce(a.path_json, '[]')::text,"  \
    " " MS("d.sent_at") ", " MS("d.sign_by") ", " MS("d.contact_by") ", " MS("d.arrive_by")   \
    ", " MS("d.resolve_by") ", " MS("d.signed_at") ", " MS("d.contacted_at") ", "             \
    MS("d.arrived_at") ", " MS("d.resolved_at") ", " MS("d.ended_at") ","                      \
    " coalesce(d.return_reason, ''), d.note, d.reopen, coalesce(c.description, w.reason, ''),"\
    " coalesce(c.reporter_name, ''), coalesce(c.reporter_phone, ''), d.unit_id,"              \
    " coalesce(w.caller_unit_id, 0), coalesce(d.policy_id, 0),"                                \
    " CASE WHEN w.kind = 'emergency' THEN 'emergency' ELSE coalesce(c.urgency, 'normal') END," \
    " coalesce(d.pass_up_reason, ''), coalesce(c.contact_hint, '')"
/* What the columns join from dispatch d. */
#define Q_DISPATCH_JOINS                                                                       \
    " JOIN units u ON u.id = d.unit_id"                                                        \
    " LEFT JOIN routed_cases c ON c.case_id = d.case_id"                                       \
    " LEFT JOIN whistles w ON w.id = d.whistle_id"                                             \
    " LEFT JOIN areas a ON a.id = coalesce(c.area_id, w.area_id)"
#define Q_DISPATCH_COLUMNS Q_DISPATCH_SELECT " FROM dispatches d" Q_DISPATCH_JOINS

/* $1 dispatch id */
#define Q_DISPATCH Q_DISPATCH_COLUMNS " WHERE d.id = $1"
/* $1 dispatch id: the same, locking the dispatch for a transition */
/* NO KEY UPDATE: a step firing on another replica inserts into dispatch_log,
 * whose foreign key takes KEY SHARE on the dispatch while that step's claim
 * holds its deadline row, which a command here then cancels; FOR UPDATE
 * would conflict with KEY SHARE, and the two would deadlock. */
#define Q_DISPATCH_FOR_UPDATE Q_DISPATCH_COLUMNS " WHERE d.id = $1 FOR NO KEY UPDATE OF d"
/* $1 unit code, $2 state, $3 case, $4 whistle ('' / 0 = any), $5 before id (0 = none), $6 limit */
#define Q_LIST_DISPATCHES                                                                      \
    Q_DISPATCH_COLUMNS " WHERE ($1 = '' OR u.code = $1) AND ($2 = '' OR d.state = $2)"       \
    " AND ($3::bigint = 0 OR d.case_id = $3) AND ($4::bigint = 0 OR d.whistle_id = $4)"       \
    " AND ($5::bigint = 0 OR d.id < $5) ORDER BY d.id DESC LIMIT $6"

/* The policy for a case. $1 category code, $2 urgency. Columns: see Q_POLICY. */
#define Q_POLICY_COLUMNS                                                                       \
    "SELECT id, coalesce(sign_minutes, 0), sign_working, coalesce(contact_minutes, 0),"        \
    " contact_working, coalesce(arrive_minutes, 0), arrive_working,"                           \
    " coalesce(resolve_minutes, 0), resolve_working FROM sla_policies"
#define Q_POLICY_FOR_CASE                                                                      \
    Q_POLICY_COLUMNS " WHERE applies_to = 'case'"                                              \
    " AND (category_kind IS NULL OR category_kind = split_part($1, '.', 1))"                   \
    " AND (category_subject IS NULL OR category_subject = split_part($1, '.', 2))"             \
    " AND (urgency IS NULL OR urgency = $2)"                                                   \
    " ORDER BY (category_kind IS NOT NULL)::int + (category_subject IS NOT NULL)::int"         \
    "  + (urgency IS NOT NULL)::int DESC, rank, id LIMIT 1"
/* $1 whistle kind */
#define Q_POLICY_FOR_WHISTLE                                                                   \
    Q_POLICY_COLUMNS " WHERE applies_to = 'whistle' AND whistle_kind = $1 ORDER BY rank, id LIMIT 1"
/* $1 policy id. Columns: as Q_POLICY_COLUMNS, then 9 the calendar's revision
 * (0013_admin.sql), to see in the same round trip whether it moved. */
#define Q_POLICY                                                                               \
    "SELECT p.*, (SELECT revision FROM calendar_revision) FROM (" Q_POLICY_COLUMNS             \
    " WHERE id = $1) p"

/* The first step of each deadline's ladder (a dispatch is sent with these;
 * each next one is written when the one before fires, Q_CLAIM_STEPS).
 * $1 policy id. Columns: 0 deadline, 1 step, 2 percent, 3 after_minutes, 4 action */
#define Q_LADDER                                                                               \
    "SELECT DISTINCT ON (deadline) deadline, step, percent, after_minutes, action"             \
    " FROM ladder_steps WHERE policy_id = $1 ORDER BY deadline, step"

/* $1 case, $2 whistle, $3 unit, $4 role, $5 rule, $6 policy, $7 on_site, $8 sent,
 * $9 sign_by, $10 contact_by, $11 arrive_by, $12 resolve_by (ms; NULL none), $13 reopen */
#define Q_INSERT_DISPATCH                                                                      \
    "INSERT INTO dispatches (case_id, whistle_id, unit_id, role, rule_id, policy_id, on_site," \
    " sent_at, sign_by, contact_by, arrive_by, resolve_by, reopen)"                            \
    " VALUES (nullif($1::bigint, 0), nullif($2::bigint, 0), $3, $4, nullif($5::bigint, 0),"    \
    " nullif($6::bigint, 0), $7, " TS("$8") ", " TS("$9") ", " TS("$10") ", " TS("$11") ", "  \
    TS("$12") ", $13) RETURNING id"

/* $1 dispatch, $2 deadlines text[], $3 steps int[], $4 actions text[], $5 dues (ms) bigint[].
 * Columns: 0 id, 1 due_ms */
#define Q_INSERT_DEADLINES                                                                     \
    "INSERT INTO deadlines (dispatch_id, deadline, step, action, due_at)"                      \
    " SELECT $1, d, s, a, " TS("m") " FROM unnest($2::text[], $3::int[], $4::text[],"         \
    " $5::bigint[]) AS x(d, s, a, m) RETURNING id, " MS("due_at")

/* $1 dispatch, $2 at (ms), $3 action, $4 actor, $5 text, $6 media text[] */
#define Q_LOG                                                                                  \
    "INSERT INTO dispatch_log (dispatch_id, at, action, actor, text, media_urls)"              \
    " VALUES ($1, " TS("$2") ", $3, $4, $5, coalesce($6::text[], '{}'))"

/* $1 dispatch, $2 new state, $3 at (ms), $4 note ('' keeps it), $5 the return's
 * or, to passed_up, the 上报's reason (NULL none). Sets the time column that
 * belongs to the new state. */
#define Q_MOVE                                                                                 \
    "UPDATE dispatches SET state = $2,"                                                        \
    " signed_at = CASE WHEN $2 = 'signed' THEN " TS("$3") " ELSE signed_at END,"              \
    " arrived_at = CASE WHEN $2 = 'arrived' THEN " TS("$3") " ELSE arrived_at END,"           \
    " resolved_at = CASE WHEN $2 = 'resolved' THEN " TS("$3") " ELSE resolved_at END,"        \
    " ended_at = CASE WHEN $2 IN ('returned', 'reassigned', 'released', 'passed_up') THEN "    \
    TS("$3") " ELSE ended_at END,"                                                             \
    " note = CASE WHEN $4 = '' THEN note ELSE $4 END,"                                         \
    " pass_up_reason = CASE WHEN $2 = 'passed_up' THEN $5 ELSE pass_up_reason END,"            \
    " return_reason = CASE WHEN $2 = 'passed_up' THEN return_reason"                           \
    "  ELSE coalesce($5, return_reason) END WHERE id = $1"

/* $1 dispatch, $2 at (ms): the first contact with the reporter */
#define Q_CONTACTED                                                                            \
    "UPDATE dispatches SET contacted_at = " TS("$2")                                           \
    " WHERE id = $1 AND contacted_at IS NULL RETURNING id"

/* $1 dispatch, $2 deadlines text[] (NULL: all), $3 at (ms) */
#define Q_CANCEL_STEPS                                                                         \
    "UPDATE deadlines SET cancelled_at = " TS("$3")                                            \
    " WHERE dispatch_id = $1 AND fired_at IS NULL AND cancelled_at IS NULL"                    \
    " AND ($2::text[] IS NULL OR deadline = ANY ($2::text[]))"

/* The dispatch centre for the area that the SQL expression `area` names
 * (NULL or 0: any): of those whose area holds it, the nearest; else the
 * first (a centre without an area holds nothing in particular). */
#define Q_CENTRE_FOR(area)                                                                     \
    "SELECT u.id FROM units u LEFT JOIN areas a ON a.id = " area                               \
    " WHERE u.kind = 'dispatch_centre'"                                                        \
    " ORDER BY array_position(a.path, u.area_id) DESC NULLS LAST, u.id LIMIT 1"
/* $1 area. Column: 0 id */
#define Q_CENTRE Q_CENTRE_FOR("$1::bigint")

/* 上报: the community a grid team passes work up to — its parent unit when
 * that is a community, else the community unit of its grid's parent area.
 * $1 grid team id. Column: 0 community unit id; no row: none */
#define Q_PASS_UP_TARGET                                                                       \
    "SELECT coalesce((SELECT p.id FROM units p WHERE p.id = g.parent_id AND p.kind = 'community'),"\
    " (SELECT c.id FROM areas a JOIN units c ON c.area_id = a.parent_id AND c.kind = 'community'" \
    "  WHERE a.id = g.area_id ORDER BY c.id LIMIT 1))"                                         \
    " FROM units g WHERE g.id = $1 AND g.kind = 'grid_team'"

/* $1 rule id, $2 enabled. Column: 0 id (no row: no such rule) */
#define Q_SET_RULE "UPDATE routing_rules SET enabled = $2::boolean WHERE id = $1::bigint RETURNING id"

/* $1 case id. Columns: 0 category, 1 urgency, 2 area_id, 3 state, 4 reopened,
 * 5 reporter name, 6 reporter phone (a copy made before 0024, or ""), 7 the
 * phone masked ("": no phone, or a copy in 6) */
#define Q_CASE                                                                                 \
    "SELECT category_code, urgency, coalesce(area_id, 0), state, reopened, reporter_name,"     \
    " reporter_phone, contact_hint FROM routed_cases WHERE case_id = $1 FOR UPDATE"
/* $1 case id, $2 state, $3 reopened, $4 when (ms, the service clock). A case
 * that closes notes when (the retention of its reporter counts from it,
 * common/retention.h). */
#define Q_CASE_STATE                                                                           \
    "UPDATE routed_cases SET state = $2, reopened = $3, closed_at = CASE WHEN $2 = 'closed'"   \
    " THEN to_timestamp($4::bigint / 1000.0) END WHERE case_id = $1"

/* Retention (erase.c): empties the reporter of at most $2 cases closed
 * before $1 (ms) and not yet erased; one row per case erased. */
#define Q_ERASE_CONTACTS                                                                       \
    "WITH due AS (SELECT case_id FROM routed_cases"                                            \
    "   WHERE closed_at < to_timestamp($1::bigint / 1000.0) AND contact_erased_at IS NULL"     \
    "   ORDER BY closed_at, case_id LIMIT $2::int FOR UPDATE)"                                  \
    " UPDATE routed_cases c SET reporter_name = '', reporter_phone = '', contact_hint = '',"    \
    " contact_erased_at = now() FROM due WHERE c.case_id = due.case_id RETURNING c.case_id"

/* Whether the deadline of ladder step `s` (a deadlines row) is met by its
 * dispatch `x` (as lifecycle.c's moves cancel steps): signed, contacted or
 * arrived for its own deadline, or the dispatch is over, for all. */
#define Q_STEP_MET                                                                             \
    "(x.state IN ('resolved', 'returned', 'reassigned', 'released') OR CASE s.deadline"        \
    " WHEN 'sign' THEN x.signed_at IS NOT NULL WHEN 'contact' THEN x.contacted_at IS NOT NULL"\
    " WHEN 'arrive' THEN x.arrived_at IS NOT NULL ELSE false END)"
/* Deadlines. $1 fired at (ms), $2 ids bigint[], $3 late. Claims the steps
 * still pending: fires those whose deadline is not met, and cancels those
 * whose deadline is (a move that committed while the step before was being
 * fired could not see the step that firing wrote). Returns the fired ones,
 * each with the next step of its deadline's ladder, if any, to write.
 * Columns: 0 id, 1 dispatch, 2 deadline, 3 step, 4 action, 5 due ms, then the
 * next step (NULL: none): 6 step, 7 percent, 8 after_minutes, 9 action,
 * 10 the policy's minutes for the deadline (0 none), 11 working, 12 sent ms */
#define Q_CLAIM_STEPS                                                                          \
    "WITH c AS (UPDATE deadlines s SET"                                                        \
    "  fired_at = CASE WHEN " Q_STEP_MET " THEN NULL ELSE " TS("$1") " END,"                  \
    "  cancelled_at = CASE WHEN " Q_STEP_MET " THEN " TS("$1") " END,"                        \
    "  late = $3::boolean AND NOT " Q_STEP_MET                                                 \
    "  FROM dispatches x WHERE x.id = s.dispatch_id AND s.id = ANY ($2::bigint[])"            \
    "  AND s.fired_at IS NULL AND s.cancelled_at IS NULL"                                      \
    "  RETURNING s.id, s.dispatch_id, s.deadline, s.step, s.action,"                           \
    "  " MS("s.due_at") " AS due, s.fired_at IS NOT NULL AS fired, x.policy_id,"               \
    "  " MS("x.sent_at") " AS sent)"                                                           \
    " SELECT c.id, c.dispatch_id, c.deadline, c.step, c.action, c.due, n.step, n.percent,"     \
    " n.after_minutes, n.action, coalesce(CASE c.deadline WHEN 'sign' THEN p.sign_minutes"     \
    "  WHEN 'contact' THEN p.contact_minutes WHEN 'arrive' THEN p.arrive_minutes"              \
    "  ELSE p.resolve_minutes END, 0),"                                                        \
    " CASE c.deadline WHEN 'sign' THEN p.sign_working WHEN 'contact' THEN p.contact_working"   \
    "  WHEN 'arrive' THEN p.arrive_working ELSE p.resolve_working END, c.sent"                 \
    " FROM c LEFT JOIN sla_policies p ON p.id = c.policy_id"                                   \
    " LEFT JOIN LATERAL (SELECT l.step, l.percent, l.after_minutes, l.action"                  \
    "  FROM ladder_steps l WHERE l.policy_id = c.policy_id AND l.deadline = c.deadline"        \
    "  AND l.step > c.step ORDER BY l.step LIMIT 1) n ON true"                                 \
    " WHERE c.fired ORDER BY c.due, c.id"
/* The next steps written as steps fire: as Q_INSERT_DEADLINES_MANY, but a
 * step already there (a dispatch sent before steps were written one at a
 * time, with its whole ladder) is left alone and not returned. */
#define Q_INSERT_NEXT_STEPS                                                                    \
    "INSERT INTO deadlines (dispatch_id, deadline, step, action, due_at)"                      \
    " SELECT i, d, s, a, " TS("m") " FROM unnest($1::bigint[], $2::text[], $3::int[],"        \
    " $4::text[], $5::bigint[]) AS x(i, d, s, a, m)"                                           \
    " ON CONFLICT (dispatch_id, deadline, step) DO NOTHING RETURNING id, " MS("due_at")
/* Overdue steps, for firing late at start-up. $1 now (ms), $2 limit. Column: 0 id */
#define Q_OVERDUE_STEPS                                                                        \
    "SELECT id FROM deadlines WHERE fired_at IS NULL AND cancelled_at IS NULL"                 \
    " AND due_at <= " TS("$1") " ORDER BY due_at LIMIT $2"
/* The deadline engine's (common/deadline.h, deadline_table_t): steps to arm
 * and the highest step id. $1 from, $2 until, $3 highest id seen, $4 swept
 * before (all ms). Columns: 0 id, 1 due ms */
#define Q_LOAD_STEPS                                                                           \
    "SELECT id, " MS("due_at") " FROM deadlines WHERE fired_at IS NULL AND cancelled_at IS NULL"\
    " AND due_at < " TS("$2") " AND (due_at >= " TS("$1") " OR id > $3::bigint"               \
    " OR due_at < " TS("$4") ")"
#define Q_LAST_STEP "SELECT coalesce(max(id), 0) FROM deadlines"
/* The unit a ladder step reaches: the dispatch's own unit for a reminder, its
 * supervisor (else the centre), or the centre of the case's or whistle's area,
 * as routing chose it. $1 dispatch unit id, $2 action, $3 dispatch id.
 * Column: 0 unit code; no row when a step must reach a centre and there is
 * none. */
#define Q_STEP_TARGET                                                                          \
    "WITH d AS (SELECT coalesce(rc.area_id, w.area_id) AS area FROM dispatches x"              \
    "  LEFT JOIN routed_cases rc ON rc.case_id = x.case_id"                                    \
    "  LEFT JOIN whistles w ON w.id = x.whistle_id WHERE x.id = $3::bigint),"                  \
    " c AS (" Q_CENTRE_FOR("(SELECT area FROM d)") ")"                                         \
    " SELECT t.code FROM units u LEFT JOIN c ON true JOIN units t ON t.id = CASE $2"           \
    "  WHEN 'remind' THEN u.id WHEN 'escalate_supervisor' THEN coalesce(u.supervisor_id, c.id)"\
    "  ELSE c.id END WHERE u.id = $1"

/* Whistles. $1 caller unit id, $2 lon, $3 lat: whether the point lies in the
 * caller's area, and the smallest area holding it there.
 * Columns: 0 inside, 1 area id (NULL outside) */
#define Q_WHISTLE_PLACE                                                                        \
    "WITH pt AS (SELECT ST_SetSRID(ST_MakePoint($2::float8, $3::float8), 4326) AS g)"          \
    " SELECT coalesce(bool_or(a.id = u.area_id), false),"                                       \
    " (array_agg(a.id ORDER BY cardinality(a.path) DESC))[1]"                                   \
    " FROM units u, pt, areas a WHERE u.id = $1 AND u.area_id = ANY (a.path)"                   \
    " AND ST_Covers(a.geom, pt.g)"
/* $1 case id. Columns: 0 lon, 1 lat (NULL unplaced) */
#define Q_CASE_POINT                                                                           \
    "SELECT ST_X(location::geometry), ST_Y(location::geometry) FROM routed_cases"              \
    " WHERE case_id = $1"
/* The units paired with the community area $1 is in (itself or an
 * ancestor): $2 'member' the member units (委员单位) only, 'paired' all.
 * Columns: 0 id, 1 code */
#define Q_WHISTLE_PAIRED                                                                       \
    "SELECT u.id, u.code FROM unit_pairings p JOIN units u ON u.id = p.unit_id"                \
    " WHERE p.community_id = (SELECT c.id FROM areas a JOIN areas c ON c.id = ANY (a.path)"    \
    "                         WHERE a.id = $1 AND c.level = 'community' LIMIT 1)"             \
    " AND ($2 = 'paired' OR p.kind = 'member') ORDER BY u.code"
/* $1 department codes text[]. Columns: 0 code, 1 id (NULL: not a department) */
#define Q_DEPARTMENTS                                                                          \
    "SELECT c, u.id FROM unnest($1::text[]) WITH ORDINALITY AS x(c, n)"                        \
    " LEFT JOIN units u ON u.code = x.c AND u.kind = 'department' ORDER BY x.n"
/* $1 caller unit, $2 case (0 none), $3 kind, $4 reason, $5 lon, $6 lat, $7 area,
 * $8 created by, $9 at (ms), $10 the matter it carries out (0 none). Column: 0 id */
#define Q_INSERT_WHISTLE                                                                       \
    "INSERT INTO whistles (caller_unit_id, case_id, kind, reason, location, area_id,"          \
    " created_by, created_at, matter_id) VALUES ($1, nullif($2::bigint, 0), $3, $4,"              \
    " ST_SetSRID(ST_MakePoint($5::float8, $6::float8), 4326)::geography, $7, $8, " TS("$9")   \
    ", nullif($10::bigint, 0)) RETURNING id"
/* $1 whistle id. Columns: 0 id, 1 caller code, 2 case, 3 kind, 4 reason, 5 lon,
 * 6 lat, 7 path_json, 8 state, 9 created, 10 closed, 11 caller unit id, 12 matter id (0: none) */
#define Q_WHISTLE                                                                              \
    "SELECT w.id, u.code, coalesce(w.case_id, 0), w.kind, w.reason,"                           \
    " ST_X(w.location::geometry), ST_Y(w.location::geometry), a.path_json::text, w.state,"    \
    " " MS("w.created_at") ", " MS("w.closed_at") ", w.caller_unit_id, coalesce(w.matter_id, 0)"               \
    " FROM whistles w JOIN units u ON u.id = w.caller_unit_id JOIN areas a ON a.id = w.area_id"\
    " WHERE w.id = $1"
/* $1 caller unit code, $2 state ('' = any), $3 before id (0 = none), $4 limit.
 * Column: 0 id, newest first */
#define Q_LIST_WHISTLES                                                                        \
    "SELECT w.id FROM whistles w JOIN units u ON u.id = w.caller_unit_id"                      \
    " WHERE ($1 = '' OR u.code = $1) AND ($2 = '' OR w.state = $2)"                            \
    " AND ($3::bigint = 0 OR w.id < $3) ORDER BY w.id DESC LIMIT $4"
/* $1 whistle id: its dispatches, oldest first */
#define Q_WHISTLE_DISPATCHES Q_DISPATCH_COLUMNS " WHERE d.whistle_id = $1 ORDER BY d.id"
/* $1 whistle. Taken before Q_WHISTLE_CLOSE: two of its dispatches ending at
 * once on two replicas would each see the other still open, and neither
 * would close it; with the lock the second looks after the first commits. */
#define Q_WHISTLE_LOCK "SELECT 1 FROM whistles WHERE id = $1 FOR UPDATE"
/* $1 whistle id, $2 at (ms): closes it when no dispatch is still open. Column: 0 id */
#define Q_WHISTLE_CLOSE                                                                        \
    "UPDATE whistles w SET state = 'closed', closed_at = " TS("$2")                            \
    " WHERE w.id = $1 AND w.state = 'open' AND NOT EXISTS (SELECT 1 FROM dispatches d"          \
    "  WHERE d.whistle_id = w.id AND d.state IN ('sent', 'signed', 'arrived')) RETURNING id"
/* $1 whistle, $2 dispatch, $3 direction, $4 score (NULL), $5 unnecessary, $6 text,
 * $7 actor, $8 at (ms). No row: rated before. */
#define Q_RATE                                                                                 \
    "INSERT INTO whistle_ratings (whistle_id, dispatch_id, direction, score, unnecessary,"     \
    " text, actor, at) VALUES ($1, $2, $3, $4, $5, $6, $7, " TS("$8") ")"                      \
    " ON CONFLICT DO NOTHING RETURNING whistle_id"

/* Evaluations. $1 case: the last resolved lead dispatch. Columns: 0 id, 1 unit id, 2 policy,
 * 3 on_site, 4 rule */
#define Q_RESOLVED_LEAD                                                                        \
    "SELECT id, unit_id, coalesce(policy_id, 0), on_site, coalesce(rule_id, 0)"              \
    " FROM dispatches WHERE case_id = $1"                                                      \
    " AND role = 'lead' AND state = 'resolved' ORDER BY id DESC LIMIT 1"
/* $1 case, $2 dispatch, $3 result, $4 text, $5 actor, $6 at (ms). No row: evaluated before. */
#define Q_INSERT_EVALUATION                                                                    \
    "INSERT INTO evaluations (case_id, dispatch_id, result, text, actor, at)"                  \
    " VALUES ($1, $2, $3, $4, $5, " TS("$6") ") ON CONFLICT DO NOTHING RETURNING id"

/* 三率 (docs/kpi.md): for units with code $1 ('' any) and kind $3 ('' any), over
 * the dispatches sent in month $2 (YYYY-MM, Beijing time), from the dispatch
 * log, the evaluations and the callers' whistle ratings (双考核). Columns:
 * 0 code, 1 name, 2 dispatched, 3 signed_in_time, 4 resolved_not_reopened,
 * 5 evaluated, 6 satisfied, 7 passed_up, 8 rated, 9 sum of the rated scores,
 * 10 kind */
#define Q_KPI                                                                                  \
    "WITH b AS (SELECT f, ((f AT TIME ZONE 'Asia/Shanghai') + interval '1 month')"             \
    "   AT TIME ZONE 'Asia/Shanghai' AS t"                                                     \
    "   FROM (SELECT ($2 || '-01')::timestamp AT TIME ZONE 'Asia/Shanghai' AS f) m),"          \
    " d AS (SELECT d.* FROM dispatches d, b WHERE d.sent_at >= b.f AND d.sent_at < b.t),"      \
    " k AS (SELECT u.id, u.code, u.name, u.kind, count(d.id) AS dispatched,"                   \
    " count(d.id) FILTER (WHERE EXISTS (SELECT 1 FROM dispatch_log l WHERE l.dispatch_id = d.id"\
    "   AND l.action = 'signed' AND (d.sign_by IS NULL OR l.at <= d.sign_by))) AS signed,"     \
    " count(d.id) FILTER (WHERE EXISTS (SELECT 1 FROM dispatch_log l WHERE l.dispatch_id = d.id"\
    "   AND l.action = 'resolved') AND NOT EXISTS (SELECT 1 FROM evaluations e"                \
    "   WHERE e.dispatch_id = d.id AND e.result = 'dissatisfied')) AS resolved,"               \
    " count(e.id) AS evaluated,"                                                               \
    " count(e.id) FILTER (WHERE e.result IN ('satisfied', 'basic')) AS satisfied,"             \
    " count(d.id) FILTER (WHERE d.state = 'passed_up') AS passed_up"                           \
    " FROM units u LEFT JOIN d ON d.unit_id = u.id LEFT JOIN evaluations e ON e.dispatch_id = d.id"\
    " WHERE ($1 = '' OR u.code = $1) AND ($3 = '' OR u.kind = $3)"                             \
    " GROUP BY u.id, u.code, u.name, u.kind)"                                                  \
    " SELECT k.code, k.name, k.dispatched, k.signed, k.resolved, k.evaluated, k.satisfied,"    \
    " k.passed_up, count(w.score), coalesce(sum(w.score), 0), k.kind"                          \
    " FROM k LEFT JOIN d ON d.unit_id = k.id AND d.whistle_id IS NOT NULL"                     \
    " LEFT JOIN whistle_ratings w ON w.dispatch_id = d.id AND w.direction = 'caller'"          \
    " GROUP BY k.id, k.code, k.name, k.kind, k.dispatched, k.signed, k.resolved, k.evaluated,"\
    " k.satisfied, k.passed_up"

/* The monthly score's weights (kpi_weights). Columns: 0 figure, 1 weight */
#define Q_KPI_WEIGHTS "SELECT figure, weight FROM kpi_weights"
/* The targets (kpi_targets) of units of kind $1 ('' any). Columns: 0 unit kind,
 * 1 figure, 2 target, 3 source */
#define Q_KPI_TARGETS                                                                          \
    "SELECT unit_kind, figure, target, source FROM kpi_targets"                                \
    " WHERE $1 = '' OR unit_kind = $1 ORDER BY unit_kind, figure"

/* $1 unit kind: whether any unit is of it. Column: 0 t/f */
#define Q_KIND_EXISTS "SELECT EXISTS (SELECT 1 FROM units WHERE kind = $1)"
/* $1 unit kind, $2 figure, $3 target, $4 source: set. No rows. */
#define Q_KPI_TARGET_SET                                                                       \
    "INSERT INTO kpi_targets (unit_kind, figure, target, source) VALUES ($1, $2, $3::float8, $4)"\
    " ON CONFLICT (unit_kind, figure) DO UPDATE SET target = EXCLUDED.target,"                 \
    " source = EXCLUDED.source"
/* $1 unit kind, $2 figure: cleared. No rows. */
#define Q_KPI_TARGET_CLEAR "DELETE FROM kpi_targets WHERE unit_kind = $1 AND figure = $2"
/* $1 unit kind, $2 figure. Columns: 0 target, 1 source; no row: none */
#define Q_KPI_TARGET "SELECT target, source FROM kpi_targets WHERE unit_kind = $1 AND figure = $2"

/* A point inside the area with code $1 (lon, lat), for work with a place but no case. */
#define Q_AREA_POINT \
    "SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointOnSurface(geom) AS p FROM areas WHERE code = $1) x"
/* ---- who owns a case: what the rules look at (match.c) ---- */

/* For a case whose smallest area is the row `a` of areas (NULL: unplaced):
 * 1 its area path (bigint[] literal), 2 its grid team, 3 community, 4 street
 * office (0 none), 5 its dispatch centre (0 none, as Q_CENTRE): five columns. */
#define Q_CASE_PLACE                                                                           \
    "coalesce(a.path, '{}')::text,"                                                             \
    " coalesce((SELECT u.id FROM units u WHERE u.kind = 'grid_team' AND u.area_id = a.path[4]"  \
    "   ORDER BY u.id LIMIT 1), 0),"                                                            \
    " coalesce((SELECT u.id FROM units u WHERE u.kind = 'community' AND u.area_id = a.path[3]"  \
    "   ORDER BY u.id LIMIT 1), 0),"                                                            \
    " coalesce((SELECT u.id FROM units u WHERE u.kind = 'street_office'"                        \
    "   AND u.area_id = a.path[2] ORDER BY u.id LIMIT 1), 0),"                                  \
    " coalesce((SELECT u.id FROM units u WHERE u.kind = 'dispatch_centre'"                      \
    "   ORDER BY array_position(a.path, u.area_id) DESC NULLS LAST, u.id LIMIT 1), 0)"

/* A routed case, for routing it again ($1 case id). Columns: 0 category,
 * 1-5 as Q_CASE_PLACE, 6 the units that have led it (bigint[] literal) */
#define Q_CASE_FACTS                                                                           \
    "SELECT rc.category_code, " Q_CASE_PLACE ","                                                \
    " coalesce((SELECT array_agg(d.unit_id) FROM dispatches d WHERE d.case_id = rc.case_id"     \
    "   AND d.role = 'lead'), '{}')::text"                                                      \
    " FROM routed_cases rc LEFT JOIN areas a ON a.id = rc.area_id WHERE rc.case_id = $1"

/* ---- new cases, a batch at a time (newcases.c) ---- */

/* Records the cases of a batch: $1 ids bigint[], $2 categories text[],
 * $3 urgencies text[], $4 descriptions text[], $5 area codes text[] (NULL
 * unplaced), $6 lons float8[], $7 lats float8[] (NULL none), $8 names text[],
 * $9 phones text[] (a reporter an event carried before contact_ref, else
 * ""), $10 created (ms) bigint[], $11 contact hints text[]. A case recorded before is left
 * alone and not returned. For each new one, in the order given, what its
 * rules look at. Columns: 0 case id, 1 area path (bigint[] literal), 2 its
 * grid team, 3 community, 4 street office (0 none), 5 its dispatch centre
 * (0 none, as Q_CENTRE), 6 its SLA policy (0 none, as Q_POLICY_FOR_CASE) */
#define Q_NEWCASES_INSERT                                                                      \
    "WITH x AS (SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[],"         \
    "   $5::text[], $6::float8[], $7::float8[], $8::text[], $9::text[], $10::bigint[],"         \
    "   $11::text[]) WITH ORDINALITY AS x(id, cat, urg, descr, area, lon, lat, name, phone,"    \
    "   created, hint, n)),"                                                                     \
    " ins AS (INSERT INTO routed_cases (case_id, category_code, urgency, description, area_id," \
    "   location, reporter_name, reporter_phone, contact_hint, created_at)"                    \
    "  SELECT x.id, x.cat, x.urg, x.descr, a.id, CASE WHEN x.lon IS NULL THEN NULL"            \
    "   ELSE ST_SetSRID(ST_MakePoint(x.lon, x.lat), 4326)::geography END, x.name, x.phone,"    \
    "   x.hint, " TS("x.created") " FROM x LEFT JOIN areas a ON a.code = x.area ORDER BY x.n"                \
    "  ON CONFLICT (case_id) DO NOTHING RETURNING case_id, category_code, urgency, area_id),"   \
    Q_NEWCASES_PLACES                                                                          \
    " SELECT i.case_id, coalesce(pl.path, '{}')::text, coalesce(pl.grid, 0),"                   \
    " coalesce(pl.community, 0), coalesce(pl.street, 0), coalesce(pl.centre, "                  \
    "  (SELECT c.id FROM centres c ORDER BY c.id LIMIT 1), 0), coalesce(po.policy, 0)"          \
    " FROM ins i JOIN x ON x.id = i.case_id LEFT JOIN pl ON pl.id = i.area_id"                  \
    " LEFT JOIN po ON po.category_code = i.category_code AND po.urgency = i.urgency"            \
    " ORDER BY x.n"
/* What Q_NEWCASES_INSERT looks up, once per batch rather than once per
 * case: the same answers as Q_CASE_PLACE and Q_POLICY_FOR_CASE, for each
 * distinct area (pl) and each distinct category and urgency (po) of the
 * batch's new cases `ins`, the units of a kind by hash joins (the lowest id
 * of each area's, as "ORDER BY u.id LIMIT 1" picks). An unplaced case gets
 * the first centre, as Q_CENTRE_FOR does for no area. */
#define Q_NEWCASES_PLACES                                                                      \
    " centres AS MATERIALIZED (SELECT id, area_id FROM units WHERE kind = 'dispatch_centre'),"  \
    " firsts AS MATERIALIZED (SELECT DISTINCT ON (kind, area_id) kind, area_id, id FROM units"  \
    "   WHERE kind IN ('grid_team', 'community', 'street_office') AND area_id IS NOT NULL"      \
    "   ORDER BY kind, area_id, id),"                                                           \
    " pl AS (SELECT a.id, a.path, g.id AS grid, cm.id AS community, so.id AS street,"          \
    "   (SELECT c.id FROM centres c ORDER BY array_position(a.path, c.area_id) DESC NULLS LAST," \
    "    c.id LIMIT 1) AS centre"                                                               \
    "  FROM areas a LEFT JOIN firsts g ON g.kind = 'grid_team' AND g.area_id = a.path[4]"       \
    "  LEFT JOIN firsts cm ON cm.kind = 'community' AND cm.area_id = a.path[3]"                 \
    "  LEFT JOIN firsts so ON so.kind = 'street_office' AND so.area_id = a.path[2]"             \
    "  WHERE a.id IN (SELECT area_id FROM ins)),"                                               \
    " po AS (SELECT k.category_code, k.urgency, (SELECT p.id FROM sla_policies p"               \
    "   WHERE p.applies_to = 'case'"                                                            \
    "   AND (p.category_kind IS NULL OR p.category_kind = split_part(k.category_code, '.', 1))" \
    "   AND (p.category_subject IS NULL"                                                        \
    "    OR p.category_subject = split_part(k.category_code, '.', 2))"                          \
    "   AND (p.urgency IS NULL OR p.urgency = k.urgency)"                                       \
    "   ORDER BY (p.category_kind IS NOT NULL)::int + (p.category_subject IS NOT NULL)::int"    \
    "    + (p.urgency IS NOT NULL)::int DESC, p.rank, p.id LIMIT 1) AS policy"                  \
    "  FROM (SELECT DISTINCT category_code, urgency FROM ins) k)"

/* The enabled rules in the order they are tried. Columns: 0 id, 1 category
 * kind, 2 category subject (NULL any), 3 area (0 any), 4 tier, 5 lead unit
 * (0 none), 6 assist unit ids (bigint[] literal), 7 on_site */
#define Q_RULES_ENABLED                                                                        \
    "SELECT id, category_kind, category_subject, coalesce(area_id, 0), tier,"                  \
    " coalesce(lead_unit_id, 0), assist_unit_ids::text, on_site FROM routing_rules"            \
    " WHERE enabled ORDER BY rank, id"

/* Every SLA policy a case may have, for a batch of new cases (they are few).
 * Columns: as Q_POLICY_COLUMNS */
#define Q_POLICIES_CASES Q_POLICY_COLUMNS " WHERE applies_to = 'case'"
/* The first step of each deadline's ladder of every policy Q_POLICIES_CASES
 * reads. Columns: 0 policy, 1 deadline, 2 step, 3 percent, 4 after_minutes,
 * 5 action */
#define Q_LADDERS_CASES                                                                        \
    "SELECT DISTINCT ON (l.policy_id, l.deadline) l.policy_id, l.deadline, l.step, l.percent,"  \
    " l.after_minutes, l.action FROM ladder_steps l JOIN sla_policies p ON p.id = l.policy_id" \
    " WHERE p.applies_to = 'case' ORDER BY l.policy_id, l.deadline, l.step"

/* $1 how many: that many new dispatch ids. Column: 0 id */
#define Q_DISPATCH_IDS                                                                         \
    "SELECT nextval(pg_get_serial_sequence('dispatches', 'id')) FROM generate_series(1, $1::int)"

/* Dispatches sent now, with the ids Q_DISPATCH_IDS gave: $1 ids, $2 cases,
 * $3 units bigint[], $4 roles text[], $5 rules, $6 policies bigint[] (0 none),
 * $7 on_site boolean[], $8 sent (ms), $9 sign_by, $10 contact_by,
 * $11 arrive_by, $12 resolve_by bigint[] (ms; NULL none) */
#define Q_INSERT_DISPATCHES                                                                    \
    "INSERT INTO dispatches (id, case_id, unit_id, role, rule_id, policy_id, on_site, sent_at," \
    " sign_by, contact_by, arrive_by, resolve_by) OVERRIDING SYSTEM VALUE"                     \
    " SELECT i, c, u, r, nullif(ru, 0), nullif(p, 0), o, " TS("$8") ", " TS("s") ", "          \
    TS("co") ", " TS("ar") ", " TS("re") " FROM unnest($1::bigint[], $2::bigint[],"            \
    " $3::bigint[], $4::text[], $5::bigint[], $6::bigint[], $7::boolean[], $9::bigint[],"      \
    " $10::bigint[], $11::bigint[], $12::bigint[]) AS x(i, c, u, r, ru, p, o, s, co, ar, re)"

/* Ladder steps of many dispatches: $1 dispatches bigint[], $2 deadlines text[],
 * $3 steps int[], $4 actions text[], $5 dues (ms) bigint[]. Columns: 0 id, 1 due_ms */
#define Q_INSERT_DEADLINES_MANY                                                                \
    "INSERT INTO deadlines (dispatch_id, deadline, step, action, due_at)"                      \
    " SELECT i, d, s, a, " TS("m") " FROM unnest($1::bigint[], $2::text[], $3::int[],"        \
    " $4::text[], $5::bigint[]) AS x(i, d, s, a, m) RETURNING id, " MS("due_at")

/* The 'sent' log lines of dispatches $1 (bigint[]), at $2 (ms), by routing itself */
#define Q_LOG_SENT_MANY                                                                        \
    "INSERT INTO dispatch_log (dispatch_id, at, action, actor)"                                \
    " SELECT i, " TS("$2") ", 'sent', 'system:routing' FROM unnest($1::bigint[]) AS x(i)"

/* $1 dispatch ids bigint[], in id order. Columns: as Q_DISPATCH_COLUMNS */
/* The dispatches of ids $1 (bigint[]), each row found by its keys: a
 * subquery per id that the planner may not flatten (OFFSET 0), so every
 * join in it is an index lookup. Written as one join over "d.id = ANY ($1)",
 * the plan made while the tables were young (a drain begins on an empty
 * routed_cases, and autovacuum analyses a minute later at the soonest)
 * read all of dispatches and routed_cases for every batch: 14 to 40 ms a
 * batch of 60 to 120 dispatches at 12,000 rows, and growing with them. */
#define Q_DISPATCHES_BY_IDS                                                                    \
    "SELECT x.* FROM unnest($1::bigint[]) AS k(id) CROSS JOIN LATERAL ("                       \
    Q_DISPATCH_COLUMNS " WHERE d.id = k.id OFFSET 0) x ORDER BY k.id"
/* --- the directory and the calendar (directory.c, holidays.c) --------------
 * Memberships travel as one text: "code<US>role" joined by <RS> (chr(31),
 * chr(30)), which no code or role holds. */

/* A person. Columns: 0 id, 1 code, 2 name, 3 phone, 4 email, 5 their units */
#define Q_PERSON_COLUMNS                                                                       \
    "SELECT p.id, p.code, p.name, coalesce(p.phone, ''), coalesce(p.email, ''),"               \
    " coalesce((SELECT string_agg(u.code || chr(31) || m.role, chr(30) ORDER BY u.code)"       \
    "  FROM unit_members m JOIN units u ON u.id = m.unit_id WHERE m.person_id = p.id), '')"    \
    " FROM people p"
/* $1 person id */
#define Q_PERSON Q_PERSON_COLUMNS " WHERE p.id = $1"
/* $1 member of unit (code, '' any), $2 person code ('' any), $3 after code, $4 limit */
#define Q_PEOPLE                                                                               \
    Q_PERSON_COLUMNS " WHERE ($1 = '' OR EXISTS (SELECT 1 FROM unit_members m"                 \
    "  JOIN units u ON u.id = m.unit_id WHERE m.person_id = p.id AND u.code = $1))"            \
    " AND ($2 = '' OR p.code = $2) AND p.code > $3 ORDER BY p.code LIMIT $4"
/* $1 code, $2 name, $3 phone, $4 email ('' none). Column: 0 id; no row: the code is taken */
#define Q_PERSON_INSERT                                                                        \
    "INSERT INTO people (code, name, phone, email) VALUES ($1, $2, nullif($3, ''),"            \
    " nullif($4, '')) ON CONFLICT (code) DO NOTHING RETURNING id"
/* $1 id, $2 name, $3 phone, $4 email ('' keeps each), $5 clear phone, $6 clear email.
 * Columns: 0 id, 1 code; no row: no such person */
#define Q_PERSON_UPDATE                                                                        \
    "UPDATE people SET name = CASE WHEN $2 = '' THEN name ELSE $2 END,"                       \
    " phone = CASE WHEN $5::boolean THEN NULL WHEN $3 = '' THEN phone ELSE $3 END,"            \
    " email = CASE WHEN $6::boolean THEN NULL WHEN $4 = '' THEN email ELSE $4 END"             \
    " WHERE id = $1 RETURNING id, code"

/* A unit. Columns: 0 id, 1 code, 2 name, 3 kind, 4 area, 5 parent, 6 supervisor
 * (codes, '' none), 7 its members ('' unless $MEMBERS, an SQL boolean, holds) */
#define Q_UNIT_COLUMNS(members)                                                                \
    "SELECT u.id, u.code, u.name, u.kind, coalesce(a.code, ''), coalesce(pu.code, ''),"        \
    " coalesce(su.code, ''), CASE WHEN " members " THEN coalesce((SELECT string_agg(p.code"    \
    "  || chr(31) || m.role, chr(30) ORDER BY p.code) FROM unit_members m"                     \
    "  JOIN people p ON p.id = m.person_id WHERE m.unit_id = u.id), '') ELSE '' END"           \
    " FROM units u LEFT JOIN areas a ON a.id = u.area_id"                                      \
    " LEFT JOIN units pu ON pu.id = u.parent_id LEFT JOIN units su ON su.id = u.supervisor_id"
/* $1 unit id, with its members */
#define Q_UNIT Q_UNIT_COLUMNS("true") " WHERE u.id = $1"
/* $1 kind ('' any), $2 code ('' any), $3 with members */
#define Q_UNITS                                                                                \
    Q_UNIT_COLUMNS("$3::boolean") " WHERE ($1 = '' OR u.kind = $1) AND ($2 = '' OR u.code = $2)" \
    " ORDER BY u.code LIMIT 10000"
/* $1 code. Column: 0 id; no row: none */
#define Q_AREA_ID "SELECT id FROM areas WHERE code = $1"
#define Q_UNIT_ID "SELECT id FROM units WHERE code = $1"
/* $1 code, $2 name, $3 kind, $4 area, $5 parent, $6 supervisor (ids, 0 none).
 * Column: 0 id; no row: the code is taken */
#define Q_UNIT_INSERT                                                                          \
    "INSERT INTO units (code, name, kind, area_id, parent_id, supervisor_id)"                  \
    " VALUES ($1, $2, $3, nullif($4::bigint, 0), nullif($5::bigint, 0), nullif($6::bigint, 0))"\
    " ON CONFLICT (code) DO NOTHING RETURNING id"
/* $1 id, $2 name, $3 kind ('' keeps), $4 area, $5 parent, $6 supervisor (ids, 0 keeps),
 * $7 clear area, $8 clear parent, $9 clear supervisor. Columns: 0 id, 1 code;
 * no row: no such unit */
#define Q_UNIT_UPDATE                                                                          \
    "UPDATE units SET name = CASE WHEN $2 = '' THEN name ELSE $2 END,"                        \
    " kind = CASE WHEN $3 = '' THEN kind ELSE $3 END,"                                         \
    " area_id = CASE WHEN $7::boolean THEN NULL WHEN $4::bigint = 0 THEN area_id"              \
    "  ELSE $4::bigint END,"                                                                   \
    " parent_id = CASE WHEN $8::boolean THEN NULL WHEN $5::bigint = 0 THEN parent_id"          \
    "  ELSE $5::bigint END,"                                                                   \
    " supervisor_id = CASE WHEN $9::boolean THEN NULL WHEN $6::bigint = 0 THEN supervisor_id"  \
    "  ELSE $6::bigint END WHERE id = $1 RETURNING id, code"
/* Whether unit $1 is unit $2 or above it (by parents). Column: 0 t/f */
#define Q_UNIT_ABOVE                                                                           \
    "WITH RECURSIVE up(id) AS (SELECT $2::bigint UNION SELECT u.parent_id FROM units u"        \
    " JOIN up ON u.id = up.id WHERE u.parent_id IS NOT NULL)"                                  \
    " SELECT EXISTS (SELECT 1 FROM up WHERE id = $1::bigint)"
/* $1 unit id, $2 person code, $3 role. Column: 0 person id; no row: no such person */
#define Q_MEMBER_SET                                                                           \
    "INSERT INTO unit_members (unit_id, person_id, role) SELECT $1, p.id, $3 FROM people p"    \
    " WHERE p.code = $2 ON CONFLICT (unit_id, person_id) DO UPDATE SET role = EXCLUDED.role"   \
    " RETURNING person_id"
/* $1 unit id, $2 person code. Column: 0 person id; no row: not a member */
#define Q_MEMBER_REMOVE                                                                        \
    "DELETE FROM unit_members m USING people p WHERE m.person_id = p.id AND m.unit_id = $1"    \
    " AND p.code = $2 RETURNING m.person_id"
/* Members of admin units. Column: 0 count */
#define Q_ADMINS "SELECT count(*) FROM unit_members m JOIN units u ON u.id = m.unit_id WHERE u.kind = 'admin'"

/* $1 year (0: all). Columns: 0 day, 1 kind, 2 name, 3 source */
#define Q_CALENDAR                                                                             \
    "SELECT to_char(day, 'YYYY-MM-DD'), kind, name, source FROM calendar_days"                 \
    " WHERE $1::int = 0 OR extract(year FROM day)::int = $1::int ORDER BY day"
#define Q_CALENDAR_REVISION "SELECT revision FROM calendar_revision"
/* $1 years int[], $2 days date[]: the stored days of those years not among
 * the new ones. Column: 0 day */
#define Q_CALENDAR_CLEAR                                                                       \
    "DELETE FROM calendar_days WHERE extract(year FROM day)::int = ANY ($1::int[])"            \
    " AND NOT (day = ANY ($2::date[])) RETURNING day"
/* $1..$4 day, kind, name, source as arrays: every row, or none (one statement) */
#define Q_CALENDAR_UPSERT                                                                      \
    "INSERT INTO calendar_days (day, kind, name, source)"                                      \
    " SELECT * FROM unnest($1::date[], $2::text[], $3::text[], $4::text[])"                    \
    " ON CONFLICT (day) DO UPDATE SET kind = EXCLUDED.kind, name = EXCLUDED.name,"             \
    " source = EXCLUDED.source"


/* --- pairing (pairing.c): 结对共建 and 双报到 --------------------------------- */

#define Q_COMMUNITY_ID "SELECT id FROM areas WHERE code = $1 AND level = 'community'"
/* A grid by code: its id and its community's. */
#define Q_GRID "SELECT id, parent_id FROM areas WHERE code = $1 AND level = 'grid'"
/* $1 unit, $2 community, $3 kind, $4 since (ms). */
#define Q_PAIR                                                                                 \
    "INSERT INTO unit_pairings (unit_id, community_id, kind, since_ms) VALUES ($1, $2, $3, $4)" \
    " ON CONFLICT (unit_id, community_id) DO UPDATE SET kind = EXCLUDED.kind"
#define Q_UNPAIR                                                                               \
    "DELETE FROM unit_pairings WHERE unit_id = $1 AND community_id = $2 RETURNING 1"
/* The person $1 (code): id. */
#define Q_PERSON_ID "SELECT id FROM people WHERE code = $1"
/* $1 person, $2 unit, $3 community, $4 grid, $5 when: a second report moves them. */
#define Q_REPORT                                                                               \
    "INSERT INTO member_reports (person_id, unit_id, community_id, grid_id, reported_ms, zone_id)"\
    " VALUES ($1, $2, $3, $4, $5, nullif($6::bigint, 0)) ON CONFLICT (person_id) DO UPDATE"    \
    " SET unit_id = $2, community_id = $3, grid_id = $4, reported_ms = $5, zone_id = nullif($6::bigint, 0)"
/* 责任区 $1 (code): 0 id, 1 grid id. */
#define Q_ZONE "SELECT id, grid_id FROM duty_zones WHERE code = $1"
/* The admin draws 责任区 $1 named $2 in grid $3. Column: 0 id */
#define Q_PUT_ZONE                                                                             \
    "INSERT INTO duty_zones (code, name, grid_id) VALUES ($1, $2, $3) ON CONFLICT (code)"     \
    " DO UPDATE SET name = EXCLUDED.name, grid_id = EXCLUDED.grid_id RETURNING id"
#define Q_CLEAR_ZONE "DELETE FROM duty_zone_buildings WHERE zone_id = $1"
/* Building $2 (code) of grid $3 goes into 责任区 $1, unless another has it.
 * Columns: 0 the building's id (none: not a building of the grid), 1 the 责任区 holding it. */
#define Q_ZONE_BUILDING                                                                        \
    "WITH b AS (SELECT id FROM areas WHERE code = $2 AND level = 'building' AND parent_id = $3),"\
    " ins AS (INSERT INTO duty_zone_buildings (building_id, zone_id) SELECT id, $1 FROM b"     \
    "         ON CONFLICT (building_id) DO NOTHING RETURNING zone_id)"                         \
    " SELECT b.id, coalesce((SELECT zone_id FROM ins),"                                        \
    "        (SELECT zone_id FROM duty_zone_buildings WHERE building_id = b.id)) FROM b"
/* The pairings of unit $1 or of community $2 (ids; 0 for the other). */
#define Q_PAIRINGS                                                                             \
    "SELECT u.code, u.name, a.code, a.name, p.kind, p.since_ms FROM unit_pairings p"           \
    " JOIN units u ON u.id = p.unit_id JOIN areas a ON a.id = p.community_id"                  \
    " WHERE p.unit_id = $1 OR p.community_id = $2 ORDER BY a.code, p.kind, u.code"
/* The members reported from unit $1 or to community $2. */
#define Q_REPORTS                                                                              \
    "SELECT p.code, p.name, u.code, a.code, g.code, r.reported_ms, coalesce(z.code, '')"       \
    " FROM member_reports r"                                                                   \
    " JOIN people p ON p.id = r.person_id JOIN units u ON u.id = r.unit_id"                    \
    " JOIN areas a ON a.id = r.community_id JOIN areas g ON g.id = r.grid_id"                  \
    " LEFT JOIN duty_zones z ON z.id = r.zone_id"                                              \
    " WHERE r.unit_id = $1 OR r.community_id = $2 ORDER BY a.code, g.code, p.code"

#endif
