#!/usr/bin/env bash
# Least privilege in the database (deploy/migrations/0016_roles.sql,
# deploy/db-logins.sh): every service logs in as its own role, works with it
# (a case filed through intake as gov_intake_login is dispatched by routing as
# gov_routing_login, notified by notify as gov_notify_login, shown by the
# gateway as gov_gateway_login), and is refused on another service's tables:
# the gateway cannot UPDATE cases, notify cannot read ballots or votes,
# routing cannot write cases, intake cannot read passwords; a refusal changes
# nothing. Every table of the schema has a grant to some service's group
# (a migration that forgets one fails here), every sequence of a table a
# service inserts into is usable by it, and the login roles hold nothing but
# their group.
set -u
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d)
. tests/cli/tap.sh
govctl="${GOV_BIN:-build/bin}/govctl"
. tests/cli/lib.sh
test_db cli_roles
stack_ports
trap 'stop_services; service_reports "$tmp"; rm -rf "$tmp"' EXIT
services=(intake routing deliberation notify gateway)

# as NAME SQL: runs SQL as gov_NAME_login; its output in $tmp/out, errors in $tmp/err.
as() { psql -X -q -tA -v ON_ERROR_STOP=1 "$(service_db_url "$1")" -c "$2" >"$tmp/out" 2>"$tmp/err"; }
# refused NAME SQL: passes when the database refuses SQL to NAME for want of a right.
refused() {
    local label=$1; shift
    if as "$@"; then
        not_ok "$label" "accepted: $2"
    elif grep -qE "permission denied|must be owner" "$tmp/err"; then
        ok "$label"
    else
        not_ok "$label" "refused, but not for a right: $(head -2 "$tmp/err")"
    fi
}

# --- the roles ---------------------------------------------------------------------------------
for s in "${services[@]}"; do
    check "gov_$s is a group role that cannot log in" \
        test "$(q "SELECT rolcanlogin FROM pg_roles WHERE rolname = 'gov_$s'")" = f
done
check "each login role is in its own group and no other, and holds no power" test "$(q "
    SELECT string_agg(r.rolname || '>' || coalesce(g.rolname, '-') || ':' || (r.rolsuper OR r.rolcreaterole
                      OR r.rolcreatedb OR r.rolbypassrls)::text, ' ' ORDER BY r.rolname)
      FROM pg_roles r LEFT JOIN pg_auth_members m ON m.member = r.oid LEFT JOIN pg_roles g ON g.oid = m.roleid
     WHERE r.rolname LIKE 'gov\_%\_login'")" = \
    "gov_deliberation_login>gov_deliberation:false gov_gateway_login>gov_gateway:false gov_intake_login>gov_intake:false gov_notify_login>gov_notify:false gov_routing_login>gov_routing:false"

# Every table of the schema has a right granted to some service's group; the
# PostGIS catalogue excepted.
ungranted_sql="SELECT coalesce(string_agg(c.relname, ' ' ORDER BY c.relname), '')
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
     WHERE c.relkind IN ('r', 'p', 'v', 'm') AND c.relname <> 'spatial_ref_sys'
       AND NOT EXISTS (SELECT FROM pg_roles g WHERE g.rolname LIKE 'gov\_%' AND NOT g.rolcanlogin
                         AND has_table_privilege(g.oid, c.oid, 'SELECT, INSERT, UPDATE, DELETE'))"
