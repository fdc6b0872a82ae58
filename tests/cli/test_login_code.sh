#!/usr/bin/env bash
# One-time login codes, end to end: a real gov-gateway asks a real gov-notify
# over CURVE to text a code, notify sends it through its SMS channel to a
# real HTTP receiver standing in for the SMS provider (deploy/sinks/sink.py),
# and the person logs in with the code the receiver got. And the refusals: a
# wrong code, a used one, an expired one, a sixth try after five wrong ones,
# an unknown person (the same answer, no SMS), the rate limit, an SMS
# provider that fails (the person is told), a key other than the gateway's
# asking notify (refused, nothing sent) — and the code is never readable in
# deliveries, in `govctl notify log` or in any log of the run.
set -u
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d)
. tests/cli/tap.sh
govctl="${GOV_BIN:-build/bin}/govctl"
. tests/cli/lib.sh
test_db cli_login_code
stack_ports
http=$(free_port) smtp=$(free_port)
sinkfile="$tmp/sink.jsonl"
/usr/bin/python3 deploy/sinks/sink.py --smtp-port "$smtp" --http-port "$http" --out "$sinkfile" >"$tmp/sink.log" 2>&1 &
sink=$!
trap 'stop_services; kill $sink 2>/dev/null; wait 2>/dev/null; service_reports "$tmp"; rm -rf "$tmp"' EXIT
wait_until 10 test -s "$tmp/sink.log"
# The SMS provider fails its first request (HTTP 500), then takes every
# message and, as some do, repeats its text in the answer.
export GOV_NOTIFY_SMS_URL="http://127.0.0.1:$http/sms/flaky1-echo" GOV_NOTIFY_TIMEOUT_MS=2000
export GOV_GATEWAY_LOGINS_PER_MIN=1000
start_service notify || not_ok "notify answers its health check"
start_service gateway || not_ok "the gateway answers its health check"
base="http://127.0.0.1:$GOV_GATEWAY_PORT"

# sms_count PHONE: how many texts the receiver got for PHONE.
sms_count() { python3 -c "import json; print(sum(1 for l in open('$sinkfile') if json.loads(l).get('phone') == '$1'))"; }
# sms_more PHONE N: succeeds when PHONE got more than N texts.
sms_more() { [ "$(sms_count "$1")" -gt "$2" ]; }
# sms_code PHONE: the code in the last text PHONE got.
sms_code() {
    python3 -c "
import json, re
m = [json.loads(l) for l in open('$sinkfile') if json.loads(l).get('phone') == '$1']
print(re.search(r'(\d{6})', m[-1]['text']).group(1))"
}
# ask WHO-JSON PHONE: asks for a code and waits for the text to reach PHONE;
# the code in $code. Fails when either does not happen.
ask() {
    local before; before=$(sms_count "$2")
    [ "$(curl -s -o "$tmp/out" -w '%{http_code}' -H 'Content-Type: application/json' \
        --data-binary "$1" "$base/api/v1/session/code")" = 202 ] &&
        wait_until 10 sms_more "$2" "$before" && code=$(sms_code "$2")
}
codes_seen="$tmp/codes"   # every code sent in this run, for the last checks
: >"$codes_seen"

res=r.s1.c1.g1.1.1 res2=r.s1.c1.g1.1.2 res3=r.s1.c1.g1.2.1
phone=$(q "SELECT phone FROM people WHERE code = '$res'")
phone2=$(q "SELECT phone FROM people WHERE code = '$res2'")
phone3=$(q "SELECT phone FROM people WHERE code = '$res3'")

# --- the SMS provider fails: the person is told, and may ask again -----------------------
api "a code while the SMS provider fails: 503" 503 POST /api/v1/session/code "{\"person\": \"$res\"}"
check "... SMS_NOT_SENT, with Retry-After" bash -c "grep -q '\"code\":\"SMS_NOT_SENT\"' '$tmp/out' && grep -qi '^Retry-After: 1' '$tmp/headers'"
check "... the attempt is recorded, given up with the provider's answer" \
    q_is "SELECT state || ' ' || last_error FROM deliveries WHERE kind = 'LoginCode'" "dead HTTP 500"
