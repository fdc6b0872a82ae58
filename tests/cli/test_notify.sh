#!/usr/bin/env bash
# gov-notify against real gov-intake, gov-routing and gov-deliberation, a real SMTP server and
# real HTTP receivers that answer like WeCom and DingTalk robots, a webhook
# and an SMS gateway (deploy/sinks/sink.py): the right people get the right
# message for a dispatch, a whistle, an escalation and a matter (the
# meeting's roster, the proposer, the committee, a community's volunteers); phones are masked
# outside direct messages; quiet hours hold what can wait and let
# emergencies through; retries back off; dead deliveries show and can be
# retried; a burst to a robot becomes a digest; kill -9 mid-burst loses
# nothing and repeats nothing confirmed.
set -u
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d)
. tests/cli/tap.sh
bin=${GOV_BIN:-build/bin}
govctl="$bin/govctl"
db=cli_notify
. tests/cli/lib.sh
test_db "$db"
export GOV_INTAKE_ENDPOINT="tcp://127.0.0.1:$(free_port)" GOV_INTAKE_EVENTS="tcp://127.0.0.1:$(free_port)"
export GOV_INTAKE_HTTP_PORT=$(free_port)
export GOV_ROUTING_ENDPOINT="tcp://127.0.0.1:$(free_port)" GOV_ROUTING_EVENTS="tcp://127.0.0.1:$(free_port)"
export GOV_ROUTING_HTTP_PORT=$(free_port) GOV_NOTIFY_HTTP_PORT=$(free_port)
export GOV_NOTIFY_ENDPOINT="tcp://127.0.0.1:$(free_port)"
export GOV_DELIBERATION_ENDPOINT="tcp://127.0.0.1:$(free_port)" GOV_DELIBERATION_EVENTS="tcp://127.0.0.1:$(free_port)"
export GOV_DELIBERATION_HTTP_PORT=$(free_port)
smtp=$(free_port)
http=$(free_port)
sinkfile="$tmp/sink.jsonl"

# The demo's robots point at make up's sink; these point at this test's.
q "UPDATE notify_unit_channels SET url = regexp_replace(url, '^http://[^/]+', 'http://127.0.0.1:$http')" >/dev/null
/usr/bin/python3 deploy/sinks/sink.py --smtp-port "$smtp" --http-port "$http" --out "$sinkfile" \
    --secret demo-secret --robot-window-ms 3000 >"$tmp/sink.log" 2>&1 &
sink=$!
export GOV_NOTIFY_SMTP_URL="smtp://127.0.0.1:$smtp" GOV_NOTIFY_SMS_URL="http://127.0.0.1:$http/sms"
export GOV_NOTIFY_RETRY_BASE_MS=300 GOV_NOTIFY_MAX_ATTEMPTS=3 GOV_NOTIFY_ROBOT_WINDOW_MS=3000
export GOV_NOTIFY_TIMEOUT_MS=1000 GOV_NOTIFY_LEASE_MS=2000 GOV_NOTIFY_SWEEP_MS=200 GOV_SUB_SILENCE_MS=300

# notify's clock set to a time of day (Beijing), so quiet hours do not
# depend on when the test runs. Each start is later than the one before (the
# next such time of day after it), as a service's clock never runs back.
at() { python3 -c "import time; n=time.time()*1000; d=86400000; b=8*3600000; h,m=map(int,'$1'.split(':')); print(int(((n+b)//d*d + (h*60+m)*60000 - b - n) % d) + 60000)"; }
last_ahead=0
start_notify() { # HH:MM
    local ahead; ahead=$(at "$1")
    while [ "$ahead" -le "$last_ahead" ]; do ahead=$((ahead + 86400000)); done
    last_ahead=$ahead
    start_service notify GOV_TEST_CLOCK=1 GOV_TEST_CLOCK_AHEAD_MS="$ahead"
}
trap 'stop_services; kill $sink 2>/dev/null; wait 2>/dev/null; service_reports "$tmp"; rm -rf "$tmp"' EXIT
start_service intake
start_service routing
start_service deliberation GOV_TEST_CLOCK=1
wait_until 10 test -s "$tmp/sink.log"
start_notify 12:00

