#!/usr/bin/env bash
# Personal data (docs/privacy.md) against real gov-intake and gov-routing:
# the retention job erases the contact details of exactly the cases closed
# longer than the period — in intake's cases and callers and in routing's
# copy — and nothing else; the audit log is read through govctl by the
# operator and the dispatch centre, and refused to anyone else.
set -u
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d)
. tests/cli/tap.sh
bin=${GOV_BIN:-build/bin}
govctl="$bin/govctl"
. tests/cli/lib.sh
test_db cli_privacy
export GOV_INTAKE_ENDPOINT="tcp://127.0.0.1:$(free_port)" GOV_INTAKE_EVENTS="tcp://127.0.0.1:$(free_port)"
export GOV_INTAKE_HTTP_PORT=$(free_port)
export GOV_ROUTING_ENDPOINT="tcp://127.0.0.1:$(free_port)" GOV_ROUTING_EVENTS="tcp://127.0.0.1:$(free_port)"
export GOV_ROUTING_HTTP_PORT=$(free_port)
export GOV_SUB_SILENCE_MS=300
trap 'stop_services; service_reports "$tmp"; rm -rf "$tmp"' EXIT
json() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($1)" "${2:-$tmp/out}" 2>/dev/null; }

# --- a bad setting stops the service before it starts ------------------------
expect_status "GOV_PRIVACY_RETENTION_DAYS=abc: intake exits 2" 2 env GOV_PRIVACY_RETENTION_DAYS=abc "$bin/gov-intake"
expect_status "GOV_PRIVACY_RETENTION_DAYS=-1: routing exits 2" 2 env GOV_PRIVACY_RETENTION_DAYS=-1 "$bin/gov-routing"
expect_status "GOV_PRIVACY_SWEEP_S=0: intake exits 2" 2 env GOV_PRIVACY_SWEEP_S=0 "$bin/gov-intake"

start_service intake GOV_PRIVACY_SWEEP_S=1 || not_ok "intake answers its health check"
start_service routing GOV_PRIVACY_SWEEP_S=1 || not_ok "routing answers its health check"

# --- four cases, each with a reporter ----------------------------------------
# A: closed, then 181 days pass; B: closed today; C: open, reported 400 days
# ago; D: closed 179 days ago. Only A's contact is due (180 days, the default).
submit() { # NAME CATEGORY LAT LON PHONE REPORTER
    "$govctl" case submit --category "$2" --lat "$3" --lon "$4" --text "案件$1" --phone "$5" --name "$6" >"$tmp/out" 2>>"$tmp/govctl.err"
    id[$1]=$(json "d['case_id']")
    [ -n "${id[$1]}" ] || not_ok "setup: case $1 is accepted" "$(cat "$tmp/out")"
}
declare -A id=()
submit A complaint.noise 39.9025 116.3025 13800000001 张三
submit B complaint.noise 39.9075 116.3075 13800000002 李四
submit C report.noise 39.9025 116.3075 13800000003 王五
submit D report.construction 39.9075 116.3025 13800000004 赵六
# A second caller joins A (合并工单): a caller's contact is erased with it.
"$govctl" case submit --category complaint.noise --lat 39.90251 --lon 116.30251 --text 又来了 --phone 13800000005 --name 钱七 >"$tmp/out" 2>>"$tmp/govctl.err"
check "setup: a second caller joins A" test "$(json "d['case_id']")" = "${id[A]}"
as="--as p.dept.chengguan.head --unit dept.chengguan"
close() { # NAME PHONE: the lead department works it through, the reporter is satisfied
    wait_until 10 q_is "SELECT count(*) FROM dispatches WHERE case_id = ${id[$1]} AND role = 'lead'" 1 ||
        not_ok "setup: case $1 is dispatched"
    local d; d=$(q "SELECT id FROM dispatches WHERE case_id = ${id[$1]} AND role = 'lead'")
    local u; u=$(q "SELECT u.code FROM dispatches d JOIN units u ON u.id = d.unit_id WHERE d.id = $d")
    local who; who=$(q "SELECT p.code FROM unit_members m JOIN people p ON p.id = m.person_id JOIN units u ON u.id = m.unit_id WHERE u.code = '$u' ORDER BY p.code LIMIT 1")
    for move in sign arrive resolve; do
        local more=(); [ $move = resolve ] && more=(--text 已处理)
        "$govctl" dispatch --as "$who" --unit "$u" $move "$d" "${more[@]}" >/dev/null 2>>"$tmp/govctl.err" ||
            not_ok "setup: $u $move of case $1" "$(tail -2 "$tmp/govctl.err")"
    done
    "$govctl" case evaluate "${id[$1]}" --result satisfied --as "$2" >/dev/null 2>>"$tmp/govctl.err" ||
        not_ok "setup: the reporter of $1 is satisfied"
}
close A 13800000001
close B 13800000002
close D 13800000004
check "intake closes A, B and D, noting when (from routing's events)" \
    until_q "SELECT string_agg(status || (closed_at IS NOT NULL), ',' ORDER BY id) FROM cases WHERE id IN (${id[A]}, ${id[B]}, ${id[C]}, ${id[D]})" \
    "closedtrue,closedtrue,dispatchedfalse,closedtrue"
