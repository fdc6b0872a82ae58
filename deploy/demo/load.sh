#!/usr/bin/env bash
# Loads the demo city into $GOV_DB_URL: areas (once), units, people and
# categories, routing rules and SLA policies, and the official holiday
# calendars, notification robots and preferences, residents and supervision
# committees, 知行家 stations, paired units and reported party members. Used
# by make up, the tests' template database and compose. The robots post to the sink at GOV_SINK_ADDR (host:port; default
# 127.0.0.1:$GOV_SINK_HTTP_PORT, 7390).
set -euo pipefail
cd "$(dirname "$0")/../.."
govctl=${GOVCTL:-build/bin/govctl}
if [ "$(psql -tAc 'SELECT count(*) FROM areas' "$GOV_DB_URL")" = 0 ]; then
    "$govctl" areas import deploy/demo/city.geojson
fi
psql -q -v ON_ERROR_STOP=1 "$GOV_DB_URL" -f deploy/demo/reference.sql
psql -q -v ON_ERROR_STOP=1 "$GOV_DB_URL" -f deploy/demo/routing.sql
psql -q -v ON_ERROR_STOP=1 -v sink="${GOV_SINK_ADDR:-127.0.0.1:${GOV_SINK_HTTP_PORT:-7390}}" "$GOV_DB_URL" \
    -f deploy/demo/notify.sql
psql -q -v ON_ERROR_STOP=1 "$GOV_DB_URL" -f deploy/demo/deliberation.sql
psql -q -v ON_ERROR_STOP=1 "$GOV_DB_URL" -f deploy/demo/grid.sql
for f in deploy/demo/calendar/*.csv; do
    "$govctl" calendar import "$f"
done
psql -q -v ON_ERROR_STOP=1 "$GOV_DB_URL" -f deploy/demo/pairing.sql
