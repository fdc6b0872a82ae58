#!/usr/bin/env bash
# The deployment's secrets for docker-compose.yml, made once in DIR (default
# $GOV_SECRETS_DIR, else var/compose-secrets): db_password (the owner role
# gov's password, 32 random characters), db_password_NAME (the login role of
# service NAME, deploy/db-logins.sh) and keys/ (the CURVE keys, `govctl
# keys generate`, common/curve.h). What exists is kept, so running it again
# changes nothing and a second `up` finds the same keys and password.
# govctl runs from the services' image ($GOV_IMAGE:$GOV_TAG), so the host
# needs nothing but Docker. The files belong to uid 10001, the image's user,
# mode 0600 in 0700 folders: on the host only root can read them.
# Settings as compose reads them: the environment first, then .env next to
# docker-compose.yml; a relative GOV_SECRETS_DIR is relative to that folder.
set -euo pipefail
[ -z "${1:-}" ] || { mkdir -p "$1"; set -- "$(cd "$1" && pwd)"; }
cd "$(dirname "$0")/../.."
if [ -f .env ]; then
    while IFS='=' read -r k v; do
        case "$k" in GOV_*) [ -n "${!k+x}" ] || export "$k=$v" ;; esac
    done <.env
fi
dir=${1:-${GOV_SECRETS_DIR:-./var/compose-secrets}}
image=${GOV_IMAGE:-gov-backbone}:${GOV_TAG:-latest}
mkdir -p "$dir"
abs=$(cd "$dir" && pwd)
docker run --rm --user 0:0 --network none --entrypoint bash -v "$abs:/secrets" "$image" -c '
    set -euo pipefail
    umask 077
    govctl keys generate /secrets/keys >/dev/null
    for f in db_password db_password_intake db_password_routing db_password_deliberation \
             db_password_notify db_password_gateway; do
        if [ ! -s /secrets/$f ]; then
            head -c 24 /dev/urandom | base64 | tr "+/" "-_" | tr -d "\n" >/secrets/$f
        fi
    done
    chown -R 10001:10001 /secrets
    chmod 0700 /secrets /secrets/keys
    chmod 0600 /secrets/db_password* /secrets/keys/*'
echo "secrets: $abs (db_password, db_password_NAME for each service, keys/)"
