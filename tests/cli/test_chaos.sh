#!/usr/bin/env bash
# The crash test's short run (tests/chaos/run.sh): 2,000 cases through the
# front door at 100 a second while a service is killed with SIGKILL every
# second or so and PostgreSQL once; nothing acknowledged is lost, nothing is
# stored or dispatched twice, every reporter is texted. `make bench-chaos`
# runs the long one.
exec bash "$(dirname "$0")/../chaos/run.sh" 2000 100 1