# sink PYTHON-EXPR: evaluates over m, the list of messages received so far.
sink() { python3 -c "import json, re; m=[json.loads(l) for l in open('$sinkfile')]; print($1)"; }
# wait_for NAME COMMAND...: passes once COMMAND succeeds, within 15 s.
wait_for() {
    local name=$1; shift
    if wait_until 15 "$@"; then ok "$name"; else not_ok "$name" "not within 15 s: $*"; fi
}
is() { [ "$(eval "$1")" = "$2" ]; }
# q_at_least SQL N: succeeds when the query's count is N or more.
q_at_least() { [ "$(q "$1")" -ge "$2" ]; }

# --- govctl notify: usage and refusals --------------------------------------
expect_status "govctl notify --help exits 0" 0 "$govctl" notify --help
contains "... and prints its usage" "$tmp/out" "usage: govctl notify"
expect_status "an unknown subcommand is a usage error" 2 "$govctl" notify resend 1
expect_status "retry needs a positive id" 2 "$govctl" notify retry abc
expect_status "log --limit must be a number" 2 "$govctl" notify log --limit lots
expect_status "retrying a delivery that does not exist is refused" 1 "$govctl" notify retry 999999
contains "... saying so" "$tmp/err" "no such delivery"

# --- a dispatch: the department's people and robot, the reporter ------------
expect_status "a noise report is accepted" 0 "$govctl" case submit --category complaint.noise \
    --lat 39.9025 --lon 116.3025 --text 夜间施工噪音 --phone 13912345678
case_id=$(json "d['case_id']")
wait_for "the reporter gets an SMS that the report was received" \
    is "sink \"sum(1 for x in m if x['channel']=='sms' and x['phone']=='13912345678' and '受理' in x['text'])\"" 1
wait_for "城管's head gets the dispatch by email" \
    is "sink \"sum(1 for x in m if x['channel']=='email' and x['to']==['p-dept-chengguan-head@demo.example'] and '#$case_id' in x['subject'])\"" 1
check "... with the reporter's phone in full (a direct message to the assigned unit)" \
    is "sink \"[x for x in m if x['channel']=='email'][0]['text'].count('13912345678')\"" 1
check "... in a plain-text and an HTML part" \
    is "sink \"bool([x for x in m if x['channel']=='email'][0]['html'].startswith('<html>'))\"" True
check "... carrying its idempotency key" \
    is "sink \"[x for x in m if x['channel']=='email'][0]['key'].startswith('routing:')\"" True
wait_for "城管's WeCom robot gets it too" \
    is "sink \"sum(1 for x in m if x['channel']=='wecom' and x['name']=='ok-chengguan' and '#$case_id' in x['text'])\"" 1
check "... with the phone masked (138****5678 style)" \
    is "sink \"[x['text'] for x in m if x['channel']=='wecom'][0].count('139****5678')\"" 1
check "... and never in full" \
    is "sink \"[x['text'] for x in m if x['channel']=='wecom'][0].count('13912345678')\"" 0
expect_status "govctl notify log lists the deliveries" 0 "$govctl" notify log --kind DispatchSent
check "... each sent after one attempt" is "json \"sorted({(x['state'], x['attempts']) for x in d})\"" "[('sent', 1)]"
expect_status "govctl notify log shows the reporter's SMS" 0 "$govctl" notify log --recipient "reporter:$case_id"
contains "... its number masked" "$tmp/out" '"destination": "139****5678"'
check "no full phone number in notify's log" test "$(grep -c 13912345678 "$tmp/notify.log")" = 0
check "the events of the filing carry no phone: CaseCreated and DispatchSent refer to case:$case_id" \
    test "$(q "SELECT count(*) FROM outbox WHERE position(convert_to('13912345678', 'UTF8') in payload) > 0")/$(q "SELECT string_agg(type, ',' ORDER BY type) FROM outbox WHERE position(convert_to('case:$case_id', 'UTF8') in payload) > 0")" = "0/CaseCreated,DispatchSent"
