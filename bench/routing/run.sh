#!/usr/bin/env bash
# make bench-routing: the routing service's figures, each against a baseline
# measured in the same run.
#   timers      1,000,000 deadlines: timerq vs raw libuv timers (arm cost,
#               firing lateness, memory)
#   restart     gov-routing coming back with 1,000,000 pending ladder steps
#   throughput  routing following intake driven at its peak: both rates, the lag
#   drain       routing alone draining the backlog intake made at its peak;
#               ends with "ratio R" (drain rate / intake's new-case peak)
set -euo pipefail
# The realistic mix (bench/intake/main.c): 10 % duplicates (BENCH_DUP_PCT),
# which repeat a report's point exactly and so merge at any distance; the rest
# new cases, which at intake's 100 m would merge too once the district fills.
export GOV_MERGE_DISTANCE_M=${GOV_MERGE_DISTANCE_M:-0}
cd "$(dirname "$0")/../.."
N=${BENCH_TIMERS:-1000000}
SPREAD_MS=${BENCH_SPREAD_MS:-10000}
SECONDS_PER_RUN=${BENCH_SECONDS:-10}
. bench/lib.sh
pids=
cleanup() {
    [ -n "$pids" ] && kill $pids 2>/dev/null && wait $pids 2>/dev/null
    cluster_stop
}
trap cleanup EXIT

timers() {
    echo "== timers: $N deadlines over $SPREAD_MS ms, each kind in its own process"
    raw=$(build/bin/bench-routing timers raw "$N" "$SPREAD_MS")
    tq=$(build/bin/bench-routing timers timerq "$N" "$SPREAD_MS")
    echo "$raw"
    echo "$tq"
    arm=$(ratio "$(echo " $tq" | field arm_ns)" "$(echo " $raw" | field arm_ns)")
    rss=$(ratio "$(echo " $tq" | field rss_kib)" "$(echo " $raw" | field rss_kib)")
    p99=$(echo " $tq" | field p99_ms)
    echo "arm_ratio $arm (timerq_arm / uv_timer_start; target <= 2): $(verdict "$arm" 2)"
    echo "rss_ratio $rss (timerq process / raw libuv process; target <= 2): $(verdict "$rss" 2)"
    echo "timerq firing lateness p99 $p99 ms (target <= 10 ms): $(verdict "$p99" 10)"
}


# start_routing DB: gov-routing on fresh ports (following the intake of
# start_intake, when one runs, and asking it for reporters); sets $routing_pid, $routing_http, $routing_log.
start_routing() {
    routing_http=$(bash deploy/pg.sh freeport)
    routing_log=$(mktemp /tmp/gov-bench-routing.XXXXXX)
    GOV_DB_URL="postgresql://postgres@127.0.0.1:$port/$1" GOV_ROUTING_HTTP_PORT=$routing_http \
    GOV_ROUTING_ENDPOINT="tcp://127.0.0.1:$(bash deploy/pg.sh freeport)" \
    GOV_ROUTING_EVENTS="tcp://127.0.0.1:$(bash deploy/pg.sh freeport)" \
    GOV_INTAKE_EVENTS="${intake_events:-tcp://127.0.0.1:$(bash deploy/pg.sh freeport)}" \
    GOV_INTAKE_ENDPOINT="${ep:-tcp://127.0.0.1:$(bash deploy/pg.sh freeport)}" \
    GOV_LOG_LEVEL=info GOV_LADDER_HORIZON_S=7200 build/bin/gov-routing 2>"$routing_log" &
    routing_pid=$!
    pids="$pids $routing_pid"
}
ready() { curl -fs "http://127.0.0.1:$1/healthz" >/dev/null 2>&1; }

