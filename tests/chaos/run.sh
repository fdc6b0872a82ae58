#!/usr/bin/env bash
# The crash test: OPS cases filed through the front door at RATE a second
# (tests/chaos/client.py: each with its own Idempotency-Key, retried until
# answered) while every KILL_EVERY seconds one of gov-gateway, gov-intake,
# gov-routing, gov-notify and gov-deliberation, in turn, is killed with
# SIGKILL and started again a second later, and once, halfway, the database
# fails: PostgreSQL's postmaster is killed with SIGKILL and started again
# (crash recovery), or with CHAOS_FAILOVER=1 (tests/chaos/failover.sh) the
# primary of a Patroni pair is killed (its Patroni, postmaster and backends:
# the host's crash) and its synchronous standby takes over; the services'
# GOV_DB_URL lists both hosts with target_session_attrs=read-write. Every
# case's dispatch has a sign-by deadline whose first reminder falls due 3 s
# after it is sent, so deadlines fire throughout. Then, once everything has
# settled:
#   lost      an acknowledged filing whose case is not stored (on the new
#             primary, after a failover), a case with no lead dispatch, a case
#             whose reporter got no 受理 SMS, or a reminder due and not fired
#   doubled   a filing stored twice, a case dispatched twice, or a reminder
#             fired twice
#   resent    an SMS sent again after a crash (at least once: the provider
#             took it, notify died before it wrote so; counted apart)
# Prints TAP lines (`make test` runs short ones, tests/cli/test_chaos.sh and
# tests/cli/test_failover.sh) and ends with `lost L, doubled D over N
# operations` (`make bench-chaos` runs a long one, with the failover). Its own
# PostgreSQL cluster (or Patroni pair): it kills it.
#   tests/chaos/run.sh OPS RATE [KILL_EVERY]
set -uo pipefail
cd "$(dirname "$0")/../.."
top=$(pwd)
ops=${1:-2000} rate=${2:-200} every=${3:-2}
tmp=$(mktemp -d)
. tests/cli/tap.sh
bin=${GOV_BIN:-build/bin}
pids=()
failover=${CHAOS_FAILOVER:-}
cleanup() {
    for s in gateway intake routing notify deliberation; do p="pid_$s"; [ -n "${!p:-}" ] && kill "${!p}" 2>/dev/null; done
    [ -n "${sink:-}" ] && kill "$sink" 2>/dev/null
    [ -n "$failover" ] && patroni_down # before the wait: it waits for every child
    wait 2>/dev/null
    grep -h -A12 -E 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$tmp"/*.log >&2 2>/dev/null
    if [ -n "${CHAOS_KEEP:-}" ]; then echo "# kept: $tmp (PostgreSQL stopped)"; bash deploy/pg.sh stop "$tmp/pg" >/dev/null 2>&1; return; fi
    bash deploy/pg.sh stop "$tmp/pg" >/dev/null 2>&1
    rm -rf "$tmp"
}
trap cleanup EXIT
free() { bash deploy/pg.sh freeport; }
if [ -n "$failover" ]; then
    . tests/chaos/patroni.sh
    t_up=$(date +%s)
    patroni_up "$tmp/pat" 2>"$tmp/patroni-up.log" || { echo "Bail out! no Patroni pair: $(tail -2 "$tmp/patroni-up.log")"; exit 1; }
    echo "# Patroni pair up in $(($(date +%s) - t_up)) s: pg1 primary, pg2 its synchronous standby ($PATRONI_URL_HOSTS)"
    psql -q "postgresql://postgres@$PATRONI_URL_HOSTS/postgres?target_session_attrs=read-write" -c "CREATE DATABASE gov" ||
        { echo "Bail out! no database"; exit 1; }
    export GOV_DB_URL="postgresql://postgres@$PATRONI_URL_HOSTS/gov?target_session_attrs=read-write"
else
    port=$(free)
    bash deploy/pg.sh init "$tmp/pg" "$port" >/dev/null && bash deploy/pg.sh start "$tmp/pg" >/dev/null &&
        bash deploy/pg.sh createdb "$tmp/pg" "$port" gov >/dev/null || { echo "Bail out! no PostgreSQL"; exit 1; }
    export GOV_DB_URL="postgresql://postgres@127.0.0.1:$port/gov"
fi
export GOV_MIGRATIONS_DIR="$top/deploy/migrations"
{ "$bin/govctl" db migrate && bash deploy/demo/load.sh; } >"$tmp/setup.log" 2>&1 || { echo "Bail out! $(tail -3 "$tmp/setup.log")"; exit 1; }
"$bin/govctl" keys generate "$tmp/keys" >/dev/null || { echo "Bail out! no keys"; exit 1; }
export GOV_KEYS_DIR="$tmp/keys" GOV_MERGE_DISTANCE_M=0 GOV_LOG_LEVEL=warn
for s in INTAKE ROUTING DELIBERATION; do
    export "GOV_${s}_ENDPOINT=tcp://127.0.0.1:$(free)" "GOV_${s}_EVENTS=tcp://127.0.0.1:$(free)" "GOV_${s}_HTTP_PORT=$(free)"
