#!/usr/bin/env bash
# docs/seeds.md is kept true: at least 80 mechanisms of the five source
# articles, and every check, test, file and identifier a row names as its
# evidence is in the tree (tools/check-seeds.py). Needs no services.
set -u
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. tests/cli/tap.sh
expect_status "every row's evidence is in the tree, and there are at least 80 rows" 0 python3 tools/check-seeds.py 80
contains "... it says how many" "$tmp/out" "rows, 0 problems"
# (the names are put together here, so that this file does not hold them)
fn="no_such_$$_function" check="a check $$ nobody wrote"
cp docs/seeds.md "$tmp/seeds.md"
printf '| x | y | `%s` | "%s" |\n' "$fn" "$check" >>"$tmp/seeds.md"
expect_status "a row naming evidence that is not there is caught" 1 python3 tools/check-seeds.py 80 "$tmp/seeds.md"
contains "... the function" "$tmp/out" "$fn is not in the sources"
contains "... and the check" "$tmp/out" "no check named \"$check\""
expect_status "fewer rows than asked for fail" 1 python3 tools/check-seeds.py 1000
echo "1..$n"
[ "$failed" -eq 0 ]
