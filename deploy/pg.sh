#!/usr/bin/env bash
# A PostgreSQL cluster in a folder of ours, for `make up`, tests and benchmarks.
#   pg.sh init DIR PORT          create the cluster (as the postgres user: initdb refuses root)
#   pg.sh start DIR              start it unless running
#   pg.sh stop DIR               stop it if running
#   pg.sh createdb DIR PORT NAME create database NAME unless it exists
#   pg.sh freeport               print a free TCP port on 127.0.0.1
set -euo pipefail
bin=/usr/lib/postgresql/15/bin

as_postgres() {
    if [ "$(id -un)" = postgres ]; then "$@"; else runuser -u postgres -- "$@"; fi
}

case "${1:-}" in
init)
    dir=$2 port=$3
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    chown postgres "$dir"
    chmod 700 "$dir"
    # postgres must be able to reach the folder through its parents.
    p=$(dirname "$dir")
    while [ "$p" != / ]; do chmod o+x "$p" 2>/dev/null || true; p=$(dirname "$p"); done
    if [ ! -f "$dir/data/PG_VERSION" ]; then
        as_postgres "$bin/initdb" -D "$dir/data" -A trust -U postgres -E UTF8 --locale=C.UTF-8 >/dev/null
        cat >>"$dir/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir'
max_connections = 200
logging_collector = off
# Statement statistics, for the ballot-secrecy test's reader (pg_stat_statements).
shared_preload_libraries = 'pg_stat_statements'
CONF
    fi
    ;;
start)
    dir=$(cd "$2" && pwd)
    if ! as_postgres "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
        as_postgres "$bin/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 60 start >/dev/null
    fi
    ;;
stop)
    dir=$(cd "$2" 2>/dev/null && pwd) || exit 0
    if [ -f "$dir/data/postmaster.pid" ]; then
        as_postgres "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null || true
    fi
    ;;
createdb)
    port=$3 name=$4
    exists=$(psql -h 127.0.0.1 -p "$port" -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$name'" postgres)
    [ "$exists" = 1 ] || psql -q -h 127.0.0.1 -p "$port" -U postgres -c "CREATE DATABASE \"$name\"" postgres
    ;;
freeport)
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
    ;;
*)
    sed -n '2,8p' "$0" >&2
    exit 2
    ;;
esac
