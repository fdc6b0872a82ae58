#!/usr/bin/env bash
# /readyz waits on subscriptions (common/subready.h), and /metrics shows
# latency and lag. A subscriber is ready when it is linked to its publisher
# and caught up: the events the publisher numbered (outbox_streams) less the
# events it applied is at most GOV_SUB_READY_LAG. Against real services:
# intake alone is alive (/healthz) but not ready, waiting for routing; ready
# once routing runs; not ready again while routing is stopped, ready when it
# is back; not ready while stuck more than its bound behind (events it cannot
# apply, put in routing's stream by hand), ready when they are gone, its
# gov_subscription_lag going 0, 3, 0. Each service's request latency
# histogram counts requests, and the gateway's counts HTTP requests. The
# database round trips are counted by statement kind (common/dbtime.h) and
# move when cases are filed; routing's armed ladder steps gauge moves when
# they are dispatched. The gateway's /readyz waits on its live feeds (the
# three streams' heads read), whose positions move with the events, and
# answers 503 "feed intake":"head unknown" while they cannot be read.
set -u
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d)
. tests/cli/tap.sh
govctl="${GOV_BIN:-build/bin}/govctl"
. tests/cli/lib.sh
test_db cli_readyz
stack_ports
trap 'stop_services; service_reports "$tmp"; rm -rf "$tmp"' EXIT

port() { local v="GOV_${1^^}_HTTP_PORT"; echo "${!v}"; }
# readyz NAME: the status /readyz answers, its body in $tmp/ready.
readyz() { curl -s -o "$tmp/ready" -w '%{http_code}' "http://127.0.0.1:$(port "$1")/readyz"; }
ready_is() { [ "$(readyz "$1")" = "$2" ]; }
# metric NAME SERIES: the value of SERIES (name{labels}, service label first) at NAME's /metrics.
metric() { curl -s "http://127.0.0.1:$(port "$1")/metrics" | awk -v m="$2" '$1 == m {print $2}'; }
metric_is() { [ "$(metric "$1" "$2")" = "$3" ]; }
lag='gov_subscription_lag{service="intake",stream="routing"}'
linked='gov_subscription_connected{service="intake",stream="routing"}'

# --- linked -------------------------------------------------------------------------------
start_service intake GOV_SUB_READY_LAG=2 || not_ok "intake answers its health check"
check "intake alone is alive (/healthz 200)" curl -fs -o /dev/null "http://127.0.0.1:$(port intake)/healthz"
check "... but not ready (/readyz 503)" wait_until 5 ready_is intake 503
contains "... waiting for its subscription to routing: not connected" "$tmp/ready" '"subscription routing":"not connected"'
check "... and /metrics says it has no link ($linked 0)" metric_is intake "$linked" 0
start_service routing || not_ok "routing answers its health check"
check "once routing runs, intake is ready" wait_until 10 ready_is intake 200
check "... linked ($linked 1)" metric_is intake "$linked" 1
check "... 0 events behind" metric_is intake "$lag" 0
check "routing, whose deliberation is not running, is alive but not ready" wait_until 5 ready_is routing 503
contains "... waiting for deliberation" "$tmp/ready" '"subscription deliberation":"not connected'
start_service deliberation || not_ok "deliberation answers its health check"
check "... and ready once deliberation runs" wait_until 10 ready_is routing 200
check "deliberation is ready (routing runs)" wait_until 10 ready_is deliberation 200
start_service notify || not_ok "notify answers its health check"
check "notify is ready, linked to intake, routing and deliberation" wait_until 10 ready_is notify 200

stop_service routing
check "routing stopped: intake is no longer ready" wait_until 10 ready_is intake 503
contains "... it says its link to routing is lost" "$tmp/ready" '"subscription routing":"not connected"'
check "... nor is notify" wait_until 10 ready_is notify 503
check "... intake still alive" curl -fs -o /dev/null "http://127.0.0.1:$(port intake)/healthz"
# (a horizon of 30 days: the demo ladder's first steps, hours away, are armed at once)
start_service routing GOV_LADDER_HORIZON_S=2592000 || not_ok "routing answers its health check again"
check "routing back: intake ready again" wait_until 10 ready_is intake 200
check "... and notify" wait_until 10 ready_is notify 200

