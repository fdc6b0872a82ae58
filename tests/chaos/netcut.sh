#!/usr/bin/env bash
# Network cuts: intake runs in a network namespace of this test's own, joined
# to the host by a veth pair (10.231.X.1 on the host's side, 10.231.X.2 in the
# namespace); PostgreSQL, routing, notify and the gateway stay on the host.
# While tests/chaos/cutclient.py files cases through the gateway at RATE a
# second, the link is cut three times, each for CUT seconds then healed:
#   1. intake <-> PostgreSQL          (its connections and new ones)
#   2. intake -> routing and notify   (intake's event stream, PUB/SUB)
#   3. gateway <-> intake             (requests, DEALER/ROUTER)
# A cut drops the packets silently where they arrive (nftables, in the
# prerouting hook of each side), as a dead switch or a partition does: no
# reset, no ICMP, nothing the sender's kernel could tell it. What must hold:
#   - while a link is cut, every request is answered, with 503 and a clear
#     code (DB_UNAVAILABLE, SERVICE_TIMEOUT), within the gateway's timeout and
#     a margin: none hangs;
#   - filings succeed again within seconds of the link's return;
#   - while intake's events cannot reach routing, routing still dispatches
#     every new case (its subscriber reads the table after silence);
#   - nothing acknowledged is lost, nothing is stored or dispatched twice, every
#     reporter is texted.
# Prints what it saw per phase as TAP comments and ends with
# `lost L, doubled D over N operations`. Needs root (ip netns, nft); removes
# its namespace, veth pair and nftables table on exit.
#   tests/chaos/netcut.sh [RATE] [CUT]
set -uo pipefail
cd "$(dirname "$0")/../.."
top=$(pwd)
rate=${1:-20} cut=${2:-12}
. tests/cli/tap.sh
bin=${GOV_BIN:-build/bin}
[ "$(id -u)" = 0 ] && command -v nft >/dev/null && command -v ip >/dev/null ||
    { echo "1..0 # SKIP needs root, ip and nft"; exit 0; }
tmp=$(mktemp -d)
ns=govcut$$ vh=gch$$ vn=gcn$$ tbl=govcut$$ net=10.231.$(($$ % 250))
host_ip=$net.1 ns_ip=$net.2
cleanup() {
    for s in gateway intake routing notify; do p="pid_$s"; [ -n "${!p:-}" ] && kill "${!p}" 2>/dev/null; done
    [ -n "${sink:-}" ] && kill "$sink" 2>/dev/null
    [ -n "${client:-}" ] && kill "$client" 2>/dev/null
    wait 2>/dev/null
    grep -h -A12 -E 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$tmp"/*.log >&2 2>/dev/null
    bash deploy/pg.sh stop "$tmp/pg" >/dev/null 2>&1
    nft delete table inet "$tbl" 2>/dev/null
    ip netns del "$ns" 2>/dev/null
    ip link del "$vh" 2>/dev/null
    [ -n "${CHAOS_KEEP:-}" ] && { echo "# kept: $tmp"; return; }
    rm -rf "$tmp"
}
trap cleanup EXIT

# --- the namespace, its link, and a filter in each side's prerouting hook -------------------
ip netns add "$ns" && ip -n "$ns" link set lo up &&
    ip link add "$vh" type veth peer name "$vn" netns "$ns" &&
    ip addr add "$host_ip/30" dev "$vh" && ip link set "$vh" up &&
    ip -n "$ns" addr add "$ns_ip/30" dev "$vn" && ip -n "$ns" link set "$vn" up ||
    { echo "Bail out! cannot make the namespace $ns"; exit 1; }
for side in "" "ip netns exec $ns"; do
    $side nft add table inet "$tbl" &&
        $side nft "add chain inet $tbl cut { type filter hook prerouting priority -300; }" ||
        { echo "Bail out! no nftables"; exit 1; }
done
# cut PORT: drops every packet of the TCP connections to PORT that crosses
# the link, both ways: on the host, what comes from the namespace; in the
# namespace, what comes from the host.
cut() {
    local port=$1 listener=$2 # listener: host or ns, where PORT is bound
    if [ "$listener" = host ]; then
        nft add rule inet "$tbl" cut iifname "$vh" tcp dport "$port" drop &&
            ip netns exec "$ns" nft add rule inet "$tbl" cut iifname "$vn" tcp sport "$port" drop
    else
        nft add rule inet "$tbl" cut iifname "$vh" tcp sport "$port" drop &&
            ip netns exec "$ns" nft add rule inet "$tbl" cut iifname "$vn" tcp dport "$port" drop
    fi
}
heal() { nft flush chain inet "$tbl" cut && ip netns exec "$ns" nft flush chain inet "$tbl" cut; }