done
export GOV_NOTIFY_HTTP_PORT=$(free) GOV_NOTIFY_ENDPOINT="tcp://127.0.0.1:$(free)"
export GOV_GATEWAY_PORT=$(free) GOV_GATEWAY_HTTP_PORT=$(free) GOV_GATEWAY_RATE=1000000 GOV_GATEWAY_BURST=1000000
export GOV_GATEWAY_TIMEOUT_MS=2000 GOV_SUB_SILENCE_MS=300
smtp=$(free) http=$(free)
# A sign-by deadline of one minute for the chaos cases' category, its one
# step a reminder at 5 % (3 s after the dispatch is sent): every case has a
# deadline firing while the services and the database fail.
psql -q "$GOV_DB_URL" -c "INSERT INTO sla_policies (code, name, rank, applies_to, category_kind, category_subject, sign_minutes)
        VALUES ('chaos', 'chaos', 1, 'case', 'complaint', 'noise', 1)" \
    -c "INSERT INTO ladder_steps (policy_id, deadline, step, percent, action)
        SELECT id, 'sign', 1, 5, 'remind' FROM sla_policies WHERE code = 'chaos'" || { echo "Bail out! no chaos policy"; exit 1; }
psql -q "$GOV_DB_URL" -c "UPDATE notify_unit_channels SET url = regexp_replace(url, '^http://[^/]+', 'http://127.0.0.1:$http')"
/usr/bin/python3 deploy/sinks/sink.py --smtp-port "$smtp" --http-port "$http" --out "$tmp/sink.jsonl" \
    --secret demo-secret >"$tmp/sink.log" 2>&1 &
sink=$!
export GOV_NOTIFY_SMTP_URL="smtp://127.0.0.1:$smtp" GOV_NOTIFY_SMS_URL="http://127.0.0.1:$http/sms"
export GOV_NOTIFY_RETRY_BASE_MS=200 GOV_NOTIFY_TIMEOUT_MS=2000 GOV_NOTIFY_LEASE_MS=5000 GOV_NOTIFY_SWEEP_MS=200

# notify's clock at noon, Beijing time, so quiet hours hold no text whenever the test runs
ahead=$(python3 -c "import time; n=time.time()*1000; d=86400000; b=8*3600000; print(int(((n+b)//d*d + 12*3600000 - b - n) % d) + 60000)")
start() { # NAME: starts gov-NAME, its pid in $pid_NAME, and waits for its health check
    local clock=()
    [ "$1" = notify ] && clock=(GOV_TEST_CLOCK=1 GOV_TEST_CLOCK_AHEAD_MS="$ahead")
    env "${clock[@]}" "$bin/gov-$1" 2>>"$tmp/$1.log" &
    printf -v "pid_$1" %s "$!"
    local p="GOV_${1^^}_HTTP_PORT"
    for _ in $(seq 200); do curl -fs "http://127.0.0.1:${!p}/healthz" >/dev/null && return 0; sleep 0.1; done
    return 1
}
for s in intake routing notify deliberation gateway; do start "$s" || { echo "Bail out! gov-$s did not start: $(tail -3 "$tmp/$s.log")"; exit 1; }; done
token=$("$bin/govctl" token create --person r.s1.c1.g1.1.1 --ttl 1h | tail -1)

# --- the load, and the killer beside it ---------------------------------------------------
python3 tests/chaos/client.py "http://127.0.0.1:$GOV_GATEWAY_PORT" "$token" "$ops" "$rate" 16 "$tmp/acked" \
    >"$tmp/client.out" 2>"$tmp/client.err" &
