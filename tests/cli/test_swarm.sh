#!/usr/bin/env bash
# docker-compose.yml on Docker Swarm (deploy/scaling.md): the same file,
# rendered for `docker stack deploy` by deploy/swarm/stack.py, on a one-node
# swarm (`docker swarm init --advertise-addr 127.0.0.1`, left again at the end
# when this test made it), two replicas of every service (GOV_*_REPLICAS=2):
# - every service's two tasks running and healthy (/healthz, as stack.py
#   renders the checks), then each task's /readyz 200: linked and caught up;
# - requests spread over them: cases filed through `gateway:8080` from a
#   container on the stack's network answered by both gateways; govctl's
#   requests (a new connection each) answered by both tasks of intake,
#   routing and deliberation (each task's own gov_requests_total);
#   notify's (its requests are the gateway's login codes) shown delivering;
# - subscriptions apply each event once: each case routed once, one dispatch
#   and one DispatchSent event each, the subscribers' positions at the head;
# - deadlines: steps due in a few seconds are armed by both routings (their
#   gov_ladder_steps_armed), one routing task is killed before they fall due,
#   and the other fires every one, once (one DeadlineReminder each).
# Every wait is bounded (the longest, for the first deploy, 240 s); skips (one TAP "# SKIP"
# line) when no Docker engine can be reached or started, or the node is in a
# swarm it cannot leave to us (a worker of another's swarm).
set -u
cd "$(dirname "$0")/../.."
top=$(pwd)
tmp=$(mktemp -d)
. tests/cli/tap.sh

