#!/usr/bin/env bash
# make bench-gateway: what the front door costs, measured with wrk (Debian's)
# in one run on one throwaway stack (intake, routing and the gateway over
# CURVE, as deployed):
#   reads:  GET /api/v1/dispatches (a department's queue, 50 rows) through the
#           gateway, against bench-gateway — the same HTTP library set up the
#           same way, answering the same bytes at once (target >= 0.6);
#   writes: a new case through the gateway (POST /open311/v2/requests.json),
#           against intake called directly over ZeroMQ by bench-intake with as
#           many requests in flight, the two in turn three times, best of each
#           (target >= 0.8).
# Every case is new (GOV_MERGE_DISTANCE_M=0 on both sides), as most real reports
# are. The last line is "ratio R", the smaller of the two.
set -euo pipefail
cd "$(dirname "$0")/../.."
. bench/lib.sh
SECONDS_PER_RUN=${BENCH_SECONDS:-10}
CONNS=${BENCH_CONNECTIONS:-32}
tmp=$(mktemp -d)
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null && { wait "$p" 2>/dev/null || true; }; done  # the cache-off gateway is no child: wait fails
    cluster_stop
    rm -rf "$tmp"
}
trap cleanup EXIT
cluster
free() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
build/bin/govctl keys generate "$tmp/keys" >/dev/null
export GOV_KEYS_DIR="$tmp/keys" GOV_MERGE_DISTANCE_M=0 GOV_LOG_LEVEL=warn
export GOV_INTAKE_ENDPOINT="tcp://127.0.0.1:$(free)" GOV_INTAKE_EVENTS="tcp://127.0.0.1:$(free)"
export GOV_ROUTING_ENDPOINT="tcp://127.0.0.1:$(free)" GOV_ROUTING_EVENTS="tcp://127.0.0.1:$(free)"
export GOV_DELIBERATION_ENDPOINT="tcp://127.0.0.1:$(free)" GOV_DELIBERATION_EVENTS="tcp://127.0.0.1:$(free)"
export GOV_NOTIFY_ENDPOINT="tcp://127.0.0.1:$(free)"
export GOV_INTAKE_HTTP_PORT=$(free) GOV_ROUTING_HTTP_PORT=$(free) GOV_GATEWAY_HTTP_PORT=$(free)
export GOV_GATEWAY_PORT=$(free) GOV_GATEWAY_RATE=1000000 GOV_GATEWAY_BURST=1000000
start() { # NAME: starts gov-NAME and waits for its health check
    "build/bin/gov-$1" 2>>"$tmp/$1.log" &
    pids+=($!)
    local port="GOV_${1^^}_HTTP_PORT"
    for _ in $(seq 100); do curl -fs "http://127.0.0.1:${!port}/healthz" >/dev/null && return; sleep 0.1; done
    echo "bench-gateway: $1 did not start:" >&2; tail -5 "$tmp/$1.log" >&2; exit 1
}
start intake
start routing
start gateway
gw="http://127.0.0.1:$GOV_GATEWAY_PORT"
token=$(build/bin/govctl token create --person p.dept.chengguan.head | tail -1)
echo "machine: $(nproc) cores; wrk $CONNS connections, 2 threads, ${SECONDS_PER_RUN} s; gateway $(printenv GOV_GATEWAY_THREADS || echo 2) listener threads, $(printenv GOV_GATEWAY_WORKERS || echo 32) handler threads and workers"

# A department's queue of 50: 60 noise reports spread over the district.
for i in $(seq 60); do
    build/bin/govctl case submit --category complaint.noise --text "压测 $i" \
        --lat "$(awk -v i="$i" 'BEGIN {printf "%.5f", 39.9005 + (i % 8) * 0.0035}')" \
        --lon "$(awk -v i="$i" 'BEGIN {printf "%.5f", 116.3005 + int(i / 8) * 0.0035}')" >/dev/null
done
for _ in $(seq 100); do
    [ "$(psql -tAc "SELECT count(*) FROM dispatches d JOIN units u ON u.id = d.unit_id WHERE u.code = 'dept.chengguan'" "$GOV_DB_URL")" -ge 50 ] && break
    sleep 0.1
done
curl -fs -H "Authorization: Bearer $token" "$gw/api/v1/dispatches?limit=50" >"$tmp/queue.json"
rows=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["items"]))' "$tmp/queue.json")

# wrk_run NAME ARGS...: prints "NAME: R req/s, p50 X ms, p99 Y ms, errors E" and sets $rate.
wrk_run() {
    local name=$1; shift
    wrk -t2 -c"$CONNS" -d"${SECONDS_PER_RUN}s" --latency "$@" >"$tmp/wrk.out" 2>&1
    rate=$(awk '/^Requests\/sec/ {print $2}' "$tmp/wrk.out")
    local p50 p99 errors
    p50=$(awk '$1 == "50%" {print $2}' "$tmp/wrk.out")
    p99=$(awk '$1 == "99%" {print $2}' "$tmp/wrk.out")
    errors=$(awk '/Non-2xx or 3xx responses/ {print $NF}' "$tmp/wrk.out")
    echo "$name: $rate req/s, p50 $p50, p99 $p99, non-2xx ${errors:-0}"
}

