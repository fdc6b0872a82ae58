# What the CLI tests share (sourced after tap.sh): their own database, free
# ports, and waiting for a service or a row instead of sleeping.
# test_db NAME: a fresh database copied from the template; exports GOV_DB_URL.
test_db() {
    psql -q -h 127.0.0.1 -p "$GOV_TEST_PG_PORT" -U postgres -c "DROP DATABASE IF EXISTS $1 WITH (FORCE)" \
        -c "CREATE DATABASE $1 TEMPLATE $GOV_TEST_TEMPLATE" postgres 2>/dev/null
    export GOV_DB_URL="postgresql://postgres@127.0.0.1:$GOV_TEST_PG_PORT/$1"
}
# free: a free TCP port on 127.0.0.1.
free() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
# q SQL: one query's rows, unaligned.
q() { psql -tA "$GOV_DB_URL" -c "$1"; }
# healthy PORT: waits up to 10 s for a service's /healthz.
healthy() { for _ in $(seq 100); do curl -fs "http://127.0.0.1:$1/healthz" >/dev/null && return 0; sleep 0.1; done; return 1; }
# until_q SQL VALUE: waits up to 5 s for a query to give VALUE.
until_q() { for _ in $(seq 50); do [ "$(q "$1")" = "$2" ] && return 0; sleep 0.1; done; return 1; }
# sanitizer_reports DIR: copies any AddressSanitizer, LeakSanitizer or UBSan
# report in the services' logs under DIR to stderr, where tests/run.sh looks
# (call it in the EXIT trap, after the services stopped, before DIR goes).
sanitizer_reports() {
    grep -h -A12 -E 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$1"/*.log >&2 2>/dev/null || true
}
