#!/usr/bin/env bash
# make up: a local PostgreSQL + PostGIS under var/, migrations, the demo city,
# every built service in the background, healthy. Running it twice is harmless.
set -euo pipefail
cd "$(dirname "$0")/.."
. deploy/env.sh
mkdir -p var/run var/log
build/bin/govctl keys generate "$GOV_KEYS_DIR" | sed 's/^/keys: /'

bash deploy/pg.sh init var/pg "$GOV_PG_PORT"
bash deploy/pg.sh start var/pg
bash deploy/pg.sh createdb var/pg "$GOV_PG_PORT" gov
build/bin/govctl db migrate | sed 's/^/db: /'
# Each service logs in as its own role with only its own rights
# (deploy/migrations/0016_roles.sql); no passwords: this cluster trusts
# 127.0.0.1 (deploy/pg.sh). Migrations, the demo and govctl stay the owner.
bash deploy/db-logins.sh
bash deploy/demo/load.sh | sed 's/^/demo: /'

alive() { [ -f "var/run/$1.pid" ] && kill -0 "$(cat "var/run/$1.pid")" 2>/dev/null; }

# The mail sink and robot receiver notify delivers to, before notify.
if ! alive sink; then
    setsid nohup /usr/bin/python3 deploy/sinks/sink.py --smtp-port "$GOV_SINK_SMTP_PORT" \
        --http-port "$GOV_SINK_HTTP_PORT" --out var/log/sink.jsonl --secret demo-secret \
        >>var/log/sink.log 2>&1 </dev/null &
    echo $! >var/run/sink.pid
fi
for _ in $(seq 100); do
    curl -fsS "http://127.0.0.1:$GOV_SINK_HTTP_PORT/messages" >/dev/null 2>&1 && break
    sleep 0.1
done