restart() {
    echo "== restart: gov-routing with $N pending ladder steps due within the hour"
    psql -q -c "CREATE DATABASE restart TEMPLATE gov" "$GOV_DB_URL"
    local url="postgresql://postgres@127.0.0.1:$port/restart"
    psql -q "$url" <<SQL
INSERT INTO routed_cases (case_id, category_code, urgency, description, created_at)
VALUES (1, 'complaint.noise', 'normal', 'bench', now());
INSERT INTO dispatches (case_id, unit_id, role, sent_at)
SELECT 1, (SELECT id FROM units WHERE code = 'dept.chengguan'), 'lead', now() FROM generate_series(1, 1000);
INSERT INTO deadlines (dispatch_id, deadline, step, action, due_at)
SELECT d.id, k.deadline, s, 'remind', now() + interval '10 minutes' + random() * interval '50 minutes'
FROM (SELECT id FROM dispatches ORDER BY id) d,
     (VALUES ('sign'), ('contact'), ('arrive'), ('resolve')) k(deadline),
     generate_series(1, CEIL($N / 4000.0)::int) s
LIMIT $N;
VACUUM ANALYZE deadlines;
SQL
    echo "pending steps: $(psql -tAc "SELECT count(*) FROM deadlines WHERE fired_at IS NULL" "$url")"
    local t0 t1
    t0=$(date +%s%N)
    start_routing restart
    until ready "$routing_http"; do
        kill -0 "$routing_pid" 2>/dev/null || { cat "$routing_log"; return 1; }
        sleep 0.01
    done
    t1=$(date +%s%N)
    local secs armed rss
    secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.2f", (b - a) / 1e9}')
    armed=$(grep -o '"msg":"ladder: [0-9]* steps armed' "$routing_log" | grep -o '[0-9]*' | head -1)
    rss=$(awk '/VmRSS/ {print $2}' "/proc/$routing_pid/status")
    echo "back to armed: $armed steps in $secs s, from exec to ready (target <= 5 s): $(verdict "$secs" 5)"
    echo "gov-routing resident memory with them armed: $((rss / 1024)) MiB"
    kill "$routing_pid"; wait "$routing_pid" 2>/dev/null || true
}

# start_intake DB: gov-intake on fresh ports, answering; sets $ep and $intake_events.
start_intake() {
    ep="tcp://127.0.0.1:$(bash deploy/pg.sh freeport)"
    intake_events="tcp://127.0.0.1:$(bash deploy/pg.sh freeport)"
    GOV_DB_URL="postgresql://postgres@127.0.0.1:$port/$1" GOV_INTAKE_ENDPOINT=$ep \
    GOV_INTAKE_EVENTS=$intake_events GOV_INTAKE_HTTP_PORT=$(bash deploy/pg.sh freeport) \
    GOV_LOG_LEVEL=error build/bin/gov-intake &
    pids="$pids $!"
    for _ in $(seq 100); do
        GOV_INTAKE_ENDPOINT=$ep GOV_TIMEOUT_MS=200 build/bin/govctl case list --limit 1 >/dev/null 2>&1 && break
        sleep 0.1
    done
}

throughput() {
    echo "== throughput: intake driven at its peak for ${SECONDS_PER_RUN} s, routing following"
    psql -q -c "CREATE DATABASE flow TEMPLATE gov" "$GOV_DB_URL"
    local url="postgresql://postgres@127.0.0.1:$port/flow"
    start_intake flow
    start_routing flow
    until ready "$routing_http"; do sleep 0.05; done
    local sampler=$pgdir/lag.txt
    (while :; do psql -tAc "SELECT (SELECT count(*) FROM cases), (SELECT count(*) FROM routed_cases)" "$url"; sleep 0.5; done) >"$sampler" 2>/dev/null &
    local spid=$!
    local t0 t1 load
    t0=$(date +%s%N)
    load=$(build/bin/bench-intake "$ep" "$SECONDS_PER_RUN" 4 64)
    t1=$(date +%s%N)
    local cases routed_end
    cases=$(psql -tAc "SELECT count(*) FROM cases" "$url")
    routed_end=$(psql -tAc "SELECT count(*) FROM routed_cases" "$url")
    local drained=$t1
    for _ in $(seq 600); do
        [ "$(psql -tAc "SELECT count(*) FROM routed_cases" "$url")" -ge "$cases" ] && break
        sleep 0.1
    done
    drained=$(date +%s%N)
    kill $spid; wait $spid 2>/dev/null || true
    local secs max_lag
    secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.2f", (b - a) / 1e9}')
    max_lag=$(awk -F'|' '{ if ($1 - $2 > m) m = $1 - $2 } END {print m + 0}' "$sampler")
    echo "intake $(echo "$load" | head -1)"
    echo "new cases made by intake: $cases in $secs s = $(ratio "$cases" "$secs")/s"
    echo "cases routed by routing in the same window: $routed_end = $(ratio "$routed_end" "$secs")/s"
    echo "lag every 0.5 s (cases made, not yet routed): $(awk -F'|' '{printf "%s ", $1 - $2}' "$sampler")"
    echo "largest lag seen (cases made, not yet routed): $max_lag; lag at the end of the load: $((cases - routed_end)); drained $(awk -v a="$t1" -v b="$drained" 'BEGIN {printf "%.1f", (b - a) / 1e9}') s after"
    echo "routed / made during the load: $(ratio "$routed_end" "$cases")"
}

