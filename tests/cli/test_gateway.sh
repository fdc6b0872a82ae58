#!/usr/bin/env bash
# The gateway against real gov-intake and gov-routing over CURVE: people log
# in with passwords made by govctl, act through /api/v1/ as themselves, and
# are refused what their role does not allow (another unit's dispatch is not
# found; a resident reads only their own cases, a department every case with
# its people masked), a missing CSRF token, a revoked token, a replayed
# Idempotency-Key with another body; bodies and routes are bounded and every
# answer carries the security headers.
set -u
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d)
. tests/cli/tap.sh
govctl="${GOV_BIN:-build/bin}/govctl"
. tests/cli/lib.sh
test_db cli_gateway
stack_ports
trap 'stop_services; service_reports "$tmp"; rm -rf "$tmp"' EXIT
start_service intake || not_ok "intake answers its health check"
start_service routing || not_ok "routing answers its health check"
start_service gateway GOV_GATEWAY_MAX_BODY=4096 || not_ok "the gateway answers its health check"
base="http://127.0.0.1:$GOV_GATEWAY_PORT"

# as JAR: the curl arguments of a browser session (cookie jar + its CSRF token).
as() { echo "-b $tmp/$1.jar -H X-CSRF-Token:$(cat "$tmp/$1.csrf")"; }
login() { # WHO PASSWORD: logs WHO in; keeps the cookie jar and CSRF token
    curl -s -c "$tmp/$1.jar" -o "$tmp/out" -H 'Content-Type: application/json' \
        --data-binary "{\"person\": \"$1\", \"password\": \"$2\"}" "$base/api/v1/session" &&
        json "d['csrf_token']" >"$tmp/$1.csrf"
}
pw='correct horse battery staple'

# --- passwords and tokens (govctl) -------------------------------------------
people="r.s1.c1.g1.1.1 r.s1.c1.g1.1.2 p.dept.chengguan.head p.dept.shuiwu.head p.so.s1.head p.gt.s1.c1.g1.grid_worker"
for p in $people; do
    echo "$pw" | "$govctl" person passwd "$p" >/dev/null || not_ok "govctl person passwd $p"
done
expect_status "a short password is refused" 1 bash -c "echo short | '$govctl' person passwd p.centre.head"
expect_status "a password for nobody is refused" 1 bash -c "echo '$pw' | '$govctl' person passwd p.nobody"
check "only an argon2id hash is stored" q_is "SELECT count(*) FROM gateway_passwords WHERE hash LIKE '\$argon2id\$v=19\$m=19456,t=2,p=1\$%' AND hash NOT LIKE '%battery%'" 6

# --- logging in ----------------------------------------------------------------
api "no credentials: 401" 401 GET /api/v1/me
contains "... UNAUTHENTICATED" "$tmp/out" '"code":"UNAUTHENTICATED"'
api "a wrong password: 401" 401 POST /api/v1/session '{"person": "p.dept.chengguan.head", "password": "wrong password!"}'
cp "$tmp/out" "$tmp/wrong"
api "an unknown person: 401" 401 POST /api/v1/session '{"person": "p.nobody", "password": "wrong password!"}'
check "... with the same answer as a wrong password" cmp -s "$tmp/out" "$tmp/wrong"
api "a login with a password" 200 POST /api/v1/session "{\"person\": \"p.dept.chengguan.head\", \"password\": \"$pw\"}"
contains "... sets an HttpOnly cookie" "$tmp/headers" "HttpOnly"
contains "... SameSite=Strict" "$tmp/headers" "SameSite=Strict"
contains "... returns the person's units" "$tmp/out" '"code":"dept.chengguan","kind":"department","role":"head"'
contains "... and a CSRF token" "$tmp/out" '"csrf_token":'
check "no secret in the gateway's log" bash -c "! grep -qE 'battery|gov_s_|gov_t_' '$tmp/gateway.log'"
for p in $people; do
    login "$p" "$pw" || not_ok "login $p"