check "... and so does routing's copy" \
    test "$(q "SELECT count(*) FROM routed_cases WHERE closed_at IS NOT NULL AND case_id IN (${id[A]}, ${id[B]}, ${id[D]})")" = 3
# --- what goes on the buses ---------------------------------------------------
# The reporters' phones begin 1380000000. No event carries one — not intake's
# CaseCreated or CaseMerged, not routing's DispatchSent, deadline steps or
# EvaluationRequested: they carry a reference (case:<id>) and the phone
# masked. Routing keeps no copy: it asks intake (GetContacts, logged there as
# routing's read) when a unit opens a dispatch, and only then.
carrying="SELECT count(*) FROM outbox WHERE position(convert_to('1380000000', 'UTF8') in payload) > 0"
check "no stored event carries a reporter's phone (of $(q "SELECT count(*) FROM outbox") events)" \
    test "$(q "$carrying")" = 0
check "... CaseCreated and DispatchSent carry the reference instead" \
    test "$(q "SELECT count(*) FROM outbox WHERE type = 'CaseCreated' AND position(convert_to('case:${id[A]}', 'UTF8') in payload) > 0"),$(q "SELECT count(*) FROM outbox WHERE type = 'DispatchSent' AND position(convert_to('case:${id[A]}', 'UTF8') in payload) > 0")" = "1,1"
check "... and so does EvaluationRequested" \
    test "$(q "SELECT count(*) FROM outbox WHERE type = 'EvaluationRequested' AND position(convert_to('case:${id[A]}', 'UTF8') in payload) > 0")" -ge 1
check "... the dispatches' lifecycle and CaseEvaluated carry neither" \
    test "$(q "SELECT count(*) FROM outbox WHERE type IN ('CaseMerged', 'DispatchSigned', 'DispatchArrived', 'DispatchResolved', 'CaseEvaluated')"),$(q "SELECT count(*) FROM outbox WHERE type IN ('CaseMerged', 'DispatchSigned', 'DispatchArrived', 'DispatchResolved', 'CaseEvaluated') AND position(convert_to('case:', 'UTF8') in payload) > 0")" = "13,0"
check "routing keeps no copy of a reporter, only the phone masked (as its queues show it)" \
    test "$(q "SELECT string_agg(reporter_name || ':' || reporter_phone || ':' || contact_hint, ',' ORDER BY case_id) FROM routed_cases WHERE case_id IN (${id[A]}, ${id[B]}, ${id[C]}, ${id[D]})")" = "::138****0001,::138****0002,::138****0003,::138****0004"
check "... the units that opened A's, B's and D's dispatches got the number from intake, which logged each as routing's read (pii_reads, GetContacts); C's, which no one opened, was never read" \
    test "$(q "SELECT string_agg(DISTINCT c::text, ',') FROM pii_reads, unnest(case_ids) c WHERE service = 'intake' AND request = 'GetContacts' AND role = 'routing' AND person = '' AND c IN (${id[A]}, ${id[B]}, ${id[C]}, ${id[D]})")" = "$(printf '%s\n' "${id[A]}" "${id[B]}" "${id[D]}" | sort | paste -sd,)"
dC=$(q "SELECT id FROM dispatches WHERE case_id = ${id[C]} AND role = 'lead'")
uC=$(q "SELECT u.code FROM dispatches d JOIN units u ON u.id = d.unit_id WHERE d.id = $dC")
wC=$(q "SELECT p.code FROM unit_members m JOIN people p ON p.id = m.person_id JOIN units u ON u.id = m.unit_id WHERE u.code = '$uC' ORDER BY p.code LIMIT 1")
expect_status "C's unit opens C's dispatch" 0 "$govctl" dispatch --as "$wC" --unit "$uC" show "$dC"
contains "... and reads the reporter in full" "$tmp/out" 13800000003
check "... which intake gave routing, and logged" \
    test "$(q "SELECT count(*) FROM pii_reads WHERE service = 'intake' AND request = 'GetContacts' AND role = 'routing' AND ${id[C]} = ANY(case_ids)")" = 1
