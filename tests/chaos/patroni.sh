# A PostgreSQL primary with a synchronous standby under Patroni, with one
# etcd, all on 127.0.0.1 free ports under a folder of the caller's: for the
# failover tests (tests/chaos/failover.sh). Sourced, not run:
#   patroni_up DIR         etcd, then nodes pg1 and pg2; waits until pg1 leads
#                          and pg2 is its synchronous standby; sets
#                          PATRONI_URL_HOSTS ("127.0.0.1:P1,127.0.0.1:P2")
#   patroni_leader         prints the leading node's name (pg1 or pg2), or nothing
#   patroni_port NODE      prints NODE's PostgreSQL port
#   patroni_sync_standby   prints the synchronous standby's name, or nothing
#   patroni_kill NODE      SIGKILL to NODE's Patroni, postmaster and backends at
#                          once, as a crash of its host; prints nothing
#   patroni_wait_leader NOT SECONDS
#                          waits until a node other than NOT leads and accepts
#                          writes; prints its name, or fails
#   patroni_down           stops what patroni_up started (call it from a trap)
# Fast timings (ttl 10 s, loop_wait 1 s, retry_timeout 3 s), so a failover
# takes about ten seconds; synchronous_mode on, so a commit is acknowledged
# only once the standby has flushed it, and only that standby may be promoted.

_pat_dir= _pat_etcd= _pat_eport=
declare -A _pat_pid _pat_port _pat_rest

_pat_free() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

_pat_node_config() { # NAME: writes $dir/NAME.yml
    local n=$1
    cat >"$_pat_dir/$n.yml" <<YML
scope: gov
name: $n
log:
  level: WARNING
restapi:
  listen: 127.0.0.1:${_pat_rest[$n]}
  connect_address: 127.0.0.1:${_pat_rest[$n]}
etcd3:
  hosts: 127.0.0.1:$_pat_eport
bootstrap:
  dcs:
    ttl: 10
    loop_wait: 1
    retry_timeout: 3
    maximum_lag_on_failover: 1048576
    synchronous_mode: true
    postgresql:
      use_pg_rewind: false
      use_slots: true
      parameters:
        max_connections: 200
        wal_level: replica
        hot_standby: 'on'
        max_wal_senders: 8
        max_replication_slots: 8
        wal_keep_size: 256MB
        synchronous_commit: 'on'
        shared_preload_libraries: pg_stat_statements
  initdb:
    - encoding: UTF8
    - locale: C.UTF-8
    - auth: trust
  pg_hba:
    - local all all trust
    - host all all 127.0.0.1/32 trust
    - host replication all 127.0.0.1/32 trust
postgresql:
  listen: 127.0.0.1:${_pat_port[$n]}
  connect_address: 127.0.0.1:${_pat_port[$n]}
  data_dir: $_pat_dir/$n
  bin_dir: /usr/lib/postgresql/15/bin
  pgpass: $_pat_dir/$n.pgpass
  authentication:
    superuser:
      username: postgres
    replication:
      username: postgres
  parameters:
    unix_socket_directories: '$_pat_dir'
tags:
  nofailover: false
  noloadbalance: false
YML
}

_pat_start() { # NAME
    setpriv --reuid=postgres --regid=postgres --init-groups --reset-env \
        patroni "$_pat_dir/$1.yml" >>"$_pat_dir/$1.log" 2>&1 &
    _pat_pid[$1]=$!
}

_pat_rest_get() { # NAME PATH: the body when the answer is 200
    curl -fs --max-time 2 "http://127.0.0.1:${_pat_rest[$1]}$2"
}

