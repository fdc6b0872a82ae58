#!/usr/bin/env bash
# govctl against a real database and a real gov-intake: usage errors, the
# map import's errors (all or nothing, naming the bad feature), listings,
# and a case submitted and seen on the event stream.
set -u
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d)
. tests/cli/tap.sh
govctl="${GOV_BIN:-build/bin}/govctl"
db=cli_govctl
. tests/cli/lib.sh
test_db "$db"
export GOV_INTAKE_ENDPOINT="tcp://127.0.0.1:$(free_port)" GOV_INTAKE_EVENTS="tcp://127.0.0.1:$(free_port)"
export GOV_INTAKE_HTTP_PORT=$(free_port) GOV_ROUTING_EVENTS="tcp://127.0.0.1:$(free_port)"
trap 'stop_services; service_reports "$tmp"; rm -rf "$tmp"' EXIT
start_service intake
areas() { psql -tA "$GOV_DB_URL" -c "SELECT count(*) FROM areas"; }

# --- usage -----------------------------------------------------------------
expect_status "govctl --help exits 0" 0 "$govctl" --help
contains "--help lists the commands" "$tmp/out" "areas import|list"
expect_status "no command is a usage error" 2 "$govctl"
expect_status "an unknown command is a usage error" 2 "$govctl" frobnicate
contains "... and prints the usage" "$tmp/err" "usage: govctl"
for c in "case" "events" "areas" "units" "categories" "db"; do
    expect_status "govctl $c --help exits 0" 0 "$govctl" $c --help
    contains "govctl $c --help prints its usage" "$tmp/out" "usage: govctl $c"
done
expect_status "case submit without --category is a usage error" 2 "$govctl" case submit --lat 39.9 --lon 116.3 --text x
expect_status "case submit with a non-numeric --lat is a usage error" 2 "$govctl" case submit --category complaint.noise --lat north --lon 116.3 --text x
expect_status "case submit with --lat but no --lon is a usage error" 2 "$govctl" case submit --category complaint.noise --lat 39.9 --text x
expect_status "case submit with an unknown flag is a usage error" 2 "$govctl" case submit --colour red
expect_status "case show needs a numeric id" 2 "$govctl" case show abc
expect_status "case list --limit needs a number" 2 "$govctl" case list --limit many
expect_status "events tail --count needs a number" 2 "$govctl" events tail --count -3
expect_status "areas import needs a file" 2 "$govctl" areas import

# --- migrations ------------------------------------------------------------
psql -q -h 127.0.0.1 -p "$GOV_TEST_PG_PORT" -U postgres -c "DROP DATABASE IF EXISTS cli_migrate WITH (FORCE)" \
    -c "CREATE DATABASE cli_migrate" postgres 2>/dev/null
mig="postgresql://postgres@127.0.0.1:$GOV_TEST_PG_PORT/cli_migrate"
pids=
for i in 1 2 3; do GOV_DB_URL=$mig "$govctl" db migrate >"$tmp/mig$i" 2>&1 & pids="$pids $!"; done
wait $pids
check "three concurrent migrations all succeed" grep -q "schema at version" "$tmp/mig1" "$tmp/mig2" "$tmp/mig3"
check "... and apply each file once" test "$(cat "$tmp"/mig? | grep -c '^applied ')" = "$(ls deploy/migrations/*.sql | wc -l)"
check "... leaving the latest version" test "$(GOV_DB_URL=$mig "$govctl" db version)" = "$(ls deploy/migrations | tail -1 | sed 's/_.*//; s/^0*//')"
expect_status "db migrate from a missing folder fails" 1 env GOV_DB_URL="$mig" "$govctl" db migrate /nonexistent

