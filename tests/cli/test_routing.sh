#!/usr/bin/env bash
# govctl against real gov-intake and gov-routing: a report routed to its
# department and worked through, a whistle to three departments, the
# calendar import's errors (all or nothing, naming the line), rules and KPIs.
set -u
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d)
. tests/cli/tap.sh
bin=${GOV_BIN:-build/bin}
govctl="$bin/govctl"
db=cli_routing
. tests/cli/lib.sh
. tests/cli/steps.sh
test_db "$db"
export GOV_INTAKE_ENDPOINT="tcp://127.0.0.1:$(free_port)" GOV_INTAKE_EVENTS="tcp://127.0.0.1:$(free_port)"
export GOV_INTAKE_HTTP_PORT=$(free_port)
export GOV_ROUTING_ENDPOINT="tcp://127.0.0.1:$(free_port)" GOV_ROUTING_EVENTS="tcp://127.0.0.1:$(free_port)"
export GOV_ROUTING_HTTP_PORT=$(free_port)
trap 'stop_services; service_reports "$tmp"; rm -rf "$tmp"' EXIT
start_service intake GOV_SUB_SILENCE_MS=300 || not_ok "intake answers its health check" "see intake.log below"
start_service routing || not_ok "routing answers its health check" "see routing.log below"
effects="SELECT (SELECT count(*) FROM outbox) || '/' || (SELECT count(*) FROM cases) || '/' || (SELECT count(*) FROM dispatches) || '/' || (SELECT count(*) FROM dispatch_log) || '/' || (SELECT count(*) FROM whistles) || '/' || (SELECT count(*) FROM whistle_ratings) || '/' || (SELECT count(*) FROM evaluations) || '/' || (SELECT count(*) FROM deadlines)"

# --- usage -------------------------------------------------------------------
for c in dispatch whistle kpi rules calendar; do
    expect_status "govctl $c --help exits 0" 0 "$govctl" $c --help
    contains "govctl $c --help prints its usage" "$tmp/out" "usage: govctl $c"
done
expect_status "dispatch sign needs an id" 2 "$govctl" dispatch sign
expect_status "dispatch return needs a reason" 2 "$govctl" dispatch return 1 --text x
expect_status "whistle blow needs a place or a case" 2 "$govctl" whistle blow --kind routine --reason x --dept dept.shuiwu
expect_status "kpi needs a month" 2 "$govctl" kpi --unit dept.shuiwu

# --- a report, routed and worked through ------------------------------------
# Routing dispatches the case on its own time: wait for that before the retry,
# whose check is that the retry itself writes nothing.
STEP_SAME_ANSWER=0 STEP_SETTLE='wait_until 10 q_is "SELECT count(*) FROM dispatches WHERE case_id = $(json "d[\"case_id\"]")" 1' \
    step "a noise report is accepted" "$govctl" case submit --category complaint.noise \
    --lat 39.9025 --lon 116.3025 --text @TEXT@ --phone 13800001234