# Intake alone at its peak makes a backlog; then routing starts and drains it
# alone (intake idle). The drain rate over intake's new-case peak is issue 18's
# target (>= 1.0): routing must keep up with intake's busiest seconds.
drain() {
    echo "== drain: intake alone at its peak for ${SECONDS_PER_RUN} s, then routing drains the backlog alone"
    psql -q -c "CREATE DATABASE backlog TEMPLATE gov" "$GOV_DB_URL"
    local url="postgresql://postgres@127.0.0.1:$port/backlog"
    start_intake backlog
    local t0 t1 load
    t0=$(date +%s%N)
    load=$(build/bin/bench-intake "$ep" "$SECONDS_PER_RUN" 4 64)
    t1=$(date +%s%N)
    local cases made
    cases=$(psql -tAc "SELECT count(*) FROM cases" "$url")
    made=$(ratio "$cases" "$(awk -v a="$t0" -v b="$t1" 'BEGIN {print (b - a) / 1e9}')")
    echo "intake $(echo "$load" | head -1)"
    echo "new cases made by intake: $cases = $made/s"
    # From exec: routing catches up from the table before it says it is ready.
    # Done when routing's position on intake's stream reaches its head: the
    # cases are recorded in the transaction that moves the position. (Polling
    # count(*) of routed_cases instead, a scan of the growing table 20 times
    # a second, took CPU from routing on a two-core machine.)
    local head
    head=$(psql -tAc "SELECT coalesce(max(seq), 0) FROM outbox WHERE stream = 'intake'" "$url")
    t0=$(date +%s%N)
    start_routing backlog
    for _ in $(seq 1200); do
        [ "$(psql -tAc "SELECT last_seq >= $head FROM subscriber_positions WHERE subscriber = 'routing' AND stream = 'intake'" "$url")" = t ] && break
        sleep 0.05
    done
    t1=$(date +%s%N)
    local secs rate
    secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.2f", (b - a) / 1e9}')
    rate=$(ratio "$cases" "$secs")
    echo "routing drained them alone: $(psql -tAc "SELECT count(*) FROM routed_cases" "$url") cases, $(psql -tAc "SELECT count(*) FROM dispatches" "$url") dispatches, $(psql -tAc "SELECT count(*) FROM deadlines" "$url") ladder rows in $secs s (from exec) = $rate cases/s"
    echo "ratio $(ratio "$rate" "$made") (routing's drain rate / intake's new-case peak; target >= 1.0): $(verdict_at_least "$(ratio "$rate" "$made")" 1)"
}

# bash bench/routing/run.sh [SECTION...]: all four by default.
[ -x build/bin/bench-routing ] && [ -x build/bin/gov-routing ] || make -s all
sections=${*:-timers restart throughput drain}
for s in $sections; do
    case $s in
    timers) timers ;;
    restart | throughput | drain) [ -n "$pgdir" ] || cluster; $s ;;
    *) echo "unknown section $s (timers, restart, throughput, drain)" >&2; exit 2 ;;
    esac
done
