#!/usr/bin/env bash
# 五定 for the tasks of a decided matter (seed 000: 定类、定责、定标、定时、定效),
# against real gov-routing and gov-deliberation (test clocks):
#  - only the residents' committee (the body that executes, 1+3) assigns, and
#    only to a matter whose decision is in force; a task without its type,
#    owner, standard or due date is refused with its own code;
#  - the due date counts working days on the calendar routing uses, and a
#    calendar imported meanwhile counts from the next task on, no restart;
#  - reminders before the due date, the escalation to the party committee at
#    it and to the street office a working day later, each exactly once, also
#    across a kill -9; a task reported done stops its ladder;
#  - only the named owner or their unit reports it done; only the party or
#    supervision committee checks it (验收); a failed check reopens it once,
#    with a new due date, and the second failure is final;
#  - the matter's work is done only when every task is checked.
# Every refusal is checked to change nothing.
set -u
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d)
. tests/cli/tap.sh
bin=${GOV_BIN:-build/bin}
govctl="$bin/govctl"
db=cli_wuding
. tests/cli/lib.sh
. tests/cli/steps.sh
test_db "$db"
export GOV_INTAKE_EVENTS="tcp://127.0.0.1:$(free_port)"
export GOV_ROUTING_ENDPOINT="tcp://127.0.0.1:$(free_port)" GOV_ROUTING_EVENTS="tcp://127.0.0.1:$(free_port)"
export GOV_ROUTING_HTTP_PORT=$(free_port)
export GOV_DELIBERATION_ENDPOINT="tcp://127.0.0.1:$(free_port)" GOV_DELIBERATION_EVENTS="tcp://127.0.0.1:$(free_port)"
export GOV_DELIBERATION_HTTP_PORT=$(free_port) GOV_SUB_SILENCE_MS=300 GOV_TEST_CLOCK=1
trap 'stop_services; service_reports "$tmp"; [ -n "${KEEP_TMP:-}" ] || rm -rf "$tmp"' EXIT
start_service routing
start_service deliberation
effects="SELECT (SELECT count(*) FROM outbox) || '/' || (SELECT count(*) FROM matter_records) || '/' || (SELECT count(*) FROM matter_tasks) || '/' || (SELECT coalesce(sum(xmin::text::bigint), 0) FROM matter_tasks) || '/' || (SELECT count(*) FROM task_deadlines) || '/' || (SELECT coalesce(sum(xmin::text::bigint), 0) FROM task_deadlines) || '/' || (SELECT coalesce(sum(xmin::text::bigint), 0) FROM matters)"
M() { "$govctl" matter "$@"; }
C="--as p.cm.s1.c1.head --unit cm.s1.c1"            # the residents' committee of demo.s1.c1: executes
PC="--as p.pc.s1.c1.secretary --unit pc.s1.c1"      # its party committee: leads, checks
SV="--as r.s1.c1.g2.3.2 --unit sv.s1.c1"            # its supervision committee: checks
ZJ="--as p.dept.zhujian.head --unit dept.zhujian"   # 住建's head, a task's owner
GW="--as p.gt.s1.c1.g1.grid_worker --unit gt.s1.c1.g1"   # the grid worker of g1, another's
events() { q "SELECT count(*) FROM outbox WHERE stream = 'deliberation' AND type = '$1'"; }
clock() { M clock "$1" 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["now_ms"])'; }
advance() { clock "$1" >/dev/null; }
task() { q "SELECT $2 FROM matter_tasks WHERE id = $1"; }
# due START_MS DAYS: START_MS plus DAYS working days on the stored calendar,
# counted as common/calendar.c counts them (the test's own oracle).
due() {
    q "SELECT (day - DATE '1970-01-01') || ' ' || (kind = 'workday') FROM calendar_days" >"$tmp/days"
    python3 - "$1" "$2" "$tmp/days" <<'EOF'
import sys
start, days = int(sys.argv[1]), int(sys.argv[2])
marks = {}
for line in open(sys.argv[3]):
    d, w = line.split()
    marks[int(d)] = w == 't'
BJ, DAY = 8 * 3600000, 86400000
left, t = days * 1440 * 60000, start
day = (t + BJ) // DAY
while True:
    end = (day + 1) * DAY - BJ
    if marks.get(day, (day % 7 + 3) % 7 < 5):
        if t + left <= end:
            print(t + left)
            break
        left -= end - t
    t, day = end, day + 1
EOF
}
# decide TITLE: a matter of demo.s1.c1 through 受理, a meeting of its eight
# representatives and the 公示 to approved, by the real commands; sets $mid.
q "UPDATE deliberation_rules SET notice_minutes = 1, publish_minutes = 1 WHERE community_id = (SELECT id FROM areas WHERE code = 'demo.s1.c1')" >/dev/null
reps="r.s1.c1.g1.1.1 r.s1.c1.g1.4.1 r.s1.c1.g2.1.1 r.s1.c1.g2.4.1 r.s1.c1.g3.1.1 r.s1.c1.g3.4.1 r.s1.c1.g4.1.1"
decide() {
    M $C propose --scope community --area demo.s1.c1 --title "$1" --text "$1" >"$tmp/d.out" 2>&1
    mid=$(python3 -c "import json; print(json.load(open('$tmp/d.out'))['item']['id'])")
    M $PC accept "$mid" --hours 1 >/dev/null 2>&1
    advance 3660000
    wait_until 5 q_is "SELECT step FROM matters WHERE id = $mid" discussed
    local now; now=$(clock 1)
    M $PC convene "$mid" --roster representatives --ballot open --motion "$1" --starts-ms $((now + 90000)) >"$tmp/convene.out" 2>&1
    advance 120000
    for p in $reps; do M --as "$p" vote "$mid" --choice yes >/dev/null 2>&1; done
    M $PC close "$mid" >/dev/null 2>&1
    M $PC publish "$mid" >/dev/null 2>&1
    advance 120000
    wait_until 5 q_is "SELECT step FROM matters WHERE id = $mid" approved
}