case_id=$(json "d['case_id']")
check "... and its retry is the same case, replayed" python3 -c "import json; a = json.load(open('$tmp/again')); assert a['case_id'] == $case_id and a.get('replayed')"
conflict "... and the report" "$govctl" case submit --category complaint.noise --lat 39.9025 --lon 116.3025 --text 别的 --phone 13800001234
wait_until 10 q_is "SELECT count(*) FROM dispatches WHERE case_id = $case_id" 1
expect_status "dispatch list shows the case's dispatch" 0 "$govctl" dispatch list --case "$case_id"
contains "... at the urban management department" "$tmp/out" '"unit": "dept.chengguan"'
d=$(json "d['items'][0]['id']")
as="--as p.dept.chengguan.head --unit dept.chengguan"
expect_status "resolving before signing is refused" 1 "$govctl" dispatch $as resolve "$d" --text 已处理
contains "... with ILLEGAL_TRANSITION" "$tmp/err" ILLEGAL_TRANSITION
# govctl dispatch clock (the browser test's way to a deadline) moves only a test clock.
expect_status "dispatch clock needs a positive number of ms" 2 "$govctl" dispatch clock 0
expect_status "moving the clock of a routing without GOV_TEST_CLOCK is refused" 1 "$govctl" dispatch clock 60000
contains "... with CLOCK_FIXED" "$tmp/err" CLOCK_FIXED
expect_status "another unit cannot sign it" 1 "$govctl" dispatch --as p.dept.shuiwu.head --unit dept.shuiwu sign "$d"
contains "... NOT_YOUR_DISPATCH" "$tmp/err" NOT_YOUR_DISPATCH
step "the department signs (签收)" "$govctl" dispatch $as sign "$d"
conflict "... signing" "$govctl" dispatch $as sign $((d + 1000))
step "... contacts the reporter" "$govctl" dispatch $as progress "$d" --text @TEXT@ --contacted
conflict "... a progress note" "$govctl" dispatch $as progress "$d" --text 另一条 --contacted
step "... reports on site (报到)" "$govctl" dispatch $as arrive "$d"
conflict "... arriving" "$govctl" dispatch $as progress "$d" --text 到了
step "... and resolves (办结)" "$govctl" dispatch $as resolve "$d" --text @TEXT@
contains "... which the reply shows" "$tmp/out" '"state": "resolved"'
conflict "... resolving" "$govctl" dispatch $as resolve "$d" --text 另一种说法
step "the reporter evaluates" "$govctl" case evaluate "$case_id" --result satisfied --text @TEXT@ --as 13800001234
contains "... and the case closes" "$tmp/out" '"case_state": "closed"'
conflict "... the evaluation" "$govctl" case evaluate "$case_id" --result dissatisfied --as 13800001234
wait_until 10 q_is "SELECT status FROM cases WHERE id = $case_id" closed
expect_status "intake's case show follows routing" 0 "$govctl" case show "$case_id"
contains "... to closed" "$tmp/out" '"status": "closed"'

# --- a whistle to three departments ----------------------------------------
so="--as p.so.s1.head --unit so.s1"
expect_status "a department may not whistle" 1 "$govctl" whistle --as p.dept.shuiwu.head --unit dept.shuiwu \
    blow --kind emergency --reason 路面塌陷 --dept dept.gongan --lat 39.9025 --lon 116.3025
contains "... NOT_A_CALLER" "$tmp/err" NOT_A_CALLER
whistles=$(q "SELECT count(*) FROM whistles")
step "the street office whistles (应急哨)" "$govctl" whistle $so blow --kind emergency \
    --reason @TEXT@ --dept dept.chengguan --dept dept.shuiwu --dept dept.gongan --lat 39.9025 --lon 116.3025
w=$(json "d['item']['id']")
check "... once, though sent twice with one message id" test "$(q "SELECT count(*) FROM whistles")" = $((whistles + 1))
check "... with one set of dispatches" test "$(q "SELECT count(*) FROM dispatches WHERE whistle_id IS NOT NULL")" = 3
conflict "... the whistle" "$govctl" whistle $so blow --kind emergency --reason 另一个原因 --dept dept.chengguan --lat 39.9025 --lon 116.3025
check "... three dispatches" test "$(json "len(d['item']['dispatches'])")" = 3
check "... nobody has reported yet" test "$(json "len(d['item']['not_reported'])")" = 3
expect_status "whistle show answers" 0 "$govctl" whistle show "$w"
contains "... with the kind" "$tmp/out" '"kind": "emergency"'

expect_status "events tail --stream routing shows the whistle" 0 "$govctl" events tail --stream routing \
    --from 0 --type WhistleBlown --count 1 --timeout 5000
contains "... as a WhistleBlown event" "$tmp/out" '"type":"WhistleBlown"'
expect_status "an unknown stream is a usage error" 2 "$govctl" events tail --stream gossip

# --- return, reassign, release and rate, each once however often it is sent --
step "公安 signs its dispatch of the whistle" "$govctl" dispatch --as p.dept.gongan.head --unit dept.gongan sign "$(q "SELECT id FROM dispatches WHERE whistle_id = $w AND unit_id = (SELECT id FROM units WHERE code = 'dept.gongan')")"
for dept in chengguan shuiwu gongan; do
    wd=$(q "SELECT id FROM dispatches WHERE whistle_id = $w AND unit_id = (SELECT id FROM units WHERE code = 'dept.$dept')")
    step "the street office releases $dept (the work is done)" "$govctl" dispatch $so release "$wd" --text @TEXT@
