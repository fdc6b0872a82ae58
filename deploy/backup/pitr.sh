#!/usr/bin/env bash
# Continuous archiving and point-in-time recovery with Debian's pgBackRest
# (apt-get install pgbackrest), for a PostgreSQL cluster on this host
# (deploy/operations.md says how it fits a deployment).
#   pitr.sh configure PGDATA PORT REPO   archive the cluster's WAL into REPO (restarts it)
#   pitr.sh backup REPO [full|diff|incr] take a backup (full by default)
#   pitr.sh info REPO                    the backups and the WAL archived
#   pitr.sh restore REPO TIME            with the cluster stopped: its state at TIME
#                                        (e.g. "2026-12-03 17:00:00+00"), promoted
# The stanza is "gov"; the configuration lives in REPO/pgbackrest.conf, so
# every command names only the repository. pgBackRest runs as the cluster's
# owner (postgres). For a repository elsewhere (another disk, S3, a backup
# host over SSH) edit the repo1-* lines pgbackrest.conf gets here.
set -euo pipefail
bin=/usr/lib/postgresql/15/bin
as_postgres() { if [ "$(id -un)" = postgres ]; then "$@"; else runuser -u postgres -- "$@"; fi; }
pgbr() { local repo=$1; shift; as_postgres pgbackrest --config="$repo/pgbackrest.conf" --stanza=gov "$@"; }
usage() { sed -n '2,11p' "$0" >&2; exit 2; }
command -v pgbackrest >/dev/null || { echo "pitr.sh: pgbackrest is not installed (apt-get install pgbackrest)" >&2; exit 1; }

case "${1:-}" in
configure)
    [ $# = 4 ] || usage
    data=$(cd "$2" && pwd) port=$3 repo=$4
    mkdir -p "$repo/log" && repo=$(cd "$repo" && pwd)
    chown -R postgres "$repo" && chmod 700 "$repo"
    cat >"$repo/pgbackrest.conf" <<CONF
[global]
repo1-path=$repo
repo1-retention-full=2
log-path=$repo/log
log-level-console=warn
log-level-file=info
start-fast=y
compress-type=zst

[gov]
pg1-path=$data
pg1-port=$port
pg1-socket-path=$(dirname "$data")
pg1-user=postgres
CONF
    chown postgres "$repo/pgbackrest.conf"
    # Every WAL segment is pushed to the repository before PostgreSQL may
    # recycle it; archive_timeout bounds what a lost host can take with it.
    cat >>"$data/postgresql.conf" <<CONF
# continuous archiving (deploy/backup/pitr.sh)
archive_mode = on
archive_command = 'pgbackrest --config=$repo/pgbackrest.conf --stanza=gov archive-push %p'
archive_timeout = 60
wal_level = replica
max_wal_senders = 3
CONF
    as_postgres "$bin/pg_ctl" -D "$data" -w restart -l "$(dirname "$data")/postgres.log" >/dev/null
    pgbr "$repo" stanza-create
    pgbr "$repo" check
    echo "archiving $data into $repo (stanza gov)"
    ;;
backup)
    [ $# -ge 2 ] || usage
    pgbr "$2" backup --type="${3:-full}"
    ;;
info)
    [ $# = 2 ] || usage
    pgbr "$2" info
    ;;
restore)
    [ $# = 3 ] || usage
    # --delta rewrites only the files that differ; the recovery settings
    # pgBackRest writes stop replay at TIME and promote the cluster.
    pgbr "$2" restore --delta --type=time --target="$3" --target-action=promote
    ;;
*) usage ;;
esac
