#!/usr/bin/env bash
# Open311 GeoReport v2 at /open311/v2/ against real gov-intake, gov-routing
# and gov-gateway over CURVE, as a city's Open311 app uses it: discovery,
# services, filing with an api_key (the specification's example request,
# with our codes and a point on our map), reading requests back in JSON and
# XML, the refusals in the specification's <errors> form, and following a
# request to closed — the department signs, arrives and resolves, the
# reporter is satisfied — through GET requests/{id} and FixMyStreet's
# servicerequestupdates. No personal data in any GET answer.
set -u
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d)
. tests/cli/tap.sh
govctl="${GOV_BIN:-build/bin}/govctl"
. tests/cli/lib.sh
test_db cli_open311
stack_ports
trap 'stop_services; service_reports "$tmp"; rm -rf "$tmp"' EXIT
start_service intake GOV_SUB_SILENCE_MS=300 || not_ok "intake answers its health check"
start_service routing || not_ok "routing answers its health check"
start_service gateway || not_ok "the gateway answers its health check"
base="http://127.0.0.1:$GOV_GATEWAY_PORT/open311/v2"
# is_xml: the answer parses as XML (the specification's other format).
is_xml() { python3 -c 'import xml.dom.minidom,sys; xml.dom.minidom.parse(sys.argv[1])' "$tmp/out"; }

# o311 NAME STATUS METHOD PATH [CURL-ARGS...]: passes when the gateway answers
# STATUS; the body is in $tmp/out, the headers in $tmp/headers.
o311() {
    local name=$1 want=$2 method=$3 path=$4; shift 4
    local got; got=$(curl -s -o "$tmp/out" -D "$tmp/headers" -w '%{http_code}' -X "$method" "$@" "$base/$path")
    if [ "$got" = "$want" ]; then ok "$name"; else not_ok "$name" "HTTP $got, wanted $want: $method $path" "$(head -c 300 "$tmp/out")"; fi
}
# refused NAME STATUS CODE METHOD PATH [CURL-ARGS...]: the answer is STATUS
# with the specification's error list naming CODE.
refused() {
    local name=$1 status=$2 code=$3; shift 3
    o311 "$name: $status" "$status" "$@"
    check "... [{code: $code, description}]" python3 -c "import json; d = json.load(open('$tmp/out')); assert d[0]['code'] == '$code' and d[0]['description'], d"
}

# --- discovery and services ---------------------------------------------------------------
o311 "GET discovery.json" 200 GET discovery.json
contains "... names GeoReport v2" "$tmp/out" '"specification":"http://wiki.open311.org/GeoReport_v2"'
contains "... and this endpoint's URL" "$tmp/out" "\"url\":\"http://127.0.0.1:$GOV_GATEWAY_PORT/open311/v2\""
contains "... in JSON" "$tmp/headers" "Content-Type: application/json; charset=utf-8"
o311 "GET discovery.xml" 200 GET discovery.xml
check "... parses" is_xml
contains "... in XML" "$tmp/headers" "Content-Type: text/xml; charset=utf-8"
contains "... with both formats" "$tmp/out" "<formats><format>text/xml</format><format>application/json</format></formats>"

categories=$(q "SELECT count(*) FROM categories")
o311 "GET services.xml" 200 GET services.xml
check "... parses" is_xml
check "... one <service> per category ($categories)" python3 -c "import xml.dom.minidom as m; d = m.parse('$tmp/out'); assert d.documentElement.tagName == 'services' and len(d.getElementsByTagName('service')) == $categories"
contains "... our category codes as service codes" "$tmp/out" "<service_code>complaint.noise</service_code><service_name>投诉·噪声扰民</service_name>"
contains "... realtime, no metadata, grouped by kind" "$tmp/out" "<metadata>false</metadata><type>realtime</type><keywords>noise, 噪声扰民</keywords><group>complaint</group>"
o311 "GET services.json" 200 GET services.json
check "... an array of $categories services" test "$(json "len(d)")" = "$categories"
o311 "GET services/complaint.noise.json (a service definition)" 200 GET services/complaint.noise.json
check "... has no attributes" test "$(cat "$tmp/out")" = '{"service_code":"complaint.noise","attributes":[]}'
o311 "GET services/complaint.noise.xml" 200 GET services/complaint.noise.xml
check "... parses" is_xml
contains "... <service_definition>" "$tmp/out" "<service_definition><service_code>complaint.noise</service_code><attributes></attributes></service_definition>"
refused "an unknown service definition" 404 UNKNOWN_CATEGORY GET services/no.such.json