# --- only a decided matter, only the body that executes --------------------------------
M $C propose --scope community --area demo.s1.c1 --title 修缮车棚 --text 修缮车棚 >"$tmp/out" 2>&1
undecided=$(json "d['item']['id']")
T="--type renovation --owner-unit dept.zhujian --owner p.dept.zhujian.head --standard 车棚不漏雨 --days 2 --text 修缮车棚顶"
refused "a matter only proposed gets no tasks" MATTER_NOT_DECIDED M $C task "$undecided" $T
decide 加装电梯
check "setup: a matter walked to approved by its meeting and 公示" q_is "SELECT step FROM matters WHERE id = $mid" approved
A=$mid
refused "a resident cannot assign a task" NOT_COMMITTEE M --as r.s1.c1.g1.1.1 task "$A" $T
refused "the party committee cannot: the residents' committee executes (1+3)" NOT_COMMITTEE M $PC task "$A" $T
refused "nor the supervision committee" NOT_COMMITTEE M $SV task "$A" $T
refused "nor another community's committee" NOT_COMMITTEE M --as p.cm.s1.c2.head --unit cm.s1.c2 task "$A" $T
refused "a task without an owner (定责)" TASK_NO_OWNER M $C task "$A" --type renovation --standard 车棚不漏雨 --days 2 --text 修缮车棚顶
refused "... or with a unit but no person" TASK_NO_OWNER M $C task "$A" --type renovation --owner-unit dept.zhujian --standard 车棚不漏雨 --days 2 --text 修缮车棚顶
refused "a task without a standard (定标)" TASK_NO_STANDARD M $C task "$A" --type renovation --owner-unit dept.zhujian --owner p.dept.zhujian.head --days 2 --text 修缮车棚顶
refused "a task without a due date (定时)" TASK_NO_DUE M $C task "$A" --type renovation --owner-unit dept.zhujian --owner p.dept.zhujian.head --standard 车棚不漏雨 --text 修缮车棚顶
refused "... or due in 366 working days" BAD_DUE M $C task "$A" ${T/--days 2/--days 366}
refused "a task without a known type (定类)" BAD_TASK_TYPE M $C task "$A" ${T/renovation/repairs}
refused "an unknown owner unit" UNKNOWN_UNIT M $C task "$A" ${T/dept.zhujian/dept.nowhere}
refused "an owner who is not of the owner unit" OWNER_NOT_MEMBER M $C task "$A" ${T/p.dept.zhujian.head/p.dept.shuiwu.head}
refused "a task without its text" MISSING_TEXT M $C task "$A" ${T/--text 修缮车棚顶/}

