#!/usr/bin/env bash
# The compose "migrate" step: the schema, then the demo city once (as up.sh).
set -euo pipefail
govctl db migrate
if [ "$(psql -tAc 'SELECT count(*) FROM areas' "$GOV_DB_URL")" = 0 ] && [ "${GOV_LOAD_DEMO:-1}" = 1 ]; then
    govctl areas import deploy/demo/city.geojson
    psql -q -v ON_ERROR_STOP=1 "$GOV_DB_URL" -f deploy/demo/reference.sql
fi