check "... notify asked intake for the reporter (GetContacts, logged as notify's read)" \
    test "$(q "SELECT count(*) > 0 FROM pii_reads WHERE request = 'GetContacts' AND role = 'notify' AND $case_id = ANY(case_ids)")" = t

# --- a whistle: each summoned department, signed DingTalk ----------------------
so="--as p.so.s1.head --unit so.s1"
expect_status "the street office whistles (应急哨) to three departments" 0 "$govctl" whistle $so blow \
    --kind emergency --reason 路面塌陷 --dept dept.chengguan --dept dept.shuiwu --dept dept.gongan \
    --lat 39.9025 --lon 116.3025
w=$(json "d['item']['id']")
for d in chengguan shuiwu gongan; do
    wait_for "dept.$d's head is summoned by email" \
        is "sink \"sum(1 for x in m if x['channel']=='email' and x['to']==['p-dept-$d-head@demo.example'] and '吹哨报到' in x['subject'])\"" 1
done
wait_for "水务's DingTalk robot takes the signed request" \
    is "sink \"sum(1 for x in m if x['channel']=='dingtalk' and x['name']=='ok-shuiwu' and '路面塌陷' in x.get('text',''))\"" 1
check "... no DingTalk request was refused for its sign" \
    is "sink \"sum(1 for x in m if x.get('refused')==310000)\"" 0

# --- an escalation reaches the supervisor, at night --------------------------
# Notify's clock at 03:00: only emergencies go through. Routing's clock an
# hour ahead: the whistle's 30-minute arrive-by has passed (fires late).
stop_service notify
start_notify 03:00
expect_status "a non-urgent report at night is accepted" 0 "$govctl" case submit --category complaint.sanitation \
    --lat 39.9125 --lon 116.3125 --text 垃圾堆积 --phone 13700001111
night_case=$(json "d['case_id']")
stop_service routing
start_service routing GOV_TEST_CLOCK=1 GOV_TEST_CLOCK_AHEAD_MS=3600000
wait_for "the leader gets the emergency escalation by email at 03:00" \
    is "sink \"sum(1 for x in m if x['channel']=='email' and x['to']==['p-leader-head@demo.example'] and '超时升级' in x['subject'])>0\"" True
wait_for "... and by SMS (the leader's preference)" \
    is "sink \"sum(1 for x in m if x['channel']=='sms' and x['phone']=='13800009001' and '超时升级' in x['text'])>0\"" True
wait_for "... and on the leadership's WeCom robot" \
    is "sink \"sum(1 for x in m if x['channel']=='wecom' and x['name']=='ok-leader' and '超时升级' in x['text'])>0\"" True
wait_for "the night report's reporter SMS is held for quiet hours" \
    is "q \"SELECT state || '/' || held FROM deliveries WHERE recipient = 'reporter:$night_case'\"" "pending/quiet"
check "... until 07:00 Beijing time" \
    is "q \"SELECT to_char(next_at AT TIME ZONE 'Asia/Shanghai', 'HH24:MI') FROM deliveries WHERE recipient = 'reporter:$night_case'\"" "07:00"
stop_service notify
start_notify 07:01
wait_for "... and sent in the morning" \
    is "sink \"sum(1 for x in m if x['channel']=='sms' and x['phone']=='13700001111')\"" 1
stop_service notify
start_notify 12:00

# --- retries, backoff, dead, retry by hand -----------------------------------
q "INSERT INTO notify_unit_channels (unit_id, channel, url, secret)
   SELECT id, 'webhook', 'http://127.0.0.1:$http/webhook/flaky2-jiaotong', 'demo-secret' FROM units WHERE code = 'dept.jiaotong';
   INSERT INTO notify_unit_channels (unit_id, channel, url) SELECT id, 'wecom',
   'http://127.0.0.1:$http/cgi-bin/webhook/send?key=bad-jiaotong' FROM units WHERE code = 'dept.jiaotong';
   INSERT INTO notify_unit_channels (unit_id, channel, url) SELECT id, 'webhook',
   'http://127.0.0.1:$http/webhook/flaky99-jiaotong' FROM units WHERE code = 'dept.jiaotong'" >/dev/null