# --- api keys ---------------------------------------------------------------------------------
expect_status "govctl apikey create" 0 "$govctl" apikey create --name city-app
key=$(tail -1 "$tmp/out")
expect_status "... and one to revoke" 0 "$govctl" apikey create --name old-app
old=$(tail -1 "$tmp/out")
expect_status "govctl token revoke (the old app's key)" 0 "$govctl" token revoke "$(head -1 "$tmp/out" | awk '{print $2}')"

# The specification's example POST, with our service code, a point on our map and a phone
# intake accepts (the example's 111111111 is no Chinese number).
media='http%3A%2F%2Ffarm3.static.flickr.com%2F2002%2F2212426634_5ed477a060.jpg'
example="jurisdiction_id=city.gov&service_code=complaint.noise&lat=39.9025&long=116.3025&address_string=1234+5th+street&email=smit333%40sfgov.edu&device_id=tt222111&account_id=123456&first_name=john&last_name=smith&phone=13800001234&media_url=$media&attribute[WHISPAWN]=123456&attribute[WHISDORN]=COISL001"
said='description=%E5%A4%9C%E9%97%B4%E6%96%BD%E5%B7%A5%E5%99%AA%E9%9F%B3%E6%89%B0%E6%B0%91' # 夜间施工噪音扰民

# --- refusals: nothing is filed ---------------------------------------------------------------
refused "POST requests.json without an api_key" 403 API_KEY_REQUIRED POST requests.json -d "$example&$said"
refused "... with an unknown api_key" 403 API_KEY_INVALID POST requests.json -d "api_key=gov_k_forged&$example&$said"
refused "... with a revoked api_key" 403 API_KEY_INVALID POST requests.json -d "api_key=$old&$example&$said"
o311 "... refused in XML for requests.xml" 403 POST requests.xml -d "$example&$said"
check "... parses" is_xml
contains "... as <errors><error><code/><description/>" "$tmp/out" "<errors><error><code>API_KEY_REQUIRED</code><description>api_key is required"
refused "... without a location" 400 MISSING_LOCATION POST requests.json -d "api_key=$key&service_code=complaint.noise&$said"
refused "... with lat but no long" 400 MISSING_LOCATION POST requests.json -d "api_key=$key&service_code=complaint.noise&lat=39.9025&$said"
refused "... with an unknown service_code (the specification's 404)" 404 UNKNOWN_CATEGORY POST requests.json -d "api_key=$key&service_code=no.such&lat=39.9025&long=116.3025&$said"
refused "... without a service_code" 400 MISSING_CATEGORY POST requests.json -d "api_key=$key&lat=39.9025&long=116.3025&$said"
refused "... a body that is not a form" 400 BAD_FORM POST requests.json -d "api_key=$key&service_code=%zz"
check "... and nothing was filed" q_is "SELECT count(*) FROM cases" 0

# --- filing ---------------------------------------------------------------------------------------
o311 "POST requests.json as the specification's example" 200 POST requests.json -d "api_key=$key&$example&$said"
contains "... the spec's answer: [{service_request_id, service_notice, account_id}]" "$tmp/out" '"service_notice":"已受理'
id=$(json "d[0]['service_request_id']")
check "... the case, from the open311 channel" q_is "SELECT channel || ' ' || category_code || ' ' || description FROM cases WHERE id = $id" "open311 complaint.noise 夜间施工噪音扰民"
check "... with the reporter's name and phone, kept for the department" q_is "SELECT reporter_name || ' ' || reporter_phone FROM cases WHERE id = $id" "john smith 13800001234"
check "... the media_url, the address and the point" q_is "SELECT media_urls[1] || ' ' || address || ' ' || round(ST_Y(location::geometry)::numeric, 4) FROM cases WHERE id = $id" "http://farm3.static.flickr.com/2002/2212426634_5ed477a060.jpg 1234 5th street 39.9025"
o311 "the same report again (POST requests.xml)" 200 POST requests.xml -d "api_key=$key&$example&$said"
check "... parses" is_xml
contains "... joins the open case nearby (合并工单)" "$tmp/out" "<service_requests><request><service_request_id>$id</service_request_id><service_notice>已并入附近同类工单 $id"
o311 "an address-only report of another service" 200 POST requests.json -d "api_key=$key&service_code=complaint.sanitation&address_string=%E4%B8%80%E8%A1%97%E9%81%93%E8%8F%9C%E5%B8%82%E5%9C%BA&description=garbage"
other=$(json "d[0]['service_request_id']")
check "... is another request" test "$other" != "$id"
check "no api_key in the gateway's log" bash -c "! grep -qE 'gov_k_' '$tmp/gateway.log'"

