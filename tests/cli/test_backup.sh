#!/usr/bin/env bash
# deploy/backup/pitr.sh: continuous archiving and point-in-time recovery
# with pgBackRest, on a throwaway cluster of this test's own. Archiving is
# configured and checked, a full backup taken; a case is written, the time
# noted, a second case written and the WAL switched; then the cluster is
# stopped and restored to the noted time: the first case is there, the
# second is not, and the restored cluster takes writes (promoted). Restoring
# to a time before any backup is refused and leaves the cluster as it was. Skips when pgbackrest is not
# installed (deploy/install.sh --test installs it).
set -u
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d)
. tests/cli/tap.sh
command -v pgbackrest >/dev/null || { echo "ok 1 - pitr # SKIP pgbackrest is not installed"; echo "1..1"; rm -rf "$tmp"; exit 0; }
port=$(bash deploy/pg.sh freeport)
dir="$tmp/pg" repo="$tmp/repo"
trap 'bash deploy/pg.sh stop "$dir"; rm -rf "$tmp"' EXIT
bash deploy/pg.sh init "$dir" "$port" && bash deploy/pg.sh start "$dir" && bash deploy/pg.sh createdb "$dir" "$port" gov
q() { psql -tAq -h 127.0.0.1 -p "$port" -U postgres -d gov -c "$1"; }
q "CREATE TABLE cases (id int PRIMARY KEY, description text NOT NULL)"

expect_status "pitr.sh configure: archiving on, the stanza made and checked" 0 bash deploy/backup/pitr.sh configure "$dir/data" "$port" "$repo"
check "... archive_mode is on" test "$(q 'SHOW archive_mode')" = on
expect_status "pitr.sh backup: a full backup" 0 bash deploy/backup/pitr.sh backup "$repo" full
expect_status "pitr.sh info lists it" 0 bash deploy/backup/pitr.sh info "$repo"
contains "... as a full backup" "$tmp/out" "full backup"
q "INSERT INTO cases VALUES (1, '夜间施工噪音')"
sleep 1
target=$(q "SELECT now()")
sleep 1
q "INSERT INTO cases VALUES (2, 'written after the target')"
q "SELECT pg_switch_wal()" >/dev/null
check "the WAL up to the second case archived" \
    bash -c "psql -tAq -h 127.0.0.1 -p $port -U postgres -d gov -c \"SELECT pg_stat_get_archiver()\" | grep -q . && \
             for i in \$(seq 30); do [ \"\$(psql -tAq -h 127.0.0.1 -p $port -U postgres -d gov -c 'SELECT failed_count = 0 AND last_archived_wal IS NOT NULL FROM pg_stat_archiver')\" = t ] && exit 0; sleep 0.5; done; exit 1"
check "both cases there before the restore" test "$(q 'SELECT count(*) FROM cases')" = 2

bash deploy/pg.sh stop "$dir"
expect_status "pitr.sh restore to the time between them (${target})" 0 bash deploy/backup/pitr.sh restore "$repo" "$target"
bash deploy/pg.sh start "$dir"
up() { q "SELECT NOT pg_is_in_recovery()" | grep -qx t; }
for _ in $(seq 60); do up && break; sleep 0.5; done
check "... recovery finished and promoted" up
check "... the first case is there" test "$(q "SELECT description FROM cases WHERE id = 1")" = "夜间施工噪音"
check "... the second, written after the target, is not" test "$(q 'SELECT count(*) FROM cases WHERE id = 2')" = 0
check "... and it takes writes" q "INSERT INTO cases VALUES (3, 'after the restore')"
bash deploy/pg.sh stop "$dir"
expect_status "a restore to a time before any backup is refused" 1 \
    bash -c "bash deploy/backup/pitr.sh restore '$repo' '2000-01-01 00:00:00+00'; [ \$? -ne 0 ] && exit 1"
contains "... saying there is no backup that old" "$tmp/err" "unable to find backup set"
bash deploy/pg.sh start "$dir"
check "... and changes nothing: the cluster starts with cases 1 and 3" test "$(q "SELECT string_agg(id::text, ',' ORDER BY id) FROM cases")" = "1,3"
echo "1..$n"
[ "$failed" -eq 0 ]