expect_status "a whistle summons 交通" 0 "$govctl" whistle $so blow --kind routine --reason 信号灯故障 \
    --dept dept.jiaotong --lat 39.9025 --lon 116.3025
wait_for "the flaky webhook gets it on the third attempt" \
    is "sink \"sum(1 for x in m if x['channel']=='webhook' and x['name']=='flaky2-jiaotong')\"" 1
check "... signed so the receiver could verify it" \
    is "sink \"[x['sig_ok'] for x in m if x.get('name')=='flaky2-jiaotong'][0]\"" True
check "... after two retried attempts" \
    is "q \"SELECT string_agg(a.outcome, ',' ORDER BY a.id) FROM delivery_attempts a JOIN deliveries d ON d.id = a.delivery_id WHERE d.destination LIKE '%flaky2-jiaotong'\"" "retry,retry,sent"
check "... backing off (the second wait at least the first's base)" \
    is "q \"SELECT (max(a.at) - min(a.at)) >= interval '450 ms' FROM delivery_attempts a JOIN deliveries d ON d.id = a.delivery_id WHERE d.destination LIKE '%flaky2-jiaotong'\"" t
wait_for "the robot with a bad key is dead after one attempt (errcode 93000 is permanent)" \
    is "q \"SELECT state || '/' || attempts FROM deliveries WHERE destination LIKE '%bad-jiaotong'\"" "dead/1"
wait_for "the webhook that always fails is dead after GOV_NOTIFY_MAX_ATTEMPTS (3)" \
    is "q \"SELECT state || '/' || attempts FROM deliveries WHERE destination LIKE '%flaky99-jiaotong'\"" "dead/3"
expect_status "govctl notify dead shows both" 0 "$govctl" notify dead
check "... two of them" is "json 'len(d)'" 2
contains "... with the robot's key masked" "$tmp/out" "key=***"
contains "... and the errcode" "$tmp/out" "errcode 93000"
dead_id=$(q "SELECT id FROM deliveries WHERE destination LIKE '%bad-jiaotong'")
sent_id=$(q "SELECT id FROM deliveries WHERE destination LIKE '%flaky2-jiaotong'")
expect_status "retrying a sent delivery is refused" 1 "$govctl" notify retry "$sent_id"
contains "... as not dead" "$tmp/err" "not dead"
q "UPDATE notify_unit_channels SET url = replace(url, 'bad-jiaotong', 'ok-jiaotong') WHERE url LIKE '%bad-jiaotong'" >/dev/null
q "UPDATE deliveries SET destination = replace(destination, 'bad-jiaotong', 'ok-jiaotong') WHERE id = $dead_id" >/dev/null
expect_status "govctl notify retry sends a dead delivery again" 0 "$govctl" notify retry "$dead_id"
wait_for "... and it is sent" is "q \"SELECT state FROM deliveries WHERE id = $dead_id\"" sent

# --- a burst to one robot: 20 a window, the rest as one digest ---------------
q "INSERT INTO notify_unit_channels (unit_id, channel, url) SELECT id, 'wecom',
   'http://127.0.0.1:$http/cgi-bin/webhook/send?key=limit-shichang' FROM units WHERE code = 'dept.shichang'" >/dev/null
# All at once, so they fall inside one robot window even on a loaded machine
# (one after another, 30 govctl runs can outlast the 3 s window).
burst=()
for i in $(seq 30); do
    { "$govctl" whistle $so blow --kind routine --reason "市场检查$i" --dept dept.shichang \
        --lat 39.9025 --lon 116.3025 >/dev/null 2>&1 || echo "whistle $i failed" >>"$tmp/burst.err"; } &
    burst+=($!)
done
wait "${burst[@]}"
check "30 whistles to 市场监管 are blown" test ! -s "$tmp/burst.err"
covered="len(set(re.findall(r'#(\\d+)', ' '.join(x['text'] for x in m if x.get('name')=='limit-shichang' and 'text' in x))))"
wait_for "the robot hears of all 30 whistles" is "sink \"$covered\"" 30
check "... in fewer than 30 messages, one a digest" \
    is "sink \"sum(1 for x in m if x.get('name')=='limit-shichang' and '汇总' in x.get('text','')) >= 1 and sum(1 for x in m if x.get('name')=='limit-shichang' and 'text' in x) < 30\"" True
