/* The deliberation service's SQL, in one place. Times are the service's clock
 * (ms since the epoch), passed in, never now(). */
#ifndef DELIB_QUERIES_H
#define DELIB_QUERIES_H

/* --- who acts ------------------------------------------------------------ */

/* A person and, when they live in the city, where: id, is a resident, adult,
 * household_rep, representative, grid id, community id. */
#define Q_PERSON                                                                              \
    "SELECT p.id, r.person_id IS NOT NULL, coalesce(r.adult, false),"                        \
    "       coalesce(r.household_rep, false), coalesce(r.representative, false),"            \
    "       coalesce(h.grid_id, 0), coalesce(g.parent_id, 0)"                                 \
    " FROM people p LEFT JOIN residents r ON r.person_id = p.id"                              \
    " LEFT JOIN households h ON h.id = r.household_id LEFT JOIN areas g ON g.id = h.grid_id"  \
    " WHERE p.code = $1"

/* The unit $1 if person $2 is a member: kind, area id, the area's community. */
#define Q_MEMBER                                                                              \
    "SELECT u.kind, coalesce(u.area_id, 0),"                                                  \
    "       coalesce(CASE a.level WHEN 'grid' THEN a.parent_id ELSE a.id END, 0)"             \
    " FROM units u JOIN unit_members m ON m.unit_id = u.id JOIN people p ON p.id = m.person_id"\
    " LEFT JOIN areas a ON a.id = u.area_id WHERE u.code = $1 AND p.code = $2"

/* An area by code: id, level, and its community (itself, or a grid's parent). */
#define Q_AREA                                                                                \
    "SELECT id, level, CASE level WHEN 'grid' THEN parent_id ELSE id END"                     \
    " FROM areas WHERE code = $1"

/* --- the matter ---------------------------------------------------------- */

#define Q_MATTER_LOCK                                                                         \
    "SELECT id, scope, area_id, community_id, step, convene_required, proposer,"              \
    "       coalesce(window_until_ms, 0), head_hash,"                                         \
    "       (SELECT count(*) FROM matter_flags f WHERE f.matter_id = matters.id"              \
    "        AND f.answered_ms IS NULL), round"                                              \
    " FROM matters WHERE id = $1 FOR UPDATE"
#define Q_FLAGS_OPEN                                                                          \
    "SELECT count(*) FROM matter_flags WHERE matter_id = $1 AND answered_ms IS NULL"

#define Q_INSERT_MATTER                                                                       \
    "INSERT INTO matters (scope, area_id, community_id, title, body, attachments, proposer,"  \
    "                     created_ms)"                                                        \
    " VALUES ($1, $2, $3, $4, $5, $6::text[], $7, $8) RETURNING id"

#define Q_SET_STEP "UPDATE matters SET step = $2, window_until_ms = $3::bigint WHERE id = $1"
#define Q_DECLINE "UPDATE matters SET step = 'declined', decline_reason = $2 WHERE id = $1"
#define Q_CONVENE_REQUIRED "UPDATE matters SET convene_required = true WHERE id = $1"
#define Q_DECISION_HEAD                                                                       \
    "UPDATE matters SET decision_head = head_hash, decision = $2 WHERE id = $1 RETURNING head_hash"

/* The community's rules (a row with the defaults is made on first use). */
#define Q_RULES_ENSURE                                                                        \
    "INSERT INTO deliberation_rules (community_id) VALUES ($1) ON CONFLICT DO NOTHING"
#define Q_RULES                                                                               \
    "SELECT trigger_residents, trigger_households, trigger_groups, quorum_residents,"         \
    "       quorum_households, quorum_representatives, quorum_council, majority,"             \
    "       notice_minutes, opinion_minutes, publish_minutes, evaluate_minutes"                           \
    " FROM deliberation_rules WHERE community_id = $1"

/* --- the chain ----------------------------------------------------------- */

#define Q_CHAIN_HEAD "SELECT records, head_hash FROM matters WHERE id = $1"
#define Q_CHAIN_APPEND                                                                        \
    "WITH rec AS (INSERT INTO matter_records (matter_id, n, kind, actor, at_ms, body,"        \
    "                                         prev_hash, hash)"                               \
    "             VALUES ($1, $2, $3, $4, $5, $6, $7, $8))"                                   \
    " UPDATE matters SET records = $2, head_hash = $8 WHERE id = $1"
#define Q_CHAIN_RECORDS                                                                       \
    "SELECT n, kind, actor, at_ms, body, prev_hash, hash FROM matter_records"                 \
    " WHERE matter_id = $1 ORDER BY n"

/* --- co-signing and the statutory trigger -------------------------------- */

#define Q_COSIGN                                                                              \
    "INSERT INTO matter_cosigns (matter_id, person_id, at_ms) VALUES ($1, $2, $3)"            \
    " ON CONFLICT DO NOTHING RETURNING 1"

/* In the matter's scope: adult residents and those who co-signed; households
 * and those with a co-signer; residents' groups and those where more than half
 * of the households co-signed. */
#define Q_TRIGGER_COUNTS                                                                      \
    "WITH scope AS (SELECT h.id AS household, h.group_code, r.person_id, r.adult"             \
    "               FROM matters m JOIN areas g ON g.level = 'grid'"                          \
    "                    AND (g.id = m.area_id OR g.parent_id = m.area_id)"                   \
    "               JOIN households h ON h.grid_id = g.id"                                    \
    "               JOIN residents r ON r.household_id = h.id WHERE m.id = $1),"              \
    " signed AS (SELECT s.* FROM scope s JOIN matter_cosigns c"                               \
    "            ON c.matter_id = $1 AND c.person_id = s.person_id WHERE s.adult),"           \
    " grp AS (SELECT group_code, count(DISTINCT household) AS hh,"                            \
    "                count(DISTINCT household) FILTER (WHERE household IN"                    \
    "                      (SELECT household FROM signed)) AS hh_signed"                      \
    "         FROM scope GROUP BY group_code)"                                                \
    " SELECT (SELECT count(*) FROM scope WHERE adult), (SELECT count(*) FROM signed),"        \
    "        (SELECT count(DISTINCT household) FROM scope),"                                  \
    "        (SELECT count(DISTINCT household) FROM signed),"                                 \
    "        (SELECT count(*) FROM grp), (SELECT count(*) FROM grp WHERE hh_signed * 2 > hh)"

/* --- opinions, objections, evaluations, observations ---------------------- */

#define Q_OPINE                                                                               \
    "INSERT INTO matter_opinions (matter_id, person_id, stance, text, at_ms)"                 \
    " VALUES ($1, $2, $3, $4, $5)"
#define Q_OBJECT                                                                              \
    "INSERT INTO matter_objections (matter_id, person_id, text, at_ms) VALUES ($1, $2, $3, $4)"\
    " RETURNING id"
#define Q_EVALUATE                                                                            \
    "INSERT INTO matter_evaluations (matter_id, person_id, rating, text, at_ms, round)"       \
    " SELECT $1, $2, $3, $4, $5, round FROM matters WHERE id = $1"                            \
    " ON CONFLICT DO NOTHING RETURNING 1"
