#!/usr/bin/env bash
# deploy/grafana/gov-backbone.json, the dashboard for the 三率, lag,
# escalations and deliveries: valid JSON whose every panel has queries, and
# every series a query names is one the running services publish. The five
# services run against a real PostgreSQL; a case is filed, dispatched,
# signed and resolved, and their /metrics are read: each query's gov_* names
# must be among the series seen there (a histogram's _bucket, _sum and
# _count by their own names), besides Prometheus's own `up`. Routing's 三率
# gauges move with the case (dispatched 0 then 1, signed in time and
# resolved 0 then 1). The queries' PromQL is parsed by promtool (from the
# gov-prometheus image test_compose builds) when Docker and that image are
# here; otherwise that one check is skipped. test_compose.sh evaluates every
# query against its running Prometheus.
set -u
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d)
. tests/cli/tap.sh
govctl="${GOV_BIN:-build/bin}/govctl"
. tests/cli/lib.sh
test_db cli_grafana
stack_ports
trap 'stop_services; service_reports "$tmp"; rm -rf "$tmp"' EXIT
dash=deploy/grafana/gov-backbone.json

# --- the file --------------------------------------------------------------------------------
check "the dashboard is valid JSON, every panel with at least one query" python3 - "$dash" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
panels = [p for p in d["panels"] if p["type"] != "row"]
assert len(panels) >= 10, len(panels)
for p in panels:
    assert p["targets"] and all(t["expr"].strip() for t in p["targets"]), p["title"]
    assert p["datasource"]["uid"] == "${DS_PROMETHEUS}", p["title"]
PY
check "... with the 三率, lag, escalations and deliveries" python3 - "$dash" <<'PY'
import json, sys
titles = " ".join(p["title"] for p in json.load(open(sys.argv[1]))["panels"])
for word in ("响应率", "解决率", "满意率", "lag", "Escalation", "Deliveries"):
    assert word in titles, word
PY
python3 -c "
import json, sys
for p in json.load(open('$dash'))['panels']:
    for t in p.get('targets', []):
        print(t['expr'])" >"$tmp/exprs"

# --- the services, with a case worked through -------------------------------------------------
for s in intake routing deliberation notify; do
    start_service "$s" GOV_KPI_METRICS_S=1 || not_ok "$s answers its health check"
done
start_service gateway || not_ok "the gateway answers its health check"
m() { curl -s "http://127.0.0.1:$(v=GOV_${1^^}_HTTP_PORT; echo "${!v}")/metrics" | awk -v n="$2" '$1 == n {print $2}'; }
kpi() { m routing "gov_kpi_month_$1{service=\"routing\"}"; }
before="$(kpi dispatched) $(kpi signed_in_time) $(kpi resolved)"
"$govctl" case submit --category complaint.noise --lat 39.9025 --lon 116.3025 --text 噪音 >"$tmp/case" 2>&1
case_id=$(python3 -c "import json; print(json.load(open('$tmp/case'))['case_id'])" 2>/dev/null)
wait_until 10 q_is "SELECT count(*) FROM dispatches WHERE case_id = ${case_id:-0}" 1
d=$(q "SELECT id FROM dispatches WHERE case_id = ${case_id:-0}")
as="--as p.dept.chengguan.head --unit dept.chengguan"
"$govctl" dispatch $as sign "$d" >/dev/null 2>&1
"$govctl" dispatch $as progress "$d" --text 已联系 --contacted >/dev/null 2>&1
"$govctl" dispatch $as arrive "$d" >/dev/null 2>&1
"$govctl" dispatch $as resolve "$d" --text 已处理 >/dev/null 2>&1
moved() { [ "$(kpi dispatched) $(kpi signed_in_time) $(kpi resolved)" = "1 1 1" ]; }
check "routing's 三率 gauges follow the case: dispatched, signed in time, resolved ($before, then 1 1 1)" wait_until 10 moved
check "... none evaluated yet" test "$(kpi evaluated)" = 0
for s in intake routing deliberation notify gateway; do
    v="GOV_${s^^}_HTTP_PORT"
    curl -s "http://127.0.0.1:${!v}/metrics"
done | awk '!/^#/ {sub(/\{.*/, "", $1); print $1}' | sort -u >"$tmp/series"
echo up >>"$tmp/series" # Prometheus's own, per target

# --- every query names series that exist --------------------------------------------------------
grep -o 'gov_[a-z0-9_]*' "$tmp/exprs" | sort -u >"$tmp/named"
missing=$(comm -23 "$tmp/named" "$tmp/series" | tr '\n' ' ')
check "every gov_ series the dashboard's $(wc -l <"$tmp/exprs") queries name ($(wc -l <"$tmp/named") names) is published${missing:+ — missing: $missing}" \
    test -z "$missing"
check "... among them the database round trips, the armed deadlines and the gateway's feeds" \
    bash -c "grep -qx gov_db_duration_seconds_bucket '$tmp/named' && grep -qx gov_ladder_steps_armed '$tmp/named' && grep -qx gov_feed_connected '$tmp/named'"
# The check itself catches a name nobody publishes.
printf 'sum(gov_no_such_series_total)\n' >"$tmp/bad"
check "... and would catch a query naming a series nobody publishes" \
    test -n "$(grep -o 'gov_[a-z0-9_]*' "$tmp/bad" | sort -u | comm -23 - "$tmp/series")"

# --- PromQL that parses --------------------------------------------------------------------------
img=$(docker images gov-prometheus --format '{{.Repository}}:{{.Tag}}' 2>/dev/null | head -1)
if [ -n "$img" ]; then
    mkdir -m 755 "$tmp/q" # readable to the image's user (mktemp's folder is not)
    python3 - "$tmp/exprs" >"$tmp/q/rules.yml" <<'PY'
import json, sys
print("groups:\n  - name: dashboard\n    rules:")
for i, e in enumerate(l.rstrip("\n") for l in open(sys.argv[1])):
    print(f"      - record: dashboard:query{i}\n        expr: {json.dumps(e)}")
PY
    expect_status "promtool parses every query ($img)" 0 docker run --rm --entrypoint promtool \
        -v "$tmp/q:/q:ro" "$img" check rules /q/rules.yml
    printf 'groups:\n  - name: bad\n    rules:\n      - record: bad\n        expr: "sum(rate(gov_errors_total[5m])"\n' >"$tmp/q/bad.yml"
    expect_status "... and refuses one that does not parse" 1 docker run --rm --entrypoint promtool \
        -v "$tmp/q:/q:ro" "$img" check rules /q/bad.yml
else
    ok "promtool parses every query # SKIP no Docker engine or no gov-prometheus image here"
fi
echo "1..$n"
[ "$failed" -eq 0 ]