check "... and the robot never had to refuse one" \
    is "sink \"sum(1 for x in m if x.get('name')=='limit-shichang' and 'refused' in x)\"" 0
check "the merged deliveries point at their digest" \
    is "q \"SELECT count(*) > 0 AND bool_and(digest_id IS NOT NULL) FROM deliveries WHERE state = 'digested'\"" t

# --- kill -9 mid-burst: nothing lost, nothing confirmed sent twice -----------
q "INSERT INTO notify_unit_channels (unit_id, channel, url, secret) SELECT id, 'webhook',
   'http://127.0.0.1:$http/webhook/slow100-sifa', 'demo-secret' FROM units WHERE code = 'dept.sifa'" >/dev/null
stop_service notify
for i in $(seq 40); do
    "$govctl" whistle $so blow --kind routine --reason "调解$i" --dept dept.sifa \
        --lat 39.9025 --lon 116.3025 >/dev/null 2>&1 || echo "whistle $i failed" >>"$tmp/kill.err"
done
start_service notify GOV_NOTIFY_CONCURRENCY=4 GOV_TEST_CLOCK=1 GOV_TEST_CLOCK_AHEAD_MS="$(at 12:00)"
slow="SELECT count(*) FROM deliveries WHERE destination LIKE '%slow100-sifa'"
wait_until 10 q_at_least "$slow AND state = 'sent'" 8
stop_service notify KILL
confirmed=$(q "SELECT string_agg(idem_key, ' ') FROM deliveries WHERE destination LIKE '%slow100-sifa' AND state = 'sent'")
check "notify was killed mid-burst" is "q \"$slow AND state <> 'sent'\" | awk '{print (\$1 > 0)}'" 1
start_notify 12:00
wait_for "after a restart every delivery to the webhook is sent" is "q \"$slow AND state = 'sent'\"" 40
check "... the receiver saw all 40 keys" \
    is "sink \"len({x['key'] for x in m if x.get('name')=='slow100-sifa'})\"" 40
check "... and none confirmed before the kill came again" \
    is "sink \"sum(1 for x in m if x.get('name')=='slow100-sifa' and x['repeat'] and x['key'] in '$confirmed'.split())\"" 0
check "... repeats only of the unconfirmed, within the 4 that were under way" \
    is "sink \"sum(1 for x in m if x.get('name')=='slow100-sifa' and x['repeat']) <= 4\"" True
check "... and every delivery has exactly one 'sent' attempt (outcomes are written in batches)" \
    is "q \"SELECT count(*) FILTER (WHERE n <> 1) || '/' || count(*) FROM (SELECT d.id, count(a.id) FILTER (WHERE a.outcome = 'sent') AS n FROM deliveries d LEFT JOIN delivery_attempts a ON a.delivery_id = d.id WHERE d.destination LIKE '%slow100-sifa' GROUP BY d.id) x\"" 0/40

# --- reference data is read once a batch: a change is seen by the next -------
q "UPDATE notify_templates SET subject = '【吹哨报到·新模板】{{whistle_kind}} #{{whistle_id}}'
   WHERE kind = 'WhistleSummoned' AND lang = 'zh-CN'" >/dev/null
"$govctl" whistle $so blow --kind routine --reason 新模板 --dept dept.sifa \
    --lat 39.9025 --lon 116.3025 >/dev/null 2>&1
wait_for "a template changed while notify runs is used for the next event" \
    is "sink \"sum(1 for x in m if x.get('name')=='slow100-sifa' and '新模板' in x.get('subject', ''))\"" 1

# --- a stopped notify gives back what it claimed and never started ----------
stop_service notify
q "INSERT INTO deliveries (idem_key, stream, seq, kind, recipient, channel, destination, secret,
   subject, body, next_at, created_at) SELECT 'test:' || g || ':term:webhook', 'test', g, 'Test', 'term',
   'webhook', 'http://127.0.0.1:$http/webhook/slow300-term', 'demo-secret', 'term ' || g, 'b', now(), now()
   FROM generate_series(1, 20) g" >/dev/null
