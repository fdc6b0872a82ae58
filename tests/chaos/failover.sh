#!/usr/bin/env bash
# The crash test with a failover (tests/chaos/run.sh, CHAOS_FAILOVER=1): the
# database is a PostgreSQL primary with a synchronous standby under Patroni
# and etcd (tests/chaos/patroni.sh), all on 127.0.0.1; the services' URL lists
# both hosts with target_session_attrs=read-write. Halfway through the load
# the primary's host crashes (SIGKILL to its Patroni, postmaster and
# backends) while the services are killed in turn as before: every
# acknowledged case is on the new primary, nothing doubles, every deadline
# fires once. Ends with `lost L, doubled D over N operations`.
#   tests/chaos/failover.sh OPS RATE [KILL_EVERY]
CHAOS_FAILOVER=1 exec bash "$(dirname "$0")/run.sh" "$@"