# --- 定时 on the working-day calendar ----------------------------------------------------------
step "the committee assigns 住建 a task with all five (五定)" M $C task "$A" --type renovation --owner-unit dept.zhujian --owner p.dept.zhujian.head --standard @TEXT@ --days 2 --text 修缮车棚顶
conflict "... the task" M $C task "$A" $T
T1=$(json "d['item']['tasks'][-1]['id']")
check "... the matter is acting" test "$(json "d['item']['step']")" = acting
check "... the task has its type, owner, standard and days" test "$(json "[(t['type'], t['owner_unit'], t['owner'], t['standard'][:3], t['due_days'], t['state']) for t in d['item']['tasks']]")" = "[('renovation', 'dept.zhujian', 'p.dept.zhujian.head', '议议议', 2, 'open')]"
check "... due after two working days on the stored calendar" test "$(task "$T1" due_ms)" = "$(due "$(task "$T1" assigned_ms)" 2)"
check "... announced (TaskAssigned)" test "$(events TaskAssigned)" = 1
check "... its first reminder pending" test "$(q "SELECT step || '/' || ladder FROM task_deadlines WHERE task_id = $T1 AND fired_ms IS NULL")" = 0/0
check "... in the chain, which verifies" sh -c "\"$govctl\" matter verify $A | grep -q '\"ok\": true'"
# A holiday imported now (tomorrow and the day after, Beijing) counts from the next task on.
now=$(clock 1)
read -r d1 d2 <<<"$(python3 -c "
import datetime; n = $now // 1000 + 8 * 3600
d = datetime.datetime.utcfromtimestamp(n).date()
print(d + datetime.timedelta(days=1), d + datetime.timedelta(days=2))")"
printf 'day,kind,name,source\n%s,holiday,测试假日,test_wuding\n%s,holiday,测试假日,test_wuding\n' "$d1" "$d2" >"$tmp/holiday.csv"
"$govctl" calendar import "$tmp/holiday.csv" >/dev/null 2>&1 || not_ok "setup: a test holiday imported"
step "a task for the grid worker, one working day" M $C task "$A" --type community_governance --owner-unit gt.s1.c1.g1 --owner p.gt.s1.c1.g1.grid_worker --standard 楼道无堆物 --days 1 --text @TEXT@
T2=$(json "d['item']['tasks'][-1]['id']")
check "... due on the calendar imported a moment ago, with no restart: after the two holidays" test "$(task "$T2" due_ms)" = "$(due "$(task "$T2" assigned_ms)" 1)"
check "... which is more than two days away" test "$(( $(task "$T2" due_ms) - $(task "$T2" assigned_ms) > 2 * 86400000 ))" = 1
step "a third task, for 住建 too" M $C task "$A" --type civility --owner-unit dept.zhujian --owner p.dept.zhujian.head --standard 宣传栏更新 --days 3 --text @TEXT@
T3=$(json "d['item']['tasks'][-1]['id']")
refused "the work is not done while a task is unchecked" TASKS_OPEN M $C progress "$A" --text 完成 --done
refused "a 五定 task is not closed by a progress report" UNKNOWN_TASK M $C progress "$A" --text 完成 --task "$T2"

