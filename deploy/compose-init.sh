#!/usr/bin/env bash
# The compose "migrate" step: the schema, then the demo city once (as up.sh).
set -euo pipefail
govctl db migrate
if [ "${GOV_LOAD_DEMO:-1}" = 1 ]; then
    GOVCTL=govctl bash deploy/demo/load.sh
fi
