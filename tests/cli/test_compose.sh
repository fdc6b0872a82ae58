#!/usr/bin/env bash
# docker-compose.yml really started, as an ops engineer runs it (docs/deploy.md):
# the images built (cached by a hash of their sources, so a second run builds
# nothing), the secrets made once, `up` on an empty volume in order, only the
# gateway's port published and only on 127.0.0.1, PostgreSQL by password only,
# each service holding only its own secret key and logging in as its own role
# (refused on another's tables); a case filed through Open311
# with an api key made inside the stack is dispatched and its notification
# reaches the sink; `stop` + `up` and `down` + `up` keep the data and come back
# healthy; Prometheus sees latency histograms and subscription lag; `down -v`
# leaves nothing; then an upgrade from the version before the newest
# migration, with data, keeps it. Every stage says how long it took.
# Skips (one TAP "# SKIP" line) only when no Docker engine can be reached or
# started.
set -u
cd "$(dirname "$0")/../.."
top=$(pwd)
tmp=$(mktemp -d)
. tests/cli/tap.sh

skip() { echo "ok 1 - docker compose # SKIP $1"; echo "1..1"; rm -rf "$tmp"; exit 0; }
# The sanitizer pass of tests/run.sh runs every CLI test again with its own
# binaries; the images build from the sources, not from $GOV_BIN, so a second
# run would check exactly the same images.
case "${GOV_BIN:-}" in */asan/*) skip "the images build from the sources, not from $GOV_BIN: the plain pass ran this" ;; esac

# --- a Docker engine, started when it is installed but not running ----------------------------
if ! docker info >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && command -v dockerd >/dev/null; then
        # In a subshell, so the engine is no child of this script: the `wait`s
        # below wait for this script's own jobs, never for dockerd.
        (setsid nohup dockerd >/tmp/gov-dockerd.log 2>&1 </dev/null &)
        for _ in $(seq 60); do docker info >/dev/null 2>&1 && break; sleep 0.5; done
    fi
    docker info >/dev/null 2>&1 || skip "no Docker engine here and none could be started (see /tmp/gov-dockerd.log)"
fi
if docker compose version >/dev/null 2>&1; then compose=(docker compose); else compose=(docker-compose); fi

# Only the settings this test chooses reach the compose file.
unset GOV_NOTIFY_SMTP_URL GOV_NOTIFY_SMS_URL GOV_LOG_LEVEL GOV_LOAD_DEMO GOV_GATEWAY_ADDR GOV_IMAGE GOV_DB_IMAGE \
    GOV_PROMETHEUS_ADDR GOV_PROMETHEUS_IMAGE
export COMPOSE_PROJECT_NAME="govtest$$" COMPOSE_PROFILES=demo
export GOV_SECRETS_DIR="$tmp/secrets"
export GOV_GATEWAY_PORT; GOV_GATEWAY_PORT=$(bash deploy/pg.sh freeport)
export GOV_PROMETHEUS_PORT; GOV_PROMETHEUS_PORT=$(bash deploy/pg.sh freeport)
c() { "${compose[@]}" "$@"; }
t_stage=$(date +%s) t_all=$t_stage
stage() { local now; now=$(date +%s); echo "# stage: $1 took $((now - t_stage)) s"; t_stage=$now; }
cleanup() {
    COMPOSE_PROFILES=demo,observe c down -v --remove-orphans >"$tmp/down.log" 2>&1
    COMPOSE_PROJECT_NAME="govup$$" c down -v --remove-orphans >>"$tmp/down.log" 2>&1
    # The secrets belong to the image's user: removed from inside a container.
    [ -n "${GOV_TAG:-}" ] && docker run --rm --user 0:0 --entrypoint rm -v "$tmp:/t" "gov-backbone:$GOV_TAG" -rf /t/secrets >/dev/null 2>&1
    rm -rf "$tmp"
}
trap cleanup EXIT

# --- images: the base from Debian, then the services' and the database's, by content tag -----
# The tag is a hash of what goes into each image, so a run with nothing changed
# finds its images and builds nothing (tests/cli/compose_tags.sh).
if base=$(bash deploy/compose/base.sh 2>"$tmp/base.err" | tail -1) && [ -n "$base" ]; then
    ok "a Debian 12 base image ($base)"
else
    not_ok "a Debian 12 base image" "$(tail -5 "$tmp/base.err")"; echo "1..$n"; exit 1
fi
export GOV_BASE_IMAGE=$base
. tests/cli/compose_tags.sh
built=""
for svc in migrate:gov-backbone:$GOV_TAG db:gov-postgis:$GOV_DB_TAG prometheus:gov-prometheus:$GOV_PROMETHEUS_TAG; do
    name=${svc%%:*} image=${svc#*:}
    if docker image inspect "$image" >/dev/null 2>&1; then continue; fi
    built="$built $image"
    if ! c build "$name" >"$tmp/build-$name.log" 2>&1; then
        not_ok "the image $image builds" "$(tail -15 "$tmp/build-$name.log")"; echo "1..$n"; exit 1
    fi
done
ok "the images gov-backbone:$GOV_TAG, gov-postgis:$GOV_DB_TAG, gov-prometheus:$GOV_PROMETHEUS_TAG (${built:+built:}${built:-cached})"
check "... the services' image runs as uid 10001, not root" \
    test "$(docker image inspect -f '{{.Config.User}}' "gov-backbone:$GOV_TAG")" = "10001:10001"
check "... and carries no compiler" docker run --rm --entrypoint sh "gov-backbone:$GOV_TAG" -c '! command -v cc'
# Version A for the upgrade at the end: the parent of the last commit that
# changed deploy/migrations (or GOV_UPGRADE_FROM), its own compose file and
# images from its own tree, tagged by its commit so they are built once.
from=$(git rev-parse -q --verify "${GOV_UPGRADE_FROM:-$(git rev-list -1 HEAD -- deploy/migrations)^}^{commit}" 2>/dev/null)
now_migrations=$(ls deploy/migrations | grep -c '^[0-9]\{4\}_.*\.sql$')
from_migrations=$([ -n "$from" ] && git ls-tree --name-only "$from" deploy/migrations/ | grep -c '/[0-9]\{4\}_.*\.sql$')
adir="$tmp/from" atag="from-$(git rev-parse --short=12 "${from:-HEAD}")" up_port=$(bash deploy/pg.sh freeport)
# ca: compose as version A (its file, its images); cb: as this tree; both the project govupPID.
ca() { (cd "$adir" && COMPOSE_PROJECT_NAME="govup$$" GOV_TAG=$atag GOV_DB_TAG=$atag GOV_GATEWAY_PORT=$up_port "${compose[@]}" "$@"); }
cb() { COMPOSE_PROJECT_NAME="govup$$" GOV_GATEWAY_PORT=$up_port "${compose[@]}" "$@"; }
a_built=none
if [ -n "$from" ] && [ "${from_migrations:-0}" -lt "$now_migrations" ]; then
    mkdir -p "$adir" && git archive "$from" | tar -x -C "$adir"
    if docker image inspect "gov-backbone:$atag" "gov-postgis:$atag" >/dev/null 2>&1; then a_built=cached
    else a_built=built; ca build migrate db >"$tmp/build-from.log" 2>&1 || a_built=failed; fi
    check "version A for the upgrade (${from:0:12}, $from_migrations migrations): images $a_built" test "$a_built" != failed
    [ "$a_built" = failed ] && tail -20 "$tmp/build-from.log" | sed 's/^/# /'
fi
images_s=$(($(date +%s) - t_stage))
stage images

# --- secrets, once --------------------------------------------------------------------------
expect_status "deploy/compose/secrets.sh makes the secrets" 0 bash deploy/compose/secrets.sh "$GOV_SECRETS_DIR"
pw=$(cat "$GOV_SECRETS_DIR/db_password" 2>/dev/null)
check "... a database password of 32 characters" test "${#pw}" = 32
svc_pw() { for n in intake routing deliberation notify gateway; do cat "$GOV_SECRETS_DIR/db_password_$n" 2>/dev/null; echo; done; }
check "... and one for each service's own login, each 32 characters and each its own" \
    test "$(svc_pw | grep -cxE '[A-Za-z0-9_-]{32}') $(svc_pw | sort -u | wc -l)" = "5 5"
check "... and the CURVE keys (server pair, six clients, actors) and the tally pair" \
    test "$(ls "$GOV_SECRETS_DIR/keys" | wc -l)" = 17
sum() { (cd "$GOV_SECRETS_DIR" && sha256sum db_password* keys/*); }
sum >"$tmp/secrets.sum"
expect_status "... running it again" 0 bash deploy/compose/secrets.sh "$GOV_SECRETS_DIR"
check "... changes nothing" diff "$tmp/secrets.sum" <(sum)
check "... none of them readable by other users" \
    test -z "$(find "$GOV_SECRETS_DIR" -perm /077 -type f)"

# --- helpers ------------------------------------------------------------------------------
services=(db intake routing deliberation notify gateway)
cid() { c ps -q "$1" 2>/dev/null | head -1; }
health() { local id; id=$(cid "$1"); [ -n "$id" ] && docker inspect -f '{{.State.Health.Status}}' "$id" 2>/dev/null; }
# all_healthy SECONDS: every service's health check passes within SECONDS.
all_healthy() {
    local deadline=$(($(date +%s) + $1)) s bad
    while :; do
        bad=""
        for s in "${services[@]}"; do [ "$(health "$s")" = healthy ] || bad="$bad $s"; done
        [ -z "$bad" ] && return 0
        [ "$(date +%s)" -ge "$deadline" ] && { echo "not healthy:$bad" >&2; return 1; }
        sleep 1
    done
}
migrate_exit() { docker inspect -f '{{.State.Status}} {{.State.ExitCode}}' "$(c ps -a -q migrate | head -1)" 2>/dev/null; }
gw="http://127.0.0.1:$GOV_GATEWAY_PORT"
psql_db() { c exec -T -u postgres db psql -tAq -d gov -c "$1" 2>/dev/null | tr -d '\r'; }
json() { python3 -c "import json,sys; d=json.load(open('$tmp/out')); print($1)" 2>/dev/null; }
# dispatched ID: Open311 names the agency responsible once routing has dispatched the case.
dispatched() {
    for _ in $(seq 60); do
        curl -s -o "$tmp/out" "$gw/open311/v2/requests/$1.json" && [ -n "$(json "d[0].get('agency_responsible', '')")" ] && return 0
        sleep 0.5
    done
    return 1
}
said='description=%E5%A4%9C%E9%97%B4%E6%96%BD%E5%B7%A5%E5%99%AA%E9%9F%B3%E6%89%B0%E6%B0%91' # 夜间施工噪音扰民
# file LAT LONG: files a noise complaint through Open311 and prints its id.
file() {
    curl -s -o "$tmp/out" -X POST "$gw/open311/v2/requests.json" \
        -d "api_key=$key&service_code=complaint.noise&lat=$1&long=$2&phone=13800001234&$said" &&
        json "d[0]['service_request_id']"
}
logs_on_failure() { [ "$failed" -eq 0 ] || c logs --no-color --tail 30 2>&1 | sed 's/^/# /' | tail -120; }

# --- up on an empty volume ----------------------------------------------------------------
expect_status "up -d on an empty volume" 0 c up -d
[ "$failed" -eq 0 ] || sed 's/^/# /' "$tmp/err" | tail -20
if all_healthy 180 2>"$tmp/err"; then ok "db, intake, routing, deliberation, notify and gateway healthy"; else not_ok "every service healthy" "$(cat "$tmp/err")"; fi
check "... after the migrations job succeeded" test "$(migrate_exit)" = "exited 0"
check "... the gateway answers on 127.0.0.1:$GOV_GATEWAY_PORT" curl -fsS -o /dev/null "$gw/open311/v2/discovery.json"
stage "up on an empty volume"

# --- the front door is the only door -----------------------------------------------------
published=$(for s in "${services[@]}" migrate sink; do
    id=$(c ps -a -q "$s" | head -1)
    docker inspect -f '{{range $p, $b := .NetworkSettings.Ports}}{{range $b}}{{$p}}={{.HostIp}}:{{.HostPort}} {{end}}{{end}}' "$id"
done | xargs)
check "only the gateway's port is published, on 127.0.0.1 ($published)" test "$published" = "8080/tcp=127.0.0.1:$GOV_GATEWAY_PORT"
lan=$(ip -4 -o addr show scope global 2>/dev/null | awk '{sub("/.*", "", $4); print $4; exit}')
if [ -n "$lan" ]; then
    check "... and not reachable on this host's other address ($lan)" \
        bash -c "! curl -s -m 3 -o /dev/null http://$lan:$GOV_GATEWAY_PORT/"
fi
expect_status "PostgreSQL refuses the role gov without its password" 2 \
    c exec -T -e PGPASSWORD= gateway psql -h db -U gov -d gov -w -c 'SELECT 1'
contains "... (password authentication)" "$tmp/err" "password"
expect_status "... refuses a wrong password" 2 c exec -T -e PGPASSWORD=wrong gateway psql -h db -U gov -d gov -c 'SELECT 1'
expect_status "... refuses the superuser over the network even with the password" 2 \
    c exec -T gateway gov-entry psql -h db -U postgres -d gov -c 'SELECT 1'
expect_status "... admits gov with the secret" 0 \
    c exec -T db sh -c 'PGPASSWORD=$(cat /run/secrets/db_password) psql -h 127.0.0.1 -U gov -d gov -tAc "SELECT 1"'
check "... stored as a SCRAM-SHA-256 verifier" test "$(psql_db "SELECT left(rolpassword, 14) FROM pg_authid WHERE rolname = 'gov'")" = 'SCRAM-SHA-256$'
check "... gov owns the database and is no superuser" test "$(psql_db "SELECT r.rolsuper::text || ' ' || (d.datdba = r.oid)::text FROM pg_roles r, pg_database d WHERE r.rolname = 'gov' AND d.datname = 'gov'")" = "false true"
# Least privilege (deploy/migrations/0016_roles.sql): each service logs in as its own role.
expect_status "the gateway logs in as its own role with its own secret" 0 \
    c exec -T gateway gov-entry psql -h db -U gov_gateway_login -d gov -tAc 'SELECT current_user'
check "... gov_gateway_login" test "$(tr -d '\r' <"$tmp/out")" = gov_gateway_login
expect_status "... which may not UPDATE cases" 1 c exec -T gateway gov-entry psql -h db -U gov_gateway_login -d gov \
    -v ON_ERROR_STOP=1 -c 'UPDATE cases SET status = status'
contains "... (permission denied)" "$tmp/err" "permission denied"
expect_status "notify's role may not read ballots" 1 c exec -T notify gov-entry psql -h db -U gov_notify_login -d gov \
    -v ON_ERROR_STOP=1 -c 'SELECT count(*) FROM meeting_ballots'
c exec -T gateway ls /run/secrets >"$tmp/gateway-secrets" 2>&1
check "... and no service holds the owner's password" bash -c "! grep -qx db_password '$tmp/gateway-secrets'"
check "each service is connected as its own role, none as the owner" test "$(psql_db "SELECT string_agg(DISTINCT usename, ' ' ORDER BY usename) FROM pg_stat_activity WHERE datname = 'gov' AND usename LIKE 'gov%'")" = \
    "gov_deliberation_login gov_gateway_login gov_intake_login gov_notify_login gov_routing_login"
check "... their passwords stored as SCRAM-SHA-256 verifiers" \
    test "$(psql_db "SELECT count(*) FROM pg_authid WHERE rolname LIKE 'gov\_%\_login' AND rolpassword LIKE 'SCRAM-SHA-256\$%'")" = 5
c exec -T intake ls /run/secrets >"$tmp/intake-secrets" 2>&1
check "intake holds its own secret key and the server's" grep -qx intake.key "$tmp/intake-secrets"
check "... but no other process's secret key" test "$(grep -c '\.key$' "$tmp/intake-secrets")" = 2
for s in "${services[@]}" migrate; do docker inspect "$(c ps -a -q "$s" | head -1)"; done >"$tmp/inspect"
docker image history --no-trunc "gov-backbone:$GOV_TAG" >"$tmp/history"
leaked() { { echo "$pw"; svc_pw; } | grep -v '^$' | grep -cF -f - "$1"; }
check "no database password is in a container's configuration" test "$(leaked "$tmp/inspect")" = 0
check "... nor in the image" test "$(leaked "$tmp/history")" = 0
stage "ports and secrets"

# --- a case through the front door, dispatched, notified -------------------------------------
expect_status "govctl apikey create inside the stack (docker-compose run govctl)" 0 c run --rm -T govctl apikey create --name compose-test
key=$(tail -1 "$tmp/out" | tr -d '\r')
id1=$(file 39.9025 116.3025)
check "a case filed through Open311 ($id1)" test -n "$id1"
check "... is dispatched" dispatched "$id1"
unit=$(json "d[0]['agency_responsible']")
sink_has() { # ID: the sink received a message naming the case
    for _ in $(seq 60); do
        c exec -T sink cat /tmp/sink.jsonl 2>/dev/null | grep -q -- "$1" && return 0
        sleep 0.5
    done
    return 1
}
check "... to a department ($unit), whose robot the sink hears about it" sink_has "$id1"
stage "a case through the gateway"

# --- backup and restore as docs/deploy.md says ---------------------------------------------
c exec -T -u postgres db pg_dump -Fc gov >"$tmp/gov.dump" 2>"$tmp/err"
check "pg_dump -Fc in the db container makes a backup" test -s "$tmp/gov.dump"
restore() {
    c exec -T -u postgres db dropdb --if-exists gov_restore &&
        c exec -T -u postgres db createdb -O gov gov_restore &&
        c exec -T -u postgres db pg_restore -d gov_restore <"$tmp/gov.dump"
}
expect_status "... pg_restore puts it into a new database" 0 restore
restored() { c exec -T -u postgres db psql -tAq -d gov_restore -c "SELECT count(*) FROM cases WHERE id = $id1" | tr -d '\r'; }
check "... with the case in it" test "$(restored)" = 1
c exec -T -u postgres db dropdb gov_restore >/dev/null 2>&1
stage "backup and restore"

# --- stop + up: nothing lost, everything back ---------------------------------------------
expect_status "stop" 0 c stop
expect_status "up -d again on the same volume" 0 c up -d
if all_healthy 180 2>"$tmp/err"; then ok "... every service healthy again"; else not_ok "... every service healthy again" "$(cat "$tmp/err")"; fi
check "... the migrations job succeeded again (changing nothing)" test "$(migrate_exit)" = "exited 0"
check "... the case is still there, dispatched" dispatched "$id1"
id2=$(file 39.9125 116.3125)
check "... and a new case is dispatched ($id2)" dispatched "$id2"
stage "stop + up"

# --- each service restarted in turn while a client files: nothing lost, nothing twice -----------
# A resident's API token; each case is POSTed during one container's restart and retried
# with the same Idempotency-Key until it is answered 201 (the gateway's own restart, or
# intake's, refuses or drops the first tries).
expect_status "govctl token create for a resident" 0 c run --rm -T govctl token create --person r.s1.c1.g1.1.1 --ttl 1h --name compose-test
token=$(tail -1 "$tmp/out" | tr -d '\r')
post_retrying() { # KEY LAT: prints the case id once answered 201; counts tries in $tmp/tries-KEY
    local body code
    body='{"channel": "app", "category": "complaint.noise", "description": "restart '$1'", "location": {"point": {"lat": '$2', "lon": 116.327}}, "reporter": {"phone": "13800001234"}}'
    for _ in $(seq 120); do
        echo >>"$tmp/tries-$1"
        code=$(curl -s -m 5 -o "$tmp/post" -w '%{http_code}' -H "Authorization: Bearer $token" -H "Idempotency-Key: $1" \
            -H 'Content-Type: application/json' -d "$body" "$gw/api/v1/cases")
        [ "$code" = 201 ] && { python3 -c "import json; print(json.load(open('$tmp/post'))['case_id'])"; return 0; }
        sleep 0.5
    done
    return 1
}
tries() { wc -l <"$tmp/tries-$1" 2>/dev/null | tr -d ' '; }
# Each service is stopped, a case is filed while it is down, and it is started 2 s later.
i=0 restarted=()
for s in intake routing deliberation notify gateway; do
    id=$(cid "$s")
    docker stop -t 10 "$id" >/dev/null
    (sleep 2; docker start "$id" >/dev/null) & starter=$!
    id=$(post_retrying "compose-restart-$s" "$(python3 -c "print(f'{39.905 + $i * 0.004:.4f}')")")
    wait "$starter"
    check "$s stopped and started while a case is filed: answered after $(tries "compose-restart-$s") tries ($id)" test -n "$id"
    restarted+=("$s:$id") i=$((i + 1))
done
check "... the client did retry while the gateway was down" test "$(tries compose-restart-gateway)" -gt 1
if all_healthy 120 2>"$tmp/err"; then ok "... every service healthy after its restart"; else not_ok "... every service healthy after its restart" "$(cat "$tmp/err")"; fi
for entry in "${restarted[@]}"; do
    s=${entry%%:*} id=${entry#*:}
    check "... the case filed during $s's restart stored once" \
        test "$(psql_db "SELECT count(*) FROM cases WHERE description = 'restart compose-restart-$s'")" = 1
    check "... and dispatched" dispatched "$id"
done
replay=$(post_retrying compose-restart-gateway 39.9210)
check "... the same key again answers the same case, filing nothing" test "$replay" = "${restarted[4]#*:}"
stage "restart each service"

# --- down + up: the named volume keeps the data -------------------------------------------
expect_status "down (keeping the volume)" 0 c down
check "... no container left" test -z "$(c ps -a -q)"
expect_status "up -d on the kept volume" 0 c up -d
if all_healthy 180 2>"$tmp/err"; then ok "... every service healthy"; else not_ok "... every service healthy" "$(cat "$tmp/err")"; fi
check "... both cases there" bash -c "curl -fs '$gw/open311/v2/requests/$id1.json' >/dev/null && curl -fs '$gw/open311/v2/requests/$id2.json' >/dev/null"
check "... stored once each" test "$(psql_db "SELECT count(*) FROM cases WHERE id IN ($id1, $id2)")" = 2
check "... the api key made before still files cases" test -n "$(file 39.9225 116.3225)"
stage "down + up"

# --- observe: Prometheus scrapes every service, the rules hold, one alert fires -------------
prom="http://127.0.0.1:$GOV_PROMETHEUS_PORT/api/v1"
expect_status "promtool check rules deploy/prometheus/alerts.yml" 0 \
    docker run --rm --entrypoint promtool -v "$top/deploy/prometheus:/etc/gov-prometheus:ro" \
    "gov-prometheus:$GOV_PROMETHEUS_TAG" check rules /etc/gov-prometheus/alerts.yml
expect_status "up -d with the observe profile starts Prometheus" 0 env COMPOSE_PROFILES=demo,observe "${compose[@]}" up -d prometheus
pq() { # PYTHON-EXPR over the answer to GET $prom/PATH: prints it
    curl -s -o "$tmp/prom" "$prom/$1" && python3 -c "import json; d = json.load(open('$tmp/prom'))['data']; print($2)" 2>/dev/null
}
targets_up() {
    for _ in $(seq 60); do
        [ "$(pq targets "sorted(t['labels']['instance'] for t in d['activeTargets'] if t['health'] == 'up')")" = \
            "['deliberation:7303', 'gateway:8081', 'intake:7103', 'notify:7403', 'routing:7203']" ] && return 0
        sleep 1
    done
    return 1
}
check "... every service's /metrics a target, and every target up" targets_up
check "... gov_zap_admitted_total from all five" \
    test "$(pq 'query?query=count(gov_zap_admitted_total)' "d['result'][0]['value'][1]")" = 5
check "... gov_requests_total from the four that take requests (intake, routing, deliberation, notify)" \
    test "$(pq 'query?query=count(gov_requests_total)' "d['result'][0]['value'][1]")" = 4
check "... routing's escalation steps and notify's deliveries" \
    test "$(pq 'query?query=count(gov_ladder_steps_fired_total)%2Bcount(gov_deliveries_sent_total)' "d['result'][0]['value'][1]")" = 2
check "... request latency histograms from intake, routing, deliberation and notify, and the gateway's HTTP one" \
    test "$(pq 'query?query=count(gov_request_duration_seconds_count)*10%2Bcount(gov_http_request_duration_seconds_count)' "d['result'][0]['value'][1]")" = 41
check "... which counted the case just filed" \
    test "$(pq 'query?query=gov_request_duration_seconds_count%7Bservice%3D%22intake%22%7D%3E0' "len(d['result'])")" = 1
check "... the lag of every subscription (intake 1, routing 2, deliberation 1, notify 3), each linked" \
    test "$(pq 'query?query=count(gov_subscription_lag)' "d['result'][0]['value'][1]") $(pq 'query?query=count(gov_subscription_connected%3E0)' "d['result'][0]['value'][1]")" = "7 7"
# The Grafana dashboard's queries (deploy/grafana/), each asked of this Prometheus:
# every one answers, and every gov_ series it names has data here.
dash_ok() {
    python3 - "$prom" "$top/deploy/grafana/gov-backbone.json" <<'PY'
import json, re, sys, urllib.parse, urllib.request
prom, path = sys.argv[1], sys.argv[2]
def ask(q):
    with urllib.request.urlopen(prom + "/query?query=" + urllib.parse.quote(q), timeout=10) as r:
        return json.load(r)
bad = []
for p in json.load(open(path))["panels"]:
    for t in p.get("targets", []):
        if ask(t["expr"])["status"] != "success":
            bad.append("query: " + t["expr"])
        for name in set(re.findall(r"gov_[a-z0-9_]+", t["expr"])):
            if not ask("count(%s)" % name)["data"]["result"]:
                bad.append("no data: " + name)
print("\n".join(sorted(set(bad))))
sys.exit(1 if bad else 0)
PY
}
if dash_ok >"$tmp/dash" 2>&1; then ok "... every query of the Grafana dashboard answers, each series it names with data"
else not_ok "... every query of the Grafana dashboard answers, each series it names with data" "$(head -5 "$tmp/dash")"; fi
check "... the six alert rules loaded" \
    test "$(pq rules "sum(len(g['rules']) for g in d['groups'])")" = 6
check "... only published on 127.0.0.1" test "$(docker port "$(c ps -q prometheus)" 9090/tcp)" = "127.0.0.1:$GOV_PROMETHEUS_PORT"
# A peer with a key of its own that is not the deployment's: intake refuses it, and
# GovCurveRefused fires.
c run --rm -T --entrypoint sh govctl -c 'govctl keys generate /tmp/k >/dev/null &&
    cp /run/secrets/server.pub /tmp/k/server.pub && GOV_KEYS_DIR=/tmp/k GOV_TIMEOUT_MS=2000 govctl case list' >"$tmp/out" 2>&1
rc=$?
if [ $rc -ne 0 ] && grep -q "no answer\|timed out\|timeout" "$tmp/out"; then ok "an unknown CURVE key gets no answer from intake"
else not_ok "an unknown CURVE key gets no answer from intake" "exit $rc" "$(head -3 "$tmp/out")"; fi
firing() {
    for _ in $(seq 60); do
        [ "$(pq alerts "sorted(set(a['labels']['alertname'] + ':' + a['labels'].get('service', '') for a in d['alerts'] if a['state'] == 'firing'))")" = "['GovCurveRefused:intake']" ] && return 0
        sleep 1
    done
    return 1
}
check "... and Prometheus fires GovCurveRefused for intake (and nothing else)" firing
stage "observe"

logs_on_failure
expect_status "down -v: the stack and its volumes removed" 0 env COMPOSE_PROFILES=demo,observe "${compose[@]}" down -v --remove-orphans
check "... no volume left" test -z "$(docker volume ls -q --filter "name=${COMPOSE_PROJECT_NAME}_")"
stage "down -v"

# --- an upgrade: the version before the newest migration, with data, then this one ------------
# Version A is the parent of the last commit that changed deploy/migrations
# (GOV_UPGRADE_FROM to choose another), run from its own compose file and
# images (built once: tagged by its commit); this tree's `up -d` on the same
# project and volume is the upgrade. Its own project, on its own port.
# The run so far without its image builds (cached, they take seconds): the
# upgrade needs about 150 s more, and the whole run stays within
# GOV_COMPOSE_BUDGET_S (480 s) or the upgrade says it skipped.
run_s=$(($(date +%s) - t_all - images_s))
if [ -z "$from" ] || [ "${from_migrations:-0}" -ge "$now_migrations" ]; then
    ok "upgrade # SKIP no earlier version with fewer migrations (from: ${from:-none})"
elif [ "$a_built" = failed ]; then
    not_ok "upgrade: version A's images could not be built"
elif [ $((run_s + 150)) -gt "${GOV_COMPOSE_BUDGET_S:-480}" ]; then
    ok "upgrade # SKIP the run took $run_s s besides building images: with the upgrade it would pass GOV_COMPOSE_BUDGET_S (${GOV_COMPOSE_BUDGET_S:-480} s)"
else
    expect_status "version A: up -d on an empty volume" 0 ca up -d
    if (cd "$adir" && COMPOSE_PROJECT_NAME="govup$$" all_healthy 180) 2>"$tmp/err"; then ok "... healthy"; else not_ok "... healthy" "$(cat "$tmp/err")"; fi
    expect_status "... an api key made with its govctl" 0 ca run --rm -T govctl apikey create --name upgrade
    key=$(tail -1 "$tmp/out" | tr -d '\r') gw_main=$gw gw="http://127.0.0.1:$up_port"
    ida=$(file 39.9025 116.3025)
    check "... a case filed and dispatched under version A ($ida)" dispatched "$ida"
    stage "upgrade: version A with data"
    expect_status "this version: up -d on the same volume (the upgrade)" 0 cb up -d
    if COMPOSE_PROJECT_NAME="govup$$" all_healthy 180 2>"$tmp/err"; then ok "... healthy"; else not_ok "... healthy" "$(cat "$tmp/err")"; fi
    check "... its migrations job applied the new migrations ($now_migrations now)" \
        test "$(COMPOSE_PROJECT_NAME="govup$$" migrate_exit) $(COMPOSE_PROJECT_NAME="govup$$" psql_db "SELECT count(*) FROM schema_migrations")" = "exited 0 $now_migrations"
    check "... the case filed under A kept, once" \
        test "$(COMPOSE_PROJECT_NAME="govup$$" psql_db "SELECT count(*) FROM cases WHERE id = ${ida:-0}")" = 1
    check "... and shown dispatched by this version's gateway" dispatched "$ida"
    idb=$(file 39.9125 116.3125)
    check "... A's api key files a new case, dispatched ($idb)" dispatched "$idb"
    check "... each service now logs in as its own role (migration 0016 on A's volume)" test "$(COMPOSE_PROJECT_NAME="govup$$" psql_db "SELECT string_agg(DISTINCT usename, ' ' ORDER BY usename) FROM pg_stat_activity WHERE datname = 'gov' AND usename LIKE 'gov%'")" = \
        "gov_deliberation_login gov_gateway_login gov_intake_login gov_notify_login gov_routing_login"
    gw=$gw_main
    expect_status "... down -v" 0 cb down -v --remove-orphans
    stage "upgrade: this version on A's volume"
fi
echo "# the whole run took $(($(date +%s) - t_all)) s"
echo "1..$n"
[ "$failed" -eq 0 ]
