# What the CLI tests share (sourced after tap.sh): their own database, free
# ports, and waiting for a service or a row instead of sleeping.
# test_db NAME: a fresh database copied from the template; exports GOV_DB_URL.
test_db() {
    psql -q -h 127.0.0.1 -p "$GOV_TEST_PG_PORT" -U postgres -c "DROP DATABASE IF EXISTS $1 WITH (FORCE)" \
        -c "CREATE DATABASE $1 TEMPLATE $GOV_TEST_TEMPLATE" postgres 2>/dev/null
    export GOV_DB_URL="postgresql://postgres@127.0.0.1:$GOV_TEST_PG_PORT/$1"
}
# free: a TCP port on 127.0.0.1 that nothing holds now, another on every call
# (the last one given is kept in $tmp, since callers run it in a subshell).
# Ports come from below the range the kernel gives outgoing connections
# (32768 and up), or a service's reconnecting neighbour could take the port
# as its own source port before the service binds it.
free() {
    local f="$tmp/.free-port" p
    p=$(cat "$f" 2>/dev/null || echo $((20000 + $$ % 1200 * 10)))
    while p=$((p + 1)); ! python3 -c "import socket; socket.socket().bind(('127.0.0.1', $p))" 2>/dev/null; do :; done
    echo "$p" >"$f"
    echo "$p"
}
# q SQL: one query's rows, unaligned.
q() { psql -tA "$GOV_DB_URL" -c "$1"; }
# healthy PORT: waits up to 10 s for a service's /healthz.
healthy() { for _ in $(seq 100); do curl -fs "http://127.0.0.1:$1/healthz" >/dev/null && return 0; sleep 0.1; done; return 1; }
# until_q SQL VALUE: waits up to 5 s for a query to give VALUE.
until_q() { for _ in $(seq 50); do [ "$(q "$1")" = "$2" ] && return 0; sleep 0.1; done; return 1; }
# service_reports DIR: for the EXIT trap, after the services stopped and
# before DIR goes. Copies any AddressSanitizer, LeakSanitizer or UBSan report
# in the services' logs under DIR to stderr, where tests/run.sh looks; and,
# when a check failed, the last lines of every log as TAP comments, so a
# service that died or never answered says why.
service_reports() {
    grep -h -A12 -E 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$1"/*.log >&2 2>/dev/null || true
    [ "${failed:-0}" -gt 0 ] || return 0
    local log
    for log in "$1"/*.log; do
        [ -f "$log" ] && tail -n 8 "$log" | sed "s|^|# $(basename "$log"): |"
    done
}
