#!/usr/bin/env bash
# What can be checked of the deployment without a Docker engine: the compose
# file parses, its images come from deploy/Dockerfile built with the same
# install script as the tests, every service binary has a compose service,
# and the scripts are valid bash.
set -u
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. tests/cli/tap.sh

expect_status "docker-compose config accepts docker-compose.yml" 0 docker-compose -f docker-compose.yml config
cp "$tmp/out" "$tmp/config"
contains "the services build from deploy/Dockerfile" "$tmp/config" "dockerfile: deploy/Dockerfile"
contains "... and wait for the migrations" "$tmp/config" "service_completed_successfully"
# Without an engine, what the file promises: only the gateway (and Prometheus, profile
# observe) publish a port, on 127.0.0.1 unless told otherwise; no service runs with trust or
# a password in its environment; each service gets only its own secret key.
check "only the gateway and Prometheus publish ports, on 127.0.0.1" python3 -c "
import yaml, sys
d = yaml.safe_load(open('$tmp/config'))['services']
pub = {n: s['ports'] for n, s in d.items() if s.get('ports')}
assert sorted(pub) == ['gateway', 'prometheus'], pub
for n, ports in pub.items():
    for p in ports:
        ip = p['host_ip'] if isinstance(p, dict) else p.split(':')[0]
        assert ip == '127.0.0.1', (n, p)
"
check "... no trust, no password in any environment" python3 -c "
import yaml
d = yaml.safe_load(open('$tmp/config'))['services']
for n, s in d.items():
    env = s.get('environment') or {}
    assert 'POSTGRES_HOST_AUTH_METHOD' not in env and 'POSTGRES_PASSWORD' not in env and 'PGPASSWORD' not in env, n
    url = env.get('GOV_DB_URL', '')
    assert not url or ':' not in url.split('//', 1)[1].split('@')[0], n
"
check "... each service holds its own secret key and no other's" python3 -c "
import yaml
d = yaml.safe_load(open('$tmp/config'))['services']
for n in ['intake', 'routing', 'deliberation', 'notify', 'gateway', 'govctl']:
    keys = sorted(x['target'] for x in d[n]['secrets'] if isinstance(x, dict) and x.get('target', '').endswith('.key'))
    want = sorted([n + '.key'] + ([] if n == 'govctl' else ['server.key']))
    assert keys == want, (n, keys)
"
check "... and logs in to the database as its own role with its own password, not the owner's" python3 -c "
import yaml
d = yaml.safe_load(open('$tmp/config'))['services']
for n in ['intake', 'routing', 'deliberation', 'notify', 'gateway']:
    env = d[n]['environment']
    assert env['GOV_DB_URL'].startswith('postgresql://gov_%s_login@' % n), (n, env['GOV_DB_URL'])
    assert env['GOV_DB_PASSWORD_FILE'] == '/run/secrets/db_password_' + n, n
    pw = sorted(x if isinstance(x, str) else x['source'] for x in d[n]['secrets'] if 'db_password' in str(x))
    assert pw == ['db_password_' + n], (n, pw)
"
check "deploy/Dockerfile builds with deploy/install.sh --build" grep -q "bash deploy/install.sh --build" deploy/Dockerfile
check "... and its runtime stage with install.sh --runtime" grep -q "install.sh --runtime" deploy/Dockerfile
for bin in "${GOV_BIN:-build/bin}"/gov-*; do
    name=$(basename "$bin")
    contains "compose runs $name" "$tmp/config" "- $name"
done
for s in deploy/*.sh deploy/compose/*.sh deploy/postgis/*.sh tests/run.sh tests/cli/*.sh bench/*/run.sh .ci/run; do
    check "bash -n $s" bash -n "$s"
done
# The compose migrate step runs on every `up`: loading the demo a second time
# (robots at the sink container's address) must succeed and change nothing.
if [ -n "${GOV_TEST_PG_PORT:-}" ]; then
    db="postgresql://postgres@127.0.0.1:$GOV_TEST_PG_PORT/cli_deploy"
    psql -q -h 127.0.0.1 -p "$GOV_TEST_PG_PORT" -U postgres -c "DROP DATABASE IF EXISTS cli_deploy WITH (FORCE)" \
        -c "CREATE DATABASE cli_deploy" postgres 2>/dev/null
    psql -q "$db" -c "CREATE EXTENSION IF NOT EXISTS postgis" 2>/dev/null
    load() { GOV_DB_URL=$db GOVCTL="${GOV_BIN:-build/bin}/govctl" GOV_SINK_ADDR=sink:7390 bash -c '"$GOVCTL" db migrate && bash deploy/demo/load.sh'; }
    expect_status "the demo loads into an empty database with the robots at the sink's address" 0 load
    rows() { psql -tA "$db" -c "SELECT count(*) || ' ' || count(*) FILTER (WHERE url LIKE 'http://sink:7390/%') FROM notify_unit_channels"; }
    check "... 4 robots, all at sink:7390" test "$(rows)" = "4 4"
    expect_status "loading it again (a second compose up) succeeds" 0 load
    check "... and changes nothing" test "$(rows)" = "4 4"
fi
# An invalid compose file must be caught by the same check.
sed 's/^services:/servicez:/' docker-compose.yml >"$tmp/broken.yml"
expect_status "a broken compose file is refused" 1 docker-compose -f "$tmp/broken.yml" config -q
echo "1..$n"