done
api "GET /api/v1/me with the cookie" 200 GET /api/v1/me "" $(as r.s1.c1.g1.1.1)
contains "... is the resident" "$tmp/out" '"resident":true'
contains "... security header: nosniff" "$tmp/headers" "X-Content-Type-Options: nosniff"
contains "... frame-deny" "$tmp/headers" "X-Frame-Options: DENY"
contains "... a CSP without inline scripts" "$tmp/headers" "script-src 'self'"
check "the failed logins are counted" wait_until 5 bash -c "curl -fs http://127.0.0.1:$GOV_GATEWAY_HTTP_PORT/metrics | grep -qE '^gov_logins_failed_total.* 2'"

# Live events: each person's stream, open before anything happens.
listen() { # WHO: the events WHO may see, into $tmp/WHO.events, for 25 s at most
    curl -s -N --max-time 25 -b "$tmp/$1.jar" "$base/api/v1/events" >"$tmp/$1.events" 2>/dev/null &
    echo $! >"$tmp/$1.listen"
}
for p in p.dept.chengguan.head p.dept.shuiwu.head p.gt.s1.c1.g1.grid_worker r.s1.c1.g1.1.1; do listen "$p"; done
wait_until 5 grep -q "^retry:" "$tmp/p.dept.shuiwu.head.events"