#define Q_OBSERVE                                                                             \
    "INSERT INTO matter_observations (matter_id, person_id, step, text, at_ms)"               \
    " VALUES ($1, $2, $3, $4, $5)"

/* --- meetings ------------------------------------------------------------ */

/* The latest meeting of a matter: id, ballot, allow_change, starts_ms,
 * closed_ms (0 when open), quorum, majority, roster_size. */
#define Q_MEETING                                                                             \
    "SELECT id, ballot, allow_change, starts_ms, coalesce(closed_ms, 0), quorum, majority,"   \
    "       roster_size, coalesce(tally_key, ''), roster_kind, cardinality(elect)"            \
    " FROM meetings WHERE matter_id = $1 ORDER BY id DESC LIMIT 1"

#define Q_INSERT_MEETING                                                                      \
    "INSERT INTO meetings (matter_id, roster_kind, ballot, allow_change, motion, quorum,"     \
    "                      majority, convened_ms, starts_ms, tally_key, elect, term_months)"  \
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::text[], $12::int) RETURNING id"

/* Everyone in the matter's scope that the roster kind names. */
#define Q_ROSTER_FILL                                                                         \
    "INSERT INTO meeting_roster (meeting_id, person_id)"                                      \
    " SELECT $1, r.person_id FROM matters m JOIN areas g ON g.level = 'grid'"                 \
    "        AND (g.id = m.area_id OR g.parent_id = m.area_id)"                               \
    " JOIN households h ON h.grid_id = g.id JOIN residents r ON r.household_id = h.id"        \
    " WHERE m.id = $2 AND r.adult AND CASE $3 WHEN 'households' THEN r.household_rep"         \
    "       WHEN 'representatives' THEN r.representative ELSE true END"

/* The members of community $2's standing council in its term at $3 (ms). */
#define Q_ROSTER_COUNCIL                                                                      \
    "INSERT INTO meeting_roster (meeting_id, person_id)"                                      \
    " SELECT $1::bigint, cm.person_id FROM council_members cm WHERE cm.council_id ="          \
    " (SELECT id FROM councils WHERE community_id = $2 AND term_from_ms <= $3"                \
    "  AND term_until_ms > $3 ORDER BY id DESC LIMIT 1)"

/* How many of the codes $2 are adult representatives of community $1. */
#define Q_REPRESENTATIVES                                                                     \
    "SELECT count(DISTINCT p.id) FROM people p JOIN residents r ON r.person_id = p.id"        \
    " JOIN households h ON h.id = r.household_id JOIN areas g ON g.id = h.grid_id"            \
    " WHERE p.code = ANY ($2::text[]) AND g.parent_id = $1 AND r.adult AND r.representative"

#define Q_ROSTER_SIZE                                                                         \
    "UPDATE meetings SET roster_size = (SELECT count(*) FROM meeting_roster"                  \
    " WHERE meeting_id = $1) WHERE id = $1 RETURNING roster_size"

#define Q_ON_ROSTER "SELECT 1 FROM meeting_roster WHERE meeting_id = $1 AND person_id = $2"
#define Q_ROSTER_CODES                                                                        \
    "SELECT p.code FROM meeting_roster r JOIN people p ON p.id = r.person_id"                 \
    " WHERE r.meeting_id = $1 ORDER BY p.code"

#define Q_ATTEND                                                                              \
    "INSERT INTO meeting_attendance (meeting_id, person_id, at_ms) VALUES ($1, $2, $3)"       \
    " ON CONFLICT DO NOTHING RETURNING 1"
/* at_ms is NULL in a secret ballot: who voted, never when. */
#define Q_BALLOT                                                                              \
    "INSERT INTO meeting_ballots (meeting_id, person_id, at_ms) VALUES ($1, $2, $3::bigint)"  \
    " ON CONFLICT DO NOTHING RETURNING 1"
#define Q_VOTE_SUPERSEDE                                                                      \
    "UPDATE meeting_votes SET current = false"                                                \
    " WHERE meeting_id = $1 AND person_id = $2 AND current"
/* person and time are NULL in a secret ballot. */
#define Q_VOTE                                                                                \
    "INSERT INTO meeting_votes (meeting_id, receipt_hash, choice, person_id, at_ms)"          \
    " VALUES ($1, $2, $3, $4::bigint, $5::bigint)"

/* A secret ballot's vote, sealed to the tally key (seal.h); $2 is bytea. */
#define Q_SEAL "INSERT INTO meeting_sealed (meeting_id, sealed) VALUES ($1, $2::bytea)"
/* At close: the meeting's sealed ballots, and how many secret voters have
 * no vote in meeting_votes (those voted sealed; a vote cast before sealed
 * ballots existed is already there). */
#define Q_SEALED "SELECT sealed FROM meeting_sealed WHERE meeting_id = $1"
#define Q_SEALED_EXPECTED                                                                     \
    "SELECT (SELECT count(*) FROM meeting_ballots WHERE meeting_id = $1)"                     \
    "     - (SELECT count(*) FROM meeting_votes WHERE meeting_id = $1)"
/* The opened votes, in the order given (receipt-hash order), in one
 * statement; then the sealed rows go. */
#define Q_VOTES_OPENED                                                                        \
    "INSERT INTO meeting_votes (meeting_id, receipt_hash, choice)"                            \
    " SELECT $1, t.h, t.c FROM unnest($2::text[], $3::text[]) WITH ORDINALITY AS t (h, c, k)" \
    " ORDER BY t.k"
#define Q_SEALED_DELETE "DELETE FROM meeting_sealed WHERE meeting_id = $1"
/* The matter's latest meeting when it is a secret ballot still sitting. */
#define Q_SECRET_SITTING                                                                      \
    "SELECT 1 FROM meetings WHERE matter_id = $1 AND ballot = 'secret' AND closed_ms IS NULL"

/* roster, attended, yes, no, abstain, and the sorted receipt hashes counted. */
#define Q_TALLY                                                                               \
    "SELECT m.roster_size,"                                                                   \
    "       (SELECT count(*) FROM meeting_attendance a WHERE a.meeting_id = m.id),"           \
    "       count(*) FILTER (WHERE v.choice = 'yes'), count(*) FILTER (WHERE v.choice = 'no'),"\
    "       count(*) FILTER (WHERE v.choice = 'abstain'),"                                    \
    "       coalesce(string_agg(v.receipt_hash, ',' ORDER BY v.receipt_hash), '')"            \
    " FROM meetings m LEFT JOIN meeting_votes v ON v.meeting_id = m.id AND v.current"         \
    " WHERE m.id = $1 GROUP BY m.id"

#define Q_CLOSE_MEETING                                                                       \
    "UPDATE meetings SET closed_ms = $2, attended = $3, yes = $4, no = $5, abstain = $6,"     \
    " valid = $7, passed = $8, receipts_hash = $9 WHERE id = $1"

/* The vote a receipt stands for: choice, counted (current, meeting closed
 * or open), meeting id. */