start_service notify GOV_NOTIFY_CONCURRENCY=1 GOV_TEST_CLOCK=1 GOV_TEST_CLOCK_AHEAD_MS="$(at 12:00)"
term="SELECT count(*) FROM deliveries WHERE recipient = 'term'"
wait_until 10 q_at_least "$term AND state = 'sent'" 1
stop_service notify
check "after SIGTERM at most the one request under way is still claimed" \
    is "q \"$term AND state = 'sending'\" | awk '{print (\$1 <= 1)}'" 1
check "... the rest are pending again, unclaimed, their attempts not counted" \
    is "q \"$term AND state = 'pending' AND lease_until IS NULL AND attempts = 0\" | awk '{print (\$1 >= 17)}'" 1
check "... with no attempt written for them" \
    is "q \"SELECT count(*) FROM delivery_attempts a JOIN deliveries d ON d.id = a.delivery_id WHERE d.recipient = 'term' AND d.state = 'pending'\"" 0
start_notify 12:00
wait_for "... and a restarted notify sends them all" is "q \"$term AND state = 'sent'\"" 20

# --- a matter: the roster, the proposer, the committee; a service order -----
M() { "$govctl" matter "$@"; }
C="--as p.cm.s1.c1.head --unit cm.s1.c1"
PC="--as p.pc.s1.c1.secretary --unit pc.s1.c1"   # the party committee (社区党委): accepts, convenes, closes, publishes
expect_status "a resident proposes a matter" 0 M --as r.s1.c1.g1.1.1 propose --scope community --area demo.s1.c1 --title 增设路灯 --text 小区北门路灯不足
matter=$(json "d['item']['id']")
proposer_phone=$(q "SELECT phone FROM people WHERE code = 'r.s1.c1.g1.1.1'")
M $PC accept "$matter" --hours 1 >/dev/null
wait_for "the proposer hears it was accepted, by SMS" \
    is "sink \"sum(1 for x in m if x['channel']=='sms' and x['phone']=='$proposer_phone' and '已受理' in x['text'])\"" 1
M clock 7200000 >"$tmp/clock"
until_q "SELECT step FROM matters WHERE id = $matter" discussed
now_ms=$(python3 -c "import json; print(json.load(open('$tmp/clock'))['now_ms'])")
expect_status "the committee convenes the representatives" 0 M $PC convene "$matter" --roster representatives --ballot open --motion 同意增设路灯 --starts-ms $((now_ms + 8 * 86400000))
roster="SELECT string_agg(p.phone, ',' ORDER BY p.phone) FROM meeting_roster r JOIN people p ON p.id = r.person_id JOIN meetings mt ON mt.id = r.meeting_id WHERE mt.matter_id = $matter"
phones=$(q "$roster")
check "... a roster of 8 with phones" test "$(echo "$phones" | tr ',' '\n' | grep -c .)" = 8
wait_for "every member of the roster gets the meeting notice (会议通知) by SMS" \
    is "sink \"','.join(sorted(x['phone'] for x in m if x['channel']=='sms' and '会议通知' in x['text'] and '同意增设路灯' in x['text']))\"" "$phones"
check "... and nobody off the roster does" \
    is "sink \"sum(1 for x in m if x['channel']=='sms' and '会议通知' in x['text'] and x['phone'] not in '$phones'.split(','))\"" 0
wait_for "the community committee's head hears of it by email" \
    is "sink \"sum(1 for x in m if x['channel']=='email' and x['to']==['p-cm-s1-c1-head@demo.example'] and '会议通知' in x['subject'])>0\"" True
expect_status "another matter is declined with a reason" 0 M --as r.s1.c1.g2.1.1 propose --scope community --area demo.s1.c1 --title 拆除围墙 --text 拆除小区围墙
other=$(json "d['item']['id']")
M $PC decline "$other" --reason 涉及产权，需业主大会决定 >/dev/null
other_phone=$(q "SELECT phone FROM people WHERE code = 'r.s1.c1.g2.1.1'")
wait_for "... and its proposer hears the reason" \
    is "sink \"sum(1 for x in m if x['channel']=='sms' and x['phone']=='$other_phone' and '涉及产权' in x['text'])\"" 1
