#!/usr/bin/env bash
# The crash test with a failover's short run (tests/chaos/failover.sh): 3,000
# cases through the front door at 100 a second while a service is killed with
# SIGKILL every second or so, and halfway the Patroni pair's primary crashes
# and its synchronous standby takes over; every acknowledged case is on the
# new primary, stored, dispatched and texted once, every deadline fired once.
# About two minutes. `make bench-chaos` runs the long one.
command -v patroni >/dev/null && command -v etcd >/dev/null ||
    { echo "1..0 # SKIP patroni and etcd-server are not installed (deploy/install.sh --test)"; exit 0; }
exec bash "$(dirname "$0")/../chaos/failover.sh" 3000 100 1