# --- reminders and escalation on the deadline engine ------------------------------------------
# T3 is reported at once: its ladder stops.
step "住建's head reports the third task done" M $ZJ report "$A" --task "$T3" --text @TEXT@
check "... reported, its pending step settled, the checkers told (TaskReported)" test "$(task "$T3" state)/$(q "SELECT count(*) FROM task_deadlines WHERE task_id = $T3 AND fired_ms IS NULL")/$(events TaskReported)" = reported/0/1
ladder() { q "SELECT reminders || '/' || escalations FROM matter_tasks WHERE id = $1"; }
start=$(task "$T2" assigned_ms) due2=$(task "$T2" due_ms)
half=$(q "SELECT due_ms FROM task_deadlines WHERE task_id = $T2 AND step = 0")
now=$(clock 1)
advance $((half - now - 5000))
check "5 s before half its working time, T2 is not reminded" test "$(ladder "$T2")" = 0/0
advance 6000
check "past half, its owner is reminded (TaskReminder)" until_q "SELECT reminders FROM matter_tasks WHERE id = $T2" 1
eighty=$(q "SELECT due_ms FROM task_deadlines WHERE task_id = $T2 AND step = 1")
check "... and the next reminder is at 80 % of the working time" test "$eighty" -gt "$half"
now=$(clock 1)
advance $((eighty - now + 1000))
check "past 80 %, reminded again" until_q "SELECT reminders FROM matter_tasks WHERE id = $T2" 2
check "... the escalation is due at the due date" test "$(q "SELECT due_ms FROM task_deadlines WHERE task_id = $T2 AND step = 2")" = "$due2"
now=$(clock 1)
advance $((due2 - now - 5000))
check "5 s before its due date, not escalated" test "$(ladder "$T2")" = 2/0
advance 6000
check "past its due date it is escalated to the party committee (TaskEscalated)" until_q "SELECT escalations FROM matter_tasks WHERE id = $T2" 1
check "... once, to pc.s1.c1" test "$(q "SELECT count(*) FROM matter_records WHERE matter_id = $A AND kind = 'task_escalated' AND body::json->>'unit' = 'pc.s1.c1'")/$(events TaskEscalated)" = 1/1
street=$(q "SELECT due_ms FROM task_deadlines WHERE task_id = $T2 AND step = 3")
check "... then to the street office one working day after the due date" test "$street" = "$(due "$due2" 1)"
now=$(clock 1)
advance $((street - now - 60000))
check "a minute before that, still escalated once" test "$(ladder "$T2")/$(events TaskEscalated)" = 2/1/1
stop_service deliberation KILL
start_service deliberation GOV_TEST_CLOCK_AHEAD_MS=$(( $(q "SELECT max(due_ms) FROM task_deadlines WHERE task_id = $T2") + 120000 - $(date +%s%3N) ))
check "falling due while the service was down (kill -9), it is escalated to the street office on start" until_q "SELECT escalations FROM matter_tasks WHERE id = $T2" 2
recs() { q "SELECT count(*) FROM matter_records WHERE matter_id = $A AND kind = '$2' AND body::json->>'task_id' = '$1'${3:+ AND body::json->>'unit' = '$3'}"; }
check "... once, to so.s1" test "$(recs "$T2" task_escalated so.s1)/$(recs "$T2" task_escalated)" = 1/2
check "... as the first task was, which also fell due meanwhile" test "$(recs "$T1" task_reminder)/$(recs "$T1" task_escalated pc.s1.c1)" = 2/1
advance $((30 * 86400000))
check "a month later: reminded twice, escalated twice, nothing more" test "$(ladder "$T2")/$(recs "$T2" task_reminder)/$(recs "$T2" task_escalated)/$(q "SELECT count(*) FROM task_deadlines WHERE task_id IN ($T1, $T2) AND fired_ms IS NULL")" = 2/2/2/2/0
check "... the first task too, each step once (to the street office once), an event each" test "$(ladder "$T1")/$(recs "$T1" task_escalated so.s1)/$(events TaskReminder)/$(events TaskEscalated)" = 2/2/1/4/4
check "... and the reported task was never reminded" test "$(ladder "$T3")" = 0/0

