#!/usr/bin/env bash
# The access matrix of /api/v1/: every route of the gateway's table, as each
# kind of person the backbone knows and as nobody, one request each, against
# real gov-intake, gov-routing, gov-deliberation and gov-gateway over CURVE.
# The table below says what each must get — the correct answer, whatever the
# services do today. The data each route acts on (cases, dispatches, whistles,
# matters, needs, orders) is made first through the API itself; the few steps
# it cannot do (a deliberation window closing, other residents' votes) go
# through govctl. Then: guessing another unit's ids tells nothing, a revoked
# token and a missing CSRF token are refused, an Idempotency-Key acts once
# in each service; every JSON answer fits what docs/openapi.yaml declares for
# its route and status; the document and the route table name the same routes.
set -u
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d)
. tests/cli/tap.sh
govctl="${GOV_BIN:-build/bin}/govctl"
. tests/cli/lib.sh
test_db cli_api_matrix
stack_ports
export GOV_SUB_SILENCE_MS=300
spec=docs/openapi.yaml
if ! python3 -c 'import jsonschema, yaml' 2>"$tmp/python.err"; then
    echo "Bail out! python3-jsonschema and python3-yaml are missing (bash deploy/install.sh --test): $(tail -1 "$tmp/python.err")"
    rm -rf "$tmp"
    exit 1
fi
# The checker answers one line per answer it is given (openapi_check.py serve).
coproc CHECKER { exec python3 -u tests/cli/openapi_check.py serve "$spec"; }
trap 'exec {CHECKER[1]}>&-; wait "$CHECKER_PID" 2>/dev/null; stop_services; service_reports "$tmp"; rm -rf "$tmp"' EXIT
start_service intake || not_ok "intake answers its health check"
start_service routing || not_ok "routing answers its health check"
start_service deliberation GOV_TEST_CLOCK=1 || not_ok "deliberation answers its health check"
start_service gateway GOV_GATEWAY_MAX_BODY=4096 GOV_GATEWAY_LOGINS_PER_MIN=100 GOV_GATEWAY_RATE=5000 GOV_GATEWAY_BURST=5000 || not_ok "the gateway answers its health check"
base="http://127.0.0.1:$GOV_GATEWAY_PORT"
# json EXPR [FILE]: a Python expression of the JSON answer d (the last one).
json() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($1)" "${2:-$tmp/out}" 2>/dev/null; }

# --- who ------------------------------------------------------------------------
# The roles of the matrix's columns: nobody (no credentials), then one person
# of each kind in the demo city (deploy/demo/).
roles=(none res grid cm sv so cg sw ctr ldr adm pc)
declare -A person=(
    [res]=r.s1.c1.g1.1.1               # a resident of demo.s1.c1, grid g1
    [grid]=p.gt.s1.c1.g1.grid_worker   # the grid worker of demo.s1.c1.g1
    [cm]=p.cm.s1.c1.head               # the residents' committee of demo.s1.c1
    [sv]=r.s1.c1.g2.3.2                # its supervision committee (a resident too)
    [so]=p.so.s1.head                  # the street office of demo.s1
    [cg]=p.dept.chengguan.head         # a department: 城管
    [sw]=p.dept.shuiwu.head            # another department: 水务
    [ctr]=p.centre.dispatcher          # the dispatch centre
    [ldr]=p.leader.head                # the district's leadership
    [adm]=p.admin.head                 # the admin: people, units, rules, the calendar
    [pc]=p.pc.s1.c1.secretary          # the party committee (社区党委) of demo.s1.c1: asked only
                                       # on the matters' routes ("-" elsewhere)
    [st]=p.st.s1.c1.dispatcher         # demo.s1.c1's 知行家 station (no column: it dispatches the orders)
)
declare -A csrf=()
pw='matrix password 12345'