client=$!
kills=0 pg_kills=0 victims=(gateway intake routing notify deliberation) half=$((ops / rate / 2))
t0=$(date +%s)
while kill -0 "$client" 2>/dev/null; do
    sleep "$every"
    kill -0 "$client" 2>/dev/null || break
    if [ "$pg_kills" = 0 ] && [ -n "$failover" ] && [ $(($(date +%s) - t0)) -ge "$half" ]; then
        old=$(patroni_wait_leader none 60) t_kill=$(date +%s.%N) # whoever leads now
        patroni_kill "$old"
        pg_kills=1
        if new=$(patroni_wait_leader "$old" 120); then
            echo "# failover: $old (the primary) killed; $new took over in $(python3 -c "print(round($(date +%s.%N) - $t_kill, 1))") s"
        else
            echo "# failover: $old killed; no new primary within 120 s"
        fi
        continue
    fi
    if [ "$pg_kills" = 0 ] && [ $(($(date +%s) - t0)) -ge "$half" ]; then
        # the postmaster and every backend at once, as a crash of the host's PostgreSQL
        pm=$(head -1 "$tmp/pg/data/postmaster.pid")
        kill -9 "$pm" $(pgrep -P "$pm") 2>/dev/null && pg_kills=1
        sleep 1
        # pg_ctl sees a server while the dead postmaster is not yet reaped
        for _ in $(seq 100); do [ -z "$(ps -o pid= -p "$pm")" ] && break; sleep 0.2; done
        bash deploy/pg.sh start "$tmp/pg" >>"$tmp/pg-restart.log" 2>&1
        continue
    fi
    s=${victims[$((kills % 5))]} p="pid_${victims[$((kills % 5))]}"
    kill -9 "${!p}" 2>/dev/null; wait "${!p}" 2>/dev/null
    kills=$((kills + 1))
    sleep 1
    start "$s" || echo "# gov-$s did not come back: $(tail -2 "$tmp/$s.log")"
done
wait "$client"
echo "# $(cat "$tmp/client.out"); $kills services killed, PostgreSQL $([ -n "$failover" ] && echo failed over || echo killed) $pg_kills time(s)"
check "the client's every filing was answered" grep -q "gave up 0," "$tmp/client.out"
check "... and none refused" test ! -s "$tmp/client.err"

# --- settle: every case dispatched, every 受理 SMS sent ------------------------------------------
q() { psql -tAq "$GOV_DB_URL" -c "$1"; }
psql -q "$GOV_DB_URL" -c "CREATE TABLE chaos_acked (key text, case_id bigint, tries int)" &&
    psql -q "$GOV_DB_URL" -c "\\copy chaos_acked FROM '$tmp/acked' WITH (DELIMITER ' ')"
undispatched="SELECT count(*) FROM cases c WHERE c.description LIKE 'chaos %' AND NOT EXISTS
    (SELECT 1 FROM dispatches d WHERE d.case_id = c.id AND d.role = 'lead' AND d.whistle_id IS NULL)"
# within SECONDS of the clock (a slow query on a busy machine does not stretch it)
settled() { local end=$(($(date +%s) + $1)); shift; until "$@"; do [ "$(date +%s)" -lt "$end" ] || return 1; sleep 0.5; done; }
# progressing SECONDS COMMAND...: waits while COMMAND's count (of what is still
# missing) is not 0 and changed within the last SECONDS: notify works through
# its backlog (texts, the dispatches' and reminders' deliveries) at the
# machine's pace, and on a busy machine that takes minutes; a count that stops
# falling is what fails.
progressing() {
    local limit=$1 last=-1 since now left; shift
    since=$(date +%s)
    while left=$("$@"); [ "$left" != 0 ]; do
        now=$(date +%s)
        [ "$left" != "$last" ] && last=$left since=$now
        [ $((now - since)) -lt "$limit" ] || return 1
        sleep 3
    done
}
all_dispatched() { [ "$(q "$undispatched")" = 0 ]; }
settled 90 all_dispatched
# sms: "LOST RESENT" of the 受理 SMS (工单号 N in its text; the resident files as
# themselves, so every text goes to one phone): chaos cases no text named, and
# texts beyond the first for one case.
sms() {
    q "SELECT id FROM cases WHERE description LIKE 'chaos %'" >"$tmp/cases"
    python3 -c "
import collections, json, re
want = set(open('$tmp/cases').read().split())
n = collections.Counter()
for line in open('$tmp/sink.jsonl'):
    m = json.loads(line)
    k = re.search(r'工单号 (\\d+)', m.get('text', '')) if m.get('channel') == 'sms' else None
    if k and k.group(1) in want:
        n[k.group(1)] += 1
print(len(want - set(n)), sum(c - 1 for c in n.values()))"
}
# texts not sent yet, and notify's whole backlog: the texts wait their turn
# behind the dispatches' and reminders' emails, so the backlog is what shows
# notify at work while the count of texts stands still.
untexted() {
    local u; u=$(sms | cut -d' ' -f1)
    if [ "$u" = 0 ]; then echo 0; else echo "$u $(q "SELECT count(*) FROM deliveries WHERE state IN ('pending', 'sending')")"; fi
}
progressing 60 untexted
# reminders: every chaos dispatch's sign-by reminder fired (it fell due 3 s
# after the dispatch was sent; routing fires late what fell due while it was
# down), "UNFIRED TWICE": steps not fired, dispatches reminded more than once
# (the log line is written in the transaction that claims the step).
reminders="SELECT (SELECT count(*) FROM dispatches d JOIN cases c ON c.id = d.case_id
      WHERE c.description LIKE 'chaos %' AND d.role = 'lead' AND d.whistle_id IS NULL
      AND NOT EXISTS (SELECT 1 FROM dispatch_log l WHERE l.dispatch_id = d.id AND l.action = 'reminded'))
    || ' ' || (SELECT count(*) FROM (SELECT l.dispatch_id FROM dispatch_log l JOIN dispatches d ON d.id = l.dispatch_id
      JOIN cases c ON c.id = d.case_id WHERE c.description LIKE 'chaos %' AND l.action = 'reminded'
      GROUP BY l.dispatch_id HAVING count(*) > 1) x)"
