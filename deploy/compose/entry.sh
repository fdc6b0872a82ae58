#!/bin/sh
# The services' entrypoint in the image: the database password comes from a
# compose secret (GOV_DB_PASSWORD_FILE, /run/secrets/db_password) into
# libpq's PGPASSWORD for this process only, never into the image, the compose
# file or a log. Then runs the command.
set -eu
if [ -n "${GOV_DB_PASSWORD_FILE:-}" ]; then
    if [ ! -r "$GOV_DB_PASSWORD_FILE" ]; then
        echo "gov-entry: GOV_DB_PASSWORD_FILE=$GOV_DB_PASSWORD_FILE cannot be read" >&2
        exit 1
    fi
    PGPASSWORD=$(cat "$GOV_DB_PASSWORD_FILE")
    export PGPASSWORD
fi
exec "$@"