# --- a resident's case reaches its department ----------------------------------
# The resident reports with their own phone (people.phone), which makes the case theirs to read.
phone=$(q "SELECT phone FROM people WHERE code = 'r.s1.c1.g1.1.1'")
phone2=$(q "SELECT phone FROM people WHERE code = 'r.s1.c1.g1.1.2'")
case_body='{"channel": "app", "category": "complaint.noise", "description": "夜间施工噪音扰民", "location": {"point": {"lat": 39.9025, "lon": 116.3025}}, "reporter": {"phone": "'$phone'"}}'
api "a POST without the CSRF token is refused" 403 POST /api/v1/cases "$case_body" -b "$tmp/r.s1.c1.g1.1.1.jar"
contains "... CSRF_REQUIRED" "$tmp/out" '"code":"CSRF_REQUIRED"'
api "... and with a wrong one" 403 POST /api/v1/cases "$case_body" -b "$tmp/r.s1.c1.g1.1.1.jar" -H X-CSRF-Token:forged
check "... which changed nothing" q_is "SELECT count(*) FROM cases" 0
api "the resident files a case" 201 POST /api/v1/cases "$case_body" $(as r.s1.c1.g1.1.1)
case_id=$(json "d['case_id']")
wait_until 10 q_is "SELECT count(*) FROM dispatches WHERE case_id = $case_id" 1
d=$(q "SELECT id FROM dispatches WHERE case_id = $case_id")
check "the department hears its new dispatch live" wait_until 10 grep -q "^event: DispatchSent" "$tmp/p.dept.chengguan.head.events"
contains "... its own" "$tmp/p.dept.chengguan.head.events" "\"unit\":\"dept.chengguan\""
check "... each event's id is its place in the three streams" grep -qE '^id: i[0-9]+\.r[0-9]+\.d[0-9]+$' "$tmp/p.dept.chengguan.head.events"
check "the grid's team hears of the new case in its grid" wait_until 10 grep -q "^event: CaseCreated" "$tmp/p.gt.s1.c1.g1.grid_worker.events"
check "... without the reporter's phone" bash -c "! grep -q $phone '$tmp/p.gt.s1.c1.g1.grid_worker.events' '$tmp/p.dept.chengguan.head.events'"
check "... nor its mask (the event carries one, contact_hint; the stream cuts it)" bash -c "! grep -q contact_hint '$tmp/p.gt.s1.c1.g1.grid_worker.events' '$tmp/p.dept.chengguan.head.events'"
check "another department hears nothing of it" bash -c "! grep -q '^event:' '$tmp/p.dept.shuiwu.head.events'"
check "... nor does a resident" bash -c "! grep -q '^event:' '$tmp/r.s1.c1.g1.1.1.events'"
first=$(grep -m1 '^id:' "$tmp/p.dept.chengguan.head.events" | cut -c5-)
curl -s -N --max-time 3 -b "$tmp/p.dept.chengguan.head.jar" -H "Last-Event-ID: i0.r0.d0" "$base/api/v1/events" >"$tmp/replay" 2>/dev/null
contains "Last-Event-ID from the start replays what was missed" "$tmp/replay" "id: $first"
curl -s -N --max-time 3 -b "$tmp/p.dept.chengguan.head.jar" -H "Last-Event-ID: $first" "$base/api/v1/events" >"$tmp/resumed" 2>/dev/null
check "... and from an event's id resumes after it" bash -c "grep -q '^retry:' '$tmp/resumed' && ! grep -q 'id: $first' '$tmp/resumed'"
api "a Last-Event-ID this gateway never gave: 400" 400 GET /api/v1/events "" $(as p.dept.chengguan.head) -H "Last-Event-ID: 42"
api "the department's queue" 200 GET "/api/v1/dispatches?state=sent" "" $(as p.dept.chengguan.head)
contains "... holds the dispatch" "$tmp/out" "\"id\":$d,"
api "another department's queue" 200 GET /api/v1/dispatches "" $(as p.dept.shuiwu.head)
check "... does not" bash -c "! grep -q '\"id\":$d,' '$tmp/out'"
api "... asking for 城管's by name changes nothing" 200 GET "/api/v1/dispatches?unit=dept.chengguan" "" $(as p.dept.shuiwu.head)
check "... still its own" bash -c "! grep -q '\"id\":$d,' '$tmp/out'"
api "another department guessing the id: 404" 404 GET "/api/v1/dispatches/$d" "" $(as p.dept.shuiwu.head)
api "... and signing it: 404, not 403" 404 POST "/api/v1/dispatches/$d/sign" "" $(as p.dept.shuiwu.head)
contains "... NOT_FOUND" "$tmp/out" '"code":"NOT_FOUND"'
api "a resident lists no dispatches" 403 GET /api/v1/dispatches "" $(as r.s1.c1.g1.1.1)
api "X-Gov-Unit naming another's unit" 403 GET /api/v1/dispatches "" $(as p.dept.chengguan.head) -H X-Gov-Unit:dept.shuiwu
contains "... NOT_YOUR_UNIT" "$tmp/out" '"code":"NOT_YOUR_UNIT"'
api "the department reads its dispatch" 200 GET "/api/v1/dispatches/$d" "" $(as p.dept.chengguan.head)
api "... twice (from routing each time: it shows the reporter, and logs each read)" 200 GET "/api/v1/dispatches/$d" "" $(as p.dept.chengguan.head)
contains "... still sent" "$tmp/out" '"state":"sent"'
check "... two reads in the audit log (docs/privacy.md)" q_is "SELECT count(*) FROM pii_reads WHERE request = 'GetDispatch' AND ids = ARRAY[$d]::bigint[] AND person = 'p.dept.chengguan.head'" 2
api "the department reads its queue" 200 GET "/api/v1/dispatches" "" $(as p.dept.chengguan.head)
api "... twice (the second from the cache: a queue shows reporters masked)" 200 GET "/api/v1/dispatches" "" $(as p.dept.chengguan.head)
contains "... still sent" "$tmp/out" '"state":"sent"'
check "... the cache answered" wait_until 5 bash -c "curl -fs http://127.0.0.1:$GOV_GATEWAY_HTTP_PORT/metrics | grep -qE '^gov_cache_hits_total.* [1-9]'"
api "the department signs" 201 POST "/api/v1/dispatches/$d/sign" "" $(as p.dept.chengguan.head) -H Idempotency-Key:sign-1
contains "... signed" "$tmp/out" '"state":"signed"'
api "... and reads its own write at once, not the cached answer" 200 GET "/api/v1/dispatches/$d" "" $(as p.dept.chengguan.head)
contains "... signed" "$tmp/out" '"state":"signed"'
api "the same Idempotency-Key again: the first answer" 201 POST "/api/v1/dispatches/$d/sign" "" $(as p.dept.chengguan.head) -H Idempotency-Key:sign-1
check "... one sign in the log" q_is "SELECT count(*) FROM dispatch_log WHERE dispatch_id = $d AND action = 'signed'" 1
api "a progress note" 201 POST "/api/v1/dispatches/$d/progress" '{"text": "已联系", "contacted": true}' $(as p.dept.chengguan.head) -H Idempotency-Key:p-1
api "... its key with another body: 409" 409 POST "/api/v1/dispatches/$d/progress" '{"text": "别的", "contacted": true}' $(as p.dept.chengguan.head) -H Idempotency-Key:p-1
contains "... IDEMPOTENCY_CONFLICT" "$tmp/out" '"code":"IDEMPOTENCY_CONFLICT"'
api "a refusal carries the service's code and hint" 409 POST "/api/v1/dispatches/$d/resolve" '{"text": "x"}' $(as p.dept.chengguan.head)
contains "... ARRIVAL_REQUIRED or ILLEGAL_TRANSITION" "$tmp/out" '"code":"'