# --- PostgreSQL on the host, reachable from the namespace -----------------------------------
free() { bash deploy/pg.sh freeport; }
port=$(free)
bash deploy/pg.sh init "$tmp/pg" "$port" >/dev/null &&
    echo "listen_addresses = '127.0.0.1,$host_ip'" >>"$tmp/pg/data/postgresql.conf" &&
    echo "host all all $net.0/30 trust" >>"$tmp/pg/data/pg_hba.conf" &&
    bash deploy/pg.sh start "$tmp/pg" >/dev/null &&
    bash deploy/pg.sh createdb "$tmp/pg" "$port" gov >/dev/null || { echo "Bail out! no PostgreSQL"; exit 1; }
export GOV_DB_URL="postgresql://postgres@127.0.0.1:$port/gov" GOV_MIGRATIONS_DIR="$top/deploy/migrations"
{ "$bin/govctl" db migrate && bash deploy/demo/load.sh; } >"$tmp/setup.log" 2>&1 || { echo "Bail out! $(tail -3 "$tmp/setup.log")"; exit 1; }
"$bin/govctl" keys generate "$tmp/keys" >/dev/null || { echo "Bail out! no keys"; exit 1; }
export GOV_KEYS_DIR="$tmp/keys" GOV_MERGE_DISTANCE_M=0 GOV_LOG_LEVEL=info GOV_SUB_SILENCE_MS=1000
# intake binds on the namespace's address; what intake connects to (routing's
# events, PostgreSQL) listens on the host's end of the link
zport=$(free) evport=$(free)
export GOV_INTAKE_ENDPOINT="tcp://$ns_ip:$zport" GOV_INTAKE_EVENTS="tcp://$ns_ip:$evport" GOV_INTAKE_HTTP_PORT=$(free)
export GOV_ROUTING_ENDPOINT="tcp://127.0.0.1:$(free)" GOV_ROUTING_EVENTS="tcp://$host_ip:$(free)" GOV_ROUTING_HTTP_PORT=$(free)
export GOV_DELIBERATION_ENDPOINT="tcp://127.0.0.1:$(free)" GOV_DELIBERATION_EVENTS="tcp://127.0.0.1:$(free)"
export GOV_NOTIFY_HTTP_PORT=$(free) GOV_NOTIFY_ENDPOINT="tcp://127.0.0.1:$(free)"
export GOV_GATEWAY_PORT=$(free) GOV_GATEWAY_HTTP_PORT=$(free) GOV_GATEWAY_RATE=1000000 GOV_GATEWAY_BURST=1000000
timeout_ms=5000
export GOV_GATEWAY_TIMEOUT_MS=$timeout_ms
smtp=$(free) http=$(free)
psql -q "$GOV_DB_URL" -c "UPDATE notify_unit_channels SET url = regexp_replace(url, '^http://[^/]+', 'http://127.0.0.1:$http')"
/usr/bin/python3 deploy/sinks/sink.py --smtp-port "$smtp" --http-port "$http" --out "$tmp/sink.jsonl" \
    --secret demo-secret >"$tmp/sink.log" 2>&1 &
sink=$!
export GOV_NOTIFY_SMTP_URL="smtp://127.0.0.1:$smtp" GOV_NOTIFY_SMS_URL="http://127.0.0.1:$http/sms"
export GOV_NOTIFY_RETRY_BASE_MS=200 GOV_NOTIFY_TIMEOUT_MS=2000 GOV_NOTIFY_SWEEP_MS=200
ahead=$(python3 -c "import time; n=time.time()*1000; d=86400000; b=8*3600000; print(int(((n+b)//d*d + 12*3600000 - b - n) % d) + 60000)")
start() { # NAME: starts gov-NAME (intake in the namespace), its pid in $pid_NAME; waits for health
    local pre=() clock=()
    [ "$1" = intake ] && pre=(ip netns exec "$ns")
    [ "$1" = notify ] && clock=(GOV_TEST_CLOCK=1 GOV_TEST_CLOCK_AHEAD_MS="$ahead")
    "${pre[@]}" env "${clock[@]}" GOV_DB_URL="$2" "$bin/gov-$1" 2>>"$tmp/$1.log" &
    printf -v "pid_$1" %s "$!"
    local p="GOV_${1^^}_HTTP_PORT"
    for _ in $(seq 200); do "${pre[@]}" curl -fs "http://127.0.0.1:${!p}/healthz" >/dev/null && return 0; sleep 0.1; done
    return 1
}
start routing "$GOV_DB_URL" && start intake "postgresql://postgres@$host_ip:$port/gov" &&
    start notify "$GOV_DB_URL" && start gateway "$GOV_DB_URL" ||
    { echo "Bail out! a service did not start: $(tail -3 "$tmp"/*.log)"; exit 1; }