expect_status "C's unit lists its queue" 0 "$govctl" dispatch --as "$wC" --unit "$uC" list --case "${id[C]}"
contains "... masked, from routing alone" "$tmp/out" '138****0003'
check "... the queue asked intake nothing" \
    test "$(q "SELECT count(*) FROM pii_reads WHERE service = 'intake' AND request = 'GetContacts' AND role = 'routing' AND ${id[C]} = ANY(case_ids)")" = 1
check "nothing is erased yet (the sweep runs every second)" \
    test "$(q "SELECT count(*) FROM cases WHERE contact_erased_at IS NOT NULL")" = 0

# --- time passes ---------------------------------------------------------------
# What the rows would say after that time: closing times and a report date
# moved back (the sweep compares them with the service clock).
ago() { q "UPDATE cases SET closed_at = closed_at - interval '$2 days', created_at = created_at - interval '$2 days' WHERE id = ${id[$1]}; UPDATE routed_cases SET closed_at = closed_at - interval '$2 days' WHERE case_id = ${id[$1]}" >/dev/null; }
snapshot() { # everything but the contact columns and the erasure's own mark
    q "SELECT md5(string_agg(concat_ws('|', id, status, channel, category_code, description, urgency, location, address, area_id, area_path, media_urls, caller_count, created_at, lead_unit, closed_at), ';' ORDER BY id)) FROM cases"
    q "SELECT md5(string_agg(concat_ws('|', id, case_id, channel, description, created_at), ';' ORDER BY id)) FROM case_callers"
    q "SELECT md5(string_agg(concat_ws('|', case_id, category_code, urgency, description, area_id, state, reopened, closed_at), ';' ORDER BY case_id)) FROM routed_cases"
}
contacts="SELECT string_agg(reporter_name || ':' || reporter_phone, ',' ORDER BY id) FROM cases WHERE id IN (${id[A]}, ${id[B]}, ${id[C]}, ${id[D]})"
ago A 181
ago C 400
ago D 179
snapshot >"$tmp/before"
check "the sweep erases A's contact in intake" \
    wait_until 5 q_is "SELECT reporter_name || reporter_phone || (contact_erased_at IS NOT NULL) FROM cases WHERE id = ${id[A]}" true
check "... and every caller's of A" \
    test "$(q "SELECT count(*) FROM case_callers WHERE case_id = ${id[A]} AND (reporter_name <> '' OR reporter_phone <> '')"),$(q "SELECT count(*) FROM case_callers WHERE case_id = ${id[A]}")" = "0,2"
check "... and routing's mask" \
    wait_until 5 q_is "SELECT reporter_name || reporter_phone || contact_hint || (contact_erased_at IS NOT NULL) FROM routed_cases WHERE case_id = ${id[A]}" true
check "B (closed today), C (open, 400 days old) and D (closed 179 days ago) keep theirs" \
    test "$(q "$contacts")" = ":,李四:13800000002,王五:13800000003,赵六:13800000004"
check "... in their callers too" \
    test "$(q "SELECT count(*) FROM case_callers WHERE case_id IN (${id[B]}, ${id[C]}, ${id[D]}) AND reporter_phone <> ''")" = 3
check "... and in routing" \
    test "$(q "SELECT count(*) FROM routed_cases WHERE contact_hint <> '' AND case_id IN (${id[B]}, ${id[C]}, ${id[D]})")" = 3
snapshot >"$tmp/after"
check "nothing else in cases, case_callers or routed_cases changed" cmp -s "$tmp/before" "$tmp/after"
check "intake logs what it erased" grep -q "intake: retention: erased the contact details of 1 cases closed over 180 days ago" "$tmp/intake.log"
check "... routing too" grep -q "routing: retention: erased the contact details of 1 cases" "$tmp/routing.log"
expect_status "govctl case show A still answers" 0 "$govctl" case show "${id[A]}"
check "... with the case and no reporter" test "$(json "(d['item']['description'], d['item']['reporter']['phone'] if d['item'].get('reporter') else '')")" = "('案件A', '')"
mark=$(q "SELECT contact_erased_at FROM cases WHERE id = ${id[A]}")
ago D 2
check "D, two days later, is erased in turn" \
    wait_until 5 q_is "SELECT count(*) FROM cases WHERE contact_erased_at IS NOT NULL" 2
check "... A's mark did not move (each case is erased once)" \
    test "$(q "SELECT contact_erased_at FROM cases WHERE id = ${id[A]}")" = "$mark"