# --- who reads a case: intake's read scope (docs/intake.md) -------------------------
ids() { json "' '.join(str(c['id']) for c in d.get('items', []))"; }
api "the resident reads their case" 200 GET "/api/v1/cases/$case_id" "" $(as r.s1.c1.g1.1.1)
contains "... with their phone" "$tmp/out" "\"phone\":\"$phone\""
api "another resident guessing its id: 404" 404 GET "/api/v1/cases/$case_id" "" $(as r.s1.c1.g1.1.2)
contains "... NOT_FOUND" "$tmp/out" '"code":"NOT_FOUND"'
api "the department handling it (the lead unit) reads it" 200 GET "/api/v1/cases/$case_id" "" $(as p.dept.chengguan.head)
contains "... in full: it calls the reporter" "$tmp/out" "\"phone\":\"$phone\""
api "another department reads it" 200 GET "/api/v1/cases/$case_id" "" $(as p.dept.shuiwu.head)
contains "... the phone masked" "$tmp/out" "\"phone\":\"${phone:0:3}****${phone:7}\""
check "... nowhere in full" bash -c "! grep -q '$phone' '$tmp/out'"
api "the grid's worker reads it" 200 GET "/api/v1/cases/$case_id" "" $(as p.gt.s1.c1.g1.grid_worker)
contains "... in full" "$tmp/out" "\"phone\":\"$phone\""
expect_status "acting for a unit one is not a member of: refused" 1 env GOV_ACTOR=p.dept.shuiwu.head GOV_ACTOR_ROLE=head GOV_ACTOR_UNIT=dept.chengguan "$govctl" case show "$case_id"
contains "... NOT_A_MEMBER" "$tmp/err" "NOT_A_MEMBER"
other='{"channel": "app", "category": "complaint.sanitation", "description": "垃圾桶满溢", "location": {"point": {"lat": 39.9025, "lon": 116.3075}}, "reporter": {"phone": "'$phone2'"}}'
api "the other resident reports in the next grid" 201 POST /api/v1/cases "$other" $(as r.s1.c1.g1.1.2)
other_id=$(json "d['case_id']")
api "the resident lists cases" 200 GET /api/v1/cases "" $(as r.s1.c1.g1.1.1)
check "... their own only" test "$(ids)" = "$case_id"
api "the other resident lists cases" 200 GET /api/v1/cases "" $(as r.s1.c1.g1.1.2)
check "... theirs only" test "$(ids)" = "$other_id"
api "the grid's worker lists cases" 200 GET /api/v1/cases "" $(as p.gt.s1.c1.g1.grid_worker)
check "... those in the grid only" test "$(ids)" = "$case_id"
api "another department lists cases" 200 GET /api/v1/cases "" $(as p.dept.shuiwu.head)
check "... all of them" test "$(ids)" = "$other_id $case_id"
check "... without a phone in full" bash -c "! grep -qE '$phone|$phone2' '$tmp/out'"