#define Q_RECEIPT                                                                             \
    "SELECT v.choice, v.current, m.id FROM meetings m JOIN meeting_votes v"                   \
    " ON v.meeting_id = m.id WHERE m.matter_id = $1 AND v.receipt_hash = $2"

/* --- work ---------------------------------------------------------------- */

/* The codes in $1 that are not departments. */
#define Q_NOT_DEPARTMENTS                                                                     \
    "SELECT c FROM unnest($1::text[]) c WHERE NOT EXISTS"                                     \
    " (SELECT 1 FROM units u WHERE u.code = c AND u.kind = 'department')"
#define Q_INSERT_TASK                                                                         \
    "INSERT INTO matter_tasks (matter_id, kind, text, units) VALUES ($1, $2, $3, $4::text[])"\
    " RETURNING id"
/* A 五定 task is done only by its report and check (tasks.c). */
#define Q_TASK_DONE                                                                           \
    "UPDATE matter_tasks SET state = 'done', done_ms = $3"                                    \
    " WHERE matter_id = $1 AND id = $2 AND state = 'open' AND kind <> 'wuding' RETURNING id"
/* The 五定 tasks of matter $1 neither done nor failed. Column: 0 count */
#define Q_TASKS_UNSETTLED                                                                     \
    "SELECT count(*) FROM matter_tasks WHERE matter_id = $1 AND kind = 'wuding'"              \
    " AND state IN ('open', 'reported')"
#define Q_TASK_WHISTLE                                                                        \
    "UPDATE matter_tasks SET whistle_id = $2 WHERE matter_id = $1 AND kind = 'dispatch'"      \
    " AND whistle_id IS NULL RETURNING id"
#define Q_TASK_BY_WHISTLE                                                                     \
    "UPDATE matter_tasks SET state = 'done', done_ms = $3"                                    \
    " WHERE matter_id = $1 AND whistle_id = $2 AND state = 'open' RETURNING id"

/* --- 五定 tasks (tasks.c, taskdue.c) -------------------------------------- */

/* $1 unit code, $2 person code. Columns: 0 unit id (NULL: no such unit),
 * 1 person id (NULL: no such person), 2 the person is a member of the unit */
#define Q_TASK_OWNER                                                                          \
    "SELECT (SELECT id FROM units WHERE code = $1), (SELECT id FROM people WHERE code = $2),"  \
    " EXISTS (SELECT 1 FROM unit_members m JOIN units u ON u.id = m.unit_id"                  \
    "         JOIN people p ON p.id = m.person_id WHERE u.code = $1 AND p.code = $2)"
/* $1 matter, $2 type, $3 owner unit id, $4 owner id, $5 text, $6 standard,
 * $7 due days, $8 assigned ms, $9 due ms. Column: 0 id */
#define Q_ASSIGN_TASK                                                                         \
    "INSERT INTO matter_tasks (matter_id, kind, text, task_type, owner_unit_id, owner_id,"    \
    "                          standard, due_days, assigned_ms, due_ms)"                      \
    " VALUES ($1, 'wuding', $5, $2, $3, $4, $6, $7, $8, $9) RETURNING id"
/* Locks 五定 task $2 of matter $1. Columns: 0 state, 1 owner unit code,
 * 2 owner code, 3 reopens, 4 due days */
#define Q_TASK_LOCK                                                                           \
    "SELECT t.state, u.code, p.code, t.reopens, t.due_days FROM matter_tasks t"               \
    " JOIN units u ON u.id = t.owner_unit_id JOIN people p ON p.id = t.owner_id"              \
    " WHERE t.matter_id = $1 AND t.id = $2 AND t.kind = 'wuding' FOR UPDATE OF t"
/* $1 task, $2 at, $3 report */
#define Q_TASK_REPORT                                                                         \
    "UPDATE matter_tasks SET state = 'reported', reported_ms = $2, report = $3 WHERE id = $1"
/* The pending step of task $1 is settled at $2: fired, not acted. */
#define Q_TASK_SETTLE                                                                         \
    "UPDATE task_deadlines SET fired_ms = $2 WHERE task_id = $1 AND fired_ms IS NULL"
/* $1 task, $2 new state, $3 verdict, $4 checker id, $5 checker's unit code,
 * $6 note, $7 at, $8 due ms of a reopened task (NULL otherwise). A reopened
 * task starts again from $7: a new ladder, its counts from zero. */
#define Q_TASK_CHECK                                                                          \
    "UPDATE matter_tasks SET state = $2, check_verdict = $3, checked_by = $4,"                \
    " check_unit_id = (SELECT id FROM units WHERE code = $5), check_note = $6, checked_ms = $7,"\
    " done_ms = CASE WHEN $2 = 'done' THEN $7::bigint END,"                                  \
    " reopens = reopens + CASE WHEN $2 = 'open' THEN 1 ELSE 0 END,"                           \
    " assigned_ms = CASE WHEN $2 = 'open' THEN $7::bigint ELSE assigned_ms END,"              \
    " due_ms = coalesce($8::bigint, due_ms),"                                                 \
    " escalations = CASE WHEN $2 = 'open' THEN 0 ELSE escalations END,"                       \
    " reminders = CASE WHEN $2 = 'open' THEN 0 ELSE reminders END WHERE id = $1"
/* $1 task, $2 ladder, $3 step, $4 due ms. Column: 0 id (no row: written already) */
#define Q_TASK_STEP_INSERT                                                                    \
    "INSERT INTO task_deadlines (task_id, ladder, step, due_ms) VALUES ($1, $2, $3, $4)"      \
    " ON CONFLICT DO NOTHING RETURNING id"
/* The deadline engine's (common/deadline.h), as Q_WINDOWS_LOAD and the rest. */
#define Q_TASK_DUE_LOAD                                                                       \
    "SELECT id, due_ms FROM task_deadlines WHERE fired_ms IS NULL AND due_ms < $2"            \
    " AND (due_ms >= $1 OR id > $3::bigint OR due_ms < $4)"
#define Q_TASK_DUE_OVERDUE                                                                    \
    "SELECT id FROM task_deadlines WHERE fired_ms IS NULL AND due_ms <= $1"                   \
    " ORDER BY due_ms, id LIMIT $2"
#define Q_TASK_DUE_LAST "SELECT coalesce(max(id), 0) FROM task_deadlines"
/* Claims the steps $1 (bigint[]) still pending at $2. Columns: 0 id,
 * 1 task id, 2 ladder, 3 step */
#define Q_TASK_DUE_CLAIM                                                                      \
    "WITH c AS (UPDATE task_deadlines SET fired_ms = $2 WHERE id = ANY ($1::bigint[])"        \
    " AND fired_ms IS NULL RETURNING id, task_id, ladder, step, due_ms)"                      \
    " SELECT id, task_id, ladder, step FROM c ORDER BY due_ms, id"
/* Task $1's matter. Column: 0 matter id */
#define Q_TASK_MATTER "SELECT matter_id FROM matter_tasks WHERE id = $1"
/* Locks task $1 for a step. Columns: 0 matter id, 1 state, 2 reopens,
 * 3 assigned ms, 4 due days, 5 community id */