done
conflict "... releasing" "$govctl" dispatch $so release "$wd" --text 别的
check "... and the whistle closes" test "$(q "SELECT state FROM whistles WHERE id = $w")" = closed
step "the street office rates a department (双考核)" "$govctl" whistle $so rate "$w" --dispatch "$wd" --score 4 --text @TEXT@
conflict "... the rating" "$govctl" whistle $so rate "$w" --dispatch "$wd" --score 2
expect_status "a second case for the water department's road" 0 "$govctl" case submit --category complaint.noise \
    --lat 39.9225 --lon 116.3225 --text 施工噪音 --phone 13800001235
c2=$(json "d['case_id']")
until_q "SELECT count(*) FROM dispatches WHERE case_id = $c2" 1
d2=$(q "SELECT id FROM dispatches WHERE case_id = $c2")
step "the department returns it: not its function (退单)" "$govctl" dispatch $as return "$d2" --reason function --text @TEXT@
conflict "... the return" "$govctl" dispatch $as return "$d2" --reason territory --text 不是本辖区
d3=$(q "SELECT max(id) FROM dispatches WHERE case_id = $c2")
check "... and the case goes to a next owner" test "$d3" -gt "$d2"
step "the dispatch centre reassigns it to 住建" "$govctl" dispatch --as p.centre.dispatcher --unit centre reassign "$d3" --to dept.zhujian --text @TEXT@
conflict "... the reassignment" "$govctl" dispatch --as p.centre.dispatcher --unit centre reassign "$d3" --to dept.shuiwu
check "... intake notes the new lead (who now reads the reporter in full) and the case stays dispatched" \
    until_q "SELECT lead_unit || ':' || status FROM cases WHERE id = $c2" "dept.zhujian:dispatched"

# --- calendar ------------------------------------------------------------------
before=$(q "SELECT count(*) FROM calendar_days")
printf 'day,kind,name,source\n2027-01-01,holiday,元旦,test\n2027-01-04,workday,调休,test\n' >"$tmp/bad.csv"
expect_status "a make-up workday on a Monday is refused" 1 "$govctl" calendar import "$tmp/bad.csv"
contains "... naming the line" "$tmp/err" "bad.csv:3:"
check "... and nothing is written" test "$(q "SELECT count(*) FROM calendar_days")" = "$before"
printf 'day,kind,name,source\n2027-02-30,holiday,x,test\n' >"$tmp/bad2.csv"
expect_status "an impossible date is refused" 1 "$govctl" calendar import "$tmp/bad2.csv"
contains "... naming the line" "$tmp/err" "bad2.csv:2: the day is not a date"
expect_status "re-importing the shipped 2026 calendar is harmless" 0 "$govctl" calendar import deploy/demo/calendar/cn-2026.csv
check "... same rows" test "$(q "SELECT count(*) FROM calendar_days")" = "$before"
expect_status "calendar show --year 2026" 0 "$govctl" calendar show --year 2026
contains "... lists the make-up Saturday of 国庆" "$tmp/out" "2026-10-10  workday"