# --- reading requests back ------------------------------------------------------------------------
wait_until 10 q_is "SELECT count(*) FROM dispatches WHERE case_id = $id" 1
o311 "GET requests/{id}.json" 200 GET "requests/$id.json"
check "... one open request of complaint.noise" python3 -c "import json; d = json.load(open('$tmp/out')); r = d[0]; assert len(d) == 1 and r['service_request_id'] == $id and r['status'] == 'open' and r['service_code'] == 'complaint.noise' and r['service_name'] == '投诉·噪声扰民', r"
check "... with the place as filed" python3 -c "import json; r = json.load(open('$tmp/out'))[0]; assert r['lat'] == 39.9025 and r['long'] == 116.3025 and r['address'] == '1234 5th street' and r['media_url'].startswith('http://farm3'), r"
check "... Beijing-time W3C datetimes" python3 -c "import json,re; r = json.load(open('$tmp/out'))[0]; assert all(re.fullmatch(r'\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00', r[k]) for k in ('requested_datetime', 'updated_datetime', 'expected_datetime')), r"
unit=$(q "SELECT u.name FROM dispatches d JOIN units u ON u.id = d.unit_id WHERE d.case_id = $id")
check "... the lead dispatch's unit as agency_responsible ($unit)" test "$(json "d[0]['agency_responsible']")" = "$unit"
check "... its resolve-by deadline as expected_datetime" test "$(json "d[0]['expected_datetime']")" = "$(q "SELECT to_char(resolve_by AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD\"T\"HH24:MI:SS+08:00') FROM dispatches WHERE case_id = $id")"
check "... two reports, one case: said in service_notice" test "$(json "d[0]['service_notice']")" = "共 2 次反映，合并办理"
check "... no personal data" bash -c "! grep -qE '13800001234|john|smith|smit333|tt222111' '$tmp/out'"
o311 "GET requests/{id}.xml" 200 GET "requests/$id.xml"
check "... parses" is_xml
contains "... as <service_requests><request>" "$tmp/out" "<service_requests><request><service_request_id>$id</service_request_id><status>open</status>"
o311 "GET requests.json?service_request_id=ID,ID" 200 GET "requests.json?service_request_id=$id,$other"
check "... both, in that order" test "$(json "[r['service_request_id'] for r in d]")" = "[$id, $other]"
check "... the address-only one has no point" test "$(json "(d[1]['lat'], d[1]['long'], d[1]['address'])")" = "(None, None, '一街道菜市场')"
o311 "... an unknown id among them" 200 GET "requests.json?service_request_id=999999,$id"
check "... is left out" test "$(json "[r['service_request_id'] for r in d]")" = "[$id]"
o311 "GET requests.xml?service_request_id=ID,ID" 200 GET "requests.xml?service_request_id=$id,$other"
check "... parses, two <request>" python3 -c "import xml.dom.minidom as m; assert len(m.parse('$tmp/out').getElementsByTagName('request')) == 2"
o311 "GET requests.json (the last 90 days)" 200 GET requests.json
check "... holds both, newest first" test "$(json "[r['service_request_id'] for r in d]")" = "[$other, $id]"
o311 "GET requests.json?service_code=complaint.sanitation" 200 GET "requests.json?service_code=complaint.sanitation"
check "... only that service" test "$(json "[r['service_request_id'] for r in d]")" = "[$other]"
o311 "GET requests.json?status=closed" 200 GET "requests.json?status=closed"
check "... none yet" test "$(cat "$tmp/out")" = "[]"
o311 "GET requests.json with dates in 2020" 200 GET "requests.json?start_date=2020-01-01T00:00:00Z&end_date=2020-02-01T00:00:00Z"
check "... none" test "$(cat "$tmp/out")" = "[]"
refused "... dates more than 90 days apart" 400 RANGE_TOO_LONG GET "requests.json?start_date=2020-01-01T00:00:00Z&end_date=2020-12-31T00:00:00Z"
refused "... a date not in W3C form" 400 BAD_DATE GET "requests.json?start_date=yesterday"
refused "... a status neither open nor closed" 400 INVALID_STATUS GET "requests.json?status=pending"
refused "GET requests/{unknown id}" 404 NOT_FOUND GET requests/999999.json
refused "GET requests/{not an id}" 404 NOT_FOUND GET requests/abc.json
o311 "GET tokens/{id}.json (a token is the id: we file in real time)" 200 GET "tokens/$id.json"
check "... [{service_request_id, token}]" test "$(cat "$tmp/out")" = "[{\"service_request_id\":$id,\"token\":\"$id\"}]"
o311 "GET tokens/{unknown}.xml" 404 GET tokens/999999.xml
check "... parses" is_xml
refused "an unknown resource" 404 NO_ROUTE GET nothing.json
o311 "a format neither .json nor .xml" 404 GET services.html
check "... answers in XML, the required format" is_xml
refused "a known resource, another method" 400 NO_ROUTE DELETE requests.json