# --- bad input -----------------------------------------------------------------------
api "an unknown field is refused, named" 400 POST "/api/v1/dispatches/$d/progress" '{"txet": "x"}' $(as p.dept.chengguan.head)
contains "... BAD_JSON naming txet" "$tmp/out" 'txet'
api "a body that is not JSON" 400 POST /api/v1/cases '{"channel": ' $(as r.s1.c1.g1.1.1)
api "a path id that disagrees with the body" 400 POST "/api/v1/dispatches/$d/progress" "{\"dispatch_id\": $((d + 1000)), \"text\": \"x\"}" $(as p.dept.chengguan.head)
api "a body over GOV_GATEWAY_MAX_BODY: 413" 413 POST /api/v1/cases "{\"description\": \"$(head -c 5000 /dev/zero | tr '\0' x)\"}" $(as r.s1.c1.g1.1.1)
api "a bad Idempotency-Key" 400 POST "/api/v1/dispatches/$d/sign" "" $(as p.dept.chengguan.head) -H 'Idempotency-Key:a b'
api "an unknown route: 404" 404 GET /api/v1/nothing "" $(as r.s1.c1.g1.1.1)
api "a known route, another method: 405" 405 DELETE /api/v1/cases "" $(as r.s1.c1.g1.1.1)
api "a query argument the request does not have" 400 GET "/api/v1/dispatches?colour=red" "" $(as p.dept.chengguan.head)
check "... and nothing of that was stored" q_is "SELECT count(*) FROM cases" 2
spoof='{"channel": "app", "category": "complaint.noise", "description": "冒名", "location": {"point": {"lat": 39.9125, "lon": 116.3225}}, "reporter": {"name": "别人", "phone": "13700000000"}}'
api "a resident reporting under another's phone" 201 POST /api/v1/cases "$spoof" $(as r.s1.c1.g1.1.2)
check "... reports as themselves: their own phone and name are stored" q_is "SELECT reporter_phone || '/' || (reporter_name <> '别人') FROM cases WHERE id = $(json "d['case_id']")" "$phone2/true"

# --- a whistle: the street office and the departments it summons -----------------
whistle='{"kind": "emergency", "reason": "路面塌陷", "departments": ["dept.chengguan", "dept.gongan"], "point": {"lat": 39.9025, "lon": 116.3025}}'
api "a department cannot whistle" 403 POST /api/v1/whistles "$whistle" $(as p.dept.shuiwu.head)
api "the street office whistles" 201 POST /api/v1/whistles "$whistle" $(as p.so.s1.head)
w=$(json "d['item']['id']")
api "... a summoned department sees the whistle" 200 GET "/api/v1/whistles/$w" "" $(as p.dept.chengguan.head)
api "... one not summoned does not: 404" 404 GET "/api/v1/whistles/$w" "" $(as p.dept.shuiwu.head)