# --- caught up ---------------------------------------------------------------------------
# Events intake cannot apply (not an envelope), numbered in routing's stream
# as routing's relay would: intake stops at the first, and falls behind.
head=$(q "SELECT coalesce(max(last_seq), 0) FROM outbox_streams WHERE stream = 'routing'")
poison() { # N: N more undecodable events after the head
    q "INSERT INTO outbox (stream, seq, type, payload)
         SELECT 'routing', $head + g, 'Poison', '\\x00ff'::bytea FROM generate_series(1, $1) g;
       INSERT INTO outbox_streams (stream, last_seq) VALUES ('routing', $head + $1)
         ON CONFLICT (stream) DO UPDATE SET last_seq = excluded.last_seq" >/dev/null
}
poison 1
check "one event behind (within GOV_SUB_READY_LAG=2): $lag goes to 1" wait_until 5 metric_is intake "$lag" 1
check "... still ready" ready_is intake 200
q "DELETE FROM outbox WHERE stream = 'routing' AND seq > $head" >/dev/null
poison 3
check "three behind: $lag goes to 3" wait_until 5 metric_is intake "$lag" 3
check "... and intake is not ready" wait_until 5 ready_is intake 503
contains "... it says it is behind" "$tmp/ready" '"subscription routing":"behind"'
check "... yet alive" curl -fs -o /dev/null "http://127.0.0.1:$(port intake)/healthz"
q "DELETE FROM outbox WHERE stream = 'routing' AND seq > $head;
   UPDATE outbox_streams SET last_seq = $head WHERE stream = 'routing'" >/dev/null
check "the events gone, $lag is back to 0" wait_until 5 metric_is intake "$lag" 0
check "... and intake is ready again" wait_until 5 ready_is intake 200

# --- latency --------------------------------------------------------------------------------
count='gov_request_duration_seconds_count{service="intake"}'
inf='gov_request_duration_seconds_bucket{service="intake",le="+Inf"}'
before=$(metric intake "$count")
curl -s "http://127.0.0.1:$(port intake)/metrics" >"$tmp/metrics.before"
armed='gov_ladder_steps_armed{service="routing"}'
armed_before=$(metric routing "$armed")
check "routing publishes its armed ladder steps ($armed ${armed_before:-absent})" test -n "$armed_before"
gw_feed='gov_feed_position{service="gateway",stream="intake"}'
for i in 1 2 3; do
    "$govctl" case submit --category complaint.noise --lat 39.9025 --lon 116.3025 --text "噪音 $i" >/dev/null 2>&1
done
after=$(metric intake "$count")
check "intake's latency histogram counts its requests (${before:-none} then ${after:-none})" \
    test "${after:-0}" -ge $((${before:-0} + 3))
check "... its +Inf bucket is its count" metric_is intake "$inf" "$after"
check "... and its sum is more than nothing" \
    bash -c "awk 'BEGIN{exit !($(metric intake 'gov_request_duration_seconds_sum{service="intake"}') > 0)}'"
curl -s "http://127.0.0.1:$(port intake)/metrics" >"$tmp/metrics"
check "... buckets cumulative, in order of their bounds" python3 - "$tmp/metrics" <<'PY'
import re, sys
rows = [(float(m.group(1)), int(m.group(2))) for m in re.finditer(
    r'gov_request_duration_seconds_bucket\{service="intake",le="([^"]+)"\} (\d+)', open(sys.argv[1]).read())]
assert len(rows) == 15 and rows[-1][0] == float('inf')
assert all(a[0] < b[0] and a[1] <= b[1] for a, b in zip(rows, rows[1:]))
PY
check "... each family told once (HELP and TYPE)" test "$(grep -c '^# TYPE gov_subscription_lag ' "$tmp/metrics")" = 1
# The database's round trips, by statement kind: intake files a batch of cases
# as one pipelined transaction, so its "pipeline" count moves by at least one a case
# (the batches of one), and its +Inf bucket is its count.
dbc() { awk -v m="gov_db_duration_seconds_count{service=\"intake\",kind=\"$1\"}" '$1 == m {print $2}' "$2"; }
check "intake's database round trips are counted by kind (pipeline: $(dbc pipeline "$tmp/metrics.before") then $(dbc pipeline "$tmp/metrics"))" \
    test "$(dbc pipeline "$tmp/metrics")" -ge $(($(dbc pipeline "$tmp/metrics.before") + 3))