unreminded() { q "$reminders" | cut -d' ' -f1; }
progressing 60 unreminded

# sms_missing: what notify did about the first few cases no text named (TAP comments).
sms_missing() {
    python3 -c "
import json, re
got = set(re.findall(r'工单号 (\\d+)', open('$tmp/sink.jsonl').read()))
print(' '.join([c for c in open('$tmp/cases').read().split() if c not in got][:5]))" >"$tmp/missing"
    for c in $(cat "$tmp/missing"); do
        q "SELECT 'case $c: delivery ' || id || ' ' || state || ', ' || attempts || ' attempts ' || last_error FROM deliveries WHERE kind = 'CaseReceived' AND body LIKE '%工单号 $c，%'" | sed 's/^/# /'
    done
}

# --- the count ------------------------------------------------------------------------------
acked=$(q "SELECT count(*) FROM chaos_acked")
lost_cases=$(q "SELECT count(*) FROM chaos_acked a WHERE NOT EXISTS (SELECT 1 FROM cases c WHERE c.id = a.case_id AND c.description = 'chaos ' || substr(a.key, 7))")
doubled_cases=$(q "SELECT count(*) - count(DISTINCT description) FROM cases WHERE description LIKE 'chaos %'")
stray=$(q "SELECT count(*) FROM cases c WHERE description LIKE 'chaos %' AND NOT EXISTS (SELECT 1 FROM chaos_acked a WHERE a.case_id = c.id)")
lost_dispatch=$(q "$undispatched")
doubled_dispatch=$(q "SELECT count(*) FROM (SELECT case_id FROM dispatches d JOIN cases c ON c.id = d.case_id
    WHERE c.description LIKE 'chaos %' AND d.role = 'lead' AND d.whistle_id IS NULL GROUP BY case_id HAVING count(*) > 1) x")
read -r lost_sms resent_sms < <(sms)
read -r lost_remind doubled_remind < <(q "$reminders")
fired=$(q "SELECT count(*) FROM dispatch_log l JOIN dispatches d ON d.id = l.dispatch_id JOIN cases c ON c.id = d.case_id
    WHERE c.description LIKE 'chaos %' AND l.action = 'reminded'")
check "every acknowledged filing is stored ($acked acknowledged, $lost_cases missing)" test "$lost_cases" = 0
check "... once ($doubled_cases stored twice; $stray stored but never acknowledged)" test "$doubled_cases" = 0
check "every case has its lead dispatch ($lost_dispatch without)" test "$lost_dispatch" = 0
check "... exactly one ($doubled_dispatch with two or more)" test "$doubled_dispatch" = 0
check "every case's reporter got the 受理 SMS ($lost_sms without; $resent_sms sent again after a crash)" test "$lost_sms" = 0
[ "$lost_sms" = 0 ] || sms_missing
check "every dispatch's sign-by reminder fired ($fired fired, $lost_remind dispatches without)" test "$lost_remind" = 0
check "... once ($doubled_remind reminded twice or more)" test "$doubled_remind" = 0
if [ -n "$failover" ]; then
    # q goes through the services' own URL: only a primary takes it
    where=$(q "SELECT inet_server_port() || ' ' || pg_is_in_recovery()")
    check "the counts above were read on the new primary ($new, port $(patroni_port "${new:-pg2}"): read at $where)" \
        test "$where" = "$(patroni_port "${new:-pg2}") false" -a "${new:-}" != "${old:-}"
    check "the services were killed ($kills, every one of the five) and the primary once ($pg_kills)" test "$kills" -ge 5 -a "$pg_kills" = 1
else
    check "the services were killed ($kills) and PostgreSQL once ($pg_kills)" test "$kills" -ge 2 -a "$pg_kills" = 1
fi
lost=$((lost_cases + lost_dispatch + lost_sms + lost_remind)) doubled=$((doubled_cases + doubled_dispatch + doubled_remind))
echo "1..$n"
echo "# resent $resent_sms SMS after a crash (at least once, counted apart)"
echo "# lost $lost, doubled $doubled over $ops operations"