# --- requests ---------------------------------------------------------------------
checked=0 invalid=0
# fits response METHOD PATH STATUS FILE | fits request METHOD PATH FILE: asks
# the checker (openapi_check.py serve) whether an answer, or a body the
# gateway took, fits docs/openapi.yaml; a check of its own only when not.
fits() {
    local verdict what="the $4 answer to $2 $3"
    [ "$1" = request ] && what="the body the gateway took for $2 $3"
    echo "$*" >&"${CHECKER[1]}"
    read -r verdict <&"${CHECKER[0]}" || verdict="the checker is gone"
    checked=$((checked + 1))
    if [ "$verdict" != ok ]; then
        invalid=$((invalid + 1))
        not_ok "$what fits $spec" "$verdict" "$(head -c 400 "${!#}")"
    fi
}
# call ROLE METHOD PATH [BODY] [CURL-ARGS...]: one request as ROLE (its session
# cookie and CSRF token; none: no credentials). The status is in $status, the
# body in $tmp/out, and the body is checked against the document.
call() {
    local role=$1 method=$2 path=$3 data=${4:-}; shift 3; [ $# -gt 0 ] && shift
    local args=(-s -o "$tmp/out" -w '%{http_code}' -X "$method")
    [ "$role" = none ] || args+=(-b "$tmp/$role.jar" -H "X-CSRF-Token: ${csrf[$role]:-}")
    [ -n "$data" ] && args+=(-H 'Content-Type: application/json' --data-binary "$data")
    status=$(curl "${args[@]}" "$@" "$base$path")
    fits response "$method" "$path" "$status" "$tmp/out"
    if [ -n "$data" ] && [[ $status == 2?? ]] && [ "$path" != /api/v1/session ]; then
        printf %s "$data" >"$tmp/request"
        fits request "$method" "$path" "$tmp/request"
    fi
}
# expect NAME STATUS ROLE METHOD PATH [BODY] [CURL-ARGS...]: a check that the
# request gets STATUS.
expect() {
    local name=$1 want=$2; shift 2
    call "$@"
    if [ "$status" = "$want" ]; then ok "$name"; else not_ok "$name" "HTTP $status, wanted $want: $2 $3 as $1" "$(head -c 300 "$tmp/out")"; fi
}
declare -A id=()
# made NAME EXPR ROLE METHOD PATH [BODY]: a request that makes data the matrix
# needs, and id[NAME] = EXPR of its answer (d). Says so only when it fails.
made() {
    local name=$1 expr=$2; shift 2
    call "$@"
    id[$name]=$(json "$expr")
    if [[ $status != 2?? || -z ${id[$name]} ]]; then
        not_ok "setup: $2 $3 as $1 (for $name)" "HTTP $status" "$(head -c 300 "$tmp/out")"
    fi
}
# dispatch_of NAME CASE: id[NAME] = the dispatch routing made for case CASE,
# once it has.
dispatch_of() {
    wait_until 10 q_is "SELECT count(*) > 0 FROM dispatches WHERE case_id = $2 AND role = 'lead'" t ||
        not_ok "setup: case $2 is dispatched (for $1)"
    id[$1]=$(q "SELECT min(id) FROM dispatches WHERE case_id = $2 AND role = 'lead'")
}
# delib_clock MS: moves deliberation's clock forward; prints the clock.
delib_clock() { "$govctl" matter clock "$1" 2>>"$tmp/govctl.err" | python3 -c 'import json,sys; print(json.load(sys.stdin)["now_ms"])'; }
step_is() { q_is "SELECT step FROM matters WHERE id = $1" "$2"; }

# --- the matrix -------------------------------------------------------------------
# expand TEXT ROLE: {NAME} is id[NAME]; {NAME.role} is id[NAME.role]; {NAME@}
# is id[NAME.ROLE], or id[NAME] when ROLE has none of its own.
expand() {
    local s=$1 role=$2 key
    while [[ $s =~ \{([A-Z][A-Z0-9_]*)(\.[a-z]+|@)?\} ]]; do
        key=${BASH_REMATCH[1]}${BASH_REMATCH[2]}
        [ "${BASH_REMATCH[2]}" = @ ] && { key=${BASH_REMATCH[1]}.$role; [ -n "${id[$key]+x}" ] || key=${BASH_REMATCH[1]}; }
        s=${s/"${BASH_REMATCH[0]}"/${id[$key]:-}}
    done
    printf %s "$s"
}
declare -A body=() covered=()
# matrix: reads rows "METHOD PATH STATUS-FOR-EACH-ROLE [BODY-NAME]" (columns
# in the order of $roles) and makes each request, the refused ones first, so
# the allowed one finds the state it needs and the refused ones the same
# state; each answer is kept in $tmp/ans.ROLE until the next row.
matrix() {
    local f method path want role order r b p
    while read -r -a f; do
        [ ${#f[@]} -eq 0 ] || [[ ${f[0]} == '#'* ]] && continue
        method=${f[0]} path=${f[1]}
        covered["$method $(sed -E 's/\{[A-Z][A-Z0-9_.@a-z]*\}/{id}/g; s/\?.*//' <<<"$path")"]=1
        order=()
        for r in "${!roles[@]}"; do [[ ${f[$((r + 2))]} == 2?? || ${f[$((r + 2))]} == - ]] || order+=("$r"); done
        for r in "${!roles[@]}"; do [[ ${f[$((r + 2))]} == 2?? ]] && order+=("$r"); done
        for r in "${order[@]}"; do
            role=${roles[$r]} want=${f[$((r + 2))]}
            b=${f[$((${#roles[@]} + 2))]:--}; [ "$b" = - ] && b="" || b=$(expand "${body[$b]}" "$role")
            p=$(expand "$path" "$role")
            call "$role" "$method" "$p" "$b"
            cp "$tmp/out" "$tmp/ans.$role"
            if [ "$status" = "$want" ]; then
                ok "$method $path as $role: $want"
            else
                not_ok "$method $path as $role: $want" "HTTP $status, wanted $want: $method $p as ${person[$role]:-nobody}" \
                    "$(head -c 300 "$tmp/out")"
            fi
        done
    done
}

# --- logging in ---------------------------------------------------------------------
for r in "${roles[@]:1}" st; do
    echo "$pw" | "$govctl" person passwd "${person[$r]}" >/dev/null 2>>"$tmp/govctl.err" || not_ok "govctl person passwd ${person[$r]}"
    call none POST /api/v1/session "{\"person\": \"${person[$r]}\", \"password\": \"$pw\"}" -c "$tmp/$r.jar"
    csrf[$r]=$(json "d['csrf_token']")
    if [ "$status" != 200 ] || [ -z "${csrf[$r]}" ]; then
        not_ok "setup: ${person[$r]} logs in" "HTTP $status" "$(head -c 300 "$tmp/out")"
    fi
done

# --- the data the routes act on, made through the API --------------------------------
# Cases in demo.s1.c1's grids; routing sends each to 城管 (noise, construction).
body[case]='{"channel": "app", "category": "complaint.food", "description": "过期食品", "location": {"point": {"lat": 39.9031, "lon": 116.3031}}}'
made C1 "d['case_id']" res POST /api/v1/cases '{"channel": "app", "category": "complaint.noise", "description": "夜间施工噪音", "location": {"point": {"lat": 39.9025, "lon": 116.3025}}, "reporter": {"name": "赵玉兰", "phone": "13900000001"}}'
made C2 "d['case_id']" grid POST /api/v1/cases '{"channel": "grid_patrol", "category": "complaint.construction", "description": "私搭乱建", "location": {"point": {"lat": 39.9075, "lon": 116.3075}}, "reporter": {"name": "路人甲", "phone": "13911112222"}}'
made C3 "d['case_id']" ctr POST /api/v1/cases '{"channel": "hotline", "category": "report.noise", "description": "工地噪音", "location": {"point": {"lat": 39.9025, "lon": 116.3075}}, "reporter": {"phone": "13922223333"}}'
made C4 "d['case_id']" res POST /api/v1/cases '{"channel": "app", "category": "report.construction", "description": "违建", "location": {"point": {"lat": 39.9075, "lon": 116.3025}}, "reporter": {"name": "赵玉兰", "phone": "13900000001"}}'
made C5 "d['case_id']" res POST /api/v1/cases '{"channel": "app", "category": "complaint.noise", "description": "广场舞", "location": {"point": {"lat": 39.9065, "lon": 116.3015}}, "reporter": {"phone": "13900000001"}}'
for c in 1 2 3 4 5; do dispatch_of "D$c" "${id[C$c]}"; done
# The resident's own case C4 is resolved, so the resident may evaluate it.
made _ "d['item']['state']" cg POST "/api/v1/dispatches/${id[D4]}/sign"
made _ "d['item']['state']" cg POST "/api/v1/dispatches/${id[D4]}/arrive"
made _ "d['item']['state']" cg POST "/api/v1/dispatches/${id[D4]}/resolve" '{"text": "已拆除"}'
# A neighbour dispute in grid demo.s1.c1.g1: its grid team signs it, to pass it up (上报).
made CG "d['case_id']" res POST /api/v1/cases '{"channel": "app", "category": "help.dispute", "description": "邻里纠纷", "location": {"point": {"lat": 39.9012, "lon": 116.3012}}, "reporter": {"phone": "13900000001"}}'
dispatch_of DG "${id[CG]}"
made _ "d['item']['state']" grid POST "/api/v1/dispatches/${id[DG]}/sign"
# Whistles of the street office: W1 summons 城管 and 公安, W2 水务 (closed, to be rated).
made W1 "d['item']['id']" so POST /api/v1/whistles '{"kind": "routine", "reason": "占道经营", "point": {"lat": 39.9035, "lon": 116.3035}, "departments": ["dept.chengguan", "dept.gongan"]}'
id[DW1]=$(json "[x['id'] for x in d['item']['dispatches'] if x['unit'] == 'dept.chengguan'][0]")
made W2 "d['item']['id']" so POST /api/v1/whistles '{"kind": "routine", "reason": "管道破裂", "point": {"lat": 39.9045, "lon": 116.3045}, "departments": ["dept.shuiwu"]}'
id[DW2]=$(json "d['item']['dispatches'][0]['id']")
made _ "d['item']['state']" sw POST "/api/v1/dispatches/${id[DW2]}/sign"
made _ "d['item']['state']" sw POST "/api/v1/dispatches/${id[DW2]}/arrive"
made _ "d['item']['state']" sw POST "/api/v1/dispatches/${id[DW2]}/resolve" '{"text": "已修复"}'
check "setup: the whistle W2 closed" until_q "SELECT state FROM whistles WHERE id = ${id[W2]}" closed
# Matters in demo.s1.c1, whose windows are short here.
q "UPDATE deliberation_rules SET notice_minutes = 1, publish_minutes = 10, evaluate_minutes = 10 WHERE community_id = (SELECT id FROM areas WHERE code = 'demo.s1.c1')" >/dev/null
body[matter]='{"scope": "community", "area": "demo.s1.c1", "title": "加装电梯", "body": "3号楼加装电梯"}'
made M "d['item']['id']" cm POST /api/v1/matters "${body[matter]}"
made MA "d['item']['id']" res POST /api/v1/matters '{"scope": "grid", "area": "demo.s1.c1.g1", "title": "楼道堆物", "body": "清理楼道堆物"}'
made MD "d['item']['id']" grid POST /api/v1/matters '{"scope": "community", "area": "demo.s1.c1", "title": "彩绘围墙", "body": "请画围墙"}'
# The 3+1 lists: a need of demo.s1.c1 for each unit that may claim one, and a spare.
for r in grid so cg sw ctr ldr adm spare; do
    made "NEED.$r" "[x['id'] for x in d['needs'] if x['title'] == 'need-$r'][0]" cm POST /api/v1/lists/needs \
        "{\"community\": \"demo.s1.c1\", \"title\": \"need-$r\", \"text\": \"需要帮助\"}"
done
id[NEED]=${id[NEED.spare]}

# --- the matrix ------------------------------------------------------------------------
# none: no credentials; res: a resident; grid: a grid worker; cm: the residents'
# committee; sv: the supervision committee; so: the street office; cg, sw: two
# departments; ctr: the dispatch centre; ldr: the leadership. Data: C* cases
# and D* their dispatches (all 城管's; C4 is the resident's own, resolved),
# W* the street office's whistles (W2 closed), M the matter, MA and MD
# matters to amend and decline. 404 for another unit's dispatch or whistle,
# read or acted on (docs/gateway.md).
body[arrive]='{"point": {"lat": 39.9025, "lon": 116.3025}}'
body[progress]='{"text": "已联系", "contacted": true}'
body[resolve]='{"text": "已处理"}'
body[return]='{"reason": "function", "text": "非本部门职责"}'
body[reassign]='{"unit": "dept.shengtai", "text": "工业噪声"}'
body[release]='{"text": "无需城管"}'
body[passup]='{"reason": "beyond", "text": "需社区协调"}'
body[target]='{"unit_kind": "department", "figure": "response", "target": 0.8, "source": "matrix"}'
body[whistle]='{"kind": "routine", "reason": "垃圾堆放", "point": {"lat": 39.9051, "lon": 116.3051}, "departments": ["dept.shuiwu"]}'
body[rating]='{"dispatch_id": {DW2}, "score": 4, "text": "及时"}'
body[rule]='{"enabled": true}'
id[RULE]=$(q "SELECT min(id) FROM routing_rules WHERE enabled")
body[evaluation]='{"result": "satisfied", "text": "满意"}'
id[CASE_EVAL]=${id[C1]} id[CASE_EVAL.res]=${id[C4]} id[MONTH]=$(TZ=Asia/Shanghai date +%Y-%m)
# Intake learns each case's lead unit from routing's events (progress.c).
check "setup: intake knows 城管 handles C1..C5" until_q "SELECT count(*) FROM cases WHERE id IN (${id[C1]}, ${id[C2]}, ${id[C3]}, ${id[C4]}, ${id[C5]}) AND lead_unit = 'dept.chengguan'" 5
matrix <<'EOF'
# route                                                none res  grid cm   sv   so   cg   sw   ctr  ldr  adm  pc   body
GET  /api/v1/me                                        401  200  200  200  200  200  200  200  200  200  200  -  
GET  /api/v1/areas                                     401  200  200  200  200  200  200  200  200  200  200  -  
POST /api/v1/cases                                     401  201  201  201  201  201  201  201  201  201  201  -    case
GET  /api/v1/cases                                     401  200  200  200  200  200  200  200  200  200  200  -  
EOF
for r in "${roles[@]}"; do cp "$tmp/ans.$r" "$tmp/cases.$r"; done
matrix <<'EOF'
GET  /api/v1/cases/{C2}                                401  404  404  200  200  200  200  200  200  200  200  -  
GET  /api/v1/dispatches                                401  403  200  200  200  200  200  200  200  200  200  -  
EOF
# What each list of cases holds (intake's casescope.c): a territorial unit
# the cases inside its area, in full; a department every case, those it
# handles (the lead unit) in full and the others with names blanked and
# phones masked; the supervision committee and the leadership every case
# masked; a resident only their own; the centre all, in full.
declare -A unit_of=([grid]=gt.s1.c1.g1 [cm]=cm.s1.c1 [sv]=sv.s1.c1 [so]=so.s1 [cg]=dept.chengguan [sw]=dept.shuiwu)
declare -A area_of=([grid]=demo.s1.c1.g1 [cm]=demo.s1.c1 [so]=demo.s1)
for r in grid cm so; do
    check "GET /api/v1/cases as $r lists only cases inside ${area_of[$r]}" \
        test "$(json "len(d['items']) > 0 and all('${area_of[$r]}' in [a['code'] for a in x['area_path']] for x in d['items'])" "$tmp/cases.$r")" = True
done
phones="[x['reporter']['phone'] for x in d['items'] if x.get('reporter')]"
for r in sv sw ldr; do
    check "GET /api/v1/cases as $r masks every phone and name" \
        test "$(json "len(d['items']) > 1 and all('*' in p or p == '' for p in $phones) and all(x['reporter']['name'] == '' for x in d['items'] if x.get('reporter'))" "$tmp/cases.$r")" = True
done
ours="[${id[C1]}, ${id[C2]}, ${id[C3]}, ${id[C4]}, ${id[C5]}]"
check "GET /api/v1/cases as cg shows the cases 城管 handles in full" \
    test "$(json "[x['reporter']['phone'] for x in d['items'] if x['id'] == ${id[C2]}]" "$tmp/cases.cg")" = "['13911112222']"
check "... and every other case masked" \
    test "$(json "len([x for x in d['items'] if x['id'] not in $ours]) > 0 and all('*' in x['reporter']['phone'] or x['reporter']['phone'] == '' for x in d['items'] if x['id'] not in $ours and x.get('reporter'))" "$tmp/cases.cg")" = True
mine=$(q "SELECT phone FROM people WHERE code = 'r.s1.c1.g1.1.1'")
check "GET /api/v1/cases as res lists only the resident's own" \
    test "$(json "len(d['items']) > 0 and all(p == '$mine' for p in $phones)" "$tmp/cases.res")" = True
check "GET /api/v1/cases as ctr shows the reporters in full" \
    test "$(json "'13911112222' in $phones" "$tmp/cases.ctr")" = True
for r in grid cm sv so cg sw; do
    check "GET /api/v1/dispatches as $r lists only ${unit_of[$r]}'s" \
        test "$(json "all(x['unit'] == '${unit_of[$r]}' for x in d['items'])" "$tmp/ans.$r")" = True
done
check "... 城管's holds D1" test "$(json "${id[D1]} in [x['id'] for x in d['items']]" "$tmp/ans.cg")" = True
for r in "${roles[@]:2}"; do
    [ "$r" = pc ] && continue # asked only on the matters' routes
    check "GET /api/v1/dispatches as $r: a queue shows no reporter in full" \
        test "$(json "all(x['reporter']['name'] == '' and ('*' in x['reporter']['phone'] or x['reporter']['phone'] == '') for x in d['items'] if x.get('reporter'))" "$tmp/ans.$r")" = True
done
for r in ctr ldr; do
    check "... the $r's holds every unit's" test "$(json "len(set(x['unit'] for x in d['items'])) > 2" "$tmp/ans.$r")" = True
done
# A unit that can see a dispatch or whistle (its own; the centre and the
# leadership see all) is told why a command is refused (403); one that cannot
# see it is told it does not exist (404), as for an id that does not.
matrix <<'EOF'
# route                                                none res  grid cm   sv   so   cg   sw   ctr  ldr  adm  pc   body
GET  /api/v1/dispatches/{D2}                            401  404  404  404  404  404  200  404  200  200  404  -
EOF
# One dispatch: its reporter in full for the unit it is sent to and the
# centre, who call them; masked for the leadership. Each full read is one
# row of pii_reads, whoever reads it, however often (the gateway does not
# cache it); a masked one writes none.
check "GET /api/v1/dispatches/{D2} as cg shows the reporter in full" \
    test "$(json "(d['item']['reporter']['name'], d['item']['reporter']['phone'])" "$tmp/ans.cg")" = "('路人甲', '13911112222')"
check "... as ctr in full" test "$(json "d['item']['reporter']['phone']" "$tmp/ans.ctr")" = 13911112222
check "... as ldr masked" test "$(json "(d['item']['reporter']['name'], d['item']['reporter']['phone'])" "$tmp/ans.ldr")" = "('', '139****2222')"
logged() { q "SELECT count(*) FROM pii_reads WHERE service = '$1' AND person = '$2' AND request = '$3' AND ids = ARRAY[$4]::bigint[] AND case_ids = ARRAY[$5]::bigint[]"; }
check "... each full read is logged: cg's" test "$(logged routing p.dept.chengguan.head GetDispatch "${id[D2]}" "${id[C2]}")" = 1
check "... the centre's" test "$(logged routing p.centre.dispatcher GetDispatch "${id[D2]}" "${id[C2]}")" = 1
check "... not the leadership's masked one" test "$(q "SELECT count(*) FROM pii_reads WHERE person = 'p.leader.head'")" = 0
call cg GET "/api/v1/dispatches/${id[D2]}"
call cg GET "/api/v1/dispatches/${id[D2]}"
check "... read twice more, logged twice more (never from a cache)" test "$(logged routing p.dept.chengguan.head GetDispatch "${id[D2]}" "${id[C2]}")" = 3
check "... GetCase of C2 by the centre is logged by intake" test "$(logged intake p.centre.dispatcher GetCase "${id[C2]}" "${id[C2]}")" = 1
check "... ListCases by cg logs the cases it showed in full, C2 among them" \
    test "$(q "SELECT count(*) FROM pii_reads WHERE service = 'intake' AND person = 'p.dept.chengguan.head' AND request = 'ListCases' AND ids @> ARRAY[${id[C2]}]::bigint[]")" = 1
check "... no read by sw, sv, ldr or a resident (they saw nothing in full)" \
    test "$(q "SELECT count(*) FROM pii_reads WHERE person IN ('p.dept.shuiwu.head', 'r.s1.c1.g2.3.2', 'p.leader.head', 'r.s1.c1.g1.1.1')")" = 0
check "pii_reads is append-only: UPDATE refused" \
    test "$(q "UPDATE pii_reads SET person = 'x'" 2>&1 | grep -c 'append-only')" = 1
check "... DELETE refused" test "$(q "DELETE FROM pii_reads" 2>&1 | grep -c 'append-only')" = 1
check "... TRUNCATE refused" test "$(q "TRUNCATE pii_reads" 2>&1 | grep -c 'append-only')" = 1
# The audit log itself: the centre and the admin read it; nobody else.
matrix <<'EOF'
# route                                                none res  grid cm   sv   so   cg   sw   ctr  ldr  adm  pc   body
GET  /api/v1/audit/reads?case_id={C2}                   401  403  403  403  403  403  403  403  200  403  200  -
EOF
check "GET /api/v1/audit/reads?case_id=C2 as ctr: cg's three reads of D2 among them" \
    test "$(json "len([x for x in d['items'] if x['person'] == 'p.dept.chengguan.head' and x['request'] == 'GetDispatch' and x['ids'] == [${id[D2]}]])" "$tmp/ans.ctr")" = 3
check "... every row shows C2 or one of its dispatches" \
    test "$(json "all(x['subject'] in ('case', 'dispatch') for x in d['items']) and len(d['items']) >= 5" "$tmp/ans.ctr")" = True
check "... refused with NOT_AUDITOR for the leadership" test "$(json "d['error']['code']" "$tmp/ans.ldr")" = NOT_AUDITOR
matrix <<'EOF'
# route                                                none res  grid cm   sv   so   cg   sw   ctr  ldr  adm  pc   body
GET  /api/v1/dispatches/{D1}                            401  404  404  404  404  404  200  404  200  200  404  -
POST /api/v1/dispatches/{D1}/sign                       401  404  404  404  404  404  201  404  403  403  404  -
POST /api/v1/dispatches/{D1}/arrive                     401  404  404  404  404  404  201  404  403  403  404  -    arrive
POST /api/v1/dispatches/{D1}/progress                   401  404  404  404  404  404  201  404  403  403  404  -    progress
POST /api/v1/dispatches/{D1}/resolve                    401  404  404  404  404  404  201  404  403  403  404  -    resolve
POST /api/v1/cases/{CASE_EVAL@}/evaluation              401  201  403  403  403  403  403  403  201  403  403  -    evaluation
POST /api/v1/dispatches/{D2}/return                     401  404  404  404  404  404  201  404  403  403  404  -    return
POST /api/v1/dispatches/{D3}/reassign                   401  404  404  404  404  404  403  404  201  403  404  -    reassign
POST /api/v1/dispatches/{DW1}/release                   401  404  404  404  404  201  403  404  403  403  404  -    release
POST /api/v1/dispatches/{DG}/pass-up                   401  404  201  404  404  404  404  404  403  403  404  -    passup
POST /api/v1/whistles                                   401  403  403  201  403  201  403  403  403  403  403  -    whistle
GET  /api/v1/whistles/{W1}                              401  404  404  404  404  200  200  404  200  200  404  -
POST /api/v1/whistles/{W2}/rating                       401  404  404  404  404  201  404  201  403  403  404  -    rating
GET  /api/v1/kpi?unit=dept.chengguan&month={MONTH}      401  200  200  200  200  200  200  200  200  200  200  -
GET  /api/v1/kpi/ranking?kind=department&month={MONTH}  401  200  200  200  200  200  200  200  200  200  200  -
POST /api/v1/kpi/targets                               401  403  403  403  403  403  403  403  403  403  201  -    target
GET  /api/v1/rules                                      401  403  200  200  200  200  200  200  200  200  200  -
POST /api/v1/rules/{RULE}                               401  403  403  403  403  403  403  403  201  403  201  -    rule
EOF
# The whistles a unit blew (routing's ListWhistles): a unit lists its own
# whatever it asks, the centre and the leadership any caller's.
matrix <<'EOF'
GET  /api/v1/whistles?caller_unit=so.s1                 401  403  200  200  200  200  200  200  200  200  200  -
EOF
check "GET /api/v1/whistles as so: its own, W1 and W2 among them" \
    test "$(json "{${id[W1]}, ${id[W2]}} <= set(x['id'] for x in d['items']) and all(x['caller_unit'] == 'so.s1' for x in d['items'])" "$tmp/ans.so")" = True
check "... as 城管 (asking for so.s1's): none, a department blows none" test "$(json "len(d['items'])" "$tmp/ans.cg")" = 0
check "... as the committee: only its own" test "$(json "all(x['caller_unit'] == 'cm.s1.c1' for x in d['items']) and len(d['items']) > 0" "$tmp/ans.cm")" = True
check "... as the centre: so.s1's" test "$(json "{${id[W1]}, ${id[W2]}} <= set(x['id'] for x in d['items'])" "$tmp/ans.ctr")" = True

# The directory and the calendar: the admin keeps them (routing's
# directory.c, holidays.c); any unit reads the units, anyone the calendar.
made PERSON "d['item']['id']" adm POST /api/v1/people '{"code": "m.person", "name": "矩阵"}'
made UNIT "d['item']['id']" adm POST /api/v1/units '{"code": "m.unit", "name": "矩阵单位", "kind": "department", "supervisor": "centre"}'
body[person]='{"code": "m.person2", "name": "矩阵二", "phone": "13912340000"}'
body[person_update]='{"name": "矩阵一", "email": "m@demo.example"}'
body[unit]='{"code": "m.unit2", "name": "矩阵单位二", "kind": "community", "area": "demo.s1.c2", "parent": "so.s1"}'
body[unit_update]='{"name": "矩阵单位一"}'
body[member]='{"person": "m.person", "role": "head"}'
body[member_remove]='{"person": "m.person"}'
body[calendar]='{"days": [{"day": "2031-10-01", "kind": "holiday", "name": "国庆节", "source": "matrix"}]}'
matrix <<'EOF'
# route                                                none res  grid cm   sv   so   cg   sw   ctr  ldr  adm  pc   body
GET  /api/v1/people                                    401  200  200  200  200  200  200  200  200  200  200  -  
EOF
for r in res grid cm sv so cg sw ctr ldr; do
    check "... as $r: only their own record, with their phone" test "$(json "[(x['code'], x['phone']) for x in d['items']]" "$tmp/ans.$r")" = "[('${person[$r]}', '$(q "SELECT phone FROM people WHERE code = '${person[$r]}'")')]"
done
check "... as the admin: everyone, a page of 50" test "$(json "len(d['items']) == 50 and d['next_after_code'] != ''" "$tmp/ans.adm")" = True
matrix <<'EOF'
POST /api/v1/people                                    401  403  403  403  403  403  403  403  403  403  201  -    person
POST /api/v1/people/{PERSON}                           401  403  403  403  403  403  403  403  403  403  201  -    person_update
GET  /api/v1/units                                     401  403  200  200  200  200  200  200  200  200  200  -  
POST /api/v1/units                                     401  403  403  403  403  403  403  403  403  403  201  -    unit
POST /api/v1/units/{UNIT}                              401  403  403  403  403  403  403  403  403  403  201  -    unit_update
POST /api/v1/units/{UNIT}/members                      401  403  403  403  403  403  403  403  403  403  201  -    member
EOF
for r in res grid cm sv so cg sw ctr ldr; do
    check "... adding a member as $r: NOT_ADMIN" test "$(json "d['error']['code']" "$tmp/ans.$r")" = NOT_ADMIN
done
matrix <<'EOF'
POST /api/v1/units/{UNIT}/members/remove               401  403  403  403  403  403  403  403  403  403  201  -    member_remove
GET  /api/v1/calendar?year=2026                        401  200  200  200  200  200  200  200  200  200  200  -  
POST /api/v1/calendar                                  401  403  403  403  403  403  403  403  403  403  201  -    calendar
EOF
for r in res grid cm sv so cg sw ctr ldr; do
    check "... importing the calendar as $r: NOT_ADMIN" test "$(json "d['error']['code']" "$tmp/ans.$r")" = NOT_ADMIN
done

# Matters: the five steps of M, with deliberation's clock moved where a window must close.
body[amend]='{"title": "楼道堆物", "body": "清理1-3层楼道堆物"}'
body[decline]='{"reason": "不属于居民自治事项"}'
body[accept]='{"window_hours": 1}'
body[opinion]='{"stance": "for", "text": "支持"}'
matrix <<'EOF'
# route                                                none res  grid cm   sv   so   cg   sw   ctr  ldr  adm  pc   body
POST /api/v1/matters                                   401  201  201  201  201  403  403  403  403  403  403  201  matter
GET  /api/v1/matters?community=demo.s1.c1              401  200  200  200  200  200  200  200  200  200  200  200
GET  /api/v1/matters/{M}                               401  200  200  200  200  200  200  200  200  200  200  200
GET  /api/v1/matters/{M}/record                        401  200  200  200  200  200  200  200  200  200  200  200
GET  /api/v1/matters/{M}/verification                  401  200  200  200  200  200  200  200  200  200  200  200
POST /api/v1/matters/{MA}/amend                        401  201  403  403  403  403  403  403  403  403  403  403  amend
POST /api/v1/matters/{M}/cosign                        401  201  403  403  201  403  403  403  403  403  403  403
POST /api/v1/matters/{MD}/decline                      401  403  403  403  403  403  403  403  403  403  403  201  decline
POST /api/v1/matters/{M}/accept                        401  403  403  403  403  403  403  403  403  403  403  201  accept
POST /api/v1/matters/{M}/opinions                      401  201  403  403  201  403  403  403  403  403  403  403  opinion
EOF
delib_clock 3601000 >/dev/null
check "setup: M's opinion window closed (deliberation's clock)" wait_until 10 step_is "${id[M]}" discussed
# The standing council of demo.s1.c1 (deploy/demo: its 8 representatives) meets.
starts=$(($(delib_clock 1) + 120000))
body[meeting]="{\"roster_kind\": \"council\", \"ballot\": \"secret\", \"motion\": \"加装电梯\", \"starts_ms\": $starts}"
body[attend]='{"person": "{ATTENDEE@}"}'
body[vote]='{"choice": "yes"}'
id[ATTENDEE]="" id[ATTENDEE.pc]=r.s1.c1.g1.4.1 id[ATTENDEE.cm]=r.s1.c1.g1.4.1
matrix <<'EOF'
# route                                                none res  grid cm   sv   so   cg   sw   ctr  ldr  adm  pc   body
POST /api/v1/matters/{M}/meeting                       401  403  403  403  403  403  403  403  403  403  403  201  meeting
EOF
delib_clock 121000 >/dev/null
matrix <<'EOF'
POST /api/v1/matters/{M}/attendance                    401  201  403  403  403  403  403  403  403  403  403  201  attend
POST /api/v1/matters/{M}/votes                         401  201  403  403  403  403  403  403  403  403  403  403  vote
EOF
id[RECEIPT]=$(json "d['receipt']" "$tmp/ans.res")
# Five more of the council vote (govctl), so the meeting has its quorum (>= 2/3 of 8).
for p in r.s1.c1.g1.4.1 r.s1.c1.g2.1.1 r.s1.c1.g2.4.1 r.s1.c1.g3.1.1 r.s1.c1.g3.4.1; do
    "$govctl" matter --as "$p" vote "${id[M]}" --choice yes >/dev/null 2>>"$tmp/govctl.err" || not_ok "setup: $p votes (govctl)"
done
body[objection]='{"text": "费用分摊不公"}'
body[review]='{"approve": true, "text": "两委联席审议通过"}'
# A secret ballot's receipt is sealed (409 BALLOT_SEALED) until the meeting closes.
matrix <<'EOF'
# route                                                none res  grid cm   sv   so   cg   sw   ctr  ldr  adm  pc   body
GET  /api/v1/matters/{M}/receipt?receipt={RECEIPT}     401  409  409  409  409  409  409  409  409  409  409  409
POST /api/v1/matters/{M}/close                         401  403  403  403  403  403  403  403  403  403  403  201
GET  /api/v1/matters/{M}/receipt?receipt={RECEIPT}     401  200  200  200  200  200  200  200  200  200  200  200
POST /api/v1/matters/{M}/reviews                       401  403  403  201  403  403  403  403  403  403  403  201  review
GET  /api/v1/council?community=demo.s1.c1              401  200  200  200  200  200  200  200  200  200  200  200
POST /api/v1/matters/{M}/publication                   401  403  403  403  403  403  403  403  403  403  403  201
POST /api/v1/matters/{M}/objections                    401  201  403  403  201  403  403  403  403  403  403  403  objection
EOF
delib_clock 601000 >/dev/null
# The 公示 ended with two objections unanswered: the decision waits for the
# party committee's answers.
check "setup: M's notice period (公示) ended, held by its objections" wait_until 10 q_is "SELECT count(*) FROM matter_records WHERE matter_id = ${id[M]} AND kind = 'window_held'" 1
id[OBJ]=$(q "SELECT min(id) FROM matter_objections WHERE matter_id = ${id[M]}")
body[answer]='{"objection_id": {OBJ}, "text": "费用按楼层分摊，已公示"}'
matrix <<'EOF'
# route                                                none res  grid cm   sv   so   cg   sw   ctr  ldr  adm  pc   body
POST /api/v1/matters/{M}/objection-answers             401  403  403  403  403  403  403  403  403  403  403  201  answer
EOF
made _ "d['item']['step']" pc POST "/api/v1/matters/${id[M]}/objection-answers" "{\"objection_id\": $(q "SELECT max(id) FROM matter_objections WHERE matter_id = ${id[M]}"), \"text\": \"已答复\"}"
check "setup: M's objections answered, the decision took effect" wait_until 10 step_is "${id[M]}" approved
body[act]='{"tasks": ["联系加装电梯公司"], "text": "启动"}'
body[mprogress]='{"text": "电梯已装好", "done": true}'
body[mevaluation]='{"rating": "satisfied", "text": "很好"}'
body[observation]='{"text": "程序合规"}'
body[rating]='{"rating": "basic", "text": "基本按期"}'
body[flag]='{"record_n": 1, "text": "受理程序存疑"}'
body[flag_answer]='{"flag_id": {FLAG}, "text": "已按程序受理"}'
# 五定: the committee assigns 城管 two tasks; 城管 reports both; the supervision
# committee checks one, the party committee the other.
body[task]='{"type": "renovation", "owner_unit": "dept.chengguan", "owner": "p.dept.chengguan.head", "standard": "电梯验收合格", "due_days": 5, "text": "清理施工占道"}'
body[task_report]='{"task_id": {TASK}, "text": "已清理"}'
body[task_check]='{"task_id": {TASK@}, "verdict": "passed", "note": "合格"}'
matrix <<'EOF'
# route                                                none res  grid cm   sv   so   cg   sw   ctr  ldr  adm  pc   body
POST /api/v1/matters/{M}/act                           401  403  403  201  403  403  403  403  403  403  403  403  act
POST /api/v1/matters/{M}/tasks                         401  403  403  201  403  403  403  403  403  403  403  403  task
EOF
id[TASK]=$(json "d['item']['tasks'][-1]['id']" "$tmp/ans.cm")
made TASK.pc "d['item']['tasks'][-1]['id']" cm POST "/api/v1/matters/${id[M]}/tasks" "${body[task]}"
made _ "d['item']['step']" cg POST "/api/v1/matters/${id[M]}/task-reports" "{\"task_id\": ${id[TASK.pc]}, \"text\": \"已清理\"}"
matrix <<'EOF'
# route                                                none res  grid cm   sv   so   cg   sw   ctr  ldr  adm  pc   body
POST /api/v1/matters/{M}/task-reports                  401  403  403  403  403  403  201  403  403  403  403  403  task_report
POST /api/v1/matters/{M}/task-checks                   401  403  403  403  201  403  403  403  403  403  403  201  task_check
POST /api/v1/matters/{M}/progress                      401  403  403  201  403  403  403  403  403  403  403  403  mprogress
POST /api/v1/matters/{M}/evaluation                    401  201  403  403  201  403  403  403  403  403  403  403  mevaluation
POST /api/v1/matters/{M}/observations                  401  403  403  403  201  403  403  403  403  403  403  403  observation
POST /api/v1/matters/{M}/execution-rating              401  403  403  403  201  403  403  403  403  403  403  403  rating
POST /api/v1/matters/{M}/flags                         401  403  403  403  201  403  403  403  403  403  403  403  flag
EOF
id[FLAG]=$(json "d['item']['flags'][0]['id']" "$tmp/ans.sv")
matrix <<'EOF'
# route                                                none res  grid cm   sv   so   cg   sw   ctr  ldr  adm  pc   body
POST /api/v1/matters/{M}/flag-answers                  401  403  403  403  403  403  403  403  403  403  403  201  flag_answer
EOF

# The 3+1 lists: needs by the committee, resources and claims by units that serve it.
body[need]='{"community": "demo.s1.c1", "title": "助老送餐", "text": "独居老人"}'
body[resource]='{"community": "demo.s1.c1", "title": "志愿服务队", "text": "每周一次"}'
body[claim]='{"need_id": {NEED@}}'
body[done]='{"result": "已完成"}'
matrix <<'EOF'
# route                                                none res  grid cm   sv   so   cg   sw   ctr  ldr  adm  pc   body
GET  /api/v1/lists?community=demo.s1.c1                401  200  200  200  200  200  200  200  200  200  200  -  
POST /api/v1/lists/needs                               401  403  403  201  403  403  403  403  403  403  403  -    need
POST /api/v1/lists/resources                           401  403  201  403  403  201  201  201  201  201  201  -    resource
POST /api/v1/lists/claims                              401  403  201  403  403  201  201  201  201  201  201  -    claim
EOF
# 城管's project is signed in the matrix, the street office's here; the
# committee reports the latter done, 城管 its own.
for r in cg so; do
    id[P_${r^^}]=$(json "[x['id'] for x in d['projects'] if x['need_id'] == ${id[NEED.$r]}][0]" "$tmp/ans.$r")
done
matrix <<'EOF'
POST /api/v1/lists/projects/{P_CG}/sign                401  403  403  201  403  403  403  403  403  403  403  -  
EOF
made _ "d['community']" cm POST "/api/v1/lists/projects/${id[P_SO]}/sign"
id[PROJECT]=${id[P_CG]} id[PROJECT.cm]=${id[P_SO]}
matrix <<'EOF'
POST /api/v1/lists/projects/{PROJECT@}/done            401  403  403  201  403  403  201  403  403  403  403  -    done
EOF

# Service orders: everyone reports as a volunteer; residents order; the station
# dispatches each order to one of them (nobody else may), who takes it; the
# grid worker's is done, confirmed by the resident and published by the committee.
body[volunteer]='{"community": "demo.s1.c1", "party_member": false, "skills": "维修"}'
body[order]='{"title": "修水龙头", "text": "厨房"}'
body[order_done]='{"result": "已修好"}'
body[order_dispatch]='{"volunteer": "r.s1.c1.g4.3.1"}'
body[order_confirm]='{"rating": "satisfied", "comment": "很好"}'
body[order_publish]='{"text": "志愿者上门修好水龙头"}'
matrix <<'EOF'
# route                                                none res  grid cm   sv   so   cg   sw   ctr  ldr  adm  pc   body
POST /api/v1/volunteers                                401  201  201  201  201  201  201  201  201  201  201  -    volunteer
POST /api/v1/orders                                    401  201  403  403  201  403  403  403  403  403  403  -    order
EOF
id[ORDER_D]=$(json "d['item']['id']" "$tmp/ans.res")
matrix <<'EOF'
POST /api/v1/orders/{ORDER_D}/dispatch                  401  403  403  403  403  403  403  403  403  403  403  -    order_dispatch
EOF
for r in grid cm sv so cg sw ctr ldr adm; do
    made "ORDER.$r" "d['item']['id']" res POST /api/v1/orders "{\"title\": \"order-$r\"}"
done
made ORDER.res "d['item']['id']" sv POST /api/v1/orders '{"title": "order-res"}'
for r in res grid cm sv so cg sw ctr ldr adm; do
    made _ "d['item']['state']" st POST "/api/v1/orders/${id[ORDER.$r]}/dispatch" "{\"volunteer\": \"${person[$r]}\"}"
done
id[ORDER]=${id[ORDER.res]}
matrix <<'EOF'
# route                                                none res  grid cm   sv   so   cg   sw   ctr  ldr  adm  pc   body
GET  /api/v1/orders?community=demo.s1.c1                401  200  200  200  200  200  200  200  200  200  200  -
GET  /api/v1/orders/{ORDER.cg}                          401  200  200  200  200  200  200  200  200  200  200  -
POST /api/v1/orders/{ORDER@}/claim                      401  201  201  201  201  201  201  201  201  201  201  -
POST /api/v1/orders/{ORDER.grid}/done                   401  403  201  403  403  403  403  403  403  403  403  -    order_done
POST /api/v1/orders/{ORDER.grid}/confirmation           401  201  403  403  403  403  403  403  403  403  403  -    order_confirm
POST /api/v1/orders/{ORDER.grid}/publication            401  403  403  201  403  403  403  403  403  403  403  -    order_publish
EOF

# 3+1 the other way (双向认领): the committee takes up 城管's resource.
made RES "d['resources'][-1]['id']" cg POST /api/v1/lists/resources '{"community": "demo.s1.c1", "title": "法律讲座", "text": "每季度"}'
matrix <<'EOF'
# route                                                none res  grid cm   sv   so   cg   sw   ctr  ldr  adm  pc   body
POST /api/v1/lists/resources/{RES}/take                 401  403  403  201  403  403  403  403  403  403  403  -
EOF

# Pairing (结对共建) and 双报到: units read them, the admin pairs, a unit's member reports.
body[pair]='{"unit": "so.s1", "community": "demo.s1.c1", "kind": "paired"}'
body[unpair]='{"unit": "so.s1", "community": "demo.s1.c1"}'
body[report]='{"grid": "demo.s1.c1.g2"}'
body[zone]='{"code": "z.s1.c1.g3.b1", "name": "三号楼党员责任区", "grid": "demo.s1.c1.g3", "buildings": ["demo.s1.c1.g3.b1"]}'
matrix <<'EOF'
# route                                                none res  grid cm   sv   so   cg   sw   ctr  ldr  adm  pc   body
GET  /api/v1/pairings?community=demo.s1.c1              401  403  200  200  200  200  200  200  200  200  200  -
POST /api/v1/pairings                                   401  403  403  403  403  403  403  403  403  403  201  -    pair
POST /api/v1/pairings/remove                            401  403  403  403  403  403  403  403  403  403  201  -    unpair
POST /api/v1/pairings/reports                           401  403  201  201  201  201  201  201  201  201  201  -    report
POST /api/v1/pairings/zones                             401  403  403  403  403  403  403  403  403  403  201  -    zone
EOF
check "the pairing added and removed, demo.s1.c1 has its eight paired units again" \
    test "$(q "SELECT count(*) FROM unit_pairings WHERE community_id = (SELECT id FROM areas WHERE code = 'demo.s1.c1')")" = 8

# Joint meetings (联席会议): the party committee sets a weekly one starting two
# minutes from deliberation's clock, made at once (a lead of an hour); from its
# start the member units (城管, 水务) and the committees attend; the party
# committee records a decision, closes it and stops the schedule.
now=$(delib_clock 1)
read -r jwd jmin < <(python3 -c "
import datetime as dt
t = dt.datetime.utcfromtimestamp(($now + 180000) / 1000) + dt.timedelta(hours=8)
print(['mon','tue','wed','thu','fri','sat','sun'][t.weekday()], t.hour * 60 + t.minute)")
body[joint_schedule]="{\"community\": \"demo.s1.c1\", \"title\": \"社区工作联席会议\", \"rule\": \"weekly $jwd keep\", \"start_minute\": $jmin, \"lead_minutes\": 60}"
body[joint_decision]='{"text": "老旧小区加装电梯：住建牵头", "unit": "dept.zhujian"}'
matrix <<'EOF2'
# route                                                none res  grid cm   sv   so   cg   sw   ctr  ldr  adm  pc   body
POST /api/v1/joint-schedules                            401  403  403  403  403  403  403  403  403  403  403  201  joint_schedule
EOF2
id[JS]=$(json "d['item']['id']" "$tmp/ans.pc")
wait_until 10 q_is "SELECT count(*) FROM joint_meetings WHERE schedule_id = ${id[JS]:-0}" 1 || not_ok "setup: the joint meeting is made"
id[JM]=$(q "SELECT id FROM joint_meetings WHERE schedule_id = ${id[JS]:-0}")
delib_clock 300000 >/dev/null
matrix <<'EOF2'
# route                                                none res  grid cm   sv   so   cg   sw   ctr  ldr  adm  pc   body
GET  /api/v1/joint-meetings?community=demo.s1.c1        401  200  200  200  200  200  200  200  200  200  200  200
GET  /api/v1/joint-meetings/{JM}                        401  200  200  200  200  200  200  200  200  200  200  200
POST /api/v1/joint-meetings/{JM}/attendance             401  403  403  201  403  403  201  201  403  403  403  201
POST /api/v1/joint-meetings/{JM}/decisions              401  403  403  403  403  403  403  403  403  403  403  201  joint_decision
POST /api/v1/joint-meetings/{JM}/close                  401  403  403  403  403  403  403  403  403  403  403  201
POST /api/v1/joint-schedules/{JS}/stop                  401  403  403  403  403  403  403  403  403  403  403  201
EOF2
check "the joint meeting was held: 4 units came (the committees, 城管, 水务), 1 decision" \
    q_is "SELECT state || '/' || (SELECT count(*) FROM joint_attendance WHERE meeting_id = m.id) || '/' || (SELECT count(*) FROM joint_decisions WHERE meeting_id = m.id) FROM joint_meetings m WHERE id = ${id[JM]:-0}" held/4/1

# --- guessing ids tells nothing -------------------------------------------------------------
# same_as_missing NAME ROLE METHOD PATH MISSING-PATH [BODY]: ROLE gets the same
# answer for PATH (another's) as for MISSING-PATH (nothing), ids aside.
same_as_missing() {
    local name=$1 role=$2 method=$3 path=$4 missing=$5 data=${6:-}
    call "$role" "$method" "$path" "$data"; local s1=$status; sed -E 's/[0-9]+//g' "$tmp/out" >"$tmp/theirs"
    call "$role" "$method" "$missing" "$data"; sed -E 's/[0-9]+//g' "$tmp/out" >"$tmp/missing"
    if [ "$s1" = "$status" ] && cmp -s "$tmp/theirs" "$tmp/missing"; then ok "$name"; else
        not_ok "$name" "$method $path: HTTP $s1 $(head -c 200 "$tmp/theirs")" "$method $missing: HTTP $status $(head -c 200 "$tmp/missing")"
    fi
}
nothing=999999999
same_as_missing "水务 reading 城管's dispatch by its id: as if there were none" sw GET "/api/v1/dispatches/${id[D5]}" "/api/v1/dispatches/$nothing"
same_as_missing "水务 signing 城管's dispatch by its id: as if there were none" sw POST "/api/v1/dispatches/${id[D5]}/sign" "/api/v1/dispatches/$nothing/sign"
same_as_missing "水务 reassigning 城管's dispatch: as if there were none" sw POST "/api/v1/dispatches/${id[D5]}/reassign" "/api/v1/dispatches/$nothing/reassign" "${body[reassign]}"
same_as_missing "a resident signing a dispatch: as if there were none" res POST "/api/v1/dispatches/${id[D5]}/sign" "/api/v1/dispatches/$nothing/sign"
same_as_missing "水务 reading a whistle it was not summoned by: as if there were none" sw GET "/api/v1/whistles/${id[W1]}" "/api/v1/whistles/$nothing"
same_as_missing "城管 rating a whistle it was not summoned by: as if there were none" cg POST "/api/v1/whistles/${id[W2]}/rating" "/api/v1/whistles/$nothing/rating" "$(expand "${body[rating]}" cg)"

# --- credentials ------------------------------------------------------------------------------
"$govctl" token create --person "${person[cg]}" --ttl 1h --name matrix >"$tmp/token" 2>>"$tmp/govctl.err"
token=$(tail -1 "$tmp/token") tid=$(head -1 "$tmp/token" | awk '{print $2}')
expect "an API token reads 城管's queue" 200 none GET /api/v1/dispatches "" -H "Authorization: Bearer $token"
expect "... and acts without a CSRF token" 201 none POST "/api/v1/dispatches/${id[D5]}/progress" '{"text": "在路上"}' -H "Authorization: Bearer $token"
"$govctl" token revoke "$tid" >/dev/null 2>>"$tmp/govctl.err" || not_ok "govctl token revoke $tid"
expect "a revoked token: 401" 401 none GET /api/v1/dispatches "" -H "Authorization: Bearer $token"
expect "... also for a command" 401 none POST "/api/v1/dispatches/${id[D5]}/progress" '{"text": "在路上"}' -H "Authorization: Bearer $token"
effects="SELECT (SELECT count(*) FROM case_callers) || '/' || (SELECT count(*) FROM matter_records)"
before=$(q "$effects")
expect "a command with the cookie but no CSRF token: 403" 403 none POST /api/v1/cases "${body[case]}" -b "$tmp/res.jar"
check "... CSRF_REQUIRED" test "$(json "d['error']['code']")" = CSRF_REQUIRED
expect "... or a wrong one" 403 none POST /api/v1/matters/"${id[M]}"/observations "${body[observation]}" -b "$tmp/sv.jar" -H "X-CSRF-Token: ${csrf[res]}"
check "... which ran nothing" q_is "$effects" "$before"
expect "logging out without the CSRF token: 403" 403 none DELETE /api/v1/session "" -b "$tmp/ldr.jar"
expect "... the session still works" 200 ldr GET /api/v1/me
expect "... logging out with it" 200 ldr DELETE /api/v1/session
expect "... then the cookie is refused" 401 ldr GET /api/v1/me
expect "a body over GOV_GATEWAY_MAX_BODY: 413" 413 res POST /api/v1/cases "{\"description\": \"$(head -c 5000 /dev/zero | tr '\0' x)\"}"

# --- Idempotency-Key: a retried command acts once, in every service ---------------------------
progress_rows="SELECT count(*) FROM dispatch_log WHERE dispatch_id = ${id[D5]} AND text = '重试'"
expect "routing: a progress note with an Idempotency-Key" 201 cg POST "/api/v1/dispatches/${id[D5]}/progress" '{"text": "重试"}' -H 'Idempotency-Key: matrix-progress-1'
cp "$tmp/out" "$tmp/first"
expect "... sent again" 201 cg POST "/api/v1/dispatches/${id[D5]}/progress" '{"text": "重试"}' -H 'Idempotency-Key: matrix-progress-1'
check "... gets the first answer" cmp -s "$tmp/first" "$tmp/out"
check "... and logs one note" q_is "$progress_rows" 1
expect "... the key with another body: 409" 409 cg POST "/api/v1/dispatches/${id[D5]}/progress" '{"text": "另一条"}' -H 'Idempotency-Key: matrix-progress-1'
check "... IDEMPOTENCY_CONFLICT" test "$(json "d['error']['code']")" = IDEMPOTENCY_CONFLICT
check "... which logged nothing" q_is "SELECT count(*) FROM dispatch_log WHERE dispatch_id = ${id[D5]} AND text = '另一条'" 0
retry='{"channel": "app", "category": "help.water", "description": "停水", "location": {"point": {"lat": 39.9012, "lon": 116.3012}}}'
expect "intake: a case with an Idempotency-Key" 201 res POST /api/v1/cases "$retry" -H 'Idempotency-Key: matrix-case-1'
first_case=$(json "d['case_id']")
expect "... sent again" 201 res POST /api/v1/cases "$retry" -H 'Idempotency-Key: matrix-case-1'
check "... is the same case, replayed" test "$(json "d['case_id'], d['replayed']")" = "$first_case True"
check "... with one caller" q_is "SELECT count(*) FROM case_callers WHERE case_id = $first_case" 1
expect "... the key with another body: 409" 409 res POST /api/v1/cases "${retry/停水/没水}" -H 'Idempotency-Key: matrix-case-1'
expect "... the same key and body from another person" 201 grid POST /api/v1/cases "$retry" -H 'Idempotency-Key: matrix-case-1'
check "... is that person's own report, not a replay of the first" test "$(json "d['replayed']")" = False
check "... so the case has two callers" q_is "SELECT count(*) FROM case_callers WHERE case_id = $first_case" 2
observations="SELECT count(*) FROM matter_records WHERE matter_id = ${id[M]} AND kind = 'observation'"
before=$(q "$observations")
expect "deliberation: an observation with an Idempotency-Key" 201 sv POST "/api/v1/matters/${id[M]}/observations" '{"text": "再次核查"}' -H 'Idempotency-Key: matrix-observe-1'
cp "$tmp/out" "$tmp/first"
expect "... sent again" 201 sv POST "/api/v1/matters/${id[M]}/observations" '{"text": "再次核查"}' -H 'Idempotency-Key: matrix-observe-1'
check "... gets the first answer" cmp -s "$tmp/first" "$tmp/out"
check "... and records one observation" q_is "$observations" $((before + 1))
expect "... the key with another body: 409" 409 sv POST "/api/v1/matters/${id[M]}/observations" '{"text": "别的"}' -H 'Idempotency-Key: matrix-observe-1'

# --- the document and the gateway name the same routes ----------------------------------------
python3 tests/cli/openapi_check.py routes "$spec" >"$tmp/documented"
while read -r method path; do
    p=${path//\{id\}/1}
    call none "$method" "$p" "$([ "$method" = POST ] && echo '{}')"
    if [[ $status = 40[45] ]] && [ "$(json "d['error']['code']")" = NO_ROUTE ]; then
        not_ok "$method $path of $spec is a route of the gateway" "HTTP $status NO_ROUTE"
    else
        ok "$method $path of $spec is a route of the gateway"
    fi
done <"$tmp/documented"
sed -nE 's/^ *(POST|GET)\("([^"]+)",.*/\1 \2/p' services/gateway/api.c >"$tmp/table"
while read -r route; do
    check "$route of api.c's table is in $spec" grep -qxF "$route" "$tmp/documented"
    [ -n "${covered[$route]:-}" ] || not_ok "$route of api.c's table is in the matrix"
done <"$tmp/table"
expect "a method a route does not have: 405" 405 none PUT /api/v1/cases
if [ "$invalid" -eq 0 ]; then ok "all $checked answers, and the bodies the gateway took, fit $spec"; fi

# Below the gateway: no service answers a ZeroMQ client it does not know, and
# each answers the gateway's key (tests/it/test_curve.c does the same for a
# service's events, and counts the refusals). A stranger has the right server key and a
# pair of its own; "none" speaks no CURVE at all.
mkdir -p "$tmp/stranger" && cp "$GOV_KEYS_DIR/server.pub" "$tmp/stranger/" &&
    "$govctl" keys generate "$tmp/stranger" stranger >/dev/null
ask() { # SERVICE: a read each service answers (govctl's own words for it)
    case $1 in
    intake) "$govctl" case list --limit 1 ;;
    routing) "$govctl" kpi --unit dept.chengguan --month "$(TZ=Asia/Shanghai date +%Y-%m)" ;;
    deliberation) "$govctl" matter list ;;
    esac
}
for svc in intake routing deliberation; do
    expect_status "$svc answers the gateway's key" 0 env GOV_KEY_NAME=gateway bash -c "$(declare -f ask); govctl='$govctl' ask $svc"
    expect_status "$svc does not answer a client without a key" 1 env -u GOV_KEYS_DIR GOV_TIMEOUT_MS=700 bash -c "$(declare -f ask); govctl='$govctl' ask $svc"
    expect_status "$svc does not answer an unknown key" 1 env GOV_KEYS_DIR="$tmp/stranger" GOV_KEY_NAME=stranger GOV_TIMEOUT_MS=700 bash -c "$(declare -f ask); govctl='$govctl' ask $svc"
    contains "... the client only times out" "$tmp/err" "timed out"
done
echo "1..$n"
