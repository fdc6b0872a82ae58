#!/usr/bin/env bash
# The database goes away under a stream of requests and comes back: intake
# answers each request DB_UNAVAILABLE meanwhile (a transient fault: retry),
# its log says so once when the outage starts and once when it ends (not a
# line a request), /metrics counts the failed queries and the outage, and the
# first request after it is served. The test stops the suite's own cluster for
# a few seconds and starts it again.
set -u
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d)
. tests/cli/tap.sh
govctl="${GOV_BIN:-build/bin}/govctl"
. tests/cli/lib.sh
test_db cli_outage
stack_ports
datadir=$(q "SHOW data_directory")
pgstart() { bash deploy/pg.sh start "$(dirname "$datadir")" >/dev/null 2>&1; }
trap 'pgstart; stop_services; service_reports "$tmp"; rm -rf "$tmp"' EXIT
metric() { curl -s "http://127.0.0.1:$GOV_INTAKE_HTTP_PORT/metrics" | awk -v m="gov_$1{" 'index($1, m) == 1 {print $2}'; }
metric_is() { [ "$(metric "$1")" = "$2" ]; }
metric_ge() { [ "$(metric "$1")" -ge "$2" ]; }
submit() { "$govctl" case submit --category complaint.noise --lat 39.9025 --lon 116.3025 --text "$1" >"$tmp/out" 2>&1; }

start_service intake || not_ok "intake answers its health check"
check "a case is filed while the database is up" submit "停电前"

bash deploy/pg.sh stop "$(dirname "$datadir")" >/dev/null 2>&1
for i in $(seq 20); do submit "停电中 $i"; done
check "while it is down a request is refused DB_UNAVAILABLE (retry)" grep -q DB_UNAVAILABLE "$tmp/out"
check "... intake lives on" curl -fs "http://127.0.0.1:$GOV_INTAKE_HTTP_PORT/healthz" -o /dev/null
check "... /metrics says the database is down" wait_until 3 metric_is db_down 1
check "... and counts the failed queries (at least one a request)" wait_until 3 metric_ge db_unavailable_total 20
pgstart
check "after it returns, the next case is filed" wait_until 20 submit "恢复后"
check "... and /metrics says it is up" wait_until 3 metric_is db_down 0
check "... one outage counted" metric_is db_outages_total 1
lines=$(grep -c -E 'database|query failed|connection' "$tmp/intake.log")
check "the outage is two lines of intake's log, not one a request (saw $lines)" test "$lines" -le 3
check "... one when it went" test "$(grep -c 'database unreachable' "$tmp/intake.log")" = 1
check "... one when it came back, with its length and count" grep -qE 'database reachable again after [0-9]+ ms; [0-9]+ queries failed meanwhile' "$tmp/intake.log"
echo "1..$n"
