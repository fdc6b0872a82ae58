#!/usr/bin/env bash
# make bench-notify: deliveries/s from gov-notify to a local webhook
# receiver, with 1 and with 50 recipients (webhooks of one unit) per event,
# and the same receiver driven by a plain libcurl loop in the same run; the
# ratio's target is >= 0.8. gov-notify's time runs from its start to the
# last delivery confirmed: it reads the events from the table, plans each
# delivery, claims, sends and records every attempt.
set -euo pipefail
cd "$(dirname "$0")/../.."
. bench/lib.sh
TOTAL=${BENCH_DELIVERIES:-10000}
pids=
cleanup() {
    [ -n "$pids" ] && kill $pids 2>/dev/null && wait $pids 2>/dev/null
    cluster_stop
}
trap cleanup EXIT
now() { date +%s.%N; }

cluster
rport=$(bash deploy/pg.sh freeport)
build/bin/bench-notify receiver "$rport" >/dev/null &
pids="$pids $!"
sleep 0.3

baseline() { build/bin/bench-notify baseline "http://127.0.0.1:$rport/hook/1" "$1" | field rate; }
best() { echo "$@" | awk '{m = $1; for (i = 2; i <= NF; i++) if ($i > m) m = $i; print m}'; }

# once RECIPIENTS K: gov-notify's deliveries/s on a fresh database holding
# TOTAL/RECIPIENTS events; fails unless all TOTAL were sent.
once() {
    local r=$1 events=$((TOTAL / $1)) db="bench_$1_$2"
    psql -q "$GOV_DB_URL" -c "CREATE DATABASE $db TEMPLATE gov"
    local url="postgresql://postgres@127.0.0.1:$port/$db"
    psql -q "$url" -c "INSERT INTO units (code, name, kind) VALUES ('bench', 'bench', 'department');
        INSERT INTO notify_unit_channels (unit_id, channel, url)
        SELECT u.id, 'webhook', 'http://127.0.0.1:$rport/hook/' || g FROM units u, generate_series(1, $r) g
        WHERE u.code = 'bench'"
    GOV_DB_URL=$url build/bin/bench-notify events "$events" bench >/dev/null
    local want=$((events * r)) t0 t1 sent=0 hport eport iport dport nport
    # The ports first: python starts are not notify's time.
    hport=$(bash deploy/pg.sh freeport) eport=$(bash deploy/pg.sh freeport)
    iport=$(bash deploy/pg.sh freeport) dport=$(bash deploy/pg.sh freeport)
    nport=$(bash deploy/pg.sh freeport)
    t0=$(now)
    GOV_DB_URL=$url GOV_NOTIFY_HTTP_PORT=$hport GOV_ROUTING_EVENTS="tcp://127.0.0.1:$eport" \
    GOV_NOTIFY_ENDPOINT="tcp://127.0.0.1:$nport" \
    GOV_INTAKE_EVENTS="tcp://127.0.0.1:$iport" GOV_DELIBERATION_EVENTS="tcp://127.0.0.1:$dport" \
        build/bin/gov-notify 2>/dev/null &
    local pid=$!
    sent=$(GOV_DB_URL=$url build/bin/bench-notify wait "$want" 300 | field sent) || true
    t1=$(now)
    kill "$pid"; wait "$pid" 2>/dev/null || true
    [ "$sent" = "$want" ] || { echo "bench-notify: $sent of $want deliveries sent" >&2; return 1; }
    awk -v n="$sent" -v a="$t0" -v b="$t1" 'BEGIN {printf "%.0f", n / (b - a)}'
}

# run RECIPIENTS: three rounds of the plain loop, then gov-notify, each with
# TOTAL deliveries. Both figures wander with the shared machine (the plain
# loop, sequential, feels every stall of the host), so each side's best of
# three is compared.
run() {
    local r=$1 rates= bases= rate base
    for k in 1 2 3; do
        bases="$bases $(baseline "$TOTAL")"
        rates="$rates $(once "$r" "$k")"
    done
    rate=$(best $rates) base=$(best $bases)
    echo "recipients=$r events=$((TOTAL / r)) deliveries=$TOTAL notify_rate=$rate/s (of$rates)" \
         "plain_libcurl_rate=$base/s (of$bases)" \
         "ratio=$(ratio "$rate" "$base") (target >= 0.8): $(verdict_at_least "$(ratio "$rate" "$base")" 0.8)"
}

echo "== notify: $TOTAL deliveries to a local webhook receiver, vs a plain libcurl loop"
run 1
run 50
