#!/usr/bin/env bash
# Below the grid, against a real database and a real gov-intake: buildings
# (楼栋) and entrances (单元) imported like the other levels (and refused when
# they do not nest), a case placed on the entrance its point falls in and
# shown with it, and the people who serve each place — 楼长, 单元长, the grid
# worker (one full-time a grid), 党员中心户 — each refused at the wrong level.
set -u
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d)
. tests/cli/tap.sh
govctl="${GOV_BIN:-build/bin}/govctl"
. tests/cli/lib.sh
test_db cli_grid
export GOV_INTAKE_ENDPOINT="tcp://127.0.0.1:$(free_port)" GOV_INTAKE_EVENTS="tcp://127.0.0.1:$(free_port)"
export GOV_INTAKE_HTTP_PORT=$(free_port) GOV_ROUTING_EVENTS="tcp://127.0.0.1:$(free_port)"
trap 'stop_services; service_reports "$tmp"; rm -rf "$tmp"' EXIT
start_service intake
areas() { q "SELECT count(*) FROM areas"; }

# --- the demo city's buildings ----------------------------------------------
check "the demo city has two buildings in each of its 36 grids" q_is "SELECT count(*) FROM areas WHERE level = 'building'" 72
check "... each with two entrances" q_is "SELECT count(*) FROM areas e JOIN areas b ON b.id = e.parent_id WHERE e.level = 'entrance' AND b.level = 'building'" 144
check "... a 楼长 for each building and a 单元长 for each entrance" q_is "SELECT count(*) FROM area_roles WHERE role IN ('building_head', 'entrance_head')" 216
check "... and one full-time grid worker in each grid" q_is "SELECT count(DISTINCT area_id) FROM area_roles WHERE role = 'grid_worker' AND full_time" 36

# --- import ------------------------------------------------------------------
box() { echo "[[[$1,$2],[$3,$2],[$3,$4],[$1,$4],[$1,$2]]]"; }
feature() { # code level parent coordinates
    echo "{\"type\": \"Feature\", \"properties\": {\"code\": \"$1\", \"name\": \"测试$1\", \"level\": \"$2\", \"parent\": \"$3\"}, \"geometry\": {\"type\": \"Polygon\", \"coordinates\": $4}}"
}
collection() { echo "{\"type\": \"FeatureCollection\", \"features\": [$(IFS=,; echo "$*")]}"; }
# Grid demo.s3.c3.g4 spans lon 116.325–116.33, lat 39.925–39.93.
b=$(box 116.3260 39.9260 116.3264 39.9263)
before=$(areas)
collection "$(feature t.b9 building demo.s3.c3 "$b")" >"$tmp/skip.geojson"
expect_status "a building directly in a community fails" 1 "$govctl" areas import "$tmp/skip.geojson"
contains "... saying which levels nest" "$tmp/err" "a building cannot be inside a community"
collection "$(feature t.u9 entrance demo.s3.c3.g4 "$b")" >"$tmp/skip2.geojson"
expect_status "an entrance directly in a grid fails" 1 "$govctl" areas import "$tmp/skip2.geojson"
collection "$(feature t.x9 floor demo.s3.c3.g4 "$b")" >"$tmp/floor.geojson"
expect_status "an unknown level fails" 1 "$govctl" areas import "$tmp/floor.geojson"
contains "... naming the levels" "$tmp/err" "district|street|community|grid|building|entrance"
check "after every failure the map is unchanged" test "$(areas)" = "$before"
collection "$(feature t.b1 building demo.s3.c3.g4 "$b")" \
    "$(feature t.b1.u1 entrance t.b1 "$(box 116.3260 39.9260 116.3262 39.9263)")" \
    "$(feature t.b1.u2 entrance t.b1 "$(box 116.3262 39.9260 116.3264 39.9263)")" >"$tmp/b.geojson"
expect_status "a building and its two entrances import" 0 "$govctl" areas import "$tmp/b.geojson"
expect_status "areas list --level entrance" 0 "$govctl" areas list --level entrance --parent t.b1 --json
check "... lists them" test "$(json 'len(d)')" = 2

