#!/usr/bin/env bash
# One table of refusal codes: every code a service or common/ answers with
# is in common/errcodes.h (read through `govctl errcodes`), and the retired
# per-service spellings of the text checks are gone.
set -u
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. tests/cli/tap.sh
govctl="${GOV_BIN:-build/bin}/govctl"

expect_status "govctl errcodes prints the table" 0 "$govctl" errcodes
contains "... with each code's class" "$tmp/out" "DB_UNAVAILABLE	T	"
expect_status "govctl errcodes CODE prints one row" 0 "$govctl" errcodes TEXT_TOO_LONG
contains "... that row" "$tmp/out" "TEXT_TOO_LONG	R	"
expect_status "an unknown code is an error" 1 "$govctl" errcodes NO_SUCH_CODE
"$govctl" errcodes | cut -f1 | sort >"$tmp/table"

# The codes in the sources: the first UPPER_SNAKE string given to the
# functions that answer with a code.
cat common/*.c services/*/*.c | tr '\n' ' ' |
    grep -oE '(apperr_fail|apperr_code|rpcsrv_fail|s_fail_raw|s_refuse|s_refuse_code|http_refuse|open311_refuse)\([^";]*"[A-Z][A-Z0-9_]+"' |
    grep -oE '"[A-Z][A-Z0-9_]+"$' | tr -d '"' | sort -u >"$tmp/used"
used=$(wc -l <"$tmp/used")
if [ "$used" -gt 50 ]; then ok "found the codes the sources answer with ($used)"
else not_ok "found the codes the sources answer with" "only $used: is the pattern stale?"; fi
missing=$(comm -23 "$tmp/used" "$tmp/table")
if [ -z "$missing" ]; then ok "every code answered with is in the table"
else not_ok "every code answered with is in the table" "missing: $(echo $missing)"; fi

for old in DESCRIPTION_TOO_LONG MISSING_DESCRIPTION TOO_MANY_MEDIA INVALID_MEDIA_URL \
           TOO_MANY_ATTACHMENTS INVALID_ATTACHMENT; do
    if grep -rqF "\"$old\"" common services; then not_ok "$old is retired" "$(grep -rnF "\"$old\"" common services | head -3)"
    else ok "$old is retired (one text check, one spelling)"; fi
done
echo "1..$n"
[ "$failed" -eq 0 ]
