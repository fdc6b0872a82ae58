#!/usr/bin/env bash
# make bench-pipeline: the whole pipeline — gov-intake, gov-routing and
# gov-notify sharing the machine, notify delivering to a local receiver — under
# a steady offered load in steps (BENCH_RATES, cases/s, each BENCH_STEP_SECONDS
# long, each on a fresh copy of the demo database), until a stage falls behind.
# Per step, from the timestamps the events carry:
#   ack      intake's reply to SubmitCase, from its scheduled send (bench-intake)
#   route    case made (CaseCreated's created_ms) -> its lead dispatch sent (DispatchSent's sent_ms)
#   notify   DispatchSent written -> the first delivery about it sent to the receiver
#   e2e      case made -> the first delivery about its dispatch sent
# and each stage's lag when the load stops: cases not yet routed, dispatches
# not yet delivered. A stage keeps up when its lag is at most a second of the
# offered load. The floor: pgbench's single-row INSERT p99 paced at 100 tps,
# on the same cluster in the same run. Last line: `ratio R`, the highest rate
# every stage sustained over intake's new-case peak (the realistic mix of
# bench/intake/main.c: 10 % duplicates, BENCH_DUP_PCT, which merge; intake at
# GOV_MERGE_DISTANCE_M=0 unless set, so the new reports stay new cases).
set -euo pipefail
cd "$(dirname "$0")/../.."
. bench/lib.sh
RATES=${BENCH_RATES:-100 1000 2000 5000 10000 20000}
STEP=${BENCH_STEP_SECONDS:-20}
PEAK_SECONDS=${BENCH_PEAK_SECONDS:-10}
export GOV_MERGE_DISTANCE_M=${GOV_MERGE_DISTANCE_M:-0}
pids=
stop_services() {
    [ -n "$pids" ] && { kill $pids 2>/dev/null || true; wait $pids 2>/dev/null || true; }
    pids=
}
cleanup() {
    stop_services
    [ -n "${rpid:-}" ] && { kill "$rpid" 2>/dev/null || true; wait "$rpid" 2>/dev/null || true; }
    cluster_stop
}
trap cleanup EXIT
freeport() { bash deploy/pg.sh freeport; }
q() { psql -tAc "$1" "$url"; }

[ -x build/bin/bench-intake ] && [ -x build/bin/bench-notify ] && [ -x build/bin/gov-notify ] || make -s all
cluster
echo "machine: $(nproc) cores, PostgreSQL $(psql -tAc 'SHOW server_version' "$GOV_DB_URL"), load average $(cut -d' ' -f1-3 /proc/loadavg)"
rport=$(freeport)
build/bin/bench-notify receiver "$rport" >/dev/null &
rpid=$!

# The floor: single-row INSERTs paced at 100 tps, latency from the schedule.
psql -q "$GOV_DB_URL" -c "CREATE TABLE bench_insert (id bigserial PRIMARY KEY, body text NOT NULL, at timestamptz NOT NULL DEFAULT now())"
echo "INSERT INTO bench_insert (body) VALUES ('压测：小区门口垃圾堆放，气味难闻');" >"$pgdir/insert.sql"
(cd "$pgdir" && /usr/lib/postgresql/15/bin/pgbench -n -c 4 -j 2 -T "${BENCH_FLOOR_SECONDS:-10}" -R 100 -l --log-prefix=paced \
    -f insert.sql "$GOV_DB_URL" >/dev/null 2>&1)
floor=$(cat "$pgdir"/paced.* | awk '{print ($3 + $7) / 1000}' | sort -n |
    awk '{v[NR] = $1} END {printf "%.2f", v[int(NR * 0.99)]}')
rm -f "$pgdir"/paced.*
echo "pgbench: single-row INSERT paced at 100 tps, p99 $floor ms (the floor)"

# start DB: the three services on DB, notify's channels all pointed at the
# local receiver (unit robots as webhooks, people by SMS, no quiet hours, no
# robot rate limit worth the name); sets $ep (intake's endpoint).
start() {
    url="postgresql://postgres@127.0.0.1:$port/$1"
    psql -q -c "CREATE DATABASE $1 TEMPLATE gov" "$GOV_DB_URL"
    q "UPDATE notify_unit_channels SET channel = 'webhook', secret = '',
         url = 'http://127.0.0.1:$rport/hook/' || id;
       INSERT INTO notify_prefs (person_id, channels) SELECT id, '{sms}' FROM people
       ON CONFLICT (person_id) DO UPDATE SET channels = '{sms}', quiet_from = NULL, quiet_to = NULL" >/dev/null
    ep="tcp://127.0.0.1:$(freeport)"
    local ie="tcp://127.0.0.1:$(freeport)" re="tcp://127.0.0.1:$(freeport)"
    local de="tcp://127.0.0.1:$(freeport)"
    GOV_DB_URL=$url GOV_INTAKE_ENDPOINT=$ep GOV_INTAKE_EVENTS=$ie GOV_INTAKE_HTTP_PORT=$(freeport) \
        GOV_LOG_LEVEL=error build/bin/gov-intake &
    pids="$pids $!"
    GOV_DB_URL=$url GOV_ROUTING_ENDPOINT="tcp://127.0.0.1:$(freeport)" GOV_ROUTING_EVENTS=$re \
        GOV_INTAKE_EVENTS=$ie GOV_INTAKE_ENDPOINT=$ep GOV_DELIBERATION_EVENTS=$de GOV_ROUTING_HTTP_PORT=$(freeport) \
        GOV_LOG_LEVEL=error GOV_LADDER_HORIZON_S=7200 build/bin/gov-routing &
    pids="$pids $!"
    GOV_DB_URL=$url GOV_NOTIFY_HTTP_PORT=$(freeport) GOV_ROUTING_EVENTS=$re GOV_INTAKE_EVENTS=$ie \
        GOV_INTAKE_ENDPOINT=$ep GOV_DELIBERATION_EVENTS=$de GOV_NOTIFY_SMS_URL="http://127.0.0.1:$rport/sms" \
        GOV_NOTIFY_ROBOT_RATE=10000 GOV_NOTIFY_ROBOT_WINDOW_MS=100 GOV_LOG_LEVEL=error \
        build/bin/gov-notify &
    pids="$pids $!"
    for _ in $(seq 100); do
        GOV_INTAKE_ENDPOINT=$ep GOV_TIMEOUT_MS=200 build/bin/govctl case list --limit 1 >/dev/null 2>&1 && return 0
        sleep 0.1
    done
    echo "intake did not answer" >&2
    return 1
}

