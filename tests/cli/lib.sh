# What the CLI tests share (sourced after tap.sh, with $tmp set): their own
# database, free ports, starting and stopping services by name, and waiting
# on a condition with a deadline instead of sleeping.
# test_db NAME: a fresh database copied from the template; exports GOV_DB_URL.
test_db() {
    psql -q -h 127.0.0.1 -p "$GOV_TEST_PG_PORT" -U postgres -c "DROP DATABASE IF EXISTS $1 WITH (FORCE)" \
        -c "CREATE DATABASE $1 TEMPLATE $GOV_TEST_TEMPLATE" postgres 2>/dev/null
    export GOV_DB_URL="postgresql://postgres@127.0.0.1:$GOV_TEST_PG_PORT/$1"
}
# free_port: a TCP port on 127.0.0.1 that nothing holds now, another on every call
# (the last one given is kept in $tmp, since callers run it in a subshell).
# Ports come from below the range the kernel gives outgoing connections
# (32768 and up), or a service's reconnecting neighbour could take the port
# as its own source port before the service binds it.
free_port() {
    local f="$tmp/.free-port" p
    p=$(cat "$f" 2>/dev/null || echo $((20000 + $$ % 1200 * 10)))
    while p=$((p + 1)); ! python3 -c "import socket; socket.socket().bind(('127.0.0.1', $p))" 2>/dev/null; do :; done
    echo "$p" >"$f"
    echo "$p"
}
# json EXPR: EXPR (Python, over d) of the JSON in $tmp/out.
json() { python3 -c "import json,sys; d=json.load(open('$tmp/out')); print($1)"; }
# api NAME STATUS METHOD PATH [BODY] [CURL-ARGS...]: passes when the gateway
# (at $base) answers STATUS; the body is in $tmp/out, the headers in $tmp/headers.
api() {
    local name=$1 want=$2 method=$3 path=$4 body=${5:-}; shift 4; [ $# -gt 0 ] && shift
    local args=(-s -o "$tmp/out" -D "$tmp/headers" -w '%{http_code}' -X "$method" "$@")
    [ -n "$body" ] && args+=(-H 'Content-Type: application/json' --data-binary "$body")
    local got; got=$(curl "${args[@]}" "$base$path")
    if [ "$got" = "$want" ]; then ok "$name"; else not_ok "$name" "HTTP $got, wanted $want: $method $path" "$(head -c 300 "$tmp/out")"; fi
}
# q SQL: one query's rows, unaligned.
q() { psql -tA "$GOV_DB_URL" -c "$1"; }
# refused NAME CODE COMMAND...: the command exits 1 with CODE and writes nothing: the
# query in $effects (set by the test) reads the same before and after. Output in $tmp.
refused() {
    local name=$1 code=$2 before after; shift 2
    before=$(q "$effects")
    "$@" >"$tmp/r.out" 2>"$tmp/r.err"; local rc=$?
    after=$(q "$effects")
    if [ "$rc" = 1 ] && grep -q "\"$code\"" "$tmp/r.err" && [ "$before" = "$after" ]; then
        ok "$name: $code, nothing written"
    else
        not_ok "$name: $code, nothing written" "exit $rc; effects $before -> $after" "$(head -c 300 "$tmp/r.err")"
    fi
}
# q_is SQL VALUE: succeeds when the query gives VALUE.
q_is() { [ "$(q "$1")" = "$2" ]; }
# wait_until SECONDS COMMAND...: runs COMMAND (output discarded) every 0.1 s
# until it succeeds, then returns 0; returns 1 once SECONDS of wall-clock time
# have passed without success. The deadline is the clock's, so a slow
# COMMAND on a busy machine does not stretch it.
wait_until() {
    local deadline=$(($(date +%s%N) / 1000000 + $1 * 1000)); shift
    until "$@" >/dev/null 2>&1; do
        [ $(($(date +%s%N) / 1000000)) -lt "$deadline" ] || return 1
        sleep 0.1
    done
}
# healthy PORT: waits up to 10 s for a service's /healthz.
healthy() { wait_until 10 curl -fs "http://127.0.0.1:$1/healthz"; }
# until_q SQL VALUE: waits up to 5 s for a query to give VALUE.
until_q() { wait_until 5 q_is "$1" "$2"; }

# service_db_url NAME: $GOV_DB_URL with the service's own login role,
# gov_NAME_login (migration 0016, deploy/db-logins.sh), as a deployment runs
# it; the test itself and govctl stay the owner.
service_db_url() {
    case "$GOV_DB_URL" in
        postgresql://*@*) echo "postgresql://gov_$1_login@${GOV_DB_URL#postgresql://*@}" ;;
        *) echo "$GOV_DB_URL" ;;
    esac
}
# start_service NAME [VAR=VALUE...]: starts gov-NAME from $GOV_BIN (or
# build/bin) as its own database role (service_db_url) in the background,
# with the variables added to its environment
# and its stderr appended to $tmp/NAME.log, and keeps its pid in $pid_NAME;
# then waits up to 10 s for its /healthz on $GOV_<NAME>_HTTP_PORT, when that
# is set. Returns 1 when the service does not answer (it is left running, for
# stop_services to end). The service's other settings come from the
# environment the test exported.
start_service() {
    local name=$1 port; shift
    env GOV_DB_URL="$(service_db_url "$name")" "$@" "${GOV_BIN:-build/bin}/gov-$name" 2>>"$tmp/$name.log" &
    printf -v "pid_$name" %s "$!"
    case " ${services_started:-} " in *" $name "*) ;; *) services_started="${services_started:-} $name" ;; esac
    port="GOV_${name^^}_HTTP_PORT"
    [ -z "${!port:-}" ] || healthy "${!port}"
}
# stop_service NAME [SIGNAL]: sends SIGNAL (TERM when not given) to gov-NAME
# and waits for it to exit. Does nothing when it is not running.
stop_service() {
    local pid="pid_$1"
    [ -n "${!pid:-}" ] || return 0
    kill "-${2:-TERM}" "${!pid}" 2>/dev/null
    wait "${!pid}" 2>/dev/null
    printf -v "pid_$1" %s ""
}
# stop_services: stops every service start_service started, for the EXIT trap.
stop_services() {
    local name
    for name in ${services_started:-}; do stop_service "$name"; done
}
# service_reports DIR: for the EXIT trap, after the services stopped and
# before DIR goes. Copies any AddressSanitizer, LeakSanitizer or UBSan report
# in the services' logs under DIR to stderr, where tests/run.sh looks; and,
# when a check failed, the last lines of every log as TAP comments, so a
# service that died or never answered says why.
service_reports() {
    grep -h -A12 -E 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$1"/*.log >&2 2>/dev/null || true
    grep -h 'permission denied for' "$1"/*.log >&2 2>/dev/null || true
    [ "${failed:-0}" -gt 0 ] || return 0
    local log
    for log in "$1"/*.log; do
        [ -f "$log" ] && tail -n 8 "$log" | sed "s|^|# $(basename "$log"): |"
    done
}

# Every CLI test runs as a deployment does: CURVE on every socket, with a key
# folder of its own that the services and govctl find in GOV_KEYS_DIR.
if ! "${GOV_BIN:-build/bin}/govctl" keys generate "$tmp/keys" >"$tmp/keys.out" 2>&1; then
    echo "Bail out! govctl keys generate: $(cat "$tmp/keys.out")"
    exit 1
fi
export GOV_KEYS_DIR="$tmp/keys"

# The services' login roles in the test cluster (once per cluster; kept).
if [ -n "${GOV_TEST_PG_PORT:-}" ] &&
    ! GOV_DB_URL="postgresql://postgres@127.0.0.1:$GOV_TEST_PG_PORT/postgres" bash deploy/db-logins.sh 2>"$tmp/logins.out"; then
    echo "Bail out! deploy/db-logins.sh: $(cat "$tmp/logins.out")"
    exit 1
fi

# stack_ports: every service's endpoints and ports on free ports of this
# machine, exported, so a test's services find each other and no one else's.
stack_ports() {
    local s
    for s in INTAKE ROUTING DELIBERATION; do
        export "GOV_${s}_ENDPOINT=tcp://127.0.0.1:$(free_port)" "GOV_${s}_EVENTS=tcp://127.0.0.1:$(free_port)"
        export "GOV_${s}_HTTP_PORT=$(free_port)"
    done
    export GOV_NOTIFY_HTTP_PORT=$(free_port) GOV_NOTIFY_ENDPOINT="tcp://127.0.0.1:$(free_port)"
    export GOV_GATEWAY_PORT=$(free_port) GOV_GATEWAY_HTTP_PORT=$(free_port)
}
# deliberation_stack: gov-routing and gov-deliberation on free ports of this
# machine, with test clocks (GOV_TEST_CLOCK=1: `govctl matter clock MS` moves
# them) and subscribers that catch up after 300 ms of silence, as the
# deliberation and order tests run them; and the EXIT trap that stops them
# (and keeps $tmp when KEEP_TMP is set). Settings of the test's own are
# exported before it.
deliberation_stack() {
    export GOV_INTAKE_EVENTS="tcp://127.0.0.1:$(free_port)"
    export GOV_ROUTING_ENDPOINT="tcp://127.0.0.1:$(free_port)" GOV_ROUTING_EVENTS="tcp://127.0.0.1:$(free_port)"
    export GOV_ROUTING_HTTP_PORT=$(free_port)
    export GOV_DELIBERATION_ENDPOINT="tcp://127.0.0.1:$(free_port)" GOV_DELIBERATION_EVENTS="tcp://127.0.0.1:$(free_port)"
    export GOV_DELIBERATION_HTTP_PORT=$(free_port) GOV_SUB_SILENCE_MS=300 GOV_TEST_CLOCK=1
    trap 'stop_services; service_reports "$tmp"; [ -n "${KEEP_TMP:-}" ] || rm -rf "$tmp"' EXIT
    start_service routing
    start_service deliberation
}