# --- rules and KPIs ----------------------------------------------------------
expect_status "rules list" 0 "$govctl" rules list
contains "... shows the noise rule" "$tmp/out" '"category": "*.noise"'
centre="--as p.centre.dispatcher --unit centre"
expect_status "disabling a rule that does not exist fails" 1 "$govctl" rules $centre disable 999999
contains "... NOT_FOUND" "$tmp/err" NOT_FOUND
rule=$(q "SELECT min(id) FROM routing_rules WHERE enabled")
expect_status "a department may not change the rules" 1 "$govctl" rules $as disable "$rule"
contains "... NOT_CENTRE" "$tmp/err" NOT_CENTRE
check "... and the rule stays on" test "$(q "SELECT enabled FROM routing_rules WHERE id = $rule")" = t
effects="$effects || '/' || (SELECT count(*) FROM routing_rules WHERE enabled)"
step "the dispatch centre disables a rule (through routing)" "$govctl" rules $centre disable "$rule"
check "... which is off" test "$(q "SELECT enabled FROM routing_rules WHERE id = $rule")" = f
conflict "... disabling" "$govctl" rules $centre enable "$rule"
step "... and enables it again" "$govctl" rules $centre enable "$rule"
check "... which is on" test "$(q "SELECT enabled FROM routing_rules WHERE id = $rule")" = t
month=$(q "SELECT to_char(now() AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM')")
expect_status "kpi for the department this month" 0 "$govctl" kpi --unit dept.chengguan --month "$month"
check "... counts its dispatches" test "$(json "d['item']['dispatched']")" -ge 2
check "... the noise case signed in time" test "$(json "d['item']['signed_in_time']")" -ge 1
expect_status "kpi ranking of departments" 0 "$govctl" kpi --rank --kind department --month "$month"
expect_status "a bad month is refused" 1 "$govctl" kpi --unit dept.chengguan --month 2026-13
contains "... BAD_MONTH" "$tmp/err" BAD_MONTH

# --- a whistle to the community's paired units (结对共建) and member units (委员单位) ---
# The demo pairs every department with every community, 城管, 住建 and 水务 as
# member units (deploy/demo/pairing.sql).
refused_w() {
    local name=$1 code=$2 before after; shift 2
    before=$(q "$effects")
    "$@" >"$tmp/r.out" 2>"$tmp/r.err"; local rc=$?
    after=$(q "$effects")
    if [ "$rc" = 1 ] && grep -q "\"$code\"" "$tmp/r.err" && [ "$before" = "$after" ]; then
        ok "$name: $code, nothing written"
    else
        not_ok "$name: $code, nothing written" "exit $rc; effects $before -> $after" "$(head -c 300 "$tmp/r.err")"
    fi
}
units_of() { q "SELECT string_agg(u.code, ',' ORDER BY u.code) FROM dispatches d JOIN units u ON u.id = d.unit_id WHERE d.whistle_id = $1"; }
step "the street office whistles in demo.s1.c1 to 城管 and the community's member units" \
    "$govctl" whistle $so blow --kind hard --reason @TEXT@ --dept dept.chengguan --pairing member --lat 39.9025 --lon 116.3025
wm=$(json "d['item']['id']")
check "... 城管 once, 住建 and 水务 with it" test "$(units_of "$wm")" = dept.chengguan,dept.shuiwu,dept.zhujian
step "the community whistles to every unit paired with it, naming none" \
    "$govctl" whistle --as p.cm.s1.c1.head --unit cm.s1.c1 blow --kind routine --reason @TEXT@ --pairing paired --lat 39.9025 --lon 116.3025
wp=$(json "d['item']['id']")
check "... its eight paired units are summoned" test "$(q "SELECT count(*) FROM dispatches WHERE whistle_id = $wp")" = 8
refused_w "a pairing is member or paired" BAD_KIND "$govctl" whistle $so blow --kind routine --reason x --pairing friend --lat 39.9025 --lon 116.3025
refused_w "neither a department nor a pairing" NO_DEPARTMENTS "$govctl" whistle $so blow --kind routine --reason x --pairing '' --lat 39.9025 --lon 116.3025
q "DELETE FROM unit_pairings WHERE community_id = (SELECT id FROM areas WHERE code = 'demo.s1.c2') AND kind = 'member'" >/dev/null
refused_w "in demo.s1.c2, whose member units are gone" NO_PAIRED_UNITS "$govctl" whistle $so blow --kind routine --reason x --dept dept.gongan --pairing member --lat 39.9050 --lon 116.3150
refused_w "another community's whistle cannot reach outside its area" OUTSIDE_AREA "$govctl" whistle --as p.cm.s1.c1.head --unit cm.s1.c1 blow --kind routine --reason x --pairing paired --lat 39.9050 --lon 116.3150

echo "1..$n"