# Percentiles p50 and p99 (ms) of the SQL expression over the SQL rows.
pcts() {
    q "SELECT coalesce(round(percentile_cont(0.5) WITHIN GROUP (ORDER BY ms)::numeric, 1), -1) || ' ' ||
              coalesce(round(percentile_cont(0.99) WITHIN GROUP (ORDER BY ms)::numeric, 1), -1)
       FROM ($1) x"
}
ROUTE="SELECT extract(epoch FROM d.sent_at - c.created_at) * 1000 AS ms FROM routed_cases c
       JOIN dispatches d ON d.case_id = c.case_id AND d.role = 'lead'"
FIRST="SELECT seq, min(sent_at) AS at FROM deliveries WHERE stream = 'routing' AND sent_at IS NOT NULL GROUP BY seq"
NOTIFY="SELECT extract(epoch FROM f.at - o.created_at) * 1000 AS ms FROM outbox o JOIN ($FIRST) f
        ON f.seq = o.seq WHERE o.stream = 'routing' AND o.type = 'DispatchSent'"
E2E="SELECT extract(epoch FROM min(l.sent_at) - c.created_at) * 1000 AS ms FROM deliveries l
     JOIN routed_cases c ON c.case_id = substring(l.subject FROM '#([0-9]+)\$')::bigint
     WHERE l.stream = 'routing' AND l.kind = 'DispatchSent' AND l.sent_at IS NOT NULL
     GROUP BY c.case_id, c.created_at"

# Intake's new-case peak on this machine with the other two running.
start peak
peak=$(build/bin/bench-intake "$ep" "$PEAK_SECONDS" 4 64 | sed -n 's/^RESULT \([0-9.]*\) .*/\1/p')
stop_services
echo "intake new-case peak (closed loop, 4 x 64 in flight, ${PEAK_SECONDS} s, routing and notify running): $peak cases/s"

sustained=0
for rate in $RATES; do
    start "step_$rate"
    made0=$(q "SELECT count(*) FROM cases")
    load=$(build/bin/bench-intake "$ep" "$STEP" 4 64 "$rate" | sed -n 's/^RESULT \(.*\)/\1/p')
    made=$(q "SELECT count(*) FROM cases")
    routed=$(q "SELECT count(*) FROM routed_cases")
    sent=$(q "SELECT count(*) FROM outbox WHERE stream = 'routing' AND type = 'DispatchSent'")
    delivered=$(q "SELECT count(DISTINCT seq) FROM deliveries WHERE stream = 'routing' AND kind = 'DispatchSent' AND sent_at IS NOT NULL")
    stop_services
    set -- $load
    got=$1 ack50=$2 ack99=$3
    route_lag=$((made - routed)) notify_lag=$((sent - delivered))
    echo "rate $rate/s for $STEP s: intake took $got/s (ack p50 $ack50 ms, p99 $ack99 ms), $((made - made0)) cases made"
    echo "  route  (case made -> DispatchSent)      p50/p99 $(pcts "$ROUTE") ms; lag at the end $route_lag cases"
    echo "  notify (DispatchSent -> first delivery) p50/p99 $(pcts "$NOTIFY") ms; lag at the end $notify_lag dispatches"
    e2e=$(pcts "$E2E")
    echo "  e2e    (case made -> first delivery)    p50/p99 $e2e ms"
    [ "$rate" != 100 ] || echo "  e2e p99 at 100/s / pgbench's INSERT p99 at 100 tps: $(ratio "${e2e#* }" "$floor") (target <= 5)"
    psql -q -c "DROP DATABASE step_$rate" "$GOV_DB_URL" 2>/dev/null || true
    if awk -v g="$got" -v r="$rate" -v a="$route_lag" -v b="$notify_lag" \
        'BEGIN {exit !(g >= 0.95 * r && a <= r && b <= r)}'; then
        sustained=$rate
    else
        echo "  a stage fell behind at $rate/s: stopping"
        break
    fi
done
echo "sustained: $sustained cases/s with every stage keeping up (lag at most a second of the load)"
echo "ratio $(ratio "$sustained" "${peak:-1}") (sustained / intake's new-case peak; target >= 0.5)"
