# Tiny TAP helpers for shell tests (sourced). Each check prints "ok N - name"
# or "not ok N - name" with the evidence; tests/run.sh counts the lines.
n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)) failed=$((failed + 1)); echo "not ok $n - $1"; shift; for line in "$@"; do echo "# $line"; done; }
# check NAME COMMAND...: passes when COMMAND succeeds.
check() { local name=$1; shift; if "$@" >/dev/null 2>&1; then ok "$name"; else not_ok "$name" "failed: $*"; fi; }
# expect_status NAME STATUS COMMAND...: passes when COMMAND exits with STATUS.
expect_status() {
    local name=$1 want=$2; shift 2
    "$@" >"$tmp/out" 2>"$tmp/err"; local got=$?
    if [ "$got" = "$want" ]; then ok "$name"; else not_ok "$name" "exit $got, wanted $want: $*" "$(head -3 "$tmp/err")"; fi
}
# contains NAME FILE TEXT: passes when FILE contains TEXT.
contains() { if grep -qF -- "$3" "$2"; then ok "$1"; else not_ok "$1" "\"$3\" not in $2:" "$(head -5 "$2")"; fi; }