check "... the family told once" test "$(grep -c '^# TYPE gov_db_duration_seconds histogram' "$tmp/metrics")" = 1
check "... its +Inf bucket is its count" \
    grep -qx "gov_db_duration_seconds_bucket{service=\"intake\",kind=\"pipeline\",le=\"+Inf\"} $(dbc pipeline "$tmp/metrics")" "$tmp/metrics"
check "... single statements by their keyword (intake's selects counted)" test "$(dbc select "$tmp/metrics")" -gt 0
check "... and no kind that is not one (only the eleven names)" bash -c "! grep -o 'gov_db_duration_seconds_count{[^}]*}' '$tmp/metrics' | grep -vE 'kind=\"(select|insert|update|delete|with|begin|commit|rollback|other|pipeline|prepared)\"'"
rdb() { metric "$1" "gov_db_duration_seconds_count{service=\"$1\",kind=\"$2\"}"; }
check "routing counts its own round trips (select: $(rdb routing select))" test "$(rdb routing select)" -gt 0
check "notify too (its asynchronous claims: select $(rdb notify select), or with $(rdb notify with))" \
    test "$(( $(rdb notify select || echo 0) + $(rdb notify with || echo 0) + 0 ))" -gt 0
armed_moved() { [ "$(metric routing "$armed")" -ge $((armed_before + 3)) ]; }
check "routing's armed ladder steps went up with the three cases dispatched (${armed_before} then more)" wait_until 10 armed_moved
start_service gateway || not_ok "the gateway answers its health check"
gw='gov_http_request_duration_seconds_count{service="gateway"}'
before=$(metric gateway "$gw")
curl -s -o /dev/null "http://127.0.0.1:$GOV_GATEWAY_PORT/open311/v2/discovery.json"
curl -s -o /dev/null "http://127.0.0.1:$GOV_GATEWAY_PORT/open311/v2/services.json"
gw_counted() { [ "$(metric gateway "$gw")" -ge $((${before:-0} + 2)) ] 2>/dev/null; }
check "the gateway's HTTP latency histogram counts its requests (${before:-none} then more)" wait_until 3 gw_counted

# --- the gateway's live feeds -----------------------------------------------------------------
check "the gateway is ready: its feeds read the three streams" wait_until 10 ready_is gateway 200
head_i=$(q "SELECT last_seq FROM outbox_streams WHERE stream = 'intake'")
check "... its feed position for intake is intake's head ($head_i)" wait_until 3 metric_is gateway "$gw_feed" "$head_i"
check "... linked" metric_is gateway 'gov_feed_connected{service="gateway",stream="routing"}' 1
"$govctl" case submit --category complaint.noise --lat 39.9025 --lon 116.3025 --text "噪音 4" >/dev/null 2>&1
check "a case filed: the feed position moves to intake's new head" \
    wait_until 5 bash -c "[ \"\$(curl -s http://127.0.0.1:$(port gateway)/metrics | awk '\$1 == \"${gw_feed//\"/\\\"}\" {print \$2}')\" -gt $head_i ]"
# The heads cannot be read (the table renamed away for a moment: every
# service's read fails, not only the gateway's).
q "ALTER TABLE outbox_streams RENAME TO outbox_streams_away" >/dev/null
check "the streams' heads unreadable: the gateway is not ready" wait_until 5 ready_is gateway 503
contains "... it says which feed waits, and why" "$tmp/ready" '"feed intake":"head unknown"'
check "... and its feeds are unlinked" metric_is gateway 'gov_feed_connected{service="gateway",stream="deliberation"}' 0
check "... yet alive" curl -fs -o /dev/null "http://127.0.0.1:$(port gateway)/healthz"
q "ALTER TABLE outbox_streams_away RENAME TO outbox_streams" >/dev/null
check "the table back: the gateway is ready again" wait_until 5 ready_is gateway 200
echo "1..$n"
[ "$failed" -eq 0 ]
