# What the benchmark scripts share (sourced): a throwaway cluster with the
# schema and the demo city, and the arithmetic of their verdicts.
pgdir=
# cluster: starts one on a free port; sets $pgdir, $port and GOV_DB_URL (db "gov").
cluster() {
    pgdir=$(mktemp -d /tmp/gov-bench-pg.XXXXXX)
    port=$(bash deploy/pg.sh freeport)
    bash deploy/pg.sh init "$pgdir" "$port" >/dev/null
    bash deploy/pg.sh start "$pgdir" >/dev/null
    bash deploy/pg.sh createdb "$pgdir" "$port" gov >/dev/null
    export GOV_DB_URL="postgresql://postgres@127.0.0.1:$port/gov" GOV_MIGRATIONS_DIR=deploy/migrations
    build/bin/govctl db migrate >/dev/null
    bash deploy/demo/load.sh >/dev/null 2>&1
}
cluster_stop() {
    [ -n "$pgdir" ] && { bash deploy/pg.sh stop "$pgdir" >/dev/null 2>&1 || true; rm -rf "$pgdir"; }
}
field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
verdict() { awk -v v="$1" -v t="$2" 'BEGIN {print (v <= t) ? "met" : "NOT met"}'; }
verdict_at_least() { awk -v v="$1" -v t="$2" 'BEGIN {print (v >= t) ? "met" : "NOT met"}'; }