#define Q_TASK_FOR_STEP                                                                       \
    "SELECT t.matter_id, t.state, t.reopens, t.assigned_ms, t.due_days, m.community_id"       \
    " FROM matter_tasks t JOIN matters m ON m.id = t.matter_id WHERE t.id = $1 FOR UPDATE OF t"
/* Step $1 acted; task $2 counts it ($3 true: an escalation). */
#define Q_TASK_STEP_ACTED                                                                     \
    "WITH s AS (UPDATE task_deadlines SET acted = true WHERE id = $1)"                        \
    " UPDATE matter_tasks SET reminders = reminders + (NOT $3::boolean)::int,"                \
    " escalations = escalations + ($3::boolean)::int WHERE id = $2"
/* The bodies of community $1. Columns: 0 party committee, 1 supervision
 * committee, 2 the street office of its street, 3 residents' committee
 * (codes, "" when none) */
#define Q_TASK_BODIES                                                                         \
    "SELECT coalesce((SELECT code FROM units WHERE kind = 'party_committee' AND area_id = $1" \
    "                 ORDER BY id LIMIT 1), ''),"                                             \
    " coalesce((SELECT code FROM units WHERE kind = 'supervision' AND area_id = $1"           \
    "           ORDER BY id LIMIT 1), ''),"                                                   \
    " coalesce((SELECT u.code FROM units u JOIN areas a ON a.parent_id = u.area_id"           \
    "           WHERE a.id = $1 AND u.kind = 'street_office' ORDER BY u.id LIMIT 1), ''),"    \
    " coalesce((SELECT code FROM units WHERE kind = 'community' AND area_id = $1"             \
    "           ORDER BY id LIMIT 1), '')"

/* --- windows ------------------------------------------------------------- */

#define Q_INSERT_WINDOW                                                                       \
    "INSERT INTO matter_windows (matter_id, kind, due_ms) VALUES ($1, $2, $3) RETURNING id"
/* The deadline engine's (common/deadline.h, deadline_table_t). Windows to
 * arm: $1 from, $2 until, $3 highest id seen, $4 swept before (all ms).
 * Columns: 0 id, 1 due ms */
#define Q_WINDOWS_LOAD                                                                        \
    "SELECT id, due_ms FROM matter_windows WHERE fired_ms IS NULL AND due_ms < $2"            \
    " AND (due_ms >= $1 OR id > $3::bigint OR due_ms < $4)"
/* Open windows due by $1 (ms), earliest first, at most $2. Column: 0 id */
#define Q_WINDOWS_OVERDUE                                                                     \
    "SELECT id FROM matter_windows WHERE fired_ms IS NULL AND due_ms <= $1"                   \
    " ORDER BY due_ms, id LIMIT $2"
#define Q_WINDOWS_LAST "SELECT coalesce(max(id), 0) FROM matter_windows"
/* Closes the windows $1 (bigint[]) still open at $2 (ms), earliest first.
 * Columns: 0 matter id, 1 kind */
#define Q_WINDOW_CLAIM                                                                        \
    "WITH c AS (UPDATE matter_windows SET fired_ms = $2 WHERE id = ANY ($1::bigint[])"        \
    " AND fired_ms IS NULL RETURNING id, matter_id, kind, due_ms)"                            \
    " SELECT matter_id, kind FROM c ORDER BY due_ms, id"

/* --- views --------------------------------------------------------------- */

#define Q_VIEW                                                                                \
    "SELECT m.id, m.scope, a.code, c.code, m.title, m.body, array_to_json(m.attachments),"   \
    "       m.proposer, m.step, (SELECT count(*) FROM matter_cosigns s WHERE s.matter_id = m.id),"\
    "       m.convene_required, coalesce(m.decline_reason, ''), coalesce(m.window_until_ms, 0),"\
    "       o.f, o.a, o.n, coalesce(m.decision_head, ''),"                                    \
    "       (SELECT count(*) FROM matter_objections x WHERE x.matter_id = m.id),"             \
    "       e.s, e.b, e.d,"                                                                   \
    "       (SELECT count(*) FROM matter_observations x WHERE x.matter_id = m.id),"           \
    "       m.records, m.head_hash, m.created_ms,"                                            \
    "       (SELECT count(*) FROM matter_objections x WHERE x.matter_id = m.id"              \
    "        AND x.answered_ms IS NULL), m.reopened, m.round,"                               \
    "       coalesce((SELECT rating FROM matter_execution_ratings x WHERE x.matter_id = m.id" \
    "                 AND x.round = m.round), ''), coalesce(m.decision, '')"                 \
    " FROM matters m JOIN areas a ON a.id = m.area_id JOIN areas c ON c.id = m.community_id,"\
    " LATERAL (SELECT count(*) FILTER (WHERE stance = 'for') AS f,"                           \
    "                 count(*) FILTER (WHERE stance = 'against') AS a,"                       \
    "                 count(*) FILTER (WHERE stance = 'neutral') AS n"                        \
    "          FROM (SELECT DISTINCT ON (person_id) stance FROM matter_opinions"              \
    "                WHERE matter_id = m.id ORDER BY person_id, id DESC) last) o,"            \
    " LATERAL (SELECT count(*) FILTER (WHERE rating = 'satisfied') AS s,"                     \
    "                 count(*) FILTER (WHERE rating = 'basic') AS b,"                         \
    "                 count(*) FILTER (WHERE rating = 'dissatisfied') AS d"                   \
    "          FROM matter_evaluations WHERE matter_id = m.id AND round = m.round) e"                             \
    " WHERE m.id = $1"

#define Q_VIEW_MEETING                                                                        \
    "SELECT id, roster_kind, ballot, allow_change, motion, convened_ms, starts_ms,"           \
    "       coalesce(closed_ms, 0), roster_size, coalesce(attended, 0), coalesce(yes, 0),"    \
    "       coalesce(no, 0), coalesce(abstain, 0), coalesce(valid, false),"                   \
    "       coalesce(passed, false), quorum, majority, coalesce(receipts_hash, ''),"          \
    "       array_to_json(elect), coalesce(term_months, 0)"                                  \
    " FROM meetings WHERE matter_id = $1 ORDER BY id DESC LIMIT 1"

/* Columns: 0 id, 1 kind, 2 text, 3 units (json), 4 whistle, 5 state, and the
 * 五定: 6 type, 7 owner unit, 8 owner, 9 standard, 10 due days, 11 assigned,
 * 12 due, 13 reported, 14 report, 15 verdict, 16 checked by, 17 check unit,
 * 18 note, 19 reopens, 20 escalations, 21 reminders ("" or 0 when none). */
