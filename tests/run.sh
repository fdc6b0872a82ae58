#!/usr/bin/env bash
# The whole test suite, as `make test` runs it: build, unit tests, then
# integration tests against a throwaway PostgreSQL cluster with the real
# binaries; then all of it again built with AddressSanitizer + UBSan.
# Ends with one line: "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
top=$(pwd)

passed=0
failed=0
failures=()
rm -rf build/test-logs
mkdir -p build/test-logs
log=build/test-logs

# Counts the TAP lines of one test program's output.
count() { # name file
    local ok bad
    ok=$(grep -cE '^ok ' "$2")
    bad=$(grep -cE '^not ok ' "$2")
    passed=$((passed + ok))
    failed=$((failed + bad))
    if [ "$bad" -gt 0 ]; then
        while read -r line; do failures+=("$1: $line"); done < <(grep -E '^not ok ' "$2")
    fi
}

# Runs one test program that prints TAP lines (cmocka with TAP output, or a
# shell script); a crash or non-zero exit without a "not ok" counts as one
# failure.
run_tap() { # label command...
    local label=$1 out="$log/$1.tap"; shift
    echo "== $label"
    # 10 minutes a program; the compose test builds images first (two versions,
    # for its upgrade), which on a cold cache takes longer than its checks; the
    # swarm test builds them when it runs first, then waits up to GOV_SWARM_BUDGET_S.
    local limit=600
    case $label in test_compose) limit=1500 ;; test_swarm) limit=1200 ;; esac
    CMOCKA_MESSAGE_OUTPUT=TAP timeout "$limit" "$@" >"$out" 2>"$log/$label.stderr"
    local rc=$?
    cat "$out"
    count "$label" "$out"
    if [ $rc -ne 0 ] && ! grep -qE '^not ok ' "$out"; then
        failed=$((failed + 1))
        failures+=("$label: exited with status $rc (see $log/$label.stderr)")
        tail -20 "$log/$label.stderr"
    fi
}

# --- the throwaway cluster -------------------------------------------------
pgdir=$(mktemp -d /tmp/gov-test-pg.XXXXXX)
port=$(bash deploy/pg.sh freeport)
cleanup() { bash deploy/pg.sh stop "$pgdir" >/dev/null 2>&1; rm -rf "$pgdir"; }
trap cleanup EXIT
bash deploy/pg.sh init "$pgdir" "$port" >"$log/pg-init.log" 2>&1 || { cat "$log/pg-init.log"; echo "0 passed, 1 failed"; exit 1; }
bash deploy/pg.sh start "$pgdir" >>"$log/pg-init.log" 2>&1 || { cat "$log/pg-init.log"; echo "0 passed, 1 failed"; exit 1; }
bash deploy/pg.sh createdb "$pgdir" "$port" gov_template >>"$log/pg-init.log" 2>&1
export GOV_TEST_PG_PORT=$port GOV_TEST_TEMPLATE=gov_template
export GOV_DB_URL="postgresql://postgres@127.0.0.1:$port/gov_template"
export GOV_MIGRATIONS_DIR="$top/deploy/migrations"

# Migrations and the demo city go into the template every test database copies.
make -s all >"$log/build.log" 2>&1 || { cat "$log/build.log"; echo "0 passed, 1 failed"; exit 1; }
if ! { build/bin/govctl db migrate && bash deploy/demo/load.sh; } >"$log/template.log" 2>&1; then
    cat "$log/template.log"; echo "0 passed, 1 failed"; exit 1
fi

suite() { # label-prefix build-dir
    local prefix=$1 dir=$2
    bin="$top/$dir/bin"
    export GOV_BIN="$bin"
    rm -f "$log"/gov-*.log "$log"/intake.log "$log"/govctl.log
    for t in "$dir"/tests/test_*; do
        [ -x "$t" ] || continue
        run_tap "$prefix$(basename "$t")" "$t"
    done
    for s in tests/cli/test_*.sh; do
        [ -f "$s" ] || continue
        run_tap "$prefix$(basename "$s" .sh)" bash "$s"
    done
    # The services the tests started must not have reported memory errors,
    # leaks or undefined behaviour on their way out.
    for f in "$log"/*.log "$log"/*.stderr; do
        if grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$f" 2>/dev/null; then
            failed=$((failed + 1)); failures+=("${prefix}sanitizer report in $f")
            grep -m3 -A8 -E 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$f"
        fi
        # Nor been refused by the database for want of a grant: a table
        # some migration made without granting it (deploy/migrations/0016_roles.sql).
        if grep -q 'permission denied for' "$f" 2>/dev/null; then
            failed=$((failed + 1)); failures+=("${prefix}a service lacks a database grant: $f")
            grep -m3 'permission denied for' "$f"
        fi
    done
}

echo "== build"
if make -s -j2 tests >"$log/build.log" 2>&1; then
    suite "" build
else
    cat "$log/build.log"; failed=$((failed + 1)); failures+=("build failed")
fi

echo "== build with AddressSanitizer + UBSan"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
if make -s -j2 SAN=1 tests >"$log/build-asan.log" 2>&1; then
    suite "asan:" build/asan
else
    cat "$log/build-asan.log"; failed=$((failed + 1)); failures+=("asan build failed")
fi

echo "== fuzz: every decoder of outside bytes (tests/fuzz/, libFuzzer, ${FUZZ_SECONDS:-15} s each)"
if make -s fuzz >"$log/build-fuzz.log" 2>&1; then
    bash tests/fuzz/run.sh "${FUZZ_SECONDS:-15}" "$log" >"$log/fuzz.tap"
    cat "$log/fuzz.tap"
    count fuzz "$log/fuzz.tap"
else
    cat "$log/build-fuzz.log"; failed=$((failed + 1)); failures+=("fuzz build failed")
fi

for f in "${failures[@]}"; do echo "FAILED $f"; done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