patroni_up() {
    _pat_dir=$1
    mkdir -p "$_pat_dir"
    chown postgres "$_pat_dir"
    chmod 700 "$_pat_dir"
    local p; p=$(dirname "$_pat_dir")
    while [ "$p" != / ]; do chmod o+x "$p" 2>/dev/null || true; p=$(dirname "$p"); done
    _pat_eport=$(_pat_free)
    local peer; peer=$(_pat_free)
    etcd --name e1 --data-dir "$_pat_dir/etcd" --listen-client-urls "http://127.0.0.1:$_pat_eport" \
        --advertise-client-urls "http://127.0.0.1:$_pat_eport" --listen-peer-urls "http://127.0.0.1:$peer" \
        --initial-advertise-peer-urls "http://127.0.0.1:$peer" --initial-cluster "e1=http://127.0.0.1:$peer" \
        >"$_pat_dir/etcd.log" 2>&1 &
    _pat_etcd=$!
    for _ in $(seq 100); do curl -fs "http://127.0.0.1:$_pat_eport/health" >/dev/null && break; sleep 0.1; done
    local n
    for n in pg1 pg2; do _pat_port[$n]=$(_pat_free); _pat_rest[$n]=$(_pat_free); _pat_node_config "$n"; done
    _pat_start pg1
    for _ in $(seq 300); do [ "$(patroni_leader)" = pg1 ] && break; sleep 0.2; done
    [ "$(patroni_leader)" = pg1 ] || { echo "patroni: pg1 did not lead: $(tail -3 "$_pat_dir/pg1.log")" >&2; return 1; }
    _pat_start pg2
    for _ in $(seq 600); do [ "$(patroni_sync_standby)" = pg2 ] && break; sleep 0.2; done
    [ "$(patroni_sync_standby)" = pg2 ] || { echo "patroni: pg2 is not a synchronous standby: $(tail -3 "$_pat_dir/pg2.log")" >&2; return 1; }
    PATRONI_URL_HOSTS="127.0.0.1:${_pat_port[pg1]},127.0.0.1:${_pat_port[pg2]}"
}

patroni_leader() {
    local n
    for n in pg1 pg2; do
        [ -n "${_pat_rest[$n]:-}" ] && _pat_rest_get "$n" /primary >/dev/null && { echo "$n"; return 0; }
    done
    return 0
}

patroni_port() { echo "${_pat_port[$1]}"; }

patroni_sync_standby() {
    local n
    for n in pg1 pg2; do
        [ -n "${_pat_rest[$n]:-}" ] && _pat_rest_get "$n" /synchronous >/dev/null && { echo "$n"; return 0; }
    done
    return 0
}

patroni_kill() {
    local n=$1 pm
    pm=$(head -1 "$_pat_dir/$n/postmaster.pid" 2>/dev/null)
    kill -9 "${_pat_pid[$n]}" ${pm:+"$pm"} $( [ -n "$pm" ] && pgrep -P "$pm") 2>/dev/null
    wait "${_pat_pid[$n]}" 2>/dev/null
    _pat_pid[$n]=
}

patroni_wait_leader() {
    local not=$1 end=$(($(date +%s) + $2)) n
    while [ "$(date +%s)" -lt "$end" ]; do
        n=$(patroni_leader)
        if [ -n "$n" ] && [ "$n" != "$not" ] &&
            [ "$(psql -tAq -h 127.0.0.1 -p "${_pat_port[$n]}" -U postgres -c 'SELECT NOT pg_is_in_recovery()' postgres 2>/dev/null)" = t ]; then
            echo "$n"
            return 0
        fi
        sleep 0.2
    done
    return 1
}

patroni_down() {
    local n pm
    for n in pg1 pg2; do
        [ -n "${_pat_pid[$n]:-}" ] && kill "${_pat_pid[$n]}" 2>/dev/null
    done
    for n in pg1 pg2; do
        [ -n "${_pat_pid[$n]:-}" ] && wait "${_pat_pid[$n]}" 2>/dev/null
        # Patroni stops its PostgreSQL as it goes; a crashed node's may linger
        pm=$(head -1 "$_pat_dir/$n/postmaster.pid" 2>/dev/null)
        [ -n "$pm" ] && kill -9 "$pm" 2>/dev/null
    done
    [ -n "$_pat_etcd" ] && kill "$_pat_etcd" 2>/dev/null && wait "$_pat_etcd" 2>/dev/null
    _pat_etcd=
}