# --- the map ---------------------------------------------------------------
before=$(areas)
expect_status "importing a missing file fails" 1 "$govctl" areas import "$tmp/nope.geojson"
echo '{"type": "FeatureCollection", "features": [' >"$tmp/broken.geojson"
expect_status "importing broken JSON fails" 1 "$govctl" areas import "$tmp/broken.geojson"
contains "... and says it is not JSON" "$tmp/err" "not JSON"
sq='[[[116.40,39.90],[116.41,39.90],[116.41,39.91],[116.40,39.91],[116.40,39.90]]]'
bowtie='[[[116.40,39.90],[116.41,39.91],[116.41,39.90],[116.40,39.91],[116.40,39.90]]]'
feature() { # code level parent coordinates
    local parent=""; [ -n "$3" ] && parent=", \"parent\": \"$3\""
    echo "{\"type\": \"Feature\", \"properties\": {\"code\": \"$1\", \"name\": \"测试$1\", \"level\": \"$2\"$parent}, \"geometry\": {\"type\": \"Polygon\", \"coordinates\": $4}}"
}
collection() { echo "{\"type\": \"FeatureCollection\", \"features\": [$(IFS=,; echo "$*")]}"; }
collection "$(feature x district '' "$sq")" "$(feature x.s1 street x "$sq")" "$(feature x.s1.c1 community x.s1 "$bowtie")" >"$tmp/bowtie.geojson"
expect_status "a self-intersecting polygon fails the import" 1 "$govctl" areas import "$tmp/bowtie.geojson"
contains "... naming the feature" "$tmp/err" "feature 2 (x.s1.c1) is invalid"
check "... and nothing is imported (all or nothing)" test "$(areas)" = "$before"
collection "$(feature y district '' "$sq")" "$(feature y.g1 grid y "$sq")" >"$tmp/level.geojson"
expect_status "a grid directly in a district fails" 1 "$govctl" areas import "$tmp/level.geojson"
contains "... saying which levels nest" "$tmp/err" "a grid cannot be inside a district"
collection "$(feature z.s1 street z.nowhere "$sq")" >"$tmp/orphan.geojson"
expect_status "an unknown parent fails" 1 "$govctl" areas import "$tmp/orphan.geojson"
contains "... saying so" "$tmp/err" "feature 0 (z.s1) is invalid: its parent is not known"
collection "$(feature demo district '' "$sq")" >"$tmp/dup.geojson"
expect_status "a code that exists fails" 1 "$govctl" areas import "$tmp/dup.geojson"
contains "... naming it" "$tmp/err" "feature 0 (demo)"
echo '{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"name": "无编码", "level": "district"}, "geometry": {"type": "Polygon", "coordinates": '"$sq"'}}]}' >"$tmp/nocode.geojson"
expect_status "a feature without a code fails" 1 "$govctl" areas import "$tmp/nocode.geojson"
contains "... saying what is missing" "$tmp/err" "feature 0 (no code) has no properties.code"
check "after every failure the map is unchanged" test "$(areas)" = "$before"
# A large file reports progress and lands whole.
python3 - "$tmp/big.geojson" <<'PY'
import json, sys
sq = [[[116.40, 39.90], [116.41, 39.90], [116.41, 39.91], [116.40, 39.91], [116.40, 39.90]]]
f = [{"type": "Feature", "properties": {"code": "big", "name": "大区", "level": "district"},
      "geometry": {"type": "Polygon", "coordinates": sq}}]
f += [{"type": "Feature", "properties": {"code": f"big.s{i}", "name": f"街道{i}", "level": "street", "parent": "big"},
       "geometry": {"type": "Polygon", "coordinates": sq}} for i in range(2499)]
json.dump({"type": "FeatureCollection", "features": f}, open(sys.argv[1], "w"))
PY
expect_status "a 2500-feature file imports" 0 "$govctl" areas import "$tmp/big.geojson"
contains "... with a progress line" "$tmp/err" "imported 2000/2500 features"
check "... all 2500 of them" test "$(areas)" = "$((before + 2500))"

expect_status "areas list --json" 0 "$govctl" areas list --level grid --json
check "... has the 36 demo grids" test "$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$tmp/out")" = 36
check "... with demo.s1.c1.g1 centred at 39.9025,116.3025" python3 -c '
import json, sys
g = {a["code"]: a for a in json.load(open(sys.argv[1]))}["demo.s1.c1.g1"]
assert (g["centre"]["lat"], g["centre"]["lon"], g["parent"]) == (39.9025, 116.3025, "demo.s1.c1")' "$tmp/out"
expect_status "units list --json" 0 "$govctl" units list --json
check "... has 86 demo units (9 supervision committees, 9 party committees, 9 知行家 stations, the admin), the street office supervised by the centre, departments by the leadership" python3 -c '
import json, sys
u = {x["code"]: x for x in json.load(open(sys.argv[1]))}
assert len(u) == 86 and u["pc.s1.c1"]["kind"] == "party_committee" and u["st.s1.c1"]["kind"] == "station" and u["admin"]["kind"] == "admin" and u["sv.s1.c1"]["kind"] == "supervision" and u["so.s1"]["supervisor"] == "centre" and u["dept.gongan"]["supervisor"] == "leader" and u["gt.s1.c1.g1"]["members"][0]["role"] == "grid_worker"' "$tmp/out"
expect_status "units list --kind department" 0 "$govctl" units list --kind department
check "... lists 8 departments" test "$(wc -l <"$tmp/out")" = 8
expect_status "categories list --json" 0 "$govctl" categories list --json
contains "... includes complaint.noise" "$tmp/out" '"code": "complaint.noise"'

