#!/usr/bin/env bash
# The db container: on an empty PGDATA, a cluster whose TCP connections all
# need a password (scram-sha-256), the role POSTGRES_USER (not a superuser;
# CREATEROLE, for the services' roles)
# with the password in POSTGRES_PASSWORD_FILE (a compose secret), the
# database POSTGRES_DB owned by it with PostGIS, then the scripts in
# /docker-entrypoint-initdb.d; the superuser `postgres` has no password and
# logs in only over the container's own socket. On a PGDATA that has a
# cluster, it only starts the server: nothing is changed on a second `up`.
set -euo pipefail
: "${PGDATA:=/var/lib/postgresql/data}"
: "${POSTGRES_DB:=gov}" "${POSTGRES_USER:=gov}"

if [ "$(id -u)" = 0 ]; then
    # As root: the volume to postgres, the secret read (it may be readable by
    # root only), then the rest as postgres.
    mkdir -p "$PGDATA" /run/postgresql
    chown postgres:postgres "$PGDATA" /run/postgresql
    chmod 700 "$PGDATA"
    if [ ! -s "$PGDATA/PG_VERSION" ]; then
        if [ -z "${POSTGRES_PASSWORD_FILE:-}" ] || [ ! -s "$POSTGRES_PASSWORD_FILE" ]; then
            echo "db: POSTGRES_PASSWORD_FILE must name a file holding $POSTGRES_USER's password" >&2
            exit 1
        fi
        POSTGRES_PASSWORD=$(cat "$POSTGRES_PASSWORD_FILE")
        export POSTGRES_PASSWORD
    fi
    exec setpriv --reuid=postgres --regid=postgres --init-groups "$0" "$@"
fi

if [ ! -s "$PGDATA/PG_VERSION" ]; then
    echo "db: a new cluster in $PGDATA"
    initdb -D "$PGDATA" --username=postgres --encoding=UTF8 --locale=C.UTF-8 \
        --auth-local=peer --auth-host=scram-sha-256 >/dev/null
    cat >"$PGDATA/pg_hba.conf" <<HBA
# The superuser only on the container's socket; everyone else by password.
local all postgres peer
host  all postgres all reject
host  all all      all scram-sha-256
HBA
    cat >>"$PGDATA/postgresql.conf" <<CONF
listen_addresses = '*'
password_encryption = scram-sha-256
CONF
    pg_ctl -D "$PGDATA" -o "-c listen_addresses=''" -w start >/dev/null
    psql -q -v ON_ERROR_STOP=1 -U postgres -d postgres -v user="$POSTGRES_USER" \
        -v pw="$POSTGRES_PASSWORD" -v db="$POSTGRES_DB" <<'SQL'
CREATE ROLE :"user" LOGIN CREATEROLE PASSWORD :'pw';
CREATE DATABASE :"db" OWNER :"user";
SQL
    psql -q -v ON_ERROR_STOP=1 -U postgres -d "$POSTGRES_DB" -c 'CREATE EXTENSION postgis'
    for f in /docker-entrypoint-initdb.d/*; do
        case "$f" in
            *.sql) psql -q -v ON_ERROR_STOP=1 -U postgres -d "$POSTGRES_DB" -f "$f" ;;
            *.sh) bash "$f" ;;
        esac
    done
    pg_ctl -D "$PGDATA" -m fast -w stop >/dev/null
    echo "db: ready: database $POSTGRES_DB owned by $POSTGRES_USER, passwords by scram-sha-256"
fi
unset POSTGRES_PASSWORD
# The owner makes the services' roles (deploy/migrations/0016_roles.sql):
# a cluster made before that learns it here, in single-user mode before the
# server starts (idempotent, on every start).
if [ "${1:-}" = postgres ]; then
    echo "ALTER ROLE \"$POSTGRES_USER\" CREATEROLE" | postgres --single -D "$PGDATA" postgres >/dev/null ||
        echo "db: could not let $POSTGRES_USER create roles; the migrations will say so" >&2
    set -- "$@" -D "$PGDATA"
fi
exec "$@"
