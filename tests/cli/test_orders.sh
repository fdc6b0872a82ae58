#!/usr/bin/env bash
# The organisation the flows run through, against real gov-routing and
# gov-deliberation (test clocks, GOV_ORDER_TAKE_S=60):
#  - pairing (结对共建) and 双报到 in routing's directory: a unit's communities,
#    a community's units and reported members; the admin pairs and unpairs;
#    a serving party member reports to a grid;
#  - 3+1 both ways (双向认领): needs with class, source and a paired target
#    unit; the committee takes up a unit's resource and the unit signs;
#  - service orders (seed 004): 点单 → 派单 by the 知行家 station's dispatcher →
#    接单 by the volunteer it went to → done → the resident confirms and rates
#    → 晒单 by the committee; an order not taken by its deadline goes back to
#    the station, and is escalated exactly once, also across a kill -9.
# Every refusal is checked to change nothing.
set -u
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d)
. tests/cli/tap.sh
bin=${GOV_BIN:-build/bin}
govctl="$bin/govctl"
db=cli_orders
. tests/cli/lib.sh
. tests/cli/steps.sh
test_db "$db"
export GOV_ORDER_TAKE_S=60
deliberation_stack
effects="SELECT (SELECT count(*) FROM outbox) || '/' || (SELECT count(*) FROM unit_pairings) || '/' || (SELECT coalesce(sum(xmin::text::bigint), 0) FROM unit_pairings) || '/' || (SELECT count(*) FROM member_reports) || '/' || (SELECT coalesce(sum(xmin::text::bigint), 0) FROM member_reports) || '/' || (SELECT count(*) FROM community_needs) || '/' || (SELECT coalesce(sum(xmin::text::bigint), 0) FROM community_needs) || '/' || (SELECT count(*) FROM unit_resources) || '/' || (SELECT count(*) FROM community_projects) || '/' || (SELECT coalesce(sum(xmin::text::bigint), 0) FROM community_projects) || '/' || (SELECT count(*) FROM service_orders) || '/' || (SELECT coalesce(sum(xmin::text::bigint), 0) FROM service_orders) || '/' || (SELECT count(*) FROM order_deadlines) || '/' || (SELECT count(*) FROM volunteers)"
P() { "$govctl" pairing "$@"; }
L() { "$govctl" lists "$@"; }
O() { "$govctl" order "$@"; }
ADM="--as p.admin.head --unit admin"
C="--as p.cm.s1.c1.head --unit cm.s1.c1"           # the committee of demo.s1.c1
ST="--as p.st.s1.c1.dispatcher --unit st.s1.c1"    # its 知行家 station's dispatcher
RES=r.s1.c1.g1.2.2                                  # a resident who orders
V1=r.s1.c1.g4.3.1 V2=r.s1.c1.g4.4.1                 # the demo's two volunteers of demo.s1.c1
events() { q "SELECT count(*) FROM outbox WHERE stream = 'deliberation' AND type = '$1'"; }
advance() { "$govctl" matter clock "$1" >"$tmp/clock" 2>&1; }
ostate() { q "SELECT state || '/' || lapses || '/' || (escalated_ms IS NOT NULL) FROM service_orders WHERE id = $1"; }

# --- pairing (结对共建) and 双报到 ------------------------------------------------
expect_status "a department lists its communities" 0 P --as p.dept.zhujian.head --unit dept.zhujian list --unit dept.zhujian
check "... all nine demo communities" test "$(json "len(d['items'])")" = 9
expect_status "a community's units and reported members are listed" 0 P $C list --community demo.s1.c1
check "... eight paired units, three of them members of the joint party committee (委员单位)" \
    test "$(json "(len(d['items']), sum(x['kind'] == 'member' for x in d['items']))")" = "(8, 3)"
check "... and 城管's head reported there (双报到), in grid g1" \
    test "$(json "[(x['person'], x['unit'], x['grid']) for x in d['reports']]")" = "[('p.dept.chengguan.head', 'dept.chengguan', 'demo.s1.c1.g1')]"
