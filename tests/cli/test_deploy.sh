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
check "deploy/Dockerfile installs with deploy/install.sh" grep -q "bash deploy/install.sh$" deploy/Dockerfile
check "... and its runtime stage with install.sh --runtime" grep -q "install.sh --runtime" deploy/Dockerfile
for bin in "${GOV_BIN:-build/bin}"/gov-*; do
    name=$(basename "$bin")
    contains "compose runs $name" "$tmp/config" "- $name"
done
for s in deploy/*.sh tests/run.sh tests/cli/*.sh bench/*/run.sh .ci/run; do
    check "bash -n $s" bash -n "$s"
done
# An invalid compose file must be caught by the same check.
sed 's/^services:/servicez:/' docker-compose.yml >"$tmp/broken.yml"
expect_status "a broken compose file is refused" 1 docker-compose -f "$tmp/broken.yml" config -q
echo "1..$n"
