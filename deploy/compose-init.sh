#!/usr/bin/env bash
# The compose "migrate" step, as the owner gov: the schema, the services'
# login roles with their passwords (compose secrets), then the demo city
# once (as up.sh).
set -euo pipefail
govctl db migrate
bash deploy/db-logins.sh /run/secrets
if [ "${GOV_LOAD_DEMO:-1}" = 1 ]; then
    # The demo's robots live in the sink container, not on localhost. Loading
    # again (every `up`) changes nothing.
    GOVCTL=govctl GOV_SINK_ADDR="${GOV_SINK_HOST:-sink}:7390" bash deploy/demo/load.sh
fi