#define Q_VIEW_TASKS                                                                          \
    "SELECT t.id, t.kind, t.text, array_to_json(t.units), coalesce(t.whistle_id, 0), t.state,"\
    "       coalesce(t.task_type, ''), coalesce(ou.code, ''), coalesce(op.code, ''),"         \
    "       coalesce(t.standard, ''), coalesce(t.due_days, 0), coalesce(t.assigned_ms, 0),"   \
    "       coalesce(t.due_ms, 0), coalesce(t.reported_ms, 0), coalesce(t.report, ''),"       \
    "       coalesce(t.check_verdict, ''), coalesce(cp.code, ''), coalesce(cu.code, ''),"     \
    "       coalesce(t.check_note, ''), t.reopens, t.escalations, t.reminders"                \
    " FROM matter_tasks t LEFT JOIN units ou ON ou.id = t.owner_unit_id"                      \
    " LEFT JOIN people op ON op.id = t.owner_id LEFT JOIN people cp ON cp.id = t.checked_by"   \
    " LEFT JOIN units cu ON cu.id = t.check_unit_id WHERE t.matter_id = $1 ORDER BY t.id"

#define Q_LIST                                                                                \
    "SELECT m.id FROM matters m JOIN areas c ON c.id = m.community_id"                        \
    " WHERE ($1 = '' OR c.code = $1) AND ($2 = '' OR m.step = $2)"                            \
    "   AND ($4::bigint = 0 OR m.id < $4::bigint)"                                            \
    " ORDER BY m.id DESC LIMIT $3"

/* --- 3+1 lists --------------------------------------------------------------- */

/* A community by code: its id (the area must be a community). */
#define Q_COMMUNITY "SELECT id FROM areas WHERE code = $1 AND level = 'community'"
/* $6 category, $7 source, $8 case id (0: none), $9 target unit id (0: none). */
#define Q_INSERT_NEED                                                                         \
    "INSERT INTO community_needs (community_id, title, text, added_by, created_ms, category,"  \
    "                             source, case_id, target_unit)"                              \
    " VALUES ($1, $2, $3, $4, $5, $6, $7, nullif($8::bigint, 0), nullif($9::bigint, 0))"      \
    " RETURNING id"
/* Unit $1 (code) if paired with community $2 (结对共建). Column: 0 id */
#define Q_PAIRED                                                                              \
    "SELECT u.id FROM units u JOIN unit_pairings p ON p.unit_id = u.id"                       \
    " WHERE u.code = $1 AND p.community_id = $2"
/* The units paired with community $1. Column: 0 code */
#define Q_PAIRED_UNITS                                                                        \
    "SELECT u.code FROM unit_pairings p JOIN units u ON u.id = p.unit_id"                     \
    " WHERE p.community_id = $1 ORDER BY u.code"
/* A need, locked: state, community id, target unit code ("" none). */
#define Q_NEED_LOCK                                                                           \
    "SELECT n.state, n.community_id, coalesce(u.code, '') FROM community_needs n"             \
    " LEFT JOIN units u ON u.id = n.target_unit WHERE n.id = $1 FOR UPDATE OF n"
/* A resource, locked: community id, unit code, unit id. */
#define Q_RESOURCE_LOCK                                                                       \
    "SELECT r.community_id, u.code, u.id FROM unit_resources r JOIN units u ON u.id = r.unit_id"\
    " WHERE r.id = $1 FOR UPDATE OF r"
/* 双向认领: the committee takes up resource $1 of unit $2 for community $3,
 * signing for its side ($4 who, $5 when). Nothing when it was taken up before. */
#define Q_TAKE_RESOURCE                                                                       \
    "INSERT INTO community_projects (resource_id, unit_id, community_id, claimed_by,"         \
    "                                community_signed_by, community_signed_ms)"               \
    " VALUES ($1, $2, $3, 'community', $4, $5) ON CONFLICT DO NOTHING RETURNING id"
#define Q_INSERT_RESOURCE                                                                     \
    "INSERT INTO unit_resources (unit_id, community_id, title, text, added_by, created_ms)"   \
    " SELECT u.id, $2, $3, $4, $5, $6 FROM units u WHERE u.code = $1 RETURNING id"
/* Claims need $1 if open: its community id. */
#define Q_CLAIM_NEED                                                                          \
    "UPDATE community_needs SET state = 'claimed' WHERE id = $1 AND state = 'open'"           \
    " RETURNING community_id"
#define Q_NEED_STATE "SELECT state FROM community_needs WHERE id = $1"
/* The resource $1 if it is unit $2's and offered to community $3. */
#define Q_RESOURCE_OF                                                                         \
    "SELECT 1 FROM unit_resources r JOIN units u ON u.id = r.unit_id"                         \
    " WHERE r.id = $1 AND u.code = $2 AND r.community_id = $3"
#define Q_INSERT_PROJECT                                                                      \
    "INSERT INTO community_projects (need_id, resource_id, unit_id, community_id,"            \
    "                                unit_signed_by, unit_signed_ms)"                         \
    " SELECT $1, nullif($2::bigint, 0), u.id, $3, $5, $6 FROM units u WHERE u.code = $4"      \
    " RETURNING id"
/* A project: state, community id, unit code, claimed by (unit | community). */
#define Q_PROJECT_LOCK                                                                        \
    "SELECT p.state, p.community_id, u.code, p.claimed_by FROM community_projects p"                        \
    " JOIN units u ON u.id = p.unit_id WHERE p.id = $1 FOR UPDATE OF p"
#define Q_SIGN_PROJECT                                                                        \
    "UPDATE community_projects SET state = 'signed', community_signed_by = $2,"               \
    " community_signed_ms = $3 WHERE id = $1"
#define Q_UNIT_SIGN_PROJECT                                                                   \
    "UPDATE community_projects SET state = 'signed', unit_signed_by = $2,"                    \
    " unit_signed_ms = $3 WHERE id = $1"
#define Q_COMPLETE_PROJECT                                                                    \
    "UPDATE community_projects SET state = 'done', result = $2, done_ms = $3 WHERE id = $1"
#define Q_NEEDS                                                                               \
    "SELECT n.id, a.code, n.title, n.text, n.added_by, n.state, n.created_ms, n.category,"    \
    "       n.source, coalesce(n.case_id, 0), coalesce(u.code, '')"                           \
    " FROM community_needs n JOIN areas a ON a.id = n.community_id"                           \
    " LEFT JOIN units u ON u.id = n.target_unit"                                              \
    " WHERE n.community_id = $1 ORDER BY n.id"
#define Q_RESOURCES                                                                           \
    "SELECT r.id, u.code, u.name, a.code, r.title, r.text, r.created_ms"                      \
    " FROM unit_resources r JOIN units u ON u.id = r.unit_id JOIN areas a ON a.id = r.community_id"\
    " WHERE r.community_id = $1 ORDER BY r.id"
#define Q_PROJECTS                                                                            \
    "SELECT p.id, coalesce(p.need_id, 0), coalesce(p.resource_id, 0), u.code, a.code,"        \
    "       coalesce(n.title, r.title), p.state, coalesce(p.unit_signed_by, ''),"             \
    "       coalesce(p.unit_signed_ms, 0), coalesce(p.community_signed_by, ''),"              \
    "       coalesce(p.community_signed_ms, 0), coalesce(p.result, ''), coalesce(p.done_ms, 0),"\
    "       p.claimed_by"                                                                     \
    " FROM community_projects p JOIN units u ON u.id = p.unit_id"                             \
    " JOIN areas a ON a.id = p.community_id LEFT JOIN community_needs n ON n.id = p.need_id"  \
    " LEFT JOIN unit_resources r ON r.id = p.resource_id"                                     \
    " WHERE p.community_id = $1 ORDER BY p.id"

