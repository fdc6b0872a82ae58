#!/usr/bin/env bash
# make down: stops exactly what `make up` started — the services by their pid
# files, then the cluster under var/pg — and nothing else.
set -euo pipefail
cd "$(dirname "$0")/.."
for pidfile in var/run/*.pid; do
    [ -f "$pidfile" ] || continue
    name=$(basename "$pidfile" .pid) pid=$(cat "$pidfile")
    if kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid"
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
        echo "stopped $name (pid $pid)"
    fi
    rm -f "$pidfile"
done
if [ -f var/pg/data/postmaster.pid ]; then
    bash deploy/pg.sh stop var/pg
    echo "stopped postgres (var/pg)"
fi