# --- API tokens ------------------------------------------------------------------------
expect_status "govctl token create" 0 "$govctl" token create --person p.dept.chengguan.head --ttl 1h --name ci
token=$(tail -1 "$tmp/out")
tid=$(head -1 "$tmp/out" | awk '{print $2}')
check "... only its digest is stored" q_is "SELECT count(*) FROM gateway_tokens WHERE kind = 'token' AND digest = sha256('$token'::bytea)" 1
api "a bearer token acts without a cookie or CSRF" 201 POST "/api/v1/dispatches/$d/progress" '{"text": "在路上"}' -H "Authorization: Bearer $token"
expect_status "govctl token list" 0 "$govctl" token list --person p.dept.chengguan.head
check "... shows it, not the secret" bash -c "grep -q '\"name\": \"ci\"' '$tmp/out' && ! grep -q '$token' '$tmp/out'"
curl -s -N --max-time 30 -H "Authorization: Bearer $token" "$base/api/v1/events" >"$tmp/token.events" 2>/dev/null &
token_listen=$!
wait_until 5 grep -q "^retry:" "$tmp/token.events"
# Who a credential is stays in memory while its tables stand still (auth.h):
# each check below is made after the credential was answered from memory.
remembered() { curl -fs "http://127.0.0.1:$GOV_GATEWAY_HTTP_PORT/metrics" | awk '/^gov_session_cache_hits_total/ {print $NF}'; }
remembered_above() { [ "$(remembered)" -gt "$1" ]; }
me_twice() { # NAME CURL-ARGS...: GET /api/v1/me twice, the second answered from memory
    local name=$1; shift
    api "$name" 200 GET /api/v1/me "" "$@"
    local h0; h0=$(remembered)
    api "... again" 200 GET /api/v1/me "" "$@"
    check "... who it is found in memory: no query" wait_until 5 remembered_above "$h0"
}
me_twice "the token reads who it is" -H "Authorization: Bearer $token"
expect_status "govctl token revoke" 0 "$govctl" token revoke "$tid"
api "a revoked token: 401 on the next request" 401 GET /api/v1/me "" -H "Authorization: Bearer $token"
check "... and its open event stream ends within 20 s (checked every 10 s)" wait_until 20 bash -c "! kill -0 $token_listen"
expect_status "govctl token create (水务's head)" 0 "$govctl" token create --person p.dept.shuiwu.head --name memory
token2=$(tail -1 "$tmp/out") tid2=$(head -1 "$tmp/out" | awk '{print $2}')
me_twice "a token kept in memory" -H "Authorization: Bearer $token2"
member="person_id = (SELECT id FROM people WHERE code = 'p.dept.shuiwu.head') AND unit_id = (SELECT id FROM units WHERE code = 'dept.shuiwu')"
role=$(q "SELECT role FROM unit_members WHERE $member")
q "DELETE FROM unit_members WHERE $member" >/dev/null
api "... its person taken out of their unit: the next request" 200 GET /api/v1/me "" -H "Authorization: Bearer $token2"
check "... acts for no unit" python3 -c "import json; assert json.load(open('$tmp/out'))['units'] == []"
api "... nor can it read the unit's queue" 403 GET /api/v1/dispatches "" -H "Authorization: Bearer $token2" -H "X-Gov-Unit: dept.shuiwu"
q "INSERT INTO unit_members (unit_id, person_id, role) SELECT u.id, p.id, '$role' FROM units u, people p WHERE u.code = 'dept.shuiwu' AND p.code = 'p.dept.shuiwu.head'" >/dev/null
me_twice "... put back: the next request acts for it again" -H "Authorization: Bearer $token2"
contains "... as its $role" "$tmp/out" "\"code\":\"dept.shuiwu\",\"kind\":\"department\",\"role\":\"$role\""
name=$(q "SELECT name FROM people WHERE code = 'p.dept.shuiwu.head'")
q "UPDATE people SET name = '改名' WHERE code = 'p.dept.shuiwu.head'" >/dev/null
api "... its person renamed: the next request" 200 GET /api/v1/me "" -H "Authorization: Bearer $token2"
contains "... has the new name" "$tmp/out" '"name":"改名"'
q "UPDATE people SET name = '$name' WHERE code = 'p.dept.shuiwu.head'" >/dev/null
me_twice "... kept in memory again" -H "Authorization: Bearer $token2"
check "the gateway's LISTEN connection is ended by the database" \
    test "$(q "SELECT count(pg_terminate_backend(pid, 5000)) FROM pg_stat_activity WHERE query LIKE 'LISTEN gateway_cache%'")" = 1
expect_status "... and the token revoked while nobody listens" 0 "$govctl" token revoke "$tid2"
api "... the next request with it is still refused (nothing is trusted while the watch is down)" 401 GET /api/v1/me "" -H "Authorization: Bearer $token2"
check "... and the watch listens again" \
    wait_until 10 q_is "SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'LISTEN gateway_cache%'" 1
expect_status "govctl token create --ttl 2s" 0 "$govctl" token create --person p.dept.shuiwu.head --ttl 2s --name brief
token3=$(tail -1 "$tmp/out")
me_twice "a token of two seconds, kept in memory" -H "Authorization: Bearer $token3"
expired() { q_is "SELECT expires_ms < (extract(epoch FROM clock_timestamp()) * 1000)::bigint FROM gateway_tokens WHERE digest = sha256('$token3'::bytea)" t; }
wait_until 5 expired
api "... once expired, refused on the next request" 401 GET /api/v1/me "" -H "Authorization: Bearer $token3"
expect_status "a token with a bad --ttl is a usage error" 2 "$govctl" token create --person p.dept.chengguan.head --ttl soon
expect_status "govctl apikey create prints the key last" 0 "$govctl" apikey create --name city-app
check "... a gov_k_ key" bash -c "tail -1 '$tmp/out' | grep -qE '^gov_k_[A-Za-z0-9_-]{43}$'"

for p in p.dept.chengguan.head p.dept.shuiwu.head p.gt.s1.c1.g1.grid_worker r.s1.c1.g1.1.1; do
    kill "$(cat "$tmp/$p.listen")" 2>/dev/null