ungranted=$(q "$ungranted_sql")
check "every table has a grant to a service's group (missing: ${ungranted:-none})" test -z "$ungranted"
q "CREATE TABLE forgotten (id int)" >/dev/null
check "... and a table a migration made without one is named" test "$(q "$ungranted_sql")" = forgotten
q "DROP TABLE forgotten" >/dev/null
unusable=$(q "SELECT coalesce(string_agg(s.relname || '/' || g.rolname, ' '), '')
      FROM pg_class s JOIN pg_depend d ON d.objid = s.oid AND d.classid = 'pg_class'::regclass
                                      AND d.refclassid = 'pg_class'::regclass
      JOIN pg_class t ON t.oid = d.refobjid, pg_roles g
     WHERE s.relkind = 'S' AND g.rolname LIKE 'gov\_%' AND NOT g.rolcanlogin
       AND has_table_privilege(g.oid, t.oid, 'INSERT') AND NOT has_sequence_privilege(g.oid, s.oid, 'USAGE')")
check "every sequence of a table a service inserts into is usable by it (not: ${unusable:-none})" test -z "$unusable"

# --- each service works as its role --------------------------------------------------------------
for s in "${services[@]}"; do
    start_service "$s" || not_ok "$s answers its health check as gov_${s}_login"
done
roles=$(q "SELECT string_agg(DISTINCT usename, ' ' ORDER BY usename) FROM pg_stat_activity
            WHERE datname = current_database() AND usename LIKE 'gov\_%'")
check "each service is connected as its own role ($roles)" test "$roles" = \
    "gov_deliberation_login gov_gateway_login gov_intake_login gov_notify_login gov_routing_login"
for s in "${services[@]}"; do
    check "... $s is ready as it (/readyz)" wait_until 10 curl -fs "http://127.0.0.1:$(v=GOV_${s^^}_HTTP_PORT; echo "${!v}")/readyz"
done
"$govctl" case submit --category complaint.noise --lat 39.9025 --lon 116.3025 --text '夜间施工噪音扰民' \
    --phone 13800001234 >"$tmp/case" 2>&1
id=$(python3 -c "import json; print(json.load(open('$tmp/case'))['case_id'])" 2>/dev/null)
check "intake files a case as gov_intake_login (${id:-none})" test -n "$id"
check "... routing dispatches it as gov_routing_login" \
    wait_until 10 q_is "SELECT count(*) > 0 FROM dispatches WHERE case_id = ${id:-0}" t
check "... notify plans the department's notices as gov_notify_login" \
    wait_until 10 q_is "SELECT count(*) > 0 FROM deliveries WHERE kind = 'DispatchSent'" t
base="http://127.0.0.1:$GOV_GATEWAY_PORT"
check "... the gateway serves its Open311 discovery as gov_gateway_login" curl -fs -o /dev/null "$base/open311/v2/discovery.json"
# --- refusals ------------------------------------------------------------------------------------
before=$(q "SELECT md5(string_agg(c::text, '' ORDER BY id)) FROM cases c")
refused "the gateway's role cannot UPDATE cases" gateway "UPDATE cases SET status = status"
refused "... nor read them (intake serves them)" gateway "SELECT count(*) FROM cases"
refused "notify's role cannot read ballots" notify "SELECT count(*) FROM meeting_ballots"
refused "... nor votes" notify "SELECT count(*) FROM meeting_votes"
refused "routing's role cannot write cases" routing "INSERT INTO cases DEFAULT VALUES"
refused "... nor delete them" routing "DELETE FROM cases"
refused "intake's role cannot read the gateway's passwords" intake "SELECT count(*) FROM gateway_passwords"
refused "deliberation's role cannot change dispatches" deliberation "UPDATE dispatches SET case_id = case_id"
refused "no service's role can change the schema" intake "CREATE TABLE mine (id int)"
refused "... nor alter another's table" routing "ALTER TABLE cases ADD COLUMN x int"
check "... and the refusals changed nothing (${id:-no} case)" test "$(q "SELECT md5(string_agg(c::text, '' ORDER BY id)) FROM cases c")" = "$before"
check "the gateway's role reads what it serves (passwords, dispatches)" \
    as gateway "SELECT (SELECT count(*) FROM gateway_passwords) + (SELECT count(*) FROM dispatches)"
check "notify's role reads the reference tables (units)" as notify "SELECT count(*) FROM units"

denied=$(cat "$tmp"/*.log | grep -c 'permission denied' || true)
check "no service was refused anything it needed (saw $denied refusals in the logs)" test "$denied" = 0
echo "1..$n"
[ "$failed" -eq 0 ]