# (a resident reads no pairings: govctl acts as the operator without --unit,
# so test_api_matrix checks that refusal through the gateway)
refused "a list names a unit or a community, not both" BAD_ARGUMENT P $C list --unit dept.zhujian --community demo.s1.c1
refused "... nor neither" BAD_ARGUMENT P $C list
refused "an unknown unit" UNKNOWN_UNIT P $C list --unit dept.nowhere
refused "a committee cannot pair units" NOT_ADMIN P $C add so.s1 demo.s1.c1 --kind paired
refused "a pairing's kind is member or paired" BAD_KIND P $ADM add so.s1 demo.s1.c1 --kind friend
refused "a grid is not a community" UNKNOWN_AREA P $ADM add so.s1 demo.s1.c1.g1 --kind paired
refused "an unknown unit cannot be paired" UNKNOWN_UNIT P $ADM add so.nowhere demo.s1.c1 --kind paired
step "the admin pairs the street office with demo.s1.c1" P $ADM add so.s1 demo.s1.c1 --kind paired
conflict "... the pairing" P $ADM add so.s1 demo.s1.c2 --kind paired
check "... which now lists it" test "$(json "[x['community'] for x in d['items']]")" = "['demo.s1.c1']"
step "... and makes it a member unit" P $ADM add so.s1 demo.s1.c1 --kind member
check "... once (the kind changed)" test "$(json "[x['kind'] for x in d['items']]")" = "['member']"
step "the admin unpairs it" P $ADM remove so.s1 demo.s1.c1
refused "... not twice" NOT_FOUND P $ADM remove so.s1 demo.s1.c1
step "水务's head reports to grid g2 of demo.s1.c1 (双报到)" P --as p.dept.shuiwu.head --unit dept.shuiwu report demo.s1.c1.g2
conflict "... the report" P --as p.dept.shuiwu.head --unit dept.shuiwu report demo.s1.c1.g3
check "... and is listed with 水务" test "$(json "[(x['person'], x['grid']) for x in d['reports']]")" = "[('p.dept.shuiwu.head', 'demo.s1.c1.g2')]"
refused "a report goes to a grid" UNKNOWN_AREA P --as p.dept.shuiwu.head --unit dept.shuiwu report demo.s1.c1
refused "one reports for a unit one belongs to" NOT_A_MEMBER P --as p.dept.shuiwu.head --unit dept.gongan report demo.s1.c1.g2

# --- 责任区: parts of a grid (its buildings) where reported members serve ---------------
effects="$effects || '/' || (SELECT count(*) FROM duty_zones) || '/' || (SELECT coalesce(sum(xmin::text::bigint), 0) FROM duty_zones) || '/' || (SELECT count(*) || '/' || coalesce(sum(zone_id), 0) FROM duty_zone_buildings) || '/' || (SELECT coalesce(sum(zone_id), 0) FROM member_reports)"
expect_status "the demo's reported heads serve in a 责任区" 0 P $C list --community demo.s1.c1
check "... 城管's head in z.s1.c1.g1.b1, in grid g1" test "$(json "[(x['person'], x['grid'], x['zone']) for x in d['reports'] if x['unit'] == 'dept.chengguan']")" = "[('p.dept.chengguan.head', 'demo.s1.c1.g1', 'z.s1.c1.g1.b1')]"
refused "a committee cannot draw a 责任区" NOT_ADMIN P $C zone z.s1.c1.g2.b1 --grid demo.s1.c1.g2 --name 二号 --building demo.s1.c1.g2.b1
refused "a 责任区's buildings are its own grid's" BAD_ZONE P $ADM zone z.s1.c1.g2.b1 --grid demo.s1.c1.g2 --name 二号 --building demo.s1.c1.g3.b1
refused "... buildings, not entrances" BAD_ZONE P $ADM zone z.s1.c1.g2.b1 --grid demo.s1.c1.g2 --name 二号 --building demo.s1.c1.g2.b1.u1
refused "... each in one 责任区 only" BAD_ZONE P $ADM zone z.s1.c1.g2.b1 --grid demo.s1.c1.g2 --name 二号 --building demo.s1.c1.g2.b1 --building demo.s1.c1.g2.b2
refused "... at least one" BAD_ZONE P $ADM zone z.s1.c1.g2.b1 --grid demo.s1.c1.g2 --name 二号
refused "... in a grid" UNKNOWN_AREA P $ADM zone z.s1.c1.g2.b1 --grid demo.s1.c1 --name 二号 --building demo.s1.c1.g2.b1
step "the admin redraws a 责任区 with a new name" P $ADM zone z.s1.c1.g2.b1 --grid demo.s1.c1.g2 --name 二号楼党员责任区 --building demo.s1.c1.g2.b1
check "... which is named so" q_is "SELECT name FROM duty_zones WHERE code = 'z.s1.c1.g2.b1'" 二号楼党员责任区
step "水务's head reports to grid g2, in its 责任区 (双报到)" P --as p.dept.shuiwu.head --unit dept.shuiwu report demo.s1.c1.g2 --zone z.s1.c1.g2.b1
check "... and is listed there" test "$(json "[(x['person'], x['grid'], x['zone']) for x in d['reports']]")" = "[('p.dept.shuiwu.head', 'demo.s1.c1.g2', 'z.s1.c1.g2.b1')]"
refused "a 责任区 of another grid" BAD_ZONE P --as p.dept.shuiwu.head --unit dept.shuiwu report demo.s1.c1.g2 --zone z.s1.c1.g3.b1
refused "no such 责任区" BAD_ZONE P --as p.dept.shuiwu.head --unit dept.shuiwu report demo.s1.c1.g2 --zone z.nowhere