"$govctl" order --as r.s1.c1.g3.1.1 register demo.s1.c1 >/dev/null
expect_status "a resident orders a service" 0 "$govctl" order --as r.s1.c1.g4.1.2 place --title 代买药品 --text 行动不便
order=$(json "d['item']['id']")
wait_for "the 知行家 station's dispatcher is told (点单)" \
    is "sink \"sum(1 for x in m if x['channel']=='email' and x['to']==['p-st-s1-c1-dispatcher@demo.example'] and '居民点单' in x['subject'])\"" 1
"$govctl" order --as p.st.s1.c1.dispatcher --unit st.s1.c1 dispatch "$order" --to r.s1.c1.g3.1.1 >/dev/null
vphone=$(q "SELECT phone FROM people WHERE code = 'r.s1.c1.g3.1.1'")
wait_for "the volunteer it is dispatched to is told, and nobody else (派单)" \
    is "sink \"[x['phone'] for x in m if x['channel']=='sms' and '知行家派单' in x['text']]\"" "['$vphone']"
"$govctl" order --as r.s1.c1.g3.1.1 claim "$order" >/dev/null
"$govctl" order --as r.s1.c1.g3.1.1 done "$order" --result 药品已送到 >/dev/null
rphone=$(q "SELECT phone FROM people WHERE code = 'r.s1.c1.g4.1.2'")
wait_for "the resident hears it was taken and done" \
    is "sink \"sum(1 for x in m if x['channel']=='sms' and x['phone']=='$rphone' and ('已接单' in x['text'] or '药品已送到' in x['text']))\"" 2
"$govctl" order --as r.s1.c1.g4.1.2 confirm "$order" --rating satisfied >/dev/null
wait_for "the committee hears the resident confirmed it, to publish it (晒单)" \
    is "sink \"sum(1 for x in m if x['channel']=='email' and x['to']==['p-cm-s1-c1-head@demo.example'] and '居民确认' in x['subject'])\"" 1

# --- a joint meeting (联席会议) made on its day is told to the member units ------------
# weekly on today's Beijing weekday, at the last minute of the day, made at once (a
# lead of a week): 城管, 住建 and 水务 (member units) and the party committee hear.
jwd=$(python3 -c "import datetime as dt; print(['mon','tue','wed','thu','fri','sat','sun'][(dt.datetime.utcnow() + dt.timedelta(hours=8)).weekday()])")
"$govctl" joint --as p.pc.s1.c1.secretary --unit pc.s1.c1 schedule demo.s1.c1 --title 社区工作联席会议 \
    --rule "weekly $jwd keep" --at 23:59 --lead 10080 >/dev/null 2>"$tmp/joint.err" || not_ok "setup: the joint meeting is set" "$(cat "$tmp/joint.err")"
wait_for "the member units hear of the joint meeting (联席会议)" \
    is "sink \"sorted(x['to'][0] for x in m if x['channel']=='email' and '联席会议' in x['subject'])\"" \
    "['p-dept-chengguan-head@demo.example', 'p-dept-shuiwu-head@demo.example', 'p-dept-zhujian-head@demo.example']"
check "... and no unit only paired with the community" \
    is "sink \"sum(1 for x in m if x['channel']=='email' and '联席会议' in x['subject'] and 'gongan' in x['to'][0])\"" 0

# --- 3+1: a new need and a signed project are told -----------------------------------
"$govctl" lists --as p.cm.s1.c1.head --unit cm.s1.c1 need demo.s1.c1 --title 加装扶手 --category 适老化 --source visit --for dept.chengguan >/dev/null
wait_for "the paired unit a new need is aimed at hears of it (需求清单)" \
    is "sink \"sum(1 for x in m if x['channel']=='email' and x['to']==['p-dept-chengguan-head@demo.example'] and '需求清单' in x['subject'])\"" 1