# --- 报告 and 验收 ----------------------------------------------------------------------------
refused "a resident cannot report a task done" NOT_TASK_OWNER M --as r.s1.c1.g1.1.1 report "$A" --task "$T1" --text 已完成
refused "nor another department" NOT_TASK_OWNER M --as p.dept.chengguan.head --unit dept.chengguan report "$A" --task "$T1" --text 已完成
refused "nor the committee that assigned it" NOT_TASK_OWNER M $C report "$A" --task "$T1" --text 已完成
refused "nor the grid worker, whose task is another" NOT_TASK_OWNER M $GW report "$A" --task "$T1" --text 已完成
refused "an unknown task" UNKNOWN_TASK M $ZJ report "$A" --task $((T3 + 1000)) --text 已完成
refused "a task not reported cannot be checked" TASK_NOT_REPORTED M $SV check "$A" --task "$T1" --verdict passed --note 好
refused "a report needs its text" MISSING_TEXT M $ZJ report "$A" --task "$T1" --text ''
q "INSERT INTO unit_members (unit_id, person_id, role) SELECT u.id, p.id, 'member' FROM units u, people p WHERE u.code = 'dept.zhujian' AND p.code = 'r.s1.c1.g4.2.1'" >/dev/null
step "another member of 住建, acting for it, reports the first task done" M --as r.s1.c1.g4.2.1 --unit dept.zhujian report "$A" --task "$T1" --text @TEXT@
conflict "... the report" M $ZJ report "$A" --task "$T1" --text 已修缮
refused "... not twice" TASK_NOT_OPEN M $ZJ report "$A" --task "$T1" --text 已修缮
refused "a resident cannot check a task (验收)" NOT_CHECKER M --as r.s1.c1.g1.1.1 check "$A" --task "$T1" --verdict passed --note 好
refused "nor the residents' committee that executes" NOT_CHECKER M $C check "$A" --task "$T1" --verdict passed --note 好
refused "nor the owner" NOT_CHECKER M $ZJ check "$A" --task "$T1" --verdict passed --note 好
refused "nor another community's party committee" NOT_CHECKER M --as p.pc.s1.c2.secretary --unit pc.s1.c2 check "$A" --task "$T1" --verdict passed --note 好
refused "a verdict is passed or failed" BAD_VERDICT M $SV check "$A" --task "$T1" --verdict fine --note 好
refused "a check has its note" MISSING_TEXT M $SV check "$A" --task "$T1" --verdict failed
step "the supervision committee finds the effect wanting: the task reopens" M $SV check "$A" --task "$T1" --verdict failed --note @TEXT@
conflict "... the check" M $SV check "$A" --task "$T1" --verdict passed --note 好
check "... open again, reopened once, told (TaskReopened)" test "$(task "$T1" "state || '/' || reopens || '/' || check_verdict")/$(events TaskReopened)" = open/1/failed/1
check "... due two working days from the check, on a new ladder" test "$(task "$T1" due_ms)/$(q "SELECT step || '/' || ladder FROM task_deadlines WHERE task_id = $T1 AND fired_ms IS NULL")" = "$(due "$(task "$T1" assigned_ms)" 2)/0/1"
expect_status "住建 reports it done again" 0 M $ZJ report "$A" --task "$T1" --text 重新修缮
step "the party committee finds it wanting again: the task fails, it is not reopened twice" M $PC check "$A" --task "$T1" --verdict failed --note @TEXT@
check "... failed, reopened once only, told (TaskFailed)" test "$(task "$T1" "state || '/' || reopens")/$(events TaskReopened)/$(events TaskFailed)" = failed/1/1/1
refused "a failed task is not reported again" TASK_NOT_OPEN M $ZJ report "$A" --task "$T1" --text 再修
expect_status "the grid worker reports the overdue task done" 0 M $GW report "$A" --task "$T2" --text 已清理
step "the party committee checks it: passed" M $PC check "$A" --task "$T2" --verdict passed --note @TEXT@
check "... done, checked by the party committee, told (TaskPassed)" test "$(json "[(t['state'], t['check_verdict'], t['checked_by'], t['check_unit']) for t in d['item']['tasks'] if t['id'] == $T2]")/$(events TaskPassed)" = "[('done', 'passed', 'p.pc.s1.c1.secretary', 'pc.s1.c1')]/1"
refused "... once" TASK_NOT_REPORTED M $SV check "$A" --task "$T2" --verdict failed --note 不行
refused "one task checked, one still reported: the work is not done" TASKS_OPEN M $C progress "$A" --text 完成 --done
expect_status "the supervision committee passes the third" 0 M $SV check "$A" --task "$T3" --verdict passed --note 宣传栏已更新
expect_status "every task checked: the committee reports the work done" 0 M $C progress "$A" --text 全部完成 --done
check "... and the evaluation opens" test "$(json "d['item']['step']")" = evaluating
refused "no tasks once the work is done" MATTER_NOT_DECIDED M $C task "$A" $T
check "the chain of every step verifies" sh -c "\"$govctl\" matter verify $A | grep -q '\"ok\": true'"
check "... and holds each transition" test "$(q "SELECT string_agg(kind || ':' || n, ',' ORDER BY kind) FROM (SELECT kind, count(*) n FROM matter_records WHERE matter_id = $A AND kind LIKE 'task%' GROUP BY kind) k")" = "task_assigned:3,task_checked:4,task_escalated:4,task_reminder:4,task_reported:4"
echo "1..$n"
[ "$failed" -eq 0 ]