# --- placement ---------------------------------------------------------------
healthy "$GOV_INTAKE_HTTP_PORT"
expect_status "a case inside the building" 0 "$govctl" case submit --category complaint.sanitation --lat 39.92615 --lon 116.32630 --text '楼道堆放杂物' --phone 13800005678
check "... is placed on its entrance, in its building, in its grid" test "$(json '"/".join(a["code"] for a in d["area_path"])')" = "demo/demo.s3/demo.s3.c3/demo.s3.c3.g4/t.b1/t.b1.u2"
id=$(json 'd["case_id"]')
expect_status "case show" 0 "$govctl" case show "$id"
contains "... shows the building" "$tmp/out" '"level": "building"'
contains "... and the entrance" "$tmp/out" '"code": "t.b1.u2"'
expect_status "a case just outside it" 0 "$govctl" case submit --category complaint.water --lat 39.92615 --lon 116.32700 --text '路面积水' --phone 13800005679
check "... is placed on the grid" test "$(json 'd["area_path"][-1]["code"]')" = "demo.s3.c3.g4"

# --- who serves each place ------------------------------------------------------
q "INSERT INTO people (code, name) VALUES ('p.t.1', '楼长甲'), ('p.t.2', '单元长乙'), ('p.t.3', '网格员丙'), ('p.t.4', '党员丁')" >/dev/null
expect_status "a 楼长 for the building" 0 "$govctl" areas role add --area t.b1 --person p.t.1 --role building_head
expect_status "a 单元长 for an entrance" 0 "$govctl" areas role add --area t.b1.u1 --person p.t.2 --role entrance_head
expect_status "a 党员中心户 in the building" 0 "$govctl" areas role add --area t.b1 --person p.t.4 --role party_household
expect_status "a 楼长 of a grid is refused" 1 "$govctl" areas role add --area demo.s3.c3.g4 --person p.t.1 --role building_head
contains "... saying where a 楼长 serves" "$tmp/err" "a building_head serves a building, not a grid"
expect_status "a 单元长 of a building is refused" 1 "$govctl" areas role add --area t.b1 --person p.t.2 --role entrance_head
expect_status "a grid worker of a building is refused" 1 "$govctl" areas role add --area t.b1 --person p.t.3 --role grid_worker
expect_status "a full-time 楼长 is refused" 1 "$govctl" areas role add --area t.b1.u2 --person p.t.3 --role entrance_head --full-time
expect_status "an unknown role is refused" 1 "$govctl" areas role add --area t.b1 --person p.t.3 --role doorman
expect_status "a second 楼长 for the building is refused" 1 "$govctl" areas role add --area t.b1 --person p.t.3 --role building_head
expect_status "a second full-time grid worker is refused" 1 "$govctl" areas role add --area demo.s3.c3.g4 --person p.t.3 --role grid_worker --full-time
contains "... saying a grid has one" "$tmp/err" "already has its full-time grid worker (one a grid)"
expect_status "a part-time grid worker beside the full-time one is fine" 0 "$govctl" areas role add --area demo.s3.c3.g4 --person p.t.3 --role grid_worker
expect_status "an unknown person is refused" 1 "$govctl" areas role add --area t.b1 --person p.nobody --role party_household
expect_status "areas roles --area t.b1" 0 "$govctl" areas roles --area t.b1
check "... lists the building's and its entrances' people" test "$(json '",".join(r["person"] + ":" + r["role"] for r in d)')" = "p.t.1:building_head,p.t.4:party_household,p.t.2:entrance_head"
expect_status "areas role remove" 0 "$govctl" areas role remove --area t.b1 --person p.t.4 --role party_household
expect_status "... of a role nobody holds fails" 1 "$govctl" areas role remove --area t.b1 --person p.t.4 --role party_household
check "the grid keeps one full-time worker" q_is "SELECT count(*) FROM area_roles r JOIN areas a ON a.id = r.area_id WHERE a.code = 'demo.s3.c3.g4' AND r.role = 'grid_worker' AND r.full_time" 1
echo "1..$n"
[ "$failed" = 0 ]