check "... and no other unit's head" \
    is "sink \"sum(1 for x in m if x['channel']=='email' and x['to']!=['p-dept-chengguan-head@demo.example'] and '需求清单' in x['subject'])\"" 0
need=$(q "SELECT max(id) FROM community_needs")
"$govctl" lists --as p.dept.chengguan.head --unit dept.chengguan claim "$need" >/dev/null
proj=$(q "SELECT id FROM community_projects WHERE need_id = $need")
"$govctl" lists --as p.cm.s1.c1.head --unit cm.s1.c1 sign "$proj" >/dev/null
wait_for "a signed project is told to the unit and the committee (项目清单)" \
    is "sink \"sorted(x['to'][0] for x in m if x['channel']=='email' and '项目清单' in x['subject'])\"" "['p-cm-s1-c1-head@demo.example', 'p-dept-chengguan-head@demo.example']"

# --- the supervision's flag and its answer; a 五定 task ---------------------------------
SV="--as r.s1.c1.g2.3.2 --unit sv.s1.c1"
pc_phone=$(q "SELECT phone FROM people WHERE code = 'r.s1.c1.g1.2.1'")   # a member of pc.s1.c1
sv_phone=$(q "SELECT phone FROM people WHERE code = 'r.s1.c1.g2.3.2'")   # the supervision committee's
expect_status "the supervision committee flags the proposal's record" 0 M $SV flag "$matter" --record 1 --text 提案程序存疑
wait_for "the party committee, which owns the step, hears of the flag (监督提示)" \
    is "sink \"sum(1 for x in m if x['channel']=='sms' and x['phone']=='$pc_phone' and '监督提示' in x['text'] and '提案程序存疑' in x['text'])\"" 1
flag=$(q "SELECT max(id) FROM matter_flags WHERE matter_id = $matter")
expect_status "the party committee answers it" 0 M $PC answer-flag "$matter" --flag "$flag" --text 程序合规
wait_for "... and the supervision committee hears the answer (监督答复)" \
    is "sink \"sum(1 for x in m if x['channel']=='sms' and x['phone']=='$sv_phone' and '监督答复' in x['text'] and '程序合规' in x['text'])\"" 1
q "UPDATE matters SET step = 'approved' WHERE id = $other" >/dev/null   # its decision in force, for a task
expect_status "the committee assigns 城管 a 五定 task" 0 M $C task "$other" --type city_management --owner-unit dept.chengguan --owner p.dept.chengguan.head --standard 围墙修复无缺口 --days 3 --text 修复围墙
task=$(json "d['item']['tasks'][-1]['id']")
wait_for "城管's head hears of the task with its standard (五定任务)" \
    is "sink \"sum(1 for x in m if x['channel']=='email' and x['to']==['p-dept-chengguan-head@demo.example'] and '五定任务' in x['subject'] and '围墙修复无缺口' in x['text'] and '城市管理' in x['text'])\"" 1
expect_status "城管 reports it done" 0 M --as p.dept.chengguan.head --unit dept.chengguan report "$other" --task "$task" --text 已修复
wait_for "the checkers hear it is to be checked (任务待验收)" \
    is "sink \"sorted(x['phone'] for x in m if x['channel']=='sms' and '任务待验收' in x['text'] and x['phone'] in ('$pc_phone', '$sv_phone'))\"" "$(python3 -c "print(sorted(['$pc_phone', '$sv_phone']))")"

kinds="'StepFlagged','FlagAnswered','ObjectionAnswered','MatterReviewed','ExecutionRated','MatterReopened','CouncilElected','TaskAssigned','TaskReminder','TaskEscalated','TaskReported','TaskPassed','TaskReopened','TaskFailed'"
check "each of the fourteen has its template in Chinese and in English" \
    test "$(q "SELECT count(*) FROM notify_templates WHERE kind IN ($kinds) AND lang IN ('zh-CN', 'en')")" = 28

# --- metrics ------------------------------------------------------------------
curl -fs "http://127.0.0.1:$GOV_NOTIFY_HTTP_PORT/metrics" >"$tmp/metrics"
contains "/metrics counts deliveries sent" "$tmp/metrics" "gov_deliveries_sent_total"
echo "1..$n"
