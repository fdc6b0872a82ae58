#!/usr/bin/env bash
# The compose "migrate" step: the schema, then the demo city once (as up.sh).
set -euo pipefail
govctl db migrate
if [ "${GOV_LOAD_DEMO:-1}" = 1 ]; then
    GOVCTL=govctl bash deploy/demo/load.sh
    # The demo's robots live in the sink container, not on localhost.
    psql -q "$GOV_DB_URL" -c "UPDATE notify_unit_channels
        SET url = replace(url, '127.0.0.1:7390', '${GOV_SINK_HOST:-sink}:7390')"
fi