# --- following a request to closed ----------------------------------------------------------------
d=$(q "SELECT id FROM dispatches WHERE case_id = $id")
as="--as p.dept.chengguan.head --unit dept.chengguan"
expect_status "the department signs" 0 "$govctl" dispatch $as sign "$d"
expect_status "... arrives" 0 "$govctl" dispatch $as arrive "$d"
expect_status "... notes its progress" 0 "$govctl" dispatch $as progress "$d" --text 已到现场核实
o311 "GET requests/{id}.json while in hand" 200 GET "requests/$id.json"
check "... open, with the note" test "$(json "(d[0]['status'], d[0]['status_notes'])")" = "('open', '${unit}办理中：已到现场核实')"
expect_status "... and resolves" 0 "$govctl" dispatch $as resolve "$d" --text 已责令停工
# The status is intake's case status, which follows routing's event a moment later.
wait_until 10 q_is "SELECT status FROM cases WHERE id = $id" resolved
o311 "GET requests/{id}.json once resolved" 200 GET "requests/$id.json"
check "... closed (\"it has been resolved\"), saying how" test "$(json "(d[0]['status'], d[0]['status_notes'])")" = "('closed', '${unit}已办结：已责令停工')"
expect_status "the reporter is satisfied (回访)" 0 "$govctl" case evaluate "$id" --result satisfied --as 13800001234
wait_until 10 q_is "SELECT status FROM cases WHERE id = $id" closed
o311 "GET requests/{id}.json once evaluated" 200 GET "requests/$id.json"
check "... closed, with the evaluation" test "$(json "(d[0]['status'], d[0]['status_notes'])")" = "('closed', '回访评价：满意')"
o311 "GET requests.json?status=closed" 200 GET "requests.json?status=closed"
check "... holds it" test "$(json "[r['service_request_id'] for r in d]")" = "[$id]"
o311 "GET requests.json?status=open" 200 GET "requests.json?status=open"
check "... holds the other" test "$(json "[r['service_request_id'] for r in d]")" = "[$other]"
o311 "GET requests.json with two service codes, both statuses" 200 GET "requests.json?service_code=complaint.sanitation,complaint.noise&status=open,closed"
check "... both, newest first" test "$(json "[r['service_request_id'] for r in d]")" = "[$other, $id]"
o311 "... and closed only" 200 GET "requests.json?service_code=complaint.sanitation,complaint.noise&status=closed"
check "... the closed one" test "$(json "[r['service_request_id'] for r in d]")" = "[$id]"

today=$(date -u +%Y-%m-%dT00:00:00Z -d '-1 day') later=$(date -u +%Y-%m-%dT00:00:00Z -d '+2 days')
o311 "GET servicerequestupdates.json (FixMyStreet's)" 200 GET "servicerequestupdates.json?start_date=$today&end_date=$later"
check "... the request's story, oldest first, to closed" test "$(json "[(u['status'], u['description']) for u in d if u['service_request_id'] == $id]")" = \
    "[('open', '已派至${unit}办理'), ('open', '${unit}已签收'), ('open', '${unit}已到达现场'), ('open', '${unit}办理中：已到现场核实'), ('closed', '${unit}已办结：已责令停工'), ('closed', '回访评价：满意')]"
