#!/usr/bin/env bash
# Joint meetings (联席会议, seed 001) on a recurring day (seed 002's first
# Wednesday of each month), against a real gov-deliberation (test clock):
#  - the party committee sets the schedule; the first meeting falls on the
#    calendar as it stands: a holiday on the first Wednesday moves it to the
#    next working day;
#  - the meeting is made by the deadline engine when its row falls due, not
#    before; due while the service was down (kill -9), it is made on start,
#    once, and a second restart makes nothing more; the next row is the
#    next month's first Wednesday;
#  - from its start, member units (委员单位) and the community's committees
#    record their attendance; a unit only paired, or none, is refused; the
#    party committee records decisions (a unit that carries one out must be
#    a member) and closes it: the record lists who came and who did not;
#  - the party committee stops the schedule: no next row.
# Every refusal is checked to change nothing.
set -u
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d)
. tests/cli/tap.sh
bin=${GOV_BIN:-build/bin}
govctl="$bin/govctl"
. tests/cli/lib.sh
. tests/cli/steps.sh
test_db cli_joint
export GOV_DELIBERATION_ENDPOINT="tcp://127.0.0.1:$(free_port)" GOV_DELIBERATION_EVENTS="tcp://127.0.0.1:$(free_port)"
export GOV_DELIBERATION_HTTP_PORT=$(free_port) GOV_ROUTING_EVENTS="tcp://127.0.0.1:$(free_port)"
export GOV_SUB_SILENCE_MS=300 GOV_TEST_CLOCK=1
trap 'stop_services; service_reports "$tmp"; [ -n "${KEEP_TMP:-}" ] || rm -rf "$tmp"' EXIT
start_service deliberation
effects="SELECT (SELECT count(*) FROM outbox) || '/' || (SELECT count(*) FROM joint_schedules) || '/' || (SELECT coalesce(sum(xmin::text::bigint), 0) FROM joint_schedules) || '/' || (SELECT count(*) FROM joint_meetings) || '/' || (SELECT coalesce(sum(xmin::text::bigint), 0) FROM joint_meetings) || '/' || (SELECT count(*) FROM joint_attendance) || '/' || (SELECT count(*) FROM joint_decisions) || '/' || (SELECT count(*) FROM joint_deadlines) || '/' || (SELECT coalesce(sum(xmin::text::bigint), 0) FROM joint_deadlines)"
J() { "$govctl" joint "$@"; }
PC="--as p.pc.s1.c1.secretary --unit pc.s1.c1"   # 联合党委 of demo.s1.c1
CM="--as p.cm.s1.c1.head --unit cm.s1.c1"         # its residents' committee
CG="--as p.dept.chengguan.head --unit dept.chengguan"   # member units (委员单位) in the demo
ZJ="--as p.dept.zhujian.head --unit dept.zhujian"
GA="--as p.dept.gongan.head --unit dept.gongan"         # paired (结对共建), not a member
events() { q "SELECT count(*) FROM outbox WHERE stream = 'deliberation' AND type = '$1'"; }
clock() { "$govctl" matter clock "$1" 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["now_ms"])'; }
# cal DAYS: python over the calendar in the database: D(ms) the Beijing date of
# an instant, held(d) the first working day from d on, first_wed(y, m).
cal() {
    q "SELECT day || ' ' || kind FROM calendar_days" >"$tmp/cal"
    python3 - "$tmp/cal" "$@" <<'PY'
import datetime as dt, sys
marks = dict(l.split() for l in open(sys.argv[1]) if l.strip())
def working(d):
    k = marks.get(d.isoformat())
    return k == 'workday' if k else d.weekday() < 5
def held(d):
    while not working(d): d += dt.timedelta(days=1)
    return d
def first_wed(y, m):
    d = dt.date(y, m, 1)
    return d + dt.timedelta(days=(2 - d.weekday()) % 7)
def D(ms): return (dt.datetime.utcfromtimestamp(ms / 1000) + dt.timedelta(hours=8)).date()
def start(d, minute=540): return int((dt.datetime(d.year, d.month, d.day) - dt.timedelta(hours=8) - dt.datetime(1970, 1, 1)).total_seconds() * 1000) + minute * 60000
def nextmonth(d): return dt.date(d.year + d.month // 12, d.month % 12 + 1, 1)
print(eval(sys.argv[2]))
PY
}

# --- the clock: 00:00 Beijing on the first of next month -----------------------------
now=$(clock 1)
first=$(cal "start(nextmonth(D($now)), 0)")
now=$(clock $((first - now)))
check "the clock is at the first of next month, 00:00 Beijing" test "$now" -ge "$first" -a "$now" -lt $((first + 60000))
nominal=$(cal "first_wed(D($now).year, D($now).month)")
q "INSERT INTO calendar_days VALUES ('$nominal', 'holiday', '测试假日', 'test_joint.sh') ON CONFLICT (day) DO UPDATE SET kind = 'holiday'" >/dev/null
held=$(cal "held(first_wed(D($now).year, D($now).month))")
check "... its first Wednesday ($nominal) is made a holiday: held $held" test "$held" != "$nominal"

# --- the schedule --------------------------------------------------------------------------
refused "the residents' committee cannot set the joint meeting" NOT_PARTY_COMMITTEE J $CM schedule demo.s1.c1 --title 联席会议 --rule 'monthly 1 wed'
refused "a member unit cannot either" NOT_PARTY_COMMITTEE J $CG schedule demo.s1.c1 --title 联席会议 --rule 'monthly 1 wed'
refused "another community's party committee cannot" NOT_PARTY_COMMITTEE J --as p.pc.s1.c2.secretary --unit pc.s1.c2 schedule demo.s1.c1 --title 联席会议 --rule 'monthly 1 wed'
refused "a rule that is not one" BAD_RULE J $PC schedule demo.s1.c1 --title 联席会议 --rule 'monthly 5 wed'
refused "... nor this" BAD_RULE J $PC schedule demo.s1.c1 --title 联席会议 --rule 'every wednesday'
refused "a grid is not a community" UNKNOWN_AREA J $PC schedule demo.s1.c1.g1 --title 联席会议 --rule 'monthly 1 wed'
refused "a lead of a negative time" BAD_ARGUMENT J $PC schedule demo.s1.c1 --title 联席会议 --rule 'monthly 1 wed' --lead -5
step "the party committee sets the joint meeting on the first Wednesday, 09:00, made a day ahead" \
    J $PC schedule demo.s1.c1 --title '社区工作联席会议' --rule 'monthly 1 wed' --at 09:00 --lead 1440
sid=$(json "d['item']['id']")
check "... its rule in full: moved to the next working day off a holiday" test "$(json "d['item']['rule']")" = 'monthly 1 wed next'
check "... the first one on $held 09:00, not on the holiday" test "$(json "d['item']['next_starts_ms']")" = "$(cal "start(held(first_wed(D($now).year, D($now).month)))")"
check "... one JointScheduleSet event, naming the three member units and the party committee" \
    test "$(events JointScheduleSet)/$(q "SELECT payload FROM outbox WHERE type = 'JointScheduleSet'" | wc -c)" != "0/0"
check "... no meeting yet" q_is "SELECT count(*) FROM joint_meetings" 0

# --- made by the deadline engine, once -------------------------------------------------------
due=$(q "SELECT due_ms FROM joint_deadlines WHERE schedule_id = $sid AND fired_ms IS NULL")
check "its row falls due a day before the start" test "$due" = "$(( $(cal "start(held(first_wed(D($now).year, D($now).month)))") - 86400000 ))"
now=$(clock $((due - now - 60000)))
sleep 0.5
check "a minute before it is due, nothing is made" q_is "SELECT count(*) FROM joint_meetings" 0
stop_service deliberation KILL
real=$(date +%s%3N)
start_service deliberation GOV_TEST_CLOCK_AHEAD_MS=$((due + 60000 - real))
check "due while the service was down (kill -9): made on start" until_q "SELECT count(*) FROM joint_meetings WHERE schedule_id = $sid" 1
mid=$(q "SELECT id FROM joint_meetings WHERE schedule_id = $sid")
check "... on $held, 09:00 Beijing" q_is "SELECT day || '/' || starts_ms FROM joint_meetings WHERE id = $mid" \
    "$(cal "(held(first_wed(D($now).year, D($now).month)) - __import__('datetime').date(1970, 1, 1)).days")/$(cal "start(held(first_wed(D($now).year, D($now).month)))")"
nextwed=$(cal "held(first_wed(nextmonth(D($now)).year, nextmonth(D($now)).month))")
check "... and the next row is next month's first Wednesday ($nextwed)" \
    q_is "SELECT day FROM joint_deadlines WHERE schedule_id = $sid AND fired_ms IS NULL" \
    "$(cal "(held(first_wed(nextmonth(D($now)).year, nextmonth(D($now)).month)) - __import__('datetime').date(1970, 1, 1)).days")"
stop_service deliberation KILL
real=$(date +%s%3N)
start_service deliberation GOV_TEST_CLOCK_AHEAD_MS=$((due + 120000 - real))
sleep 1
check "a second restart makes nothing more: one meeting, one event, one pending row" \
    test "$(q "SELECT count(*) FROM joint_meetings")/$(events JointMeetingScheduled)/$(q "SELECT count(*) FROM joint_deadlines WHERE fired_ms IS NULL")" = 1/1/1

# --- attendance and decisions ---------------------------------------------------------------
refused "before it starts, a member unit cannot attend" MEETING_NOT_STARTED J $CG attend $mid
clock 86400000 >/dev/null
step "from its start, 城管 (a member unit) attends" J $CG attend $mid
check "... it is in the attendance" test "$(json "[a['unit'] for a in d['item']['attendance']]")" = "['dept.chengguan']"
refused "... not twice" ALREADY_ATTENDED J $CG attend $mid
refused "公安, paired with the community but not a member unit, is refused" NOT_MEMBER_UNIT J $GA attend $mid
refused "a resident, acting for no unit, is refused" NOT_MEMBER_UNIT J --as r.s1.c1.g1.1.1 attend $mid
refused "a member of no such unit is refused" NOT_A_MEMBER J --as r.s1.c1.g1.1.1 --unit dept.chengguan attend $mid
refused "another community's party committee is refused" NOT_MEMBER_UNIT J --as p.pc.s1.c2.secretary --unit pc.s1.c2 attend $mid
refused "no such meeting" NOT_FOUND J $CG attend 999999
step "the residents' committee attends" J $CM attend $mid
step "the party committee attends" J $PC attend $mid
refused "a member unit cannot record a decision" NOT_PARTY_COMMITTEE J $CG decide $mid --text 整治
refused "a decision carried out by a unit that is not a member" NOT_MEMBER_UNIT J $PC decide $mid --text 整治 --unit-for dept.gongan
refused "an empty decision" MISSING_TEXT J $PC decide $mid --text ''
step "the party committee records a decision that 住建 carries out" J $PC decide $mid --text '@TEXT@' --unit-for dept.zhujian
check "... in the record, with its unit" test "$(json "[(x['unit'], x['decided_by']) for x in d['item']['decisions']]")" = "[('dept.zhujian', 'p.pc.s1.c1.secretary')]"
refused "城管 cannot close it" NOT_PARTY_COMMITTEE J $CG close $mid
step "the party committee closes it" J $PC close $mid
check "... held: who came, and the member units that did not" \
    test "$(json "(d['item']['state'], sorted(a['unit'] for a in d['item']['attendance']), d['item']['absent'])")" = "('held', ['cm.s1.c1', 'dept.chengguan', 'pc.s1.c1'], ['dept.shuiwu', 'dept.zhujian'])"
refused "after it is closed, 住建 cannot attend" MEETING_CLOSED J $ZJ attend $mid
refused "... nor can a decision be added" MEETING_CLOSED J $PC decide $mid --text 补充
refused "... nor is it closed twice" MEETING_CLOSED J $PC close $mid
check "events: set 1, scheduled 1, attended 3, decided 1, held 1" \
    test "$(events JointScheduleSet)/$(events JointMeetingScheduled)/$(events JointMeetingAttended)/$(events JointMeetingDecided)/$(events JointMeetingHeld)" = 1/1/3/1/1
expect_status "anyone reads the community's joint meetings" 0 J $ZJ list demo.s1.c1
check "... the schedule and the meeting" test "$(json "(len(d['schedules']), [m['id'] for m in d['items']])")" = "(1, [$mid])"

# --- stopping the schedule -------------------------------------------------------------------
refused "the residents' committee cannot stop it" NOT_PARTY_COMMITTEE J $CM stop $sid
step "the party committee stops it" J $PC stop $sid
check "... no occurrence is pending" q_is "SELECT count(*) FROM joint_deadlines WHERE fired_ms IS NULL" 0
refused "... not twice" SCHEDULE_STOPPED J $PC stop $sid
refused "no such schedule" NOT_FOUND J $PC stop 999999
echo "1..$n"
[ "$failed" -eq 0 ]
