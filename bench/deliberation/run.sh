#!/usr/bin/env bash
# make bench-deliberation: a community of 3,000 households votes in one
# meeting of household representatives. Prints votes/s accepted (every vote a
# durable, chained record), the time to close the meeting and publish the
# tally, and the time to verify the chain; the ratio compares votes/s with
# pgbench's single-row INSERT tps (16 clients) on the same cluster.
set -euo pipefail
cd "$(dirname "$0")/../.."
. bench/lib.sh
HOUSEHOLDS=${BENCH_HOUSEHOLDS:-3000}
pid=
cleanup() {
    [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
    cluster_stop
}
trap cleanup EXIT
now() { date +%s.%N; }
cluster
psql -q "$GOV_DB_URL" -c "CREATE TABLE bench_insert (id bigserial PRIMARY KEY, body text NOT NULL, at timestamptz NOT NULL DEFAULT now())"
echo "INSERT INTO bench_insert (body) VALUES ('同意加装电梯');" >"$pgdir/insert.sql"
pgbench_tps=$(/usr/lib/postgresql/15/bin/pgbench -n -c 16 -j 2 -T 10 -f "$pgdir/insert.sql" "$GOV_DB_URL" 2>/dev/null |
    sed -n 's/^tps = \([0-9.]*\).*/\1/p')
echo "pgbench: single-row INSERT, 16 clients, 10 s: $pgbench_tps tps"

# The bench community: demo.s3.c3's grid g1 gains HOUSEHOLDS households of one adult each.
psql -q -v ON_ERROR_STOP=1 "$GOV_DB_URL" <<SQL
INSERT INTO households (code, grid_id, group_code)
SELECT 'bench.hh.' || n, (SELECT id FROM areas WHERE code = 'demo.s3.c3.g1'), 'bench.grp.' || (n % 30)
FROM generate_series(1, $HOUSEHOLDS) n;
INSERT INTO people (code, name) SELECT 'bench.v' || n, '住户' || n FROM generate_series(1, $HOUSEHOLDS) n;
INSERT INTO residents (person_id, household_id, household_rep)
SELECT p.id, h.id, true FROM generate_series(1, $HOUSEHOLDS) n
JOIN people p ON p.code = 'bench.v' || n JOIN households h ON h.code = 'bench.hh.' || n;
SQL
free_port() { bash deploy/pg.sh freeport; }
export GOV_DELIBERATION_ENDPOINT="tcp://127.0.0.1:$(free_port)" GOV_DELIBERATION_EVENTS="tcp://127.0.0.1:$(free_port)"
export GOV_DELIBERATION_HTTP_PORT=$(free_port) GOV_ROUTING_EVENTS="tcp://127.0.0.1:$(free_port)" GOV_TEST_CLOCK=1
# A key folder of its own: CURVE, and the tally key secret ballots are sealed to.
build/bin/govctl keys generate "$pgdir/keys" >/dev/null
export GOV_KEYS_DIR="$pgdir/keys"
build/bin/gov-deliberation 2>"$pgdir/delib.log" &
pid=$!
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$GOV_DELIBERATION_HTTP_PORT/healthz" >/dev/null && break; sleep 0.1; done
M() { build/bin/govctl matter "$@"; }
C="--as p.cm.s3.c3.head --unit cm.s3.c3"
PC="--as p.pc.s3.c3.secretary --unit pc.s3.c3"   # the party committee (社区党委): accepts, convenes, closes, publishes
id=$(M --as p.cm.s3.c3.head --unit cm.s3.c3 propose --scope community --area demo.s3.c3 --title 小区改造方案 --text 压测 |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["item"]["id"])')
M $PC accept "$id" --hours 1 >/dev/null
M clock 7200000 >/dev/null
starts=$(M clock 1000 | python3 -c 'import json,sys; print(json.load(sys.stdin)["now_ms"] + 7 * 86400000 + 1000)')
M $PC convene "$id" --roster households --ballot secret --motion 同意改造 --starts-ms "$starts" >/dev/null
M clock $((7 * 86400000 + 2000)) >/dev/null
roster=$(psql -tAc "SELECT roster_size FROM meetings WHERE matter_id = $id" "$GOV_DB_URL")
echo "meeting: $roster household representatives on the roster, secret ballot"
out=$(build/bin/bench-deliberation "$GOV_DELIBERATION_ENDPOINT" "$id" bench.v "$HOUSEHOLDS" 4 32 || true)
echo "$out"
t0=$(now)
M $PC close "$id" >"$pgdir/close.json"
M $PC publish "$id" >"$pgdir/publish.json"
t1=$(now)
M verify "$id" >"$pgdir/verify.json"
t2=$(now)
python3 - "$pgdir" "$t0" "$t1" "$t2" <<'PY'
import json, sys
d, t0, t1, t2 = sys.argv[1], *map(float, sys.argv[2:])
m = json.load(open(d + "/publish.json"))["item"]
t = m["meeting"]["tally"]
v = json.load(open(d + "/verify.json"))
print(f"tally: roster {t['roster_size']}, attended {t['attended']}, yes {t['yes']}, no {t['no']}, "
      f"passed {t.get('passed', False)}; 公示 head {m['decision_head'][:16]}…")
print(f"close + publish: {(t1 - t0) * 1000:.0f} ms; verify {v['records']} records: "
      f"{(t2 - t1) * 1000:.0f} ms, ok {v.get('ok', False)}")
PY
rate=$(echo "$out" | field rate)
echo "votes/s / pgbench single-row INSERT tps = $rate / $pgbench_tps"
echo "ratio $(ratio "$rate" "$pgbench_tps")"
