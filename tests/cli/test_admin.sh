#!/usr/bin/env bash
# The admin through the front door, against real gov-intake, two gov-routing
# replicas and gov-gateway over CURVE: the admin makes a person and a unit
# and puts one in the other; the new person gets a password (govctl person
# passwd), logs in and acts for the new unit; leaves it and can no longer.
# Nobody else may change the directory or the calendar, and only the admin
# reads people's phones. Bad input (an unknown kind, a code taken, a bad
# date, a cycle of parents, no admin left) is refused with its code and
# changes nothing; a replayed Idempotency-Key acts once. A calendar imported
# through the API moves the next deadline on both replicas, neither
# restarted.
set -u
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d)
. tests/cli/tap.sh
govctl="${GOV_BIN:-build/bin}/govctl"
. tests/cli/lib.sh
test_db cli_admin
stack_ports
replica_endpoint=tcp://127.0.0.1:$(free_port) replica_events=tcp://127.0.0.1:$(free_port) replica_http=$(free_port)
pid_replica=""
trap '[ -n "$pid_replica" ] && kill "$pid_replica" && wait "$pid_replica"; stop_services; service_reports "$tmp"; rm -rf "$tmp"' EXIT
start_service intake || not_ok "intake answers its health check"
start_service routing || not_ok "routing answers its health check"
# A second routing replica: its own socket and port, the same database.
GOV_ROUTING_ENDPOINT=$replica_endpoint GOV_ROUTING_EVENTS=$replica_events GOV_ROUTING_HTTP_PORT=$replica_http \
    "${GOV_BIN:-build/bin}/gov-routing" 2>>"$tmp/routing2.log" &
pid_replica=$!
healthy "$replica_http" || not_ok "the second routing replica answers its health check"
start_service gateway || not_ok "the gateway answers its health check"
base="http://127.0.0.1:$GOV_GATEWAY_PORT"
json() { python3 -c "import json,sys; d=json.load(open('$tmp/out')); print($1)" 2>/dev/null; }