done

# --- a slow service holds up no one else: one listener thread, routing frozen -------------------
# A request waits for its service on a handler thread while the connection is
# suspended; the listener goes on reading and answering other connections.
stop_service gateway
start_service gateway GOV_GATEWAY_THREADS=1 GOV_GATEWAY_CACHE_MB=0 GOV_GATEWAY_TIMEOUT_MS=4000 || not_ok "the gateway restarts with one listener thread"
kill -STOP "$pid_routing"
curl -s -o "$tmp/slow.out" -w '%{http_code}' $(as p.dept.chengguan.head) "$base/api/v1/dispatches" >"$tmp/slow.code" &
slow=$!
sleep 0.5
start_ms=$(date +%s%3N)
api "while routing is frozen, a request to intake on the same listener is answered" 200 GET /api/v1/cases "" $(as p.dept.chengguan.head)
check "... at once (under 1 s, not after routing's 4 s timeout)" test $(($(date +%s%3N) - start_ms)) -lt 1000
check "... and the frozen request is still waiting" kill -0 "$slow"
kill -CONT "$pid_routing"
wait "$slow"
check "... which is answered once routing thaws" test "$(cat "$tmp/slow.code")" = 200

# --- logging out -------------------------------------------------------------------------
api "logging out" 200 DELETE /api/v1/session "" $(as p.dept.chengguan.head)
api "... the cookie no longer works" 401 GET /api/v1/me "" $(as p.dept.chengguan.head)

# --- rate limits: a gateway allowing 3 requests at once, 2 logins a minute -------------------
stop_service gateway
start_service gateway GOV_GATEWAY_RATE=1 GOV_GATEWAY_BURST=3 GOV_GATEWAY_LOGINS_PER_MIN=2 || not_ok "the gateway restarts"
api "a wrong password" 401 POST /api/v1/session '{"person": "p.so.s1.head", "password": "wrong password!"}'
api "... twice" 401 POST /api/v1/session '{"person": "p.so.s1.head", "password": "wrong password!"}'
api "a third login as that person within the minute: 429" 429 POST /api/v1/session "{\"person\": \"p.so.s1.head\", \"password\": \"$pw\"}"
contains "... RATE_LIMITED" "$tmp/out" '"code":"RATE_LIMITED"'
contains "... with Retry-After" "$tmp/headers" "Retry-After: "
api "a fourth request from the address within the second: 429" 429 GET /api/v1/me
for _ in 1 2 3 4 5 6; do # Open311 apps get it in the specification's format
    [ "$(curl -s -o "$tmp/o311" -D "$tmp/o311.h" -w '%{http_code}' "$base/open311/v2/services.xml")" = 429 ] && break
done
check "... an Open311 app gets 429 as the specification's XML errors" python3 -c "import xml.dom.minidom as m; d = m.parse('$tmp/o311'); assert d.getElementsByTagName('code')[0].firstChild.data == 'RATE_LIMITED'"
contains "... with Retry-After" "$tmp/o311.h" "Retry-After: "

# --- TLS: with a certificate configured, HTTPS only, and the cookie is Secure ----------------
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$tmp/key.pem" -out "$tmp/cert.pem" -days 1 \
    -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 >/dev/null 2>&1
stop_service gateway
start_service gateway GOV_GATEWAY_TLS_CERT="$tmp/cert.pem" GOV_GATEWAY_TLS_KEY="$tmp/key.pem" || not_ok "the gateway starts with TLS"
base="https://127.0.0.1:$GOV_GATEWAY_PORT"
api "a login over HTTPS, the certificate verified" 200 POST /api/v1/session "{\"person\": \"p.so.s1.head\", \"password\": \"$pw\"}" --cacert "$tmp/cert.pem"
contains "... the cookie is Secure" "$tmp/headers" "; Secure"
check "plain HTTP gets no answer" bash -c "! curl -s --max-time 3 -o /dev/null http://127.0.0.1:$GOV_GATEWAY_PORT/api/v1/me"
check "the key is not in the log" bash -c "! grep -q 'PRIVATE KEY' '$tmp/gateway.log'"
echo "1..$n"
