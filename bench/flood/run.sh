#!/usr/bin/env bash
# make bench-flood: the latency half of issue 17's flood — one client
# pipelines 120,000 ListCases(limit 500) into intake and leaves; another
# client's p99 during the flood against its quiet p99 (target: within 2x).
# The memory half is asserted by tests/it/test_flood.c. On its own throwaway
# cluster; figures only (bench/flood/main.c says how they are taken).
#   BENCH_FLOOD_REQUESTS (120000), BENCH_FLOOD_QUIET_S (5)
set -euo pipefail
cd "$(dirname "$0")/../.."
. bench/lib.sh
pid=
cleanup() {
    [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
    cluster_stop
}
trap cleanup EXIT
cluster
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
ep="tcp://127.0.0.1:$(bash deploy/pg.sh freeport)"
GOV_MERGE_DISTANCE_M=0 GOV_INTAKE_ENDPOINT=$ep GOV_INTAKE_EVENTS="tcp://127.0.0.1:$(bash deploy/pg.sh freeport)" \
    GOV_INTAKE_HTTP_PORT=$(bash deploy/pg.sh freeport) GOV_LOG_LEVEL=error build/bin/gov-intake &
pid=$!
for _ in $(seq 100); do
    GOV_INTAKE_ENDPOINT=$ep GOV_TIMEOUT_MS=200 build/bin/govctl case list --limit 1 >/dev/null 2>&1 && break
    sleep 0.1
done
build/bin/bench-flood "$ep" "$pid" "${BENCH_FLOOD_REQUESTS:-120000}" "${BENCH_FLOOD_QUIET_S:-5}"