# --- cases through intake ---------------------------------------------------
healthy "$GOV_INTAKE_HTTP_PORT"
"$govctl" events tail --count 2 --timeout 10000 >"$tmp/events" 2>&1 &
tail_pid=$!
# The subscription needs a moment; submit until the tail hears something.
expect_status "case submit prints the reply" 0 "$govctl" case submit --category complaint.noise --lat 39.9025 --lon 116.3025 --text '夜间施工噪音扰民' --phone 13800001234
contains "... placed on grid demo.s1.c1.g1" "$tmp/out" '"code": "demo.s1.c1.g1"'
id=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["case_id"])' "$tmp/out")
expect_status "a second report nearby" 0 "$govctl" case submit --category complaint.noise --lat 39.9026 --lon 116.3026 --text '还在施工' --channel app
contains "... is merged into the first" "$tmp/out" '"merged": true'
expect_status "case show" 0 "$govctl" case show "$id"
contains "... shows both callers" "$tmp/out" '"caller_count": 2'
expect_status "case show of an unknown id fails" 1 "$govctl" case show 987654
contains "... with NOT_FOUND" "$tmp/err" '"code": "NOT_FOUND"'
expect_status "a bad phone is refused" 1 "$govctl" case submit --category complaint.noise --lat 39.9025 --lon 116.3025 --text x --phone 123
contains "... with INVALID_PHONE" "$tmp/err" '"code": "INVALID_PHONE"'
expect_status "case list" 0 "$govctl" case list --area demo.s1
contains "... shows the case" "$tmp/out" "demo.s1.c1.g1"
wait $tail_pid 2>/dev/null
expect_status "events tail --from 0 replays the stream from the table" 0 "$govctl" events tail --from 0 --count 2 --timeout 5000
contains "... CaseCreated first" "$tmp/out" '"seq":1,"type":"CaseCreated"'
contains "... then CaseMerged" "$tmp/out" '"seq":2,"type":"CaseMerged"'
expect_status "events tail --timeout without enough events exits 1" 1 "$govctl" events tail --from 2 --count 1 --timeout 300
expect_status "a report elsewhere (a case of its own)" 0 "$govctl" case submit --category complaint.noise --lat 39.9095 --lon 116.3095 --text '另一处施工' --channel app
id2=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["case_id"])' "$tmp/out")
expect_status "case list --limit 1" 0 "$govctl" case list --limit 1
contains "... shows the newest" "$tmp/out" "另一处施工"
contains "... and how to page on" "$tmp/out" "more: govctl case list --before $id2"
expect_status "case list --before it --json" 0 "$govctl" case list --before "$id2" --json
check "... the older case only" python3 -c "import json; assert [c['id'] for c in json.load(open('$tmp/out'))['items']] == [$id]"
expect_status "case list --since needs a number" 2 "$govctl" case list --since yesterday
expect_status "case list with an unknown flag is a usage error" 2 "$govctl" case list --colour red
expect_status "case list with a stray word is a usage error" 2 "$govctl" case list demo.s1

# --- keys: who may talk to a service (lib.sh made GOV_KEYS_DIR) -------------
check "the services run with CURVE (no plain-socket warning)" bash -c "! grep -q 'GOV_KEYS_DIR is not set' '$tmp/intake.log'"
check "the key folder is private" test "$(stat -c %a "$GOV_KEYS_DIR")" = 700
check "... and each secret key too" test "$(stat -c %a "$GOV_KEYS_DIR/govctl.key")" = 600
contains "... and govctl and the gateway may act for people" "$GOV_KEYS_DIR/actors" "gateway"
expect_status "keys generate again keeps every key" 0 "$govctl" keys generate "$GOV_KEYS_DIR"
contains "... making none" "$tmp/out" "0 key pair(s) made"
expect_status "keys generate adds a named pair" 0 "$govctl" keys generate "$GOV_KEYS_DIR" robot
check "... robot.pub" test -s "$GOV_KEYS_DIR/robot.pub"
expect_status "a key name with a slash is refused" 1 "$govctl" keys generate "$GOV_KEYS_DIR" ../x
expect_status "keys without generate is a usage error" 2 "$govctl" keys
expect_status "a known key is served" 0 "$govctl" case show "$id"
expect_status "GOV_KEYS_DIR without this client's pair: govctl says so" 1 env GOV_KEY_NAME=stranger GOV_KEYS_DIR="$tmp/stranger" GOV_TIMEOUT_MS=700 "$govctl" case show "$id"
contains "... said in the client's words" "$tmp/err" "keys cannot be read"
mkdir -p "$tmp/stranger" && cp "$GOV_KEYS_DIR/server.pub" "$tmp/stranger/" && "$govctl" keys generate "$tmp/stranger" stranger >/dev/null
expect_status "an unknown key is refused in the handshake: no answer" 1 env GOV_KEY_NAME=stranger GOV_KEYS_DIR="$tmp/stranger" GOV_TIMEOUT_MS=700 "$govctl" case show "$id"
contains "... the client times out" "$tmp/err" "timed out"
expect_status "no key at all: no answer" 1 env -u GOV_KEYS_DIR GOV_TIMEOUT_MS=700 "$govctl" case show "$id"
expect_status "a known key not in actors may not act for a person" 1 env GOV_KEY_NAME=robot "$govctl" case show "$id"
contains "... ACTOR_NOT_ALLOWED" "$tmp/err" '"code": "ACTOR_NOT_ALLOWED"'
check "intake counts the refusals in /metrics" wait_until 5 bash -c "curl -fs http://127.0.0.1:$GOV_INTAKE_HTTP_PORT/metrics | grep -qE '^gov_zap_refused_total.* [1-9]'"
check "... and the failed handshakes" wait_until 5 bash -c "curl -fs http://127.0.0.1:$GOV_INTAKE_HTTP_PORT/metrics | grep -qE '^gov_handshakes_failed_total.* [1-9]'"
check "... and logs them" wait_until 5 grep -q "ZAP refused a client" "$tmp/intake.log"
echo "1..$n"