/* --- service orders (orders.c, takeby.c) ------------------------------------- */

#define Q_REGISTER_VOLUNTEER                                                                  \
    "INSERT INTO volunteers (person_id, community_id, party_member, skills, registered_ms)"   \
    " VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING RETURNING 1"
#define Q_VOLUNTEER_COUNT "SELECT count(*) FROM volunteers WHERE community_id = $1"
/* Person $1 (code) if they may take community $2's orders: a registered
 * volunteer or a party member reported there (双报到). Column: 0 id */
#define Q_ORDER_TAKER                                                                         \
    "SELECT p.id FROM people p WHERE p.code = $1 AND (EXISTS (SELECT 1 FROM volunteers v"     \
    " WHERE v.person_id = p.id AND v.community_id = $2) OR EXISTS (SELECT 1 FROM"             \
    " member_reports r WHERE r.person_id = p.id AND r.community_id = $2))"
/* The community $1's 知行家 station (the first, when it has several). */
#define Q_STATION_OF                                                                          \
    "SELECT id FROM units WHERE kind = 'station' AND area_id = $1 ORDER BY id LIMIT 1"
/* Person $3's role in unit $2 (code) when it is station $1. Column: 0 role */
#define Q_STATION_ROLE                                                                        \
    "SELECT m.role FROM units u JOIN unit_members m ON m.unit_id = u.id"                      \
    " JOIN people p ON p.id = m.person_id WHERE u.id = $1 AND u.code = $2 AND p.code = $3"
/* The residents' committee (unit code) of community $1, "" when none. */
#define Q_COMMITTEE_OF                                                                        \
    "SELECT coalesce((SELECT code FROM units WHERE kind = 'community' AND area_id = $1"       \
    " ORDER BY id LIMIT 1), '')"
#define Q_INSERT_ORDER                                                                        \
    "INSERT INTO service_orders (community_id, resident_id, title, text, created_ms, station_id)"\
    " VALUES ($1, $2, $3, $4, $5, $6) RETURNING id"
/* An order: state, community id, resident id, volunteer id, station id,
 * lapses, escalated (t/f). */
#define Q_ORDER_LOCK                                                                          \
    "SELECT state, community_id, resident_id, coalesce(volunteer_id, 0), coalesce(station_id, 0),"\
    " lapses, escalated_ms IS NOT NULL FROM service_orders WHERE id = $1 FOR UPDATE"
/* $1 order, $2 volunteer id, $3 dispatcher code, $4 now, $5 take by. */
#define Q_DISPATCH_ORDER                                                                      \
    "UPDATE service_orders SET state = 'dispatched', volunteer_id = $2, dispatched_by = $3,"  \
    " dispatched_ms = $4, take_by_ms = $5 WHERE id = $1"
#define Q_INSERT_TAKE_BY                                                                      \
    "INSERT INTO order_deadlines (order_id, due_ms) VALUES ($1, $2) RETURNING id"
#define Q_CLAIM_ORDER                                                                         \
    "UPDATE service_orders SET state = 'taken', claimed_ms = $2 WHERE id = $1"
/* Taking an order settles its deadline: fired, not lapsed. */
#define Q_SETTLE_TAKE_BY                                                                      \
    "UPDATE order_deadlines SET fired_ms = $2 WHERE order_id = $1 AND fired_ms IS NULL"
#define Q_COMPLETE_ORDER                                                                      \
    "UPDATE service_orders SET state = 'done', result = $2, done_ms = $3 WHERE id = $1"
#define Q_CONFIRM_ORDER                                                                       \
    "UPDATE service_orders SET state = 'confirmed', rating = $2, comment = $3,"               \
    " confirmed_ms = $4 WHERE id = $1"
#define Q_PUBLISH_ORDER                                                                       \
    "UPDATE service_orders SET state = 'published', published_by = $2, publication = $3,"     \
    " published_ms = $4 WHERE id = $1"
/* The take-by deadlines for the engine (common/deadline.h): as Q_WINDOWS_*. */
#define Q_TAKE_BY_LOAD                                                                        \
    "SELECT id, due_ms FROM order_deadlines WHERE fired_ms IS NULL AND due_ms < $2"           \
    " AND (due_ms >= $1 OR id > $3::bigint OR due_ms < $4)"
#define Q_TAKE_BY_OVERDUE                                                                     \
    "SELECT id FROM order_deadlines WHERE fired_ms IS NULL AND due_ms <= $1"                  \
    " ORDER BY due_ms, id LIMIT $2"
#define Q_TAKE_BY_LAST "SELECT coalesce(max(id), 0) FROM order_deadlines"
/* Claims the deadlines $1 (bigint[]) still pending at $2. Columns: 0 id, 1 order id */
#define Q_TAKE_BY_CLAIM                                                                       \
    "WITH c AS (UPDATE order_deadlines SET fired_ms = $2 WHERE id = ANY ($1::bigint[])"       \
    " AND fired_ms IS NULL RETURNING id, order_id, due_ms)"                                   \
    " SELECT id, order_id FROM c ORDER BY due_ms, id"
/* Order $1's dispatch lapsed at $2: back to the station; escalated at $2
 * too when $3 is true. */
#define Q_LAPSE_ORDER                                                                         \
    "UPDATE service_orders SET state = 'ordered', volunteer_id = NULL, lapses = lapses + 1,"  \
    " escalated_ms = CASE WHEN $3::boolean THEN $2::bigint ELSE escalated_ms END WHERE id = $1"
#define Q_TAKE_BY_LAPSED "UPDATE order_deadlines SET lapsed = true WHERE id = $1"
#define Q_ORDERS                                                                              \
    "SELECT o.id, a.code, r.code, o.title, o.text, o.state, coalesce(v.code, ''),"            \
    "       coalesce(o.claimed_ms, 0), coalesce(o.result, ''), coalesce(o.done_ms, 0),"       \
    "       o.created_ms, coalesce(s.code, ''), coalesce(o.dispatched_by, ''),"               \
    "       coalesce(o.dispatched_ms, 0), coalesce(o.take_by_ms, 0), o.lapses,"               \
    "       coalesce(o.escalated_ms, 0), coalesce(o.rating, ''), coalesce(o.comment, ''),"    \
    "       coalesce(o.confirmed_ms, 0), coalesce(o.published_by, ''),"                       \
    "       coalesce(o.publication, ''), coalesce(o.published_ms, 0)"                         \
    " FROM service_orders o JOIN areas a ON a.id = o.community_id"                            \
    " JOIN people r ON r.id = o.resident_id LEFT JOIN people v ON v.id = o.volunteer_id"      \
    " LEFT JOIN units s ON s.id = o.station_id"