started=()
for entry in "${GOV_SERVICES[@]}"; do
    name=${entry%%:*} port=${entry##*:}
    [ -x "build/bin/gov-$name" ] || continue
    if ! alive "$name"; then
        GOV_DB_URL="postgresql://gov_${name}_login@${GOV_DB_URL#postgresql://*@}" \
            setsid nohup "build/bin/gov-$name" >>"var/log/$name.log" 2>&1 </dev/null &
        echo $! >"var/run/$name.pid"
    fi
    started+=("$name:$port")
done

for entry in "${started[@]}"; do
    name=${entry%%:*} port=${entry##*:}
    for _ in $(seq 200); do
        curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
        alive "$name" || break
        sleep 0.1
    done
    if ! curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; then
        echo "up: $name did not become healthy; the end of var/log/$name.log:" >&2
        tail -20 "var/log/$name.log" >&2
        exit 1
    fi
done

# One demo login per role, with a password made here once (var/demo-password,
# never in git): residents, grid workers, committees, supervision, street
# offices, departments, the dispatch centre, the leadership and the admin.
demo_people=(r.s1.c1.g1.1.1 p.gt.s1.c1.g1.grid_worker p.cm.s1.c1.head p.pc.s1.c1.secretary r.s1.c1.g2.3.2 p.so.s1.head
             p.dept.chengguan.head p.dept.shuiwu.head p.centre.dispatcher p.leader.head p.admin.head)
if [ -x build/bin/gov-gateway ]; then
    [ -s var/demo-password ] || (umask 077; head -c 12 /dev/urandom | base64 | tr '+/' '-_' >var/demo-password)
    for p in "${demo_people[@]}"; do
        build/bin/govctl person passwd "$p" <var/demo-password >/dev/null
    done
fi

echo
echo "running:"
printf '  %-12s pid %-7s %s\n' postgres "$(head -1 var/pg/data/postmaster.pid)" "$GOV_DB_URL"
for entry in "${started[@]}"; do
    name=${entry%%:*} port=${entry##*:}
    printf '  %-12s pid %-7s health http://127.0.0.1:%s/healthz  metrics /metrics\n' "$name" "$(cat "var/run/$name.pid")" "$port"
done
printf '  %-12s pid %-7s mail smtp://127.0.0.1:%s, robots http://127.0.0.1:%s, received: var/log/sink.jsonl\n' \
    sink "$(cat var/run/sink.pid)" "$GOV_SINK_SMTP_PORT" "$GOV_SINK_HTTP_PORT"
if [ -x build/bin/gov-gateway ]; then
    cat <<GATEWAY

the console (open it in a browser, log in with one of the demo logins below):
  http://127.0.0.1:$GOV_GATEWAY_PORT/   (docs/console.md)
the gateway (the front door): http://127.0.0.1:$GOV_GATEWAY_PORT/api/v1/   (docs/gateway.md)
demo logins, password $(cat var/demo-password) (var/demo-password):
  resident r.s1.c1.g1.1.1 · grid worker p.gt.s1.c1.g1.grid_worker · residents' committee p.cm.s1.c1.head
  party committee (社区党委) p.pc.s1.c1.secretary
  supervision committee r.s1.c1.g2.3.2 · street office p.so.s1.head · departments p.dept.chengguan.head,
  p.dept.shuiwu.head · dispatch centre p.centre.dispatcher · district leadership p.leader.head
  admin (people, units, the calendar) p.admin.head
  curl -c var/jar -H 'Content-Type: application/json' \\
      -d '{"person": "p.dept.chengguan.head", "password": "'\$(cat var/demo-password)'"}' \\
      http://127.0.0.1:$GOV_GATEWAY_PORT/api/v1/session
  curl -b var/jar http://127.0.0.1:$GOV_GATEWAY_PORT/api/v1/dispatches
or with a one-time code by SMS (the sink receives it: var/log/sink.jsonl):
  curl -H 'Content-Type: application/json' -d '{"person": "r.s1.c1.g1.1.1"}' \
      http://127.0.0.1:$GOV_GATEWAY_PORT/api/v1/session/code
  curl -c var/jar -H 'Content-Type: application/json' -d '{"person": "r.s1.c1.g1.1.1", "code": "CODE"}' \
      http://127.0.0.1:$GOV_GATEWAY_PORT/api/v1/session
GATEWAY
fi
cat <<TRY

intake takes requests on $GOV_INTAKE_ENDPOINT and publishes events on $GOV_INTAKE_EVENTS.
routing takes requests on $GOV_ROUTING_ENDPOINT and publishes events on $GOV_ROUTING_EVENTS.
deliberation takes requests on $GOV_DELIBERATION_ENDPOINT and publishes events on $GOV_DELIBERATION_EVENTS.
notify takes the gateway's login codes on $GOV_NOTIFY_ENDPOINT.
logs: var/log/   stop: make down

govctl talks CURVE with its own key, like every service; in your shell first:
  export GOV_KEYS_DIR=$GOV_KEYS_DIR

try it — a report, routed to its department at once (接诉即办):
  build/bin/govctl case submit --category complaint.noise --lat 39.9025 --lon 116.3025 --text '夜间施工噪音扰民' --phone 13800001234
  build/bin/govctl dispatch list --of dept.chengguan
  build/bin/govctl dispatch --as p.dept.chengguan.head --unit dept.chengguan sign DISPATCH_ID

a whistle from the street office to three departments (街乡吹哨、部门报到):
  build/bin/govctl whistle --as p.so.s1.head --unit so.s1 blow --kind emergency --reason '路面塌陷' \\
      --dept dept.chengguan --dept dept.shuiwu --dept dept.gongan --lat 39.9025 --lon 116.3025
  build/bin/govctl whistle show WHISTLE_ID
  build/bin/govctl events tail --stream routing --from 0     # reminders at 5 and 8 min, escalations at 10 and 20

notify tells the departments by email and robot; see what the sink received and each attempt:
  curl -s http://127.0.0.1:$GOV_SINK_HTTP_PORT/messages | python3 -m json.tool | less
  build/bin/govctl notify log --limit 10
when nobody signs the whistle's dispatches, the escalation at 10 minutes reaches the district
leader by email, SMS and WeCom, day or night:  build/bin/govctl notify log --kind DeadlineEscalated

由民做主 — a demo matter through all five steps, in about five minutes (docs/deliberation.md):
  bash deploy/demo/matter.sh        # propose, co-sign, discuss, vote, 公示, act through routing, evaluate
  build/bin/govctl matter list; build/bin/govctl matter record 1; build/bin/govctl matter verify 1
  build/bin/govctl lists show demo.s1.c1; build/bin/govctl order list demo.s1.c1   # 3+1 清单, 点单

more: build/bin/govctl --help, docs/routing.md, docs/kpi.md, docs/notify.md, docs/deliberation.md
TRY