# --- 3+1: needs with class and source, claimed both ways ----------------------------
refused "a need from a case names the case" BAD_SOURCE L $C need demo.s1.c1 --title 路灯 --source case
refused "... and only a case's need does" BAD_SOURCE L $C need demo.s1.c1 --title 路灯 --source visit --case 7
refused "a source is visit, forum, case or other" BAD_SOURCE L $C need demo.s1.c1 --title 路灯 --source rumour
refused "a need is aimed only at a paired unit" UNIT_NOT_PAIRED L $C need demo.s1.c1 --title 路灯 --for so.s2
refused "a resident cannot add a need" NOT_COMMITTEE L --as $RES need demo.s1.c1 --title 路灯
step "the committee adds a need found on a home visit, for 水务 (需求清单)" L $C need demo.s1.c1 --title 二次供水改造 --text @TEXT@ --category 供水 --source visit --for dept.shuiwu
conflict "... the need" L $C need demo.s1.c1 --title 二次供水改造 --category 供水 --source forum
need=$(json "d['needs'][-1]['id']")
check "... with its class, source and unit" test "$(json "[(x['category'], x['source'], x['target_unit']) for x in d['needs'] if x['id'] == $need]")" = "[('供水', 'visit', 'dept.shuiwu')]"
check "... announced (NeedAdded) to 水务 alone" test "$(events NeedAdded)" = 1
refused "another paired unit cannot claim it" NOT_YOUR_NEED L --as p.dept.chengguan.head --unit dept.chengguan claim "$need"
step "水务 claims it" L --as p.dept.shuiwu.head --unit dept.shuiwu claim "$need"
step "a need from a resident's case, for any paired unit" L $C need demo.s1.c1 --title 楼道堆物 --source case --case 41 --category 环境
check "... with its case" test "$(json "[x['case_id'] for x in d['needs'] if x['title'] == '楼道堆物']")" = "[41]"
step "公安 offers a resource (资源清单)" L --as p.dept.gongan.head --unit dept.gongan resource demo.s1.c1 --title 反诈宣讲 --text 每月一次
res=$(json "d['resources'][-1]['id']")
refused "a resident cannot take up a resource" NOT_COMMITTEE L --as $RES take "$res"
refused "another community's committee cannot either" NOT_COMMITTEE L --as p.cm.s1.c2.head --unit cm.s1.c2 take "$res"
refused "an unknown resource" NOT_FOUND L $C take $((res + 1000))
step "the committee takes up 公安's resource (双向认领), signing for the community" L $C take "$res"
conflict "... the take" L $C take $((res + 1000))
proj=$(json "[x['id'] for x in d['projects'] if x['resource_id'] == $res][0]")
check "... a project claimed by the community, titled by the resource" \
    test "$(json "[(x['claimed_by'], x['title'], x['state'], x['need_id']) for x in d['projects'] if x['id'] == $proj]")" = "[('community', '反诈宣讲', 'claimed', 0)]"
refused "... once" ALREADY_TAKEN L $C take "$res"
refused "the committee has signed already: it is the unit's turn" NOT_A_PARTY L $C sign "$proj"
refused "another unit cannot sign for 公安" NOT_A_PARTY L --as p.dept.shuiwu.head --unit dept.shuiwu sign "$proj"
before_signed=$(events ProjectSigned)
step "公安 signs (双方签约)" L --as p.dept.gongan.head --unit dept.gongan sign "$proj"
check "... signed, and announced (ProjectSigned)" test "$(json "[x['state'] for x in d['projects'] if x['id'] == $proj]")/$(events ProjectSigned)" = "['signed']/$((before_signed + 1))"
refused "... not twice" ALREADY_SIGNED L --as p.dept.gongan.head --unit dept.gongan sign "$proj"

