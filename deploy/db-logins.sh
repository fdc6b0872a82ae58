#!/usr/bin/env bash
# The services' login roles: gov_NAME_login in the group role gov_NAME (made
# by migration 0016) for intake, routing, deliberation, notify and gateway.
#   db-logins.sh [PASSWORD_DIR]
# Connects with libpq's defaults or GOV_DB_URL, as a role that may create
# roles (the compose role gov has CREATEROLE; a test cluster's postgres).
# With PASSWORD_DIR, the password of gov_NAME_login is the file
# PASSWORD_DIR/db_password_NAME (a compose secret; stored as a SCRAM
# verifier, never printed); without it, the roles have no password (make up's
# and the tests' clusters trust 127.0.0.1). Roles that exist are kept, their
# password set again, so running it on every `up` is harmless.
set -euo pipefail
dir=${1:-}
url=${GOV_DB_URL:-}
for name in intake routing deliberation notify gateway; do
    pw=
    if [ -n "$dir" ]; then
        if [ ! -s "$dir/db_password_$name" ]; then
            echo "db-logins: $dir/db_password_$name is missing or empty" >&2
            exit 1
        fi
        pw=$(cat "$dir/db_password_$name")
    fi
    # The password goes in on standard input, never on a command line.
    psql -q -v ON_ERROR_STOP=1 -v role="gov_${name}_login" -v grp="gov_$name" -v pw="$pw" \
        ${url:+"$url"} >/dev/null <<'SQL'
SELECT NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'role') AS missing \gset
\if :missing
CREATE ROLE :"role" LOGIN IN ROLE :"grp";
\endif
SELECT :'pw' = '' AS nopw \gset
\if :nopw
ALTER ROLE :"role" PASSWORD NULL;
\else
ALTER ROLE :"role" PASSWORD :'pw';
\endif
SQL
done