check "... and the person got nothing" test "$(sms_count "$phone")" = 0

# --- the whole path: ask, the SMS arrives, log in with it ------------------------------------
api "a code for a resident: 202" 202 POST /api/v1/session/code "{\"person\": \"$res\"}"
check "... says how long it lives" test "$(json "d['accepted'], d['expires_s']")" = "True 300"
cp "$tmp/out" "$tmp/known"
check "the SMS reaches the resident's phone on file" wait_until 10 sms_more "$phone" 0
code=$(sms_code "$phone"); echo "$code" >>"$codes_seen"
check "... in the project's words, with the minutes it lives" python3 -c "
import json, re
m = [json.loads(l) for l in open('$sinkfile') if json.loads(l).get('phone') == '$phone']
assert re.fullmatch(r'您的登录验证码是 \d{6}，5分钟内有效。', m[-1]['text']), m[-1]['text']"
check "... and the delivery is recorded as sent" \
    q_is "SELECT count(*) FROM deliveries WHERE kind = 'LoginCode' AND state = 'sent' AND recipient = '$res'" 1
check "... its text stored with the code masked" \
    q_is "SELECT body FROM deliveries WHERE kind = 'LoginCode' AND state = 'sent'" "您的登录验证码是 ******，5分钟内有效。"
check "... and the provider's echo of it masked too" \
    q_is "SELECT count(*) FROM delivery_attempts a JOIN deliveries d ON d.id = a.delivery_id WHERE d.kind = 'LoginCode' AND a.outcome = 'sent' AND a.response LIKE '%******%'" 1
check "only an argon2id hash of the code is kept" \
    q_is "SELECT count(*) FROM gateway_login_codes WHERE hash LIKE '\$argon2id\$v=19\$m=19456,t=2,p=1\$%' AND hash NOT LIKE '%$code%'" 1