token=$("$bin/govctl" token create --person r.s1.c1.g1.1.1 --ttl 1h | tail -1)

# --- the load, and the cuts -------------------------------------------------------------------
quiet=6 heal_wait=8
total=$((quiet + 3 * (cut + heal_wait)))
python3 tests/chaos/cutclient.py "http://127.0.0.1:$GOV_GATEWAY_PORT" "$token" "$rate" "$total" 8 \
    "$tmp/attempts" "$tmp/acked" >"$tmp/client.out" 2>"$tmp/client.err" &
client=$!
phases=()
phase() { phases+=("$1 $(date +%s.%N)"); }
sleep "$quiet"
phase db-cut; cut "$port" host; sleep "$cut"
phase db-healed; heal; sleep "$heal_wait"
phase events-cut; cut "$evport" ns; sleep "$cut"
phase events-healed; heal; sleep "$heal_wait"
phase gateway-cut; cut "$zport" ns; sleep "$cut"
phase gateway-healed; heal
wait "$client"
client=
phase end
echo "# $(cat "$tmp/client.out")"
printf '%s\n' "${phases[@]}" >"$tmp/phases"

# --- what each cut looked like from the client ----------------------------------------------
# "PHASE ATTEMPTS OK REFUSED CODES MAX_S P50_S FIRST_OK_S DBU_P50_S" for the
# attempts sent in each phase; FIRST_OK_S: from the phase's start to the first
# 201 sent in it; DBU_P50_S: the median answer time of its DB_UNAVAILABLE ones.
python3 - "$tmp/phases" "$tmp/attempts" >"$tmp/seen" <<'PY'
import collections, sys
phases = [l.split() for l in open(sys.argv[1]) if l.strip()]
rows = [l.split() for l in open(sys.argv[2]) if l.strip()]
for (name, a), (_, b) in zip(phases, phases[1:]):
    a, b = float(a), float(b)
    sent = sorted((float(r[0]), float(r[1]), int(r[2]), r[3]) for r in rows if a <= float(r[0]) < b)
    ok = [s for s in sent if s[2] in (200, 201)]
    bad = collections.Counter("%d:%s" % (s[2], s[3]) for s in sent if s[2] not in (200, 201))
    took = sorted(s[1] for s in sent)
    dbu = sorted(s[1] for s in sent if s[3] == "DB_UNAVAILABLE")
    print(name, len(sent), len(ok), len(sent) - len(ok), ",".join("%s=%d" % kv for kv in sorted(bad.items())) or "-",
          "%.2f" % (took[-1] if took else 0), "%.2f" % (took[len(took) // 2] if took else 0),
          "%.2f" % (ok[0][0] - a) if ok else "none",
          "%.2f" % dbu[len(dbu) // 2] if dbu else "-")
PY
while read -r name n ok bad codes max p50 first dbu; do
    extra=
    [ "$dbu" != - ] && extra="; DB_UNAVAILABLE answered in median $dbu s"
    echo "# $name: $n attempts, $ok acknowledged, $bad refused ($codes); slowest answer $max s, median $p50 s;" \
        "first 201 after $first s$extra"
done <"$tmp/seen"
seen() { awk -v p="$1" -v c="$2" '$1 == p { print $c }' "$tmp/seen"; }
limit=$(python3 -c "print($timeout_ms / 1000 + 3)")
for p in db-cut gateway-cut; do
    check "$p: no request hung (slowest answer $(seen $p 6) s, limit $limit s)" python3 -c "import sys; sys.exit(not $(seen $p 6) <= $limit)"
    check "$p: every refusal is a 503 with a clear code ($(seen $p 5))" \
        python3 -c "import sys; c='$(seen $p 5)'; sys.exit(c == '-' or any(not k.startswith(('503:DB_UNAVAILABLE', '503:SERVICE_TIMEOUT')) for k in c.split(',')))"
done
check "db-cut: intake said the database was unavailable (DB_UNAVAILABLE answered)" grep -q DB_UNAVAILABLE <<<"$(seen db-cut 5)"
check "gateway-cut: the gateway said intake did not answer (SERVICE_TIMEOUT)" grep -q SERVICE_TIMEOUT <<<"$(seen gateway-cut 5)"
check "events-cut: filings went on while intake's events could not leave ($(seen events-cut 3) of $(seen events-cut 2) first tries acknowledged)" \
    test "$(seen events-cut 3)" -gt 0
for p in db-healed gateway-healed; do
    check "$p: filings resumed ($(seen $p 8) s after the link returned)" \
        python3 -c "import sys; f='$(seen $p 8)'; sys.exit(f == 'none' or float(f) > 10)"
done
check "intake logged the database's loss once and its return once" \
    test "$(grep -c 'database unreachable' "$tmp/intake.log")" = 1 -a "$(grep -c 'database reachable again' "$tmp/intake.log")" = 1
grep -h -E 'database (unreachable|reachable again)' "$tmp/intake.log" | sed 's/^/#   intake: /'

# --- nothing lost, nothing twice ------------------------------------------------------------
q() { psql -tAq "$GOV_DB_URL" -c "$1"; }
psql -q "$GOV_DB_URL" -c "CREATE TABLE cut_acked (key text, case_id bigint)" &&
    psql -q "$GOV_DB_URL" -c "\\copy cut_acked FROM '$tmp/acked' WITH (DELIMITER ' ')"
undispatched="SELECT count(*) FROM cases c WHERE c.description LIKE 'cut %' AND NOT EXISTS
    (SELECT 1 FROM dispatches d WHERE d.case_id = c.id AND d.role = 'lead' AND d.whistle_id IS NULL)"
settled() { local end=$(($(date +%s) + $1)); shift; until "$@"; do [ "$(date +%s)" -lt "$end" ] || return 1; sleep 0.5; done; }
all_dispatched() { [ "$(q "$undispatched")" = 0 ]; }
settled 60 all_dispatched
# cases filed while intake's events were cut, dispatched before the link returned
read -r ev_a ev_b < <(awk '$1 == "events-cut" { a = $2 } $1 == "events-healed" { b = $2 } END { print a, b }' "$tmp/phases")
during=$(q "SELECT count(*) || ' ' || count(*) FILTER (WHERE d.sent_at < to_timestamp($ev_b))
    FROM cases c JOIN dispatches d ON d.case_id = c.id AND d.role = 'lead' AND d.whistle_id IS NULL
    WHERE c.description LIKE 'cut %' AND c.created_at >= to_timestamp($ev_a) AND c.created_at < to_timestamp($ev_b) - interval '3 s'")
check "events-cut: routing dispatched the cases filed during the cut before it healed, from the table ($during)" \
    test "${during% *}" -gt 0 -a "${during% *}" = "${during#* }"
texted() {
    q "SELECT id FROM cases WHERE description LIKE 'cut %'" >"$tmp/cases"
    python3 -c "
import json, re
want = set(open('$tmp/cases').read().split())
got = set()
for line in open('$tmp/sink.jsonl'):
    m = json.loads(line)
    k = re.search(r'工单号 (\\d+)', m.get('text', '')) if m.get('channel') == 'sms' else None
    if k:
        got.add(k.group(1))
print(len(want - got))"
}
all_texted() { [ "$(texted)" = 0 ]; }
settled 60 all_texted
acked=$(q "SELECT count(*) FROM cut_acked")
ops=$(awk '{ print $2 }' "$tmp/client.out" | tr -d ,)
lost_cases=$(q "SELECT count(*) FROM cut_acked a WHERE NOT EXISTS (SELECT 1 FROM cases c WHERE c.id = a.case_id AND c.description = 'cut ' || substr(a.key, 5))")
doubled_cases=$(q "SELECT count(*) - count(DISTINCT description) FROM cases WHERE description LIKE 'cut %'")
lost_dispatch=$(q "$undispatched")
doubled_dispatch=$(q "SELECT count(*) FROM (SELECT case_id FROM dispatches d JOIN cases c ON c.id = d.case_id
    WHERE c.description LIKE 'cut %' AND d.role = 'lead' AND d.whistle_id IS NULL GROUP BY case_id HAVING count(*) > 1) x")
lost_sms=$(texted)
check "every filing was acknowledged in the end ($acked of $ops)" test "$acked" = "$ops"
check "every acknowledged filing is stored ($lost_cases missing), once ($doubled_cases twice)" test "$lost_cases" = 0 -a "$doubled_cases" = 0
check "every case dispatched ($lost_dispatch without), once ($doubled_dispatch twice)" test "$lost_dispatch" = 0 -a "$doubled_dispatch" = 0
check "every reporter texted ($lost_sms without)" test "$lost_sms" = 0
lost=$((lost_cases + lost_dispatch + lost_sms + ops - acked)) doubled=$((doubled_cases + doubled_dispatch))
echo "1..$n"
echo "# lost $lost, doubled $doubled over $ops operations"
