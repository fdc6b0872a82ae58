#!/usr/bin/env bash
# docs/openapi.yaml is what tools/gen-openapi.py makes of the gateway's route
# table and proto/ today (so a new route or field cannot go undocumented),
# every $ref in it resolves and every schema is a valid JSON Schema. What the
# gateway answers is checked against it by test_api_matrix.
set -u
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. tests/cli/tap.sh
if ! python3 -c 'import jsonschema, yaml' 2>"$tmp/python.err"; then
    echo "Bail out! python3-jsonschema and python3-yaml are missing (bash deploy/install.sh --test): $(tail -1 "$tmp/python.err")"
    exit 1
fi

expect_status "tools/gen-openapi.py runs" 0 python3 tools/gen-openapi.py "$tmp/openapi.yaml" services/gateway/api.c proto/*.proto
if cmp -s docs/openapi.yaml "$tmp/openapi.yaml"; then
    ok "regenerating docs/openapi.yaml gives the same file"
else
    not_ok "regenerating docs/openapi.yaml gives the same file" "run make openapi and commit the result:" \
        "$(diff docs/openapi.yaml "$tmp/openapi.yaml" | head -20)"
fi
expect_status "every \$ref resolves and every schema is valid" 0 python3 tests/cli/openapi_check.py lint docs/openapi.yaml
echo "1..$n"