skip() { echo "ok 1 - docker stack deploy # SKIP $1"; echo "1..1"; rm -rf "$tmp"; exit 0; }
case "${GOV_BIN:-}" in */asan/*) skip "the images build from the sources, not from $GOV_BIN: the plain pass ran this" ;; esac
if ! docker info >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && command -v dockerd >/dev/null; then
        (setsid nohup dockerd >/tmp/gov-dockerd.log 2>&1 </dev/null &)
        for _ in $(seq 60); do docker info >/dev/null 2>&1 && break; sleep 0.5; done
    fi
    docker info >/dev/null 2>&1 || skip "no Docker engine here and none could be started (see /tmp/gov-dockerd.log)"
fi
python3 -c 'import yaml' 2>/dev/null || skip "no PyYAML (python3-yaml) for deploy/swarm/stack.py"
swarm_was=$(docker info -f '{{.Swarm.LocalNodeState}}' 2>/dev/null)
case "$swarm_was" in
    inactive) ;;
    active) [ "$(docker info -f '{{.Swarm.ControlAvailable}}')" = true ] || skip "this node is a worker of another swarm" ;;
    *) skip "the node's swarm is $swarm_was" ;;
esac

# Only the settings this test chooses reach the compose file.
unset GOV_NOTIFY_SMTP_URL GOV_NOTIFY_SMS_URL GOV_LOG_LEVEL GOV_LOAD_DEMO GOV_IMAGE GOV_DB_IMAGE
stack="govswarm$$"
net="${stack}_default"
t_all=$(date +%s) t_stage=$t_all
stage() { local now; now=$(date +%s); echo "# stage: $1 took $((now - t_stage)) s"; t_stage=$now; }
# wait_for SECONDS COMMAND...: until COMMAND succeeds, at most SECONDS
wait_for() { local s=$1; shift; local d=$(($(date +%s) + s)); until "$@"; do [ "$(date +%s)" -lt "$d" ] || return 1; sleep 1; done; }
cleanup() {
    docker rm -f "${stack}_client" >/dev/null 2>&1
    docker stack rm "$stack" >/dev/null 2>&1
    # The stack's containers go first, then its network and volumes can.
    for _ in $(seq 60); do [ -z "$(docker ps -aq --filter "label=com.docker.stack.namespace=$stack")" ] && break; sleep 1; done
    for _ in $(seq 30); do docker network inspect "$net" >/dev/null 2>&1 || break; sleep 1; done
    docker volume ls -q --filter "label=com.docker.stack.namespace=$stack" | xargs -r docker volume rm -f >/dev/null 2>&1
    [ "$swarm_was" = inactive ] && docker swarm leave --force >/dev/null 2>&1
    [ -n "${GOV_TAG:-}" ] && docker run --rm --user 0:0 --entrypoint rm -v "$tmp:/t" "gov-backbone:$GOV_TAG" -rf /t/secrets >/dev/null 2>&1
    rm -rf "$tmp"
}
trap cleanup EXIT

# --- images (as test_compose.sh builds them) and secrets ----------------------------------------
. tests/cli/compose_tags.sh
if ! docker image inspect "gov-backbone:$GOV_TAG" "gov-postgis:$GOV_DB_TAG" >/dev/null 2>&1; then
    export GOV_BASE_IMAGE; GOV_BASE_IMAGE=$(bash deploy/compose/base.sh 2>"$tmp/base.err" | tail -1)
    COMPOSE_PROJECT_NAME=$stack docker-compose build migrate db >"$tmp/build.log" 2>&1 ||
        { not_ok "the images build" "$(tail -15 "$tmp/build.log")"; echo "1..$n"; exit 1; }
fi
ok "the images gov-backbone:$GOV_TAG and gov-postgis:$GOV_DB_TAG"
export GOV_SECRETS_DIR="$tmp/secrets"
expect_status "the secrets (deploy/compose/secrets.sh)" 0 bash deploy/compose/secrets.sh "$GOV_SECRETS_DIR"
stage images

# --- a one-node swarm, the stack with two replicas of everything --------------------------------
if [ "$swarm_was" = inactive ]; then
    expect_status "docker swarm init --advertise-addr 127.0.0.1" 0 docker swarm init --advertise-addr 127.0.0.1
fi
expect_status "deploy/swarm/stack.py renders docker-compose.yml for the swarm" 0 \
    bash -c "python3 deploy/swarm/stack.py --profile demo docker-compose.yml >'$tmp/stack.yml'"
check "... with no start order and no published port (what swarm refuses or cannot do here)" \
    bash -c "! grep -qE '^ *(depends_on|ports|build|profiles):' '$tmp/stack.yml'"
for s in INTAKE ROUTING DELIBERATION NOTIFY GATEWAY; do export "GOV_${s}_REPLICAS=2"; done
expect_status "docker stack deploy, two replicas of every service" 0 \
    docker stack deploy --resolve-image never -c "$tmp/stack.yml" "$stack"
services=(intake routing deliberation notify gateway)
# tasks NAME: the ids of NAME's running containers
tasks() { docker ps -q --filter "label=com.docker.swarm.service.name=${stack}_$1" --filter status=running; }
healthy_tasks() { local c k=0; for c in $(tasks "$1"); do
    [ "$(docker inspect -f '{{.State.Health.Status}}' "$c" 2>/dev/null)" = healthy ] && k=$((k + 1)); done; echo $k; }
all_ready() {
    local s
    for s in "${services[@]}"; do [ "$(healthy_tasks "$s")" -ge 2 ] || return 1; done
    [ "$(healthy_tasks db)" -ge 1 ]
}
deadline=$(($(date +%s) + 240))
until all_ready; do [ "$(date +%s)" -lt "$deadline" ] || break; sleep 2; done
report=$(for s in db "${services[@]}"; do printf '%s %s/%s ' "$s" "$(healthy_tasks "$s")" "$(tasks "$s" | wc -l)"; done)
check "every service's two tasks running and ready ($report)" all_ready
check "... the migrations job ran once to success" \
    test "$(docker service ps "${stack}_migrate" --format '{{.CurrentState}}' | grep -c '^Complete')" -ge 1
# A swarm has no start order: the gateways may have connected while only one
# intake or routing was in the name, and ZeroMQ keeps its connections. Rolled
# once everything is ready, their workers connect again across every replica
# (as after scaling a service up: docs/deploy.md).
expect_status "the gateways rolled once every replica is ready (docker service update --force)" 0 \
    timeout 240 docker service update --force --detach=false --quiet "${stack}_gateway"
deadline=$(($(date +%s) + 120))
until all_ready; do [ "$(date +%s)" -lt "$deadline" ] || break; sleep 2; done
check "... both ready again" all_ready
stage "deploy two replicas"

# --- a client on the stack's network --------------------------------------------------------------
# govctl and curl as an operator's one-off container: the stack's network is attachable.
docker run -d --name "${stack}_client" --network "$net" --entrypoint sleep \
    -v "$GOV_SECRETS_DIR/keys:/keys:ro" -v "$GOV_SECRETS_DIR/db_password:/db_password:ro" \
    -e GOV_KEYS_DIR=/keys -e GOV_DB_URL=postgresql://gov@db:5432/gov -e GOV_DB_PASSWORD_FILE=/db_password \
    -e GOV_INTAKE_ENDPOINT=tcp://intake:7101 -e GOV_ROUTING_ENDPOINT=tcp://routing:7201 \
    -e GOV_DELIBERATION_ENDPOINT=tcp://deliberation:7301 -e GOV_NOTIFY_ENDPOINT=tcp://notify:7401 \
    "gov-backbone:$GOV_TAG" 900 >/dev/null
x() { docker exec -i "${stack}_client" "$@"; }
db() { x gov-entry psql -tAq -d "postgresql://gov@db:5432/gov" -c "$1" 2>/dev/null; }
expect_status "govctl on the stack's network makes an api key" 0 x gov-entry govctl apikey create --name swarm
key=$(tail -1 "$tmp/out" | tr -d '\r')
# ips NAME: the addresses of NAME's tasks (tasks.NAME, as the swarm's DNS has them)
ips() { x getent ahostsv4 "tasks.$1" | awk '{print $1}' | sort -u; }
# metric_sum NAME PORT SERIES: SERIES from each task of NAME, one line a task
per_task() { local ip; for ip in $(ips "$1"); do
    x curl -s "http://$ip:$2/metrics" | awk -v m="$3" '$1 == m {v = $2} END {print v + 0}'; done; }
readyz_all() { # every task of every service answers /readyz 200
    local s port ip k
    for s in intake:7103 routing:7203 deliberation:7303 notify:7403 gateway:8081; do
        port=${s#*:} k=0
        for ip in $(ips "${s%%:*}"); do
            [ "$(x curl -s -o /dev/null -w '%{http_code}' "http://$ip:$port/readyz")" = 200 ] && k=$((k + 1))
        done
        [ "$k" = 2 ] || return 1
    done
}
check "every task of every service ready (/readyz 200: its subscriptions linked and caught up)" wait_for 60 readyz_all
said='description=%E5%A4%9C%E9%97%B4%E6%96%BD%E5%B7%A5%E5%99%AA%E9%9F%B3'
spread() { # NAME PORT SERIES BEFORE: every task's SERIES moved since BEFORE (one number a task)
    local after; after=$(per_task "$1" "$2" "$3" | tr '\n' ' ')
    python3 -c "
b, a = '$4'.split(), '$after'.split()
import sys; sys.exit(0 if len(a) == 2 and len(b) == 2 and all(int(float(y)) > int(float(x)) for x, y in zip(b, a)) else 1)"
}
# Cases 400 m apart (no two merged as one: docs/intake.md), each a new HTTP connection to gateway:8080.
gw_before=$(per_task gateway 8081 'gov_http_requests_total{service="gateway"}' | tr '\n' ' ')
ncases=12 ids=()
for i in $(seq 0 $((ncases - 1))); do
    lat=$(python3 -c "print(f'{39.9025 + $i % 6 * 0.004:.4f}')") lon=$(python3 -c "print(f'{116.3025 + $i // 6 * 0.004:.4f}')")
    id=$(x curl -s -X POST http://gateway:8080/open311/v2/requests.json \
        -d "api_key=$key&service_code=complaint.noise&lat=$lat&long=$lon&$said" |
        python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["service_request_id"])' 2>/dev/null)
    [ -n "$id" ] && ids+=("$id")
done
ncases=$(printf '%s\n' "${ids[@]}" | sort -u | wc -l)
check "12 cases filed through gateway:8080, each its own case ($ncases)" test "${#ids[@]} $ncases" = "12 12"
check "... both gateways answered some (gov_http_requests_total per task, before: $gw_before)" \
    wait_for 5 spread gateway 8081 'gov_http_requests_total{service="gateway"}' "$gw_before"
# Each govctl is a client of its own, whose connection takes one of the service's tasks.
# (notify's only requests are the gateway's login codes; its two tasks show below, delivering.)
for s in intake:7103:"case list --limit 1" routing:7203:"dispatch list --case ${ids[0]}" \
         deliberation:7303:"matter show 1"; do
    name=${s%%:*} rest=${s#*:} port=${rest%%:*} cmd=${rest#*:}
    series="gov_requests_total{service=\"$name\"}"
    before=$(per_task "$name" "$port" "$series" | tr '\n' ' ')
    for _ in $(seq 10); do x gov-entry govctl $cmd >/dev/null 2>&1; done
    # the services refresh their counters once a second (svc_watch): wait for the next
    check "... ten govctl requests to $name spread over both its tasks (gov_requests_total per task, before: $before)" \
        wait_for 5 spread "$name" "$port" "$series" "$before"
done
stage "requests spread"

# --- each event applied once ----------------------------------------------------------------------
list=$(IFS=,; echo "${ids[*]}")
routed() { [ "$(db "SELECT count(*) FROM dispatches WHERE case_id IN ($list)")" = "$ncases" ]; }
check "every case dispatched by the two routings" wait_for 60 routed
check "... each routed once (routed_cases), one dispatch each" \
    test "$(db "SELECT count(*) || ' ' || count(DISTINCT case_id) FROM routed_cases WHERE case_id IN ($list)") $(db "SELECT count(DISTINCT case_id) FROM dispatches WHERE case_id IN ($list)")" = "$ncases $ncases $ncases"
check "... one DispatchSent event a dispatch, none twice" \
    test "$(db "SELECT count(*) FROM outbox WHERE stream = 'routing' AND type = 'DispatchSent'")" = "$(db "SELECT count(*) FROM dispatches")"
# notify's two tasks follow every stream; each dispatch's message is planned once and sent.
dispatch_seqs="SELECT seq FROM outbox WHERE stream = 'routing' AND type = 'DispatchSent'"
sent_all() { [ "$(db "SELECT count(DISTINCT seq) FROM deliveries WHERE stream = 'routing' AND seq IN ($dispatch_seqs) AND state = 'sent'")" = "$ncases" ]; }
check "... every dispatch's message delivered by the two notifies (the sink took it)" wait_for 60 sent_all
check "... none planned twice (one delivery per event, recipient and channel)" \
    test "$(db "SELECT count(*) FROM (SELECT 1 FROM deliveries WHERE stream = 'routing' AND seq IN ($dispatch_seqs) GROUP BY seq, recipient, channel HAVING count(*) > 1) x")" = 0
at_head() { [ "$(db "SELECT count(*) FROM subscriber_positions p JOIN outbox_streams s ON s.stream = p.stream WHERE p.last_seq <> s.last_seq")" = 0 ]; }
check "... every subscriber's stored position at its stream's head (both replicas share it)" wait_for 30 at_head
stage "each event once"

# --- deadlines: one routing killed, every step fired once -----------------------------------------
nsteps=$(db "SELECT count(*) FROM dispatches WHERE case_id IN ($list)")
q_steps="SELECT id FROM dispatches WHERE case_id IN ($list)"
armed_before=$(per_task routing 7203 'gov_ladder_steps_armed{service="routing"}' | tr '\n' ' ')
db "INSERT INTO deadlines (dispatch_id, deadline, step, action, due_at)
    SELECT id, 'sign', 90, 'remind', now() + interval '25 seconds' FROM ($q_steps) d" >/dev/null
both_armed() { # every routing task armed the new steps (its gauge up by nsteps)
    local after; after=$(per_task routing 7203 'gov_ladder_steps_armed{service="routing"}' | tr '\n' ' ')
    python3 -c "
b, a = '$armed_before'.split(), '$after'.split()
import sys; sys.exit(0 if len(a) == 2 and all(int(y) >= int(x) + $nsteps for x, y in zip(b, a)) else 1)"
}
check "$nsteps steps due in 25 s, armed by both routings (gov_ladder_steps_armed, before: $armed_before)" wait_for 15 both_armed
victim=$(tasks routing | head -1) survivor=$(tasks routing | sed -n 2p)
survivor_ip=$(docker inspect -f "{{(index .NetworkSettings.Networks \"$net\").IPAddress}}" "$survivor")
fired_before=$(x curl -s "http://$survivor_ip:7203/metrics" | awk '$1 == "gov_ladder_steps_fired_total{service=\"routing\"}" {print $2}')
expect_status "one routing task killed before they fall due (docker kill)" 0 docker kill "$victim"
fired() { [ "$(db "SELECT count(*) FROM deadlines WHERE step = 90 AND fired_at IS NOT NULL")" = "$nsteps" ]; }
check "every step fired" wait_for 90 fired
check "... once each: one DeadlineReminder a step" \
    test "$(db "SELECT count(*) FROM outbox WHERE stream = 'routing' AND type = 'DeadlineReminder'")" = "$nsteps"
check "... on time, none late" test "$(db "SELECT count(*) FROM deadlines WHERE step = 90 AND late")" = 0
check "the swarm started another routing task in the killed one's place" wait_for 60 bash -c "[ \$(docker ps -q --filter label=com.docker.swarm.service.name=${stack}_routing --filter status=running | wc -l) -ge 2 ]"
# Who fired them: the routing that was left, or the task the swarm started in the killed
# one's place (it arms every near step from the table when it starts, and may claim first);
# never the killed one. The replacement's count starts at 0.
fired_by_living() {
    local total=0 v
    for v in $(per_task routing 7203 'gov_ladder_steps_fired_total{service="routing"}'); do total=$((total + ${v%.*})); done
    fired_after=$total
    [ $((total - ${fired_before:-0})) -ge "$nsteps" ]
}
check "... by the routings still running, the one left and its replacement (the one left had ${fired_before:-?} before)" wait_for 30 fired_by_living
stage "deadlines taken over"

if [ "$failed" -gt 0 ]; then
    for s in "${services[@]}"; do docker service logs --no-task-ids --tail 15 "${stack}_$s" 2>&1 | sed "s/^/# /"; done | tail -100
fi
echo "# the whole test took $(($(date +%s) - t_all)) s"
echo "1..$n"
[ "$failed" -eq 0 ]