# --- service orders: 点单 → 派单 → 接单 → done → confirm → 晒单 -------------------------------
q "UPDATE units SET area_id = NULL WHERE code = 'st.s2.c1'" >/dev/null
refused "a community without a station takes no orders" NO_STATION O --as r.s2.c1.g1.1.1 place --title 修水管
q "UPDATE units SET area_id = (SELECT id FROM areas WHERE code = 'demo.s2.c1') WHERE code = 'st.s2.c1'" >/dev/null
refused "an official who lives nowhere cannot order" NOT_A_RESIDENT O --as p.dept.zhujian.head place --title x
step "a resident orders a service (点单)" O --as $RES place --title 更换水龙头 --text @TEXT@
conflict "... the order" O --as $RES place --title 更换水龙头 --text 厨房水龙头漏水
order=$(json "d['item']['id']")
check "... it is at the station (ordered), which is told (ServiceOrderPosted)" \
    test "$(json "(d['item']['state'], d['item']['station'])")/$(events ServiceOrderPosted)" = "('ordered', 'st.s1.c1')/1"
refused "a volunteer cannot take an order not dispatched" NOT_DISPATCHED O --as $V1 claim "$order"
refused "a resident cannot dispatch" NOT_DISPATCHER O --as $RES dispatch "$order" --to $V1
refused "the committee is not the station" NOT_DISPATCHER O $C dispatch "$order" --to $V1
refused "another station's dispatcher cannot" NOT_DISPATCHER O --as p.st.s1.c2.dispatcher --unit st.s1.c2 dispatch "$order" --to $V1
refused "an order goes to a volunteer or a reported member" NOT_A_VOLUNTEER O $ST dispatch "$order" --to r.s1.c1.g1.3.1
refused "... of its own community" NOT_A_VOLUNTEER O $ST dispatch "$order" --to r.s1.c2.g4.3.1
O --as $RES register demo.s1.c1 >/dev/null 2>&1
refused "... other than the resident" OWN_ORDER O $ST dispatch "$order" --to $RES
step "the station dispatches it to a volunteer (派单)" O $ST dispatch "$order" --to $V1
conflict "... the dispatch" O $ST dispatch "$order" --to $V2
now=$(json "d['item']['dispatched_ms']")
take_by=$(json "d['item']['take_by_ms']")
check "... to take by a minute from now" test "$(json "(d['item']['state'], d['item']['volunteer'], d['item']['take_by_ms'] - $now)")" = "('dispatched', '$V1', 60000)"
refused "... once" WRONG_STEP O $ST dispatch "$order" --to $V2
refused "another volunteer cannot take it" NOT_YOUR_ORDER O --as $V2 claim "$order"

# Not taken by the deadline: back to the station; the second time, escalated; then never again.
clock_now=$("$govctl" matter clock 1 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["now_ms"])')
advance $((take_by - clock_now - 5000))
check "5 s before its deadline it is still dispatched" test "$(ostate "$order")" = "dispatched/0/false"
advance 6000
check "past the deadline it goes back to the station, not escalated" until_q "SELECT state || '/' || lapses || '/' || (escalated_ms IS NOT NULL) FROM service_orders WHERE id = $order" "ordered/1/false"
check "... the station is told (ServiceOrderReturned), nobody escalates" test "$(events ServiceOrderReturned)/$(events ServiceOrderEscalated)" = "1/0"
refused "the volunteer can no longer take it" NOT_DISPATCHED O --as $V1 claim "$order"
expect_status "the station dispatches it again, to a reported party member (双报到)" 0 O $ST dispatch "$order" --to p.dept.chengguan.head
advance 61000
check "unclaimed again: back at the station and escalated to the community" until_q "SELECT state || '/' || lapses || '/' || (escalated_ms IS NOT NULL) FROM service_orders WHERE id = $order" "ordered/2/true"
check "... escalated once (ServiceOrderEscalated), returned twice" test "$(events ServiceOrderReturned)/$(events ServiceOrderEscalated)" = "2/1"
expect_status "a third dispatch" 0 O $ST dispatch "$order" --to $V2
stop_service deliberation KILL
start_service deliberation GOV_TEST_CLOCK_AHEAD_MS=300000
check "lapsing while the service was down (kill -9), it goes back on start" until_q "SELECT state || '/' || lapses FROM service_orders WHERE id = $order" "ordered/3"
check "... and is not escalated a second time" test "$(events ServiceOrderReturned)/$(events ServiceOrderEscalated)/$(q "SELECT count(*) FROM order_deadlines WHERE order_id = $order AND lapsed")" = "3/1/3"

