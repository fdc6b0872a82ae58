#!/usr/bin/env bash
# Runs every fuzzer `make fuzz` built (build/fuzz/fuzz_*) for SECONDS each,
# from the corpus in git (tests/fuzz/corpus/NAME, read only) and what earlier
# runs found (build/fuzz/corpus-NAME). One TAP line a fuzzer: "ok - NAME: N
# executions in S s, 0 crashes", or "not ok" with the crash's report (its
# input is kept as LOGDIR/NAME-crash-…). `make test` runs it for 15 s each (six
# fuzzers, about 90 s in all),
# `make bench-fuzz` for 300 s.
#   tests/fuzz/run.sh SECONDS LOGDIR
set -uo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-30} log=${2:-build/test-logs}
mkdir -p "$log"
rc=0
for fz in build/fuzz/fuzz_*; do
    [ -x "$fz" ] || continue
    name=$(basename "$fz")
    mkdir -p "build/fuzz/corpus-$name"
    seeds=(); [ -d "tests/fuzz/corpus/$name" ] && seeds=("tests/fuzz/corpus/$name")
    start=$(date +%s)
    if "$fz" -max_total_time="$seconds" -rss_limit_mb=2048 -artifact_prefix="$log/$name-" \
        "build/fuzz/corpus-$name" "${seeds[@]}" >"$log/$name.log" 2>&1; then
        runs=$(grep -o 'Done [0-9]* runs' "$log/$name.log" | awk '{print $2}')
        echo "ok - $name: ${runs:-?} executions in $(($(date +%s) - start)) s, 0 crashes"
    else
        rc=1
        echo "not ok - $name: a crash after $(($(date +%s) - start)) s (see $log/$name.log)"
        grep -m1 -A12 -E '^==[0-9]+==ERROR|runtime error|deadly signal' "$log/$name.log" | sed 's/^/# /'
    fi
done
exit $rc