#define Q_ORDER Q_ORDERS " WHERE o.id = $1"
/* A community's orders ($1), in state $2 ('': any), below id $3 (0: from the newest), $4 of them. */
#define Q_ORDERS_OF                                                                           \
    Q_ORDERS " WHERE a.code = $1 AND ($2 = '' OR o.state = $2)"                               \
             "   AND ($3::bigint = 0 OR o.id < $3::bigint) ORDER BY o.id DESC LIMIT $4"

/* --- "1+3": flags, answers, reviews, ratings; the standing council ------------- */

/* Record $2 of matter $1: kind, and the unit a "reviewed" record names. */
#define Q_RECORD_KIND                                                                         \
    "SELECT kind, coalesce(body::json->>'unit', '') FROM matter_records"                      \
    " WHERE matter_id = $1 AND n = $2"
#define Q_INSERT_FLAG                                                                         \
    "INSERT INTO matter_flags (matter_id, record_n, record_kind, owner_kind, text, person_id," \
    "                          at_ms) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id"
/* Flag $2 of matter $1: owner kind, answered (t/f). */
#define Q_FLAG_LOCK                                                                           \
    "SELECT owner_kind, answered_ms IS NOT NULL, record_n FROM matter_flags"                  \
    " WHERE matter_id = $1 AND id = $2 FOR UPDATE"
#define Q_ANSWER_FLAG                                                                         \
    "UPDATE matter_flags SET answer = $3, answered_by = $4, answered_ms = $5"                 \
    " WHERE matter_id = $1 AND id = $2"
#define Q_VIEW_FLAGS                                                                          \
    "SELECT f.id, f.record_n, f.record_kind, f.owner_kind, f.text, p.code, f.at_ms,"          \
    "       coalesce(f.answer, ''), coalesce(a.code, ''), coalesce(f.answered_ms, 0)"         \
    " FROM matter_flags f JOIN people p ON p.id = f.person_id"                                \
    " LEFT JOIN people a ON a.id = f.answered_by WHERE f.matter_id = $1 ORDER BY f.id"
/* The flags as the 公示 prints them. */
#define Q_FLAGS_JSON                                                                          \
    "SELECT coalesce(json_agg(json_build_object('flag_id', id, 'record_n', record_n,"         \
    " 'owner', owner_kind, 'text', text, 'answer', answer) ORDER BY id), '[]')::text"         \
    " FROM matter_flags WHERE matter_id = $1"
/* Objection $2 of matter $1: answered (t/f). */
/* Columns: 0 answered already, 1 the objector's code */
#define Q_OBJECTION_LOCK                                                                      \
    "SELECT o.answered_ms IS NOT NULL, p.code FROM matter_objections o"                       \
    " JOIN people p ON p.id = o.person_id WHERE o.matter_id = $1 AND o.id = $2 FOR UPDATE OF o"
#define Q_ANSWER_OBJECTION                                                                    \
    "UPDATE matter_objections SET answer = $3, answered_by = $4, answered_ms = $5"            \
    " WHERE matter_id = $1 AND id = $2"
#define Q_REVIEW                                                                              \
    "INSERT INTO matter_reviews (matter_id, unit_kind, approve, text, person_id, at_ms)"      \
    " VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING RETURNING 1"
/* The reviews of matter $1: how many, how many approve. */
#define Q_REVIEWS                                                                             \
    "SELECT count(*), count(*) FILTER (WHERE approve) FROM matter_reviews WHERE matter_id = $1"
#define Q_RATE_EXECUTION                                                                      \
    "INSERT INTO matter_execution_ratings (matter_id, round, rating, text, person_id, at_ms)"\
    " SELECT $1, round, $2, $3, $4, $5 FROM matters WHERE id = $1"                            \
    " ON CONFLICT DO NOTHING RETURNING 1"
#define Q_REOPEN "UPDATE matters SET reopened = true, round = 2 WHERE id = $1"

/* An election passed at $3 (ms) in meeting $2 of community $1: the council in
 * office ends, the new one takes office for the meeting's term. Column: the
 * new council's id, its term's end. */
#define Q_COUNCIL_END                                                                         \
    "UPDATE councils SET term_until_ms = $2::bigint WHERE community_id = $1"                  \
    " AND term_until_ms > $2::bigint AND term_from_ms < $2::bigint"
#define Q_COUNCIL_INSERT                                                                      \
    "INSERT INTO councils (community_id, meeting_id, term_from_ms, term_until_ms)"            \
    " SELECT $1, m.id, $3::bigint, (extract(epoch FROM to_timestamp($3::bigint / 1000.0)"     \
    "        + make_interval(months => m.term_months)) * 1000)::bigint"                       \
    " FROM meetings m WHERE m.id = $2 RETURNING id, term_until_ms"
#define Q_COUNCIL_MEMBERS                                                                     \
    "INSERT INTO council_members (council_id, person_id)"                                     \
    " SELECT $1, p.id FROM meetings m, unnest(m.elect) c JOIN people p ON p.code = c"         \
    " WHERE m.id = $2"
/* Community $1's council in its term at $2: id, meeting id, from, until, members (JSON). */
#define Q_COUNCIL_NOW                                                                         \
    "SELECT c.id, coalesce(c.meeting_id, 0), c.term_from_ms, c.term_until_ms,"                \
    "       (SELECT json_agg(p.code ORDER BY p.code) FROM council_members cm"                 \
    "        JOIN people p ON p.id = cm.person_id WHERE cm.council_id = c.id)::text"          \
    " FROM councils c WHERE c.community_id = $1 AND c.term_from_ms <= $2"                     \
    " AND c.term_until_ms > $2 ORDER BY c.id DESC LIMIT 1"

/* --- joint meetings (joint.c): 联席会议 on recurring days ------------------------ */

/* $1 community id, $2 title, $3 rule, $4 start minute, $5 lead minutes, $6 by, $7 at. */
#define Q_JOINT_INSERT_SCHEDULE                                                               \
    "INSERT INTO joint_schedules (community_id, title, rule, start_minute, lead_minutes,"     \
    " created_by, created_ms) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id"
/* A schedule: 0 id, 1 community code, 2 title, 3 rule, 4 start minute, 5 lead
 * minutes, 6 by, 7 at, 8 stopped (0 running), 9 community id, 10 the pending
 * next day (NULL none). */
#define Q_JOINT_SCHEDULES                                                                     \
    "SELECT s.id, a.code, s.title, s.rule, s.start_minute, s.lead_minutes, s.created_by,"    \
    "       s.created_ms, coalesce(s.stopped_ms, 0), s.community_id,"                         \
    "       (SELECT day FROM joint_deadlines x WHERE x.schedule_id = s.id AND x.fired_ms IS NULL"\
    "        ORDER BY x.id DESC LIMIT 1)"                                                     \
    " FROM joint_schedules s JOIN areas a ON a.id = s.community_id"