expect_status "dispatched once more" 0 O $ST dispatch "$order" --to $V1
step "the volunteer takes it (接单)" O --as $V1 claim "$order"
conflict "... the take" O --as $V1 claim $((order + 1000))
check "... taken; the resident and the station are told" test "$(json "d['item']['state']")/$(events ServiceOrderClaimed)" = "taken/1"
refused "... not twice" ALREADY_TAKEN O --as $V1 claim "$order"
advance 120000
check "a taken order does not lapse" test "$(ostate "$order")/$(events ServiceOrderReturned)" = "taken/3/true/3"
refused "the resident cannot confirm it before it is done" WRONG_STEP O --as $RES confirm "$order" --rating satisfied
refused "the committee cannot publish it yet" WRONG_STEP O $C publish "$order" --text 已完成
refused "another cannot report it done" NOT_YOUR_ORDER O --as $V2 done "$order" --result 已换
step "the volunteer reports it done" O --as $V1 done "$order" --result @TEXT@
conflict "... the result" O --as $V1 done "$order" --result 已更换新龙头
refused "... once" WRONG_STEP O --as $V1 done "$order" --result 已换
refused "the volunteer cannot confirm it" NOT_YOUR_ORDER O --as $V1 confirm "$order" --rating satisfied
refused "a rating is satisfied, basic or dissatisfied" BAD_RATING O --as $RES confirm "$order" --rating great
step "the resident confirms and rates it" O --as $RES confirm "$order" --rating satisfied --comment @TEXT@
conflict "... the confirmation" O --as $RES confirm "$order" --rating basic
check "... confirmed, satisfied; the committee is told (ServiceOrderConfirmed)" \
    test "$(json "(d['item']['state'], d['item']['rating'])")/$(events ServiceOrderConfirmed)" = "('confirmed', 'satisfied')/1"
refused "... rating twice" ALREADY_RATED O --as $RES confirm "$order" --rating dissatisfied
refused "a resident cannot publish" NOT_COMMITTEE O --as $RES publish "$order" --text 晒
refused "nor the station" NOT_COMMITTEE O $ST publish "$order" --text 晒
refused "nor another community's committee" NOT_COMMITTEE O --as p.cm.s1.c2.head --unit cm.s1.c2 publish "$order" --text 晒
step "the committee publishes it (晒单)" O $C publish "$order" --text @TEXT@
conflict "... the publication" O $C publish "$order" --text 晒单
check "... published by the committee" test "$(json "(d['item']['state'], d['item']['published_by'])")" = "('published', 'p.cm.s1.c1.head')"
refused "... once" ALREADY_PUBLISHED O $C publish "$order" --text 晒单
expect_status "the community's published orders are listed" 0 O list demo.s1.c1 --state published
check "... this one" test "$(json "[x['id'] for x in d['items']]")" = "[$order]"
refused "an unknown order" NOT_FOUND O $ST dispatch $((order + 1000)) --to $V1

# --- the orders list pages by cursor, newest first, like every list ----------------
for t in 修门锁 换灯泡 通下水道; do
    expect_status "the resident orders again ($t)" 0 O --as $RES place --title $t
done
all=$(q "SELECT string_agg(o.id::text, ',' ORDER BY o.id DESC) FROM service_orders o JOIN areas a ON a.id = o.community_id WHERE a.code = 'demo.s1.c1'")
expect_status "a page of two of the community's orders" 0 O list demo.s1.c1 --limit 2
check "... the two newest, and a cursor at the second" \
    test "$(json "','.join(str(x['id']) for x in d['items'])")/$(json "d['next_before_id']")" = "$(echo "$all" | cut -d, -f1-2)/$(echo "$all" | cut -d, -f2)"
next=$(json "d['next_before_id']")
expect_status "the next page, from the cursor" 0 O list demo.s1.c1 --limit 2 --before "$next"
check "... the next two, none repeated" test "$(json "','.join(str(x['id']) for x in d['items'])")" = "$(echo "$all" | cut -d, -f3-4)"
expect_status "a page past the oldest" 0 O list demo.s1.c1 --before "$(echo "$all" | awk -F, '{print $NF}')"
check "... is empty, with no cursor" test "$(json "(d.get('items', []), d.get('next_before_id', 0))")" = "([], 0)"
expect_status "the state filter pages too" 0 O list demo.s1.c1 --state ordered --limit 1
check "... one ordered order, the newest, and a cursor" \
    test "$(json "[x['state'] for x in d['items']]")/$(json "d['next_before_id'] == d['items'][0]['id']")" = "['ordered']/True"
expect_status "without a limit, a page holds at most 50" 0 O list demo.s1.c1
check "... every one of the community's orders here, no cursor" \
    test "$(json "','.join(str(x['id']) for x in d['items'])")/$(json "d.get('next_before_id', 0)")" = "$all/0"
echo "1..$n"
[ "$failed" -eq 0 ]