wrong=$(printf '%06d' $(( (10#$code + 1) % 1000000 )))
api "a wrong code: 401" 401 POST /api/v1/session "{\"person\": \"$res\", \"code\": \"$wrong\"}"
contains "... BAD_CREDENTIALS" "$tmp/out" '"code":"BAD_CREDENTIALS"'
cp "$tmp/out" "$tmp/refused"
api "the right code logs the resident in" 200 POST /api/v1/session "{\"person\": \"$res\", \"code\": \"$code\"}" -c "$tmp/res.jar"
contains "... with a session cookie, HttpOnly" "$tmp/headers" "HttpOnly"
contains "... SameSite=Strict" "$tmp/headers" "SameSite=Strict"
contains "... and a CSRF token" "$tmp/out" '"csrf_token":'
csrf=$(json "d['csrf_token']")
api "GET /api/v1/me with that session" 200 GET /api/v1/me "" -b "$tmp/res.jar"
check "... is the resident" test "$(json "d['person'], d['resident']")" = "$res True"
api "the session works like a password's: a POST with its CSRF token" 200 DELETE /api/v1/session "" -b "$tmp/res.jar" -H "X-CSRF-Token: $csrf"
api "the same code again: 401" 401 POST /api/v1/session "{\"person\": \"$res\", \"code\": \"$code\"}"
check "... the same refusal as a wrong code" cmp -s "$tmp/out" "$tmp/refused"

# --- by phone number ---------------------------------------------------------------------
check "a code asked for by phone number reaches that phone" ask "{\"phone\": \"$phone2\"}" "$phone2"
echo "$code" >>"$codes_seen"
api "... and logs its person in by phone number" 200 POST /api/v1/session "{\"phone\": \"$phone2\", \"code\": \"$code\"}"
check "... as that person" test "$(json "d['person']")" = "$res2"

# --- one live code a person; five tries ----------------------------------------------------
check "a first code" ask "{\"person\": \"$res3\"}" "$phone3"
first=$code; echo "$code" >>"$codes_seen"
check "a second code replaces it" ask "{\"person\": \"$res3\"}" "$phone3"
second=$code; echo "$code" >>"$codes_seen"
if [ "$first" != "$second" ]; then
    api "... the first no longer works" 401 POST /api/v1/session "{\"person\": \"$res3\", \"code\": \"$first\"}"
else ok "... (the two codes happened to be equal)"; fi
for i in 1 2 3; do
    curl -s -o /dev/null -H 'Content-Type: application/json' --data-binary "{\"person\": \"$res3\", \"code\": \"$(printf '%06d' $(( (10#$second + i) % 1000000 )))\"}" "$base/api/v1/session"
done
api "after four wrong tries the fifth, right, still works" 200 POST /api/v1/session "{\"person\": \"$res3\", \"code\": \"$second\"}"
check "a new code" ask "{\"person\": \"$res3\"}" "$phone3"
echo "$code" >>"$codes_seen"
for i in 1 2 3 4 5; do
    api "wrong try $i: 401" 401 POST /api/v1/session "{\"person\": \"$res3\", \"code\": \"$(printf '%06d' $(( (10#$code + i) % 1000000 )))\"}"
done
api "a sixth try after five wrong ones, with the right code: 401" 401 POST /api/v1/session "{\"person\": \"$res3\", \"code\": \"$code\"}"
check "... the same refusal" cmp -s "$tmp/out" "$tmp/refused"
check "a new code" ask "{\"person\": \"$res3\"}" "$phone3"
echo "$code" >>"$codes_seen"
bad=$(printf '%06d' $(( (10#$code + 500000) % 1000000 )))
tries=()
for i in $(seq 1 8); do
    curl -s -o /dev/null --max-time 20 -H 'Content-Type: application/json' --data-binary "{\"person\": \"$res3\", \"code\": \"$bad\"}" "$base/api/v1/session" &
    tries+=($!)
done
wait "${tries[@]}"
check "eight wrong tries at once count as no more than five" \
    q_is "SELECT failures FROM gateway_login_codes c JOIN people p ON p.id = c.person_id WHERE p.code = '$res3'" 5
api "... and the right code after them: 401" 401 POST /api/v1/session "{\"person\": \"$res3\", \"code\": \"$code\"}"
check "the failed logins are counted in the gateway's metric" \
    wait_until 5 bash -c "curl -fs http://127.0.0.1:$GOV_GATEWAY_HTTP_PORT/metrics | grep -qE '^gov_logins_failed_total.* [1-9][0-9]+$'"

# --- nobody: the same answer, nothing sent --------------------------------------------------
q "INSERT INTO people (code, name) VALUES ('p.nophone', '无电话')" >/dev/null
sms_before=$(wc -l <"$sinkfile")
api "a code for an unknown person: the same 202" 202 POST /api/v1/session/code '{"person": "p.nobody"}'
check "... word for word" cmp -s "$tmp/out" "$tmp/known"
api "a code for an unknown phone number: the same 202" 202 POST /api/v1/session/code '{"phone": "13999999999"}'
check "... word for word" cmp -s "$tmp/out" "$tmp/known"
api "a code for a person with no phone on file: the same 202" 202 POST /api/v1/session/code '{"person": "p.nophone"}'
check "... word for word" cmp -s "$tmp/out" "$tmp/known"
check "... a known person's code still goes (notify is working)" ask "{\"person\": \"$res\"}" "$phone"
echo "$code" >>"$codes_seen"
check "... and for nobody no SMS went and no delivery was written" bash -c "
    [ \$(wc -l <'$sinkfile') = $((sms_before + 1)) ] &&
    [ \"\$(psql -tA '$GOV_DB_URL' -c \"SELECT count(*) FROM deliveries WHERE recipient IN ('p.nobody', 'p.nophone')\")\" = 0 ]"
api "a login code for an unknown person: 401" 401 POST /api/v1/session '{"person": "p.nobody", "code": "123456"}'
check "... the same refusal as a wrong code" cmp -s "$tmp/out" "$tmp/refused"
api "a code that is not six digits: 401, the same refusal" 401 POST /api/v1/session "{\"person\": \"$res\", \"code\": \"12345\"}"
check "... word for word" cmp -s "$tmp/out" "$tmp/refused"

# --- bad requests ---------------------------------------------------------------------------------
api "a code request naming both a person and a phone: 400" 400 POST /api/v1/session/code "{\"person\": \"$res\", \"phone\": \"$phone\"}"
contains "... BAD_JSON" "$tmp/out" '"code":"BAD_JSON"'
api "... naming neither: 400" 400 POST /api/v1/session/code '{}'
api "a code as a number (leading zeros would be lost): 400" 400 POST /api/v1/session "{\"person\": \"$res\", \"code\": 123456}"
api "a password with a phone number (passwords go with the person's code): 400" 400 POST /api/v1/session "{\"phone\": \"$phone\", \"password\": \"whatever password\"}"
api "GET /api/v1/session/code: 405" 405 GET /api/v1/session/code

# --- an expired code -----------------------------------------------------------------------------
stop_service gateway
start_service gateway GOV_GATEWAY_LOGIN_CODE_S=1 || not_ok "the gateway restarts with 1-second codes"
check "a 1-second code" ask "{\"person\": \"$res2\"}" "$phone2"
echo "$code" >>"$codes_seen"
check "... says it lives a minute at most" python3 -c "
import json
m = [json.loads(l) for l in open('$sinkfile') if json.loads(l).get('phone') == '$phone2']
assert '1分钟内有效' in m[-1]['text'], m[-1]['text']"
check "... expires" wait_until 5 q_is "SELECT expires_ms < (extract(epoch FROM clock_timestamp()) * 1000)::bigint FROM gateway_login_codes c JOIN people p ON p.id = c.person_id WHERE p.code = '$res2'" t
api "... and is then refused: 401" 401 POST /api/v1/session "{\"person\": \"$res2\", \"code\": \"$code\"}"
check "... the same refusal" cmp -s "$tmp/out" "$tmp/refused"

# --- the rate limit ------------------------------------------------------------------------------------
stop_service gateway
start_service gateway GOV_GATEWAY_LOGINS_PER_MIN=2 || not_ok "the gateway restarts with 2 logins a minute"
# Each client from an address of its own (all of 127.0.0.0/8 is this machine),
# so the limit per person and the limit per address show apart.
api "2 codes a minute allowed: one for a resident by code" 202 POST /api/v1/session/code "{\"person\": \"$res\"}" --interface 127.0.0.2
api "... one by their phone number, from another address" 202 POST /api/v1/session/code "{\"phone\": \"$phone\"}" --interface 127.0.0.3
api "... a third, from a third address: 429 (by code and by phone count as one person)" 429 POST /api/v1/session/code "{\"person\": \"$res\"}" --interface 127.0.0.4
contains "... RATE_LIMITED" "$tmp/out" '"code":"RATE_LIMITED"'
contains "... with Retry-After" "$tmp/headers" "Retry-After:"
api "... logins are limited the same way: two wrong codes" 401 POST /api/v1/session "{\"person\": \"$res\", \"code\": \"000000\"}" --interface 127.0.0.5
api "... ..." 401 POST /api/v1/session "{\"phone\": \"$phone\", \"code\": \"000000\"}" --interface 127.0.0.6
api "... a third: 429" 429 POST /api/v1/session "{\"person\": \"$res\", \"code\": \"000000\"}" --interface 127.0.0.7
api "one address: a code for nobody" 202 POST /api/v1/session/code '{"person": "p.nobody2"}' --interface 127.0.0.8
api "... for another nobody" 202 POST /api/v1/session/code '{"person": "p.nobody3"}' --interface 127.0.0.8
api "... a third from that address: 429" 429 POST /api/v1/session/code '{"person": "p.nobody4"}' --interface 127.0.0.8

# --- a key other than the gateway's asks notify -------------------------------------------------------
# A gateway whose key pair is govctl's: a key notify admits, and that may even
# act for people, but not the gateway's.
stop_service gateway
mkdir -p "$tmp/notgateway" && chmod 700 "$tmp/notgateway"
cp "$GOV_KEYS_DIR/server.pub" "$GOV_KEYS_DIR/server.key" "$tmp/notgateway/"
cp "$GOV_KEYS_DIR/govctl.key" "$tmp/notgateway/gateway.key" && cp "$GOV_KEYS_DIR/govctl.pub" "$tmp/notgateway/gateway.pub"
sms_before=$(wc -l <"$sinkfile")
refused_before=$(q "SELECT count(*) FROM deliveries")
start_service gateway GOV_KEYS_DIR="$tmp/notgateway" || not_ok "a gateway with govctl's key starts"
api "govctl's key asking notify for a code: the person is told it failed (503)" 503 POST /api/v1/session/code "{\"person\": \"$res\"}"
check "... notify refused it: KEY_NOT_ALLOWED, in the gateway's log" grep -q "notify refused a login code: KEY_NOT_ALLOWED" "$tmp/gateway.log"
check "... and in notify's, naming the key" grep -q "SendLoginCode from the key 'govctl' refused" "$tmp/notify.log"
check "... counted in notify's metrics" \
    wait_until 5 bash -c "curl -fs http://127.0.0.1:$GOV_NOTIFY_HTTP_PORT/metrics | grep -qE '^gov_key_not_allowed_total.* 1$'"
check "... no SMS went and no delivery was written" bash -c "
    [ \$(wc -l <'$sinkfile') = $sms_before ] && [ \"\$(psql -tA '$GOV_DB_URL' -c 'SELECT count(*) FROM deliveries')\" = $refused_before ]"
stop_service gateway
mkdir -p "$tmp/stranger" && chmod 700 "$tmp/stranger" && cp "$GOV_KEYS_DIR/server.pub" "$GOV_KEYS_DIR/server.key" "$tmp/stranger/" && "$govctl" keys generate "$tmp/stranger" gateway >/dev/null
start_service gateway GOV_KEYS_DIR="$tmp/stranger" GOV_GATEWAY_TIMEOUT_MS=700 || not_ok "a gateway with an unknown key starts"
api "an unknown key asking notify: no answer at all (503 SERVICE_TIMEOUT)" 503 POST /api/v1/session/code "{\"person\": \"$res\"}"
contains "... SERVICE_TIMEOUT" "$tmp/out" '"code":"SERVICE_TIMEOUT"'
check "... and nothing sent" test "$(wc -l <"$sinkfile")" = "$sms_before"
stop_service gateway
start_service gateway || not_ok "the real gateway starts again"
check "the real gateway's key is still answered" ask "{\"person\": \"$res\"}" "$phone"
echo "$code" >>"$codes_seen"

# --- the code is never readable ------------------------------------------------------------------------
expect_status "govctl notify log shows the login codes" 0 "$govctl" notify log --kind LoginCode --limit 100
cp "$tmp/out" "$tmp/notify-log"
check "... every one sent or given up, none pending" bash -c "python3 -c \"
import json; d = json.load(open('$tmp/notify-log')); assert d and {x['state'] for x in d} <= {'sent', 'dead'}, d\""
expect_status "govctl notify retry refuses a login code" 1 "$govctl" notify retry "$(q "SELECT min(id) FROM deliveries WHERE kind = 'LoginCode' AND state = 'dead'")"
contains "... saying why" "$tmp/err" "a login code is never sent again"
q "SELECT body, last_error FROM deliveries; SELECT response FROM delivery_attempts" >"$tmp/stored"
python3 -c "
import json, re
for l in open('$sinkfile'):
    for c in re.findall(r'(?<![0-9])([0-9]{6})(?![0-9])', json.loads(l).get('text', '')):
        print(c)" >>"$codes_seen"
n_codes=$(sort -u "$codes_seen" | wc -l)
check "the codes of this run were seen ($n_codes)" test "$n_codes" -ge 10
leaks=""
while read -r c; do
    for f in "$tmp/stored" "$tmp/notify-log" "$tmp"/*.log; do
        grep -qP "(?<![0-9])$c(?![0-9])" "$f" && leaks="$leaks $c:$(basename "$f")"
    done
done < <(sort -u "$codes_seen")
if [ -z "$leaks" ]; then ok "no code in deliveries, delivery_attempts, govctl notify log or any log of the run"
else not_ok "no code in deliveries, delivery_attempts, govctl notify log or any log of the run" "found:$leaks"; fi
echo "1..$n"
[ "$failed" -eq 0 ]