#define Q_JOINT_SCHEDULE Q_JOINT_SCHEDULES " WHERE s.id = $1"
#define Q_JOINT_SCHEDULES_OF Q_JOINT_SCHEDULES " WHERE s.community_id = $1 ORDER BY s.id"
/* Schedule $1 stops at $2 (nothing when it had). Column: 0 community id */
#define Q_JOINT_STOP                                                                          \
    "UPDATE joint_schedules SET stopped_ms = $2 WHERE id = $1 AND stopped_ms IS NULL"         \
    " RETURNING community_id"
#define Q_JOINT_SCHEDULE_COMMUNITY "SELECT community_id FROM joint_schedules WHERE id = $1"
/* Its pending occurrence will not be made: the row is settled. */
#define Q_JOINT_SETTLE                                                                        \
    "UPDATE joint_deadlines SET fired_ms = $2 WHERE schedule_id = $1 AND fired_ms IS NULL"
/* $1 schedule, $2 day, $3 due. Column: 0 id */
#define Q_JOINT_INSERT_DEADLINE                                                               \
    "INSERT INTO joint_deadlines (schedule_id, day, due_ms) VALUES ($1, $2, $3) RETURNING id"
/* The deadlines for the engine (common/deadline.h): as Q_TAKE_BY_*. */
#define Q_JOINT_LOAD                                                                          \
    "SELECT id, due_ms FROM joint_deadlines WHERE fired_ms IS NULL AND due_ms < $2"           \
    " AND (due_ms >= $1 OR id > $3::bigint OR due_ms < $4)"
#define Q_JOINT_OVERDUE                                                                       \
    "SELECT id FROM joint_deadlines WHERE fired_ms IS NULL AND due_ms <= $1"                  \
    " ORDER BY due_ms, id LIMIT $2"
#define Q_JOINT_LAST "SELECT coalesce(max(id), 0) FROM joint_deadlines"
/* Claims $1 (bigint[]) still pending at $2. Columns: 0 schedule, 1 day, 2 rule,
 * 3 start minute, 4 lead minutes, 5 stopped (t/f) */
#define Q_JOINT_CLAIM                                                                         \
    "WITH c AS (UPDATE joint_deadlines SET fired_ms = $2 WHERE id = ANY ($1::bigint[])"       \
    " AND fired_ms IS NULL RETURNING id, schedule_id, day, due_ms)"                           \
    " SELECT c.schedule_id, c.day, s.rule, s.start_minute, s.lead_minutes,"                   \
    "        s.stopped_ms IS NOT NULL FROM c JOIN joint_schedules s ON s.id = c.schedule_id"  \
    " ORDER BY c.due_ms, c.id"
/* The meeting of schedule $1 on day $2 starting $3, made at $4; nothing when
 * it was made before (an occurrence is made once). Column: 0 id */
#define Q_JOINT_MAKE                                                                          \
    "INSERT INTO joint_meetings (schedule_id, community_id, title, day, starts_ms, created_ms)"\
    " SELECT id, community_id, title, $2, $3, $4 FROM joint_schedules WHERE id = $1"          \
    " ON CONFLICT (schedule_id, day) DO NOTHING RETURNING id"
/* A meeting, locked: 0 community id, 1 state, 2 starts. */
#define Q_JOINT_LOCK                                                                          \
    "SELECT community_id, state, starts_ms FROM joint_meetings WHERE id = $1 FOR UPDATE"
/* Unit $1 (code) and whether it sits on community $2's joint meeting: a
 * member unit (委员单位), or the community's party or residents' committee.
 * Columns: 0 id, 1 sits (t/f) */
#define Q_JOINT_SITS                                                                          \
    "SELECT u.id, (u.kind IN ('party_committee', 'community') AND u.area_id = $2)"            \
    "       OR EXISTS (SELECT 1 FROM unit_pairings p WHERE p.unit_id = u.id"                 \
    "                  AND p.community_id = $2 AND p.kind = 'member')"                        \
    " FROM units u WHERE u.code = $1"
#define Q_JOINT_ATTEND                                                                        \
    "INSERT INTO joint_attendance (meeting_id, unit_id, person_id, at_ms)"                    \
    " VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING 1"
/* $1 meeting, $2 text, $3 unit id (0 none), $4 by, $5 at. */
#define Q_JOINT_DECIDE                                                                        \
    "INSERT INTO joint_decisions (meeting_id, text, unit_id, decided_by, at_ms)"              \
    " VALUES ($1, $2, nullif($3::bigint, 0), $4, $5)"
#define Q_JOINT_CLOSE                                                                         \
    "UPDATE joint_meetings SET state = 'held', closed_by = $2, closed_ms = $3 WHERE id = $1"
/* A meeting: 0 id, 1 schedule, 2 community code, 3 title, 4 day, 5 starts,
 * 6 state, 7 closed by, 8 closed at, 9 community id. */
#define Q_JOINT_MEETING                                                                       \
    "SELECT m.id, m.schedule_id, a.code, m.title, m.day, m.starts_ms, m.state,"               \
    "       coalesce(m.closed_by, ''), coalesce(m.closed_ms, 0), m.community_id"              \
    " FROM joint_meetings m JOIN areas a ON a.id = m.community_id WHERE m.id = $1"
/* Its attendance: 0 unit, 1 unit name, 2 person, 3 at. */
#define Q_JOINT_ATTENDANCE                                                                    \
    "SELECT u.code, u.name, p.code, j.at_ms FROM joint_attendance j"                          \
    " JOIN units u ON u.id = j.unit_id JOIN people p ON p.id = j.person_id"                   \
    " WHERE j.meeting_id = $1 ORDER BY j.at_ms, u.code"
/* Its decisions: 0 id, 1 text, 2 unit, 3 by, 4 at. */
#define Q_JOINT_DECISIONS                                                                     \
    "SELECT d.id, d.text, coalesce(u.code, ''), d.decided_by, d.at_ms FROM joint_decisions d" \
    " LEFT JOIN units u ON u.id = d.unit_id WHERE d.meeting_id = $1 ORDER BY d.id"
/* Meeting $1's member units (community $2) that did not come. Column: 0 code */
#define Q_JOINT_ABSENT                                                                        \
    "SELECT u.code FROM unit_pairings p JOIN units u ON u.id = p.unit_id"                     \
    " WHERE p.community_id = $2 AND p.kind = 'member' AND NOT EXISTS (SELECT 1 FROM"         \
    " joint_attendance j WHERE j.meeting_id = $1 AND j.unit_id = u.id) ORDER BY u.code"
/* Community $1's latest meetings. Column: 0 id */
#define Q_JOINT_MEETINGS_OF                                                                   \
    "SELECT id FROM joint_meetings WHERE community_id = $1 ORDER BY day DESC, id DESC LIMIT 50"
/* Who is told of community $1's joint meetings: its member units and party
 * committee. Column: 0 code */
#define Q_JOINT_TOLD                                                                          \
    "SELECT u.code FROM unit_pairings p JOIN units u ON u.id = p.unit_id"                     \
    " WHERE p.community_id = $1 AND p.kind = 'member'"                                        \
    " UNION SELECT code FROM units WHERE kind = 'party_committee' AND area_id = $1 ORDER BY 1"

#endif