# --- the audit log through govctl ------------------------------------------------
GOV_ACTOR=p.centre.dispatcher GOV_ACTOR_UNIT=centre "$govctl" case show "${id[B]}" >/dev/null 2>>"$tmp/govctl.err"
expect_status "govctl audit reads as the operator" 0 "$govctl" audit reads --case "${id[B]}"
contains "... shows the centre's GetCase of B" "$tmp/out" "p.centre.dispatcher"
expect_status "... as the dispatch centre, in JSON" 0 env GOV_ACTOR=p.centre.dispatcher GOV_ACTOR_UNIT=centre "$govctl" audit reads --case "${id[B]}" --json
check "... the reads: who, which request, which case — the centre's, and routing's (by its key) for the evaluation and for 城管's sign, arrive and resolve, whose answers showed the reporter" \
    test "$(json "[(x['person'], x['unit'], x.get('role', ''), x['request'], x['subject'], x['ids']) for x in d['items'] if x['subject'] == 'case']")" = "[('p.centre.dispatcher', 'centre', 'operator', 'GetCase', 'case', [${id[B]}])$(for i in 1 2 3 4; do printf ", ('', '', 'routing', 'GetContacts', 'case', [%s])" "${id[B]}"; done)]"
dB=$(q "SELECT id FROM dispatches WHERE case_id = ${id[B]} AND role = 'lead'")
check "... and the answers to 城管's commands on B's dispatch, which showed the reporter, newest first" \
    test "$(json "[(x['person'], x['request'], x['ids']) for x in d['items'] if x['subject'] == 'dispatch']")" = "[('p.dept.chengguan.head', 'ResolveDispatch', [$dB]), ('p.dept.chengguan.head', 'ArriveDispatch', [$dB]), ('p.dept.chengguan.head', 'SignDispatch', [$dB])]"
expect_status "... refused to a department" 1 env GOV_ACTOR=p.dept.chengguan.head GOV_ACTOR_UNIT=dept.chengguan "$govctl" audit reads
contains "... with NOT_AUDITOR" "$tmp/err" NOT_AUDITOR
expect_status "... and to the leadership" 1 env GOV_ACTOR=p.leader.head GOV_ACTOR_UNIT=leader "$govctl" audit reads
contains "... with NOT_AUDITOR" "$tmp/err" NOT_AUDITOR
expect_status "... and to one who names a unit they are not in" 1 env GOV_ACTOR=p.dept.chengguan.head GOV_ACTOR_UNIT=centre "$govctl" audit reads
contains "... with NOT_A_MEMBER" "$tmp/err" NOT_A_MEMBER
# No full read goes unlogged: when the row cannot be written, the reader gets
# nothing. (The table is renamed away for a moment; intake's statements are
# not prepared, so the next insert fails.)
q "ALTER TABLE pii_reads RENAME TO pii_reads_away" >/dev/null
expect_status "with the log unwritable, the centre's GetCase is refused" 1 env GOV_ACTOR=p.centre.dispatcher GOV_ACTOR_UNIT=centre "$govctl" case show "${id[B]}"
contains "... DB_UNAVAILABLE" "$tmp/err" DB_UNAVAILABLE
check "... and shows no contact" bash -c "! grep -q 13800000002 '$tmp/out' '$tmp/err'"
expect_status "... a masked read needs no row: another department still reads B" 0 env GOV_ACTOR=p.dept.shuiwu.head GOV_ACTOR_UNIT=dept.shuiwu "$govctl" case show "${id[B]}"
contains "... masked" "$tmp/out" '"phone": "138****0002"'
q "ALTER TABLE pii_reads_away RENAME TO pii_reads" >/dev/null
expect_status "govctl audit reads --limit 1" 0 "$govctl" audit reads --limit 1
newest=$(q "SELECT max(id) FROM pii_reads")
contains "... the newest read, and how to page on" "$tmp/out" "more: govctl audit reads --before $newest"
expect_status "... --before it --json" 0 "$govctl" audit reads --before "$newest" --limit 2 --json
check "... the two before it" python3 -c "import json; assert [x['id'] for x in json.load(open('$tmp/out'))['items']] == [$((newest - 1)), $((newest - 2))]"
expect_status "--until needs a number" 2 "$govctl" audit reads --until later
expect_status "--case needs a number" 2 "$govctl" audit reads --case B
expect_status "a limit out of range is refused" 1 "$govctl" audit reads --limit 501
contains "... with INVALID_LIMIT" "$tmp/err" INVALID_LIMIT
echo "1..$n"
[ "$failed" -eq 0 ]