# api NAME STATUS WHO METHOD PATH [BODY] [CURL-ARGS...]: passes when the
# gateway answers STATUS to WHO's session; the body is in $tmp/out.
api() {
    local name=$1 want=$2 who=$3 method=$4 path=$5 body=${6:-}; shift 5; [ $# -gt 0 ] && shift
    local args=(-s -o "$tmp/out" -w '%{http_code}' -X "$method" -b "$tmp/$who.jar"
                -H "X-CSRF-Token: $(cat "$tmp/$who.csrf" 2>/dev/null)" "$@")
    [ -n "$body" ] && args+=(-H 'Content-Type: application/json' --data-binary "$body")
    status=$(curl "${args[@]}" "$base$path")
    if [ "$status" = "$want" ]; then ok "$name"; else not_ok "$name" "HTTP $status, wanted $want: $method $path as $who" "$(head -c 300 "$tmp/out")"; fi
}
code_is() { check "... $1" test "$(json "d['error']['code']")" = "$1"; }
login() { # WHO PASSWORD: keeps WHO's cookie jar and CSRF token
    curl -s -c "$tmp/$1.jar" -o "$tmp/out" -H 'Content-Type: application/json' \
        --data-binary "{\"person\": \"$1\", \"password\": \"$2\"}" "$base/api/v1/session" &&
        json "d['csrf_token']" >"$tmp/$1.csrf" && [ -s "$tmp/$1.csrf" ]
}
pw='admin test password 12345'
admin=p.admin.head
for p in $admin r.s1.c1.g1.1.1 p.dept.chengguan.head p.centre.dispatcher p.so.s1.head; do
    echo "$pw" | "$govctl" person passwd "$p" >/dev/null 2>>"$tmp/govctl.err" || not_ok "govctl person passwd $p"
    login "$p" "$pw" || not_ok "setup: $p logs in"
done

# --- nobody but the admin ----------------------------------------------------------
directory="SELECT (SELECT count(*) FROM people) || '/' || (SELECT count(*) FROM units) || '/' || (SELECT count(*) FROM unit_members) || '/' || (SELECT revision FROM calendar_revision)"
before=$(q "$directory")
unit_id=$(q "SELECT id FROM units WHERE code = 'so.s1'") person_id=$(q "SELECT id FROM people WHERE code = 'p.so.s1.head'")
for who in r.s1.c1.g1.1.1 p.dept.chengguan.head p.centre.dispatcher p.so.s1.head; do
    api "$who may not create a person: 403" 403 "$who" POST /api/v1/people '{"code": "x.intruder", "name": "入侵者"}'
    code_is NOT_ADMIN
    api "... nor change one" 403 "$who" POST "/api/v1/people/$person_id" '{"name": "改名"}'
    code_is NOT_ADMIN
    api "... and lists only themselves among the people" 200 "$who" GET "/api/v1/people?unit=so.s1"
    check "... with their own phone" test "$(json "[(x['code'], x['phone']) for x in d['items']]")" = "[('$who', '$(q "SELECT phone FROM people WHERE code = '$who'")')]"
    api "... nor create a unit" 403 "$who" POST /api/v1/units '{"code": "x.unit", "name": "单位", "kind": "department"}'
    code_is NOT_ADMIN
    api "... nor change one" 403 "$who" POST "/api/v1/units/$unit_id" '{"name": "改名"}'
    code_is NOT_ADMIN
    api "... nor add a member" 403 "$who" POST "/api/v1/units/$unit_id/members" '{"person": "r.s1.c1.g1.1.1", "role": "head"}'
    code_is NOT_ADMIN
    api "... nor remove one" 403 "$who" POST "/api/v1/units/$unit_id/members/remove" '{"person": "p.so.s1.head"}'
    code_is NOT_ADMIN
    api "... nor import the calendar" 403 "$who" POST /api/v1/calendar '{"days": [{"day": "2026-12-31", "kind": "holiday", "name": "测试", "source": "测试"}]}'
    code_is NOT_ADMIN
done
check "... all of which changed nothing" q_is "$directory" "$before"
# Two residents (the same unit "" and role): the gateway's cache keeps each one's own.
echo "$pw" | "$govctl" person passwd r.s1.c1.g1.1.2 >/dev/null 2>>"$tmp/govctl.err" && login r.s1.c1.g1.1.2 "$pw" ||
    not_ok "setup: r.s1.c1.g1.1.2 logs in"
api "a resident lists the people" 200 r.s1.c1.g1.1.1 GET "/api/v1/people?unit=so.s1"
api "... and at once another, the same way" 200 r.s1.c1.g1.1.2 GET "/api/v1/people?unit=so.s1"
check "... and gets their own record, not the first resident's" test "$(json "[x['code'] for x in d['items']]")" = "['r.s1.c1.g1.1.2']"
api "anyone logged in reads the calendar" 200 r.s1.c1.g1.1.1 GET "/api/v1/calendar?year=2026"
check "... the days of 2026's notice" test "$(json "len(d['days'])")" = "$(q "SELECT count(*) FROM calendar_days WHERE extract(year FROM day) = 2026")"
api "a unit's member reads the units" 200 p.dept.chengguan.head GET "/api/v1/units?code=so.s1"
check "... but not who is in them" test "$(json "d['items'][0]['members']")" = "[]"
api "a resident does not list the units" 403 r.s1.c1.g1.1.1 GET /api/v1/units

# --- the admin makes a person, a unit, and a member ------------------------------
api "the admin creates a person" 201 $admin POST /api/v1/people '{"code": "t.so.test.head", "name": "测试主任", "phone": "13912345678", "email": "head@test.example"}'
new_person=$(json "d['item']['id']")
check "... who is in the people table" q_is "SELECT name || ' ' || phone FROM people WHERE id = ${new_person:-0}" "测试主任 13912345678"
api "the admin creates a street office in demo.s1" 201 $admin POST /api/v1/units '{"code": "so.test", "name": "测试街道", "kind": "street_office", "area": "demo.s1", "parent": "centre", "supervisor": "centre"}'
new_unit=$(json "d['item']['id']")
check "... with its area, parent and supervisor" test "$(json "d['item']['area'], d['item']['parent'], d['item']['supervisor']")" = "demo.s1 centre centre"
api "... and makes the person its head" 201 $admin POST "/api/v1/units/$new_unit/members" '{"person": "t.so.test.head", "role": "head"}'
check "... who is listed among its members" test "$(json "[(m['person'], m['role']) for m in d['item']['members']]")" = "[('t.so.test.head', 'head')]"
api "the admin lists the person" 200 $admin GET "/api/v1/people?code=t.so.test.head"
check "... with phone, e-mail and unit" test "$(json "d['items'][0]['phone'], d['items'][0]['email'], d['items'][0]['units'][0]['unit']")" = "13912345678 head@test.example so.test"
api "the admin updates the person" 201 $admin POST "/api/v1/people/$new_person" '{"phone": "13987654321", "clear": ["email"]}'
check "... phone changed, e-mail cleared, name kept" test "$(json "d['item']['name'], d['item']['phone'], repr(d['item']['email'])")" = "测试主任 13987654321 ''"
check "every change is an event on routing's stream, with no phone in it" \
    q_is "SELECT count(*) || ' ' || bool_or(position('13987654321' IN encode(payload, 'escape')) > 0) FROM outbox WHERE stream = 'routing' AND type IN ('PersonChanged', 'UnitChanged', 'MembersChanged')" "4 false"

# The new person: a password by govctl, a login, and work for the new unit.
echo "$pw" | "$govctl" person passwd t.so.test.head >/dev/null 2>>"$tmp/govctl.err" || not_ok "govctl person passwd t.so.test.head"
check "the new person logs in" login t.so.test.head "$pw"
api "... GET /api/v1/me" 200 t.so.test.head GET /api/v1/me
check "... names the new unit" test "$(json "[(u['code'], u['kind'], u['role']) for u in d['units']]")" = "[('so.test', 'street_office', 'head')]"
whistle='{"kind": "routine", "reason": "测试哨", "point": {"lat": 39.9051, "lon": 116.3051}, "departments": ["dept.shuiwu"]}'
api "... and blows a whistle in demo.s1 for so.test" 201 t.so.test.head POST /api/v1/whistles "$whistle"
check "... the whistle is so.test's" test "$(json "d['item']['caller_unit']")" = so.test

# --- bad input: refused with its code, nothing changed --------------------------------
before=$(q "$directory")
api "a unit of an unknown kind: 400" 400 $admin POST /api/v1/units '{"code": "x.bad", "name": "坏单位", "kind": "ministry"}'
code_is BAD_KIND
api "a person whose code is taken: 400" 400 $admin POST /api/v1/people '{"code": "p.so.s1.head", "name": "重复"}'
code_is CODE_TAKEN
api "a unit whose code is taken: 400" 400 $admin POST /api/v1/units '{"code": "so.s1", "name": "重复", "kind": "street_office"}'
code_is CODE_TAKEN
api "a code with a space: 400" 400 $admin POST /api/v1/people '{"code": "bad code", "name": "坏"}'
code_is BAD_CODE
api "a person without a name: 400" 400 $admin POST /api/v1/people '{"code": "x.noname"}'
code_is MISSING_TEXT
api "a phone that is not one: 400" 400 $admin POST /api/v1/people '{"code": "x.phone", "name": "号码", "phone": "12345"}'
code_is INVALID_PHONE
api "an e-mail address that is not one: 400" 400 $admin POST /api/v1/people '{"code": "x.mail", "name": "邮件", "email": "nobody"}'
code_is INVALID_EMAIL
api "a unit in an unknown area: 400" 400 $admin POST /api/v1/units '{"code": "x.area", "name": "无区", "kind": "community", "area": "demo.s9"}'
code_is UNKNOWN_AREA
api "clearing a name: 400" 400 $admin POST "/api/v1/people/$new_person" '{"clear": ["name"]}'
code_is BAD_FIELD
api "a unit as its own parent: 400" 400 $admin POST "/api/v1/units/$new_unit" '{"parent": "so.test"}'
code_is BAD_PARENT
cm=$(q "SELECT id FROM units WHERE code = 'cm.s1.c1'")
api "a street office under its own community: 400" 400 $admin POST "/api/v1/units/$(q "SELECT id FROM units WHERE code = 'so.s1'")" '{"parent": "cm.s1.c1"}'
code_is BAD_PARENT
api "a member who is nobody: 400" 400 $admin POST "/api/v1/units/$cm/members" '{"person": "p.nobody", "role": "member"}'
code_is UNKNOWN_PERSON
api "a role with a space: 400" 400 $admin POST "/api/v1/units/$cm/members" '{"person": "t.so.test.head", "role": "big boss"}'
code_is BAD_ROLE
api "removing one who is not a member: 404" 404 $admin POST "/api/v1/units/$cm/members/remove" '{"person": "t.so.test.head"}'
api "a person who does not exist: 404" 404 $admin POST /api/v1/people/999999999 '{"name": "无人"}'
admin_unit=$(q "SELECT id FROM units WHERE code = 'admin'")
api "the last admin leaving: 409" 409 $admin POST "/api/v1/units/$admin_unit/members/remove" '{"person": "p.admin.head"}'
code_is LAST_ADMIN
api "the admin unit turned into a department: 409" 409 $admin POST "/api/v1/units/$admin_unit" '{"kind": "department"}'
code_is LAST_ADMIN
api "a calendar day that is no date: 400" 400 $admin POST /api/v1/calendar '{"days": [{"day": "2027-01-01", "kind": "holiday", "name": "元旦", "source": "测试"}, {"day": "2027-02-30", "kind": "holiday", "name": "春节", "source": "测试"}]}'
code_is BAD_CALENDAR_DAY
check "... which names the day" test "$(json "'days[1]' in d['error']['detail']")" = True
api "a make-up workday on a weekday: 400" 400 $admin POST /api/v1/calendar '{"days": [{"day": "2027-01-04", "kind": "workday", "name": "调休", "source": "测试"}]}'
code_is BAD_CALENDAR_DAY
api "a day listed twice: 400" 400 $admin POST /api/v1/calendar '{"days": [{"day": "2027-01-01", "kind": "holiday", "name": "元旦", "source": "测试"}, {"day": "2027-01-01", "kind": "holiday", "name": "元旦", "source": "测试"}]}'
code_is BAD_CALENDAR_DAY
api "a day without its source: 400" 400 $admin POST /api/v1/calendar '{"days": [{"day": "2027-01-01", "kind": "holiday", "name": "元旦"}]}'
code_is BAD_CALENDAR_DAY
api "no days: 400" 400 $admin POST /api/v1/calendar '{"days": []}'
check "none of which changed anything" q_is "$directory" "$before"

# --- Idempotency-Key: acts once --------------------------------------------------------
api "a person with an Idempotency-Key" 201 $admin POST /api/v1/people '{"code": "t.retry", "name": "重试"}' -H 'Idempotency-Key: admin-person-1'
cp "$tmp/out" "$tmp/first"
api "... sent again" 201 $admin POST /api/v1/people '{"code": "t.retry", "name": "重试"}' -H 'Idempotency-Key: admin-person-1'
check "... gets the first answer" cmp -s "$tmp/first" "$tmp/out"
check "... and made one person" q_is "SELECT count(*) FROM people WHERE code = 't.retry'" 1
api "... the key with another body: 409" 409 $admin POST /api/v1/people '{"code": "t.retry2", "name": "重试"}' -H 'Idempotency-Key: admin-person-1'
code_is IDEMPOTENCY_CONFLICT
api "a membership with an Idempotency-Key" 201 $admin POST "/api/v1/units/$cm/members" '{"person": "t.retry", "role": "member"}' -H 'Idempotency-Key: admin-member-1'
api "... sent again" 201 $admin POST "/api/v1/units/$cm/members" '{"person": "t.retry", "role": "member"}' -H 'Idempotency-Key: admin-member-1'
check "... one MembersChanged event" q_is "SELECT count(*) FROM outbox WHERE type = 'MembersChanged'" 2

# --- leaving a unit ----------------------------------------------------------------------
api "the admin removes the person from so.test" 201 $admin POST "/api/v1/units/$new_unit/members/remove" '{"person": "t.so.test.head"}'
check "... who is no longer listed" test "$(json "d['item']['members']")" = "[]"
api "... and may no longer act for it" 403 t.so.test.head POST /api/v1/whistles "$whistle" -H 'X-Gov-Unit: so.test'
code_is NOT_YOUR_UNIT

# --- the calendar: the next deadline moves, on both replicas, neither restarted --------
# resolve_by - sent_at of the newest whistle dispatch, in hours (a routine
# whistle: 7 working days to resolve, deploy/demo/routing.sql).
span="SELECT extract(epoch FROM resolve_by - sent_at)::bigint / 3600 FROM dispatches WHERE whistle_id IS NOT NULL ORDER BY id DESC LIMIT 1"
blow() { # ENDPOINT: a routine whistle of so.s1 through the routing at ENDPOINT (govctl)
    GOV_ROUTING_ENDPOINT=$1 "$govctl" whistle --as p.so.s1.head --unit so.s1 blow --kind routine \
        --reason 测试 --dept dept.shuiwu --lat 39.9051 --lon 116.3051 >/dev/null 2>>"$tmp/govctl.err"
}
blow "$GOV_ROUTING_ENDPOINT" || not_ok "setup: a whistle through the first replica"
span_before=$(q "$span")
blow "$replica_endpoint" || not_ok "setup: a whistle through the second replica"
check "both replicas set the same deadline before the import ($span_before h)" q_is "$span" "$span_before"
# The next three weekdays (Beijing) after tomorrow become holidays.
days=$(python3 -c '
import datetime, json
d = (datetime.datetime.utcnow() + datetime.timedelta(hours=8)).date() + datetime.timedelta(days=1)
out = []
while len(out) < 3:
    d += datetime.timedelta(days=1)
    if d.weekday() < 5:
        out.append({"day": d.isoformat(), "kind": "holiday", "name": "测试假日", "source": "test_admin.sh"})
print(json.dumps({"days": out}))')
revision=$(q "SELECT revision FROM calendar_revision")
api "the admin imports three holidays through the API" 201 $admin POST /api/v1/calendar "$days"
check "... three imported, the revision moved" test "$(json "d['imported'], d['revision'] > $revision")" = "3 True"
check "... they are stored" q_is "SELECT count(*) FROM calendar_days WHERE source = 'test_admin.sh'" 3
check "... with a CalendarChanged event" q_is "SELECT count(*) FROM outbox WHERE type = 'CalendarChanged'" 1
api "... anyone reads them" 200 p.dept.chengguan.head GET /api/v1/calendar
check "... in the calendar" test "$(json "len([x for x in d['days'] if x['source'] == 'test_admin.sh'])")" = 3
blow "$GOV_ROUTING_ENDPOINT" || not_ok "setup: a whistle through the first replica, after"
span_after=$(q "$span")
check "the first replica's next deadline is three days later or more (${span_before:-?} h, now ${span_after:-?} h)" \
    test "${span_after:-0}" -ge $((${span_before:-0} + 72))
blow "$replica_endpoint" || not_ok "setup: a whistle through the second replica, after"
check "... and the second's the same" q_is "$span" "$span_after"
check "... neither replica restarted" kill -0 "$pid_routing" "$pid_replica"
day() { echo "{\"day\": \"$1\", \"kind\": \"holiday\", \"name\": \"测试\", \"source\": \"replace\"}"; }
api "three days of 2031" 201 $admin POST /api/v1/calendar "{\"days\": [$(day 2031-01-06), $(day 2031-01-07), $(day 2031-01-08)]}"
api "replace: 2031 again with one of them" 201 $admin POST /api/v1/calendar "{\"replace\": true, \"days\": [$(day 2031-01-07)]}"
check "... one imported, two removed" test "$(json "d['imported'], d['removed']")" = "1 2"
check "... 2031 holds that one" q_is "SELECT string_agg(day::text, ',') FROM calendar_days WHERE extract(year FROM day) = 2031" 2031-01-07
check "the routing logs say the calendar was loaded again" grep -q "exception days loaded" "$tmp/routing2.log"
check "routing logs who changed the directory" grep -q "directory: UnitChanged by p.admin.head: person  unit so.test" "$tmp/routing.log" "$tmp/routing2.log"
check "... and no phone" bash -c "! grep -q 13987654321 '$tmp/routing.log' '$tmp/routing2.log' '$tmp/gateway.log'"

# --- govctl: the operator's way to the first admin, through routing ----------------------
expect_status "govctl (the operator) adds a person through routing" 0 "$govctl" person add t.ops --name 运维 --phone 13800007777
expect_status "... a unit of kind admin" 0 "$govctl" units add ops.admin --name 运维管理 --kind admin
expect_status "... and makes the person its head" 0 "$govctl" units member ops.admin t.ops head
check "... who is now an admin" q_is "SELECT u.kind || ' ' || m.role FROM unit_members m JOIN units u ON u.id = m.unit_id JOIN people p ON p.id = m.person_id WHERE p.code = 't.ops'" "admin head"
expect_status "the new admin lists people with govctl" 0 "$govctl" person --as t.ops --unit ops.admin list --code t.ops
contains "... with their phone" "$tmp/out" 13800007777
expect_status "a department's head may not add a person with govctl" 1 "$govctl" person --as p.dept.chengguan.head --unit dept.chengguan add t.x --name 某人
contains "... NOT_ADMIN" "$tmp/err" NOT_ADMIN
expect_status "govctl units unmember" 0 "$govctl" units unmember ops.admin t.ops
check "... gone" q_is "SELECT count(*) FROM unit_members m JOIN people p ON p.id = m.person_id WHERE p.code = 't.ops'" 0
expect_status "govctl units member of a unit that is not there" 1 "$govctl" units member no.such t.ops head
echo "1..$n"