check "... each with update_id, updated_datetime and media_url" python3 -c "import json; d = json.load(open('$tmp/out')); assert d and all(u['update_id'] and u['updated_datetime'].endswith('+08:00') and u['media_url'] == '' for u in d), d"
check "... no personal data" bash -c "! grep -qE '13800001234|john|smith' '$tmp/out'"
o311 "GET servicerequestupdates.xml" 200 GET "servicerequestupdates.xml?start_date=$today&end_date=$later"
check "... parses" is_xml
contains "... as <service_requests_updates><request_update>" "$tmp/out" "<service_requests_updates><request_update><update_id>"
o311 "GET servicerequestupdates.json for 2020" 200 GET "servicerequestupdates.json?start_date=2020-01-01T00:00:00Z&end_date=2020-02-01T00:00:00Z"
check "... none" test "$(cat "$tmp/out")" = "[]"
# The public reads every case with its people masked (intake's casescope):
# no contact reached the gateway, so no read of a case is in the audit log but
# routing's own GetContacts as it took the cases (the department's commands above,
# which showed it the reporter, are).
check "Open311's reads left no row in the audit log (docs/privacy.md)" q_is "SELECT count(*) FROM pii_reads WHERE subject = 'case' AND request <> 'GetContacts'" 0
check "... which holds the department's four commands" q_is "SELECT count(*) FROM pii_reads WHERE subject = 'dispatch' AND person = 'p.dept.chengguan.head'" 4
# --- api keys and categories in memory (dbwatch.h): a change is felt on the next request ----------
hits() { curl -fs "http://127.0.0.1:$GOV_GATEWAY_HTTP_PORT/metrics" | awk '/^gov_filing_cache_hits_total/ {print $NF}'; }
hits_above() { [ "$(hits)" -gt "$1" ]; }
file_as() { # NAME KEY STATUS [FIELDS]: a filing with KEY at a point of our map (FIELDS may move it)
    o311 "$1" "$3" POST requests.json -d "api_key=$2&service_code=complaint.noise&${4:-lat=39.9035&long=116.3035&description=cached}"
}
expect_status "govctl apikey create (one kept in memory)" 0 "$govctl" apikey create --name memory-app
mem=$(tail -1 "$tmp/out") mem_id=$(head -1 "$tmp/out" | awk '{print $2}')
file_as "a filing with it" "$mem" 200
h0=$(hits)
file_as "... and another" "$mem" 200
check "... answered from memory: no query for the key and the category" wait_until 5 hits_above "$h0"
expect_status "govctl token revoke (that key)" 0 "$govctl" token revoke "$mem_id"
file_as "... the very next filing with it is refused" "$mem" 403
check "... API_KEY_INVALID" python3 -c "import json; assert json.load(open('$tmp/out'))[0]['code'] == 'API_KEY_INVALID'"

expect_status "govctl apikey create (another)" 0 "$govctl" apikey create --name memory-app-2
mem2=$(tail -1 "$tmp/out") mem2_id=$(head -1 "$tmp/out" | awk '{print $2}')
file_as "a filing with it (kept in memory)" "$mem2" 200
check "the gateway's LISTEN connection is ended by the database" \
    test "$(q "SELECT count(pg_terminate_backend(pid, 5000)) FROM pg_stat_activity WHERE query LIKE 'LISTEN gateway_cache%'")" = 1
expect_status "... and the key revoked while nobody listens" 0 "$govctl" token revoke "$mem2_id"
file_as "... the next filing with it is still refused (nothing is trusted while the watch is down)" "$mem2" 403
file_as "a live key still files meanwhile" "$key" 200
check "... and the watch listens again within a second or two" \
    wait_until 10 q_is "SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'LISTEN gateway_cache%'" 1

file_as "a filing without a description (the category's name stands in)" "$key" 200 "lat=39.9100&long=116.3100"
check "... named 投诉·噪声扰民" q_is "SELECT description FROM cases WHERE id = $(json "d[0]['service_request_id']")" "投诉·噪声扰民"
q "UPDATE categories SET name = '投诉·噪声（新名）' WHERE code = 'complaint.noise'" >/dev/null
file_as "... the category renamed, the next filing" "$key" 200 "lat=39.9160&long=116.3160"
check "... carries the new name" q_is "SELECT description FROM cases WHERE id = $(json "d[0]['service_request_id']")" "投诉·噪声（新名）"
q "UPDATE categories SET name = '投诉·噪声扰民' WHERE code = 'complaint.noise'" >/dev/null
echo "1..$n"