# --- reads ---------------------------------------------------------------------
wrk_run "gateway GET /api/v1/dispatches ($rows rows, $(wc -c <"$tmp/queue.json") bytes)" \
    -H "Authorization: Bearer $token" "$gw/api/v1/dispatches?limit=50"
read_gw=$rate
port=$(free)
build/bin/bench-gateway "$port" 4 "$tmp/queue.json" &   # the library at its best here: 2 threads a core
pids+=($!)
sleep 0.3
wrk_run "minimal libmicrohttpd handler, the same bytes" "http://127.0.0.1:$port/api/v1/dispatches?limit=50"
read_min=$rate
# The same reads with the cache off: every one goes to routing (the price of
# a read while the streams keep moving). Shown, not the verdict's.
GOV_GATEWAY_PORT=$(free) GOV_GATEWAY_HTTP_PORT=$(free) GOV_GATEWAY_CACHE_MB=0 bash -c '
    build/bin/gov-gateway 2>>"$1/gateway-nocache.log" & echo $! >"$1/nocache.pid"
    for _ in $(seq 100); do curl -fs "http://127.0.0.1:$GOV_GATEWAY_HTTP_PORT/healthz" >/dev/null && break; sleep 0.1; done
    echo "$GOV_GATEWAY_PORT" >"$1/nocache.port"' _ "$tmp"
pids+=("$(cat "$tmp/nocache.pid")")
wrk_run "  (the gateway with its cache off: every read to routing)" \
    -H "Authorization: Bearer $token" "http://127.0.0.1:$(cat "$tmp/nocache.port")/api/v1/dispatches?limit=50"

# --- writes: every case new, as a city's Open311 app files them -------------------------
key=$(build/bin/govctl apikey create --name bench | tail -1)
write_path=/open311/v2/requests.json
cat >"$tmp/post.lua" <<LUA
counter = 0
-- each of wrk's threads runs its own copy of this script: seed each apart,
-- or both send the same points (duplicates, merged, not new cases)
init = function(args) math.randomseed(tonumber(tostring({}):match("0x(%x+)"), 16) % 2147483647) end
request = function()
  counter = counter + 1
  local lat = 39.9005 + math.random() * 0.028
  local lon = 116.3005 + math.random() * 0.028
  local body = string.format("api_key=$key&service_code=complaint.noise&lat=%.6f&long=%.6f&description=%%E5%%8E%%8B%%E6%%B5%%8B+%d", lat, lon, counter)
  return wrk.format("POST", "$write_path", {["Content-Type"] = "application/x-www-form-urlencoded"}, body)
end
LUA
# Both sides wait on intake's commits (a WAL flush each), whose time swings
# from run to run and grows with the table: the two are run in turn, three
# times each, and the best of each side is compared (as bench-notify does).
ROUNDS=${BENCH_ROUNDS:-3}
best() { awk -v a="$1" -v b="$2" 'BEGIN {print (b == "" || a > b) ? a : b}'; }
write_gw= write_direct=
for round in $(seq "$ROUNDS"); do
    direct=$(build/bin/bench-intake "$GOV_INTAKE_ENDPOINT" "$SECONDS_PER_RUN" 4 $((CONNS / 4)))
    echo "round $round: intake directly over ZeroMQ (bench-intake, 4 clients x $((CONNS / 4)) in flight): ${direct%%$'\n'*}"
    write_direct=$(best "$(echo "$direct" | awk '/^RESULT/ {print $2}')" "$write_direct")
    before=$(psql -tAc "SELECT count(*) FROM cases" "$GOV_DB_URL")
    wrk_run "round $round: gateway POST $write_path (new cases)" -s "$tmp/post.lua" "$gw"
    write_gw=$(best "$rate" "$write_gw")
    after=$(psql -tAc "SELECT count(*) FROM cases" "$GOV_DB_URL")
    echo "  stored: $((after - before)) new cases"
done
echo "best of $ROUNDS: gateway POST $write_gw req/s, intake directly $write_direct cases/s"
wrk_run "  (the gateway with its cache off: the api key and category asked of the database each time)" \
    -s "$tmp/post.lua" "http://127.0.0.1:$(cat "$tmp/nocache.port")"

r_read=$(ratio "$read_gw" "$read_min")
r_write=$(ratio "$write_gw" "$write_direct")
echo "API read / minimal handler = $read_gw / $read_min = $r_read (target >= 0.6: $(verdict_at_least "$r_read" 0.6))"
echo "POST through the gateway / direct intake (best of $ROUNDS each) = $write_gw / $write_direct = $r_write (target >= 0.8: $(verdict_at_least "$r_write" 0.8))"
echo "ratio $(awk -v a="$r_read" -v b="$r_write" 'BEGIN {print (a < b) ? a : b}')"
