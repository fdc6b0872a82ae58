#!/usr/bin/env bash
# Installs the Debian 12 packages the project needs, only those missing.
# Used by `make up`, `make test`, the Dockerfile and CI.
#   install.sh            build + run (compilers, -dev libraries, PostgreSQL + PostGIS)
#   install.sh --build    only what compiling needs (the image's build stage)
#   install.sh --test     also what the tests need
#   install.sh --bench    what the benchmarks need beyond the build (wrk)
#   install.sh --runtime  only the shared libraries a built binary needs (container images)
set -euo pipefail

compile=(build-essential pkg-config libzmq3-dev libprotobuf-c-dev protobuf-c-compiler libpq-dev
         libuv1-dev libjansson-dev libmicrohttpd-dev libcurl4-openssl-dev libssl-dev libcmocka-dev libargon2-dev
         libsodium-dev python3)
build=("${compile[@]}" postgresql-15 postgresql-15-postgis-3 postgresql-client-15 curl python3-aiosmtpd
       libjs-leaflet libjs-chart.js)
# The console's browser tests: Debian's chromium, driven from Node by playwright-core
# (tests/e2e/package.json and its lockfile; installed into tests/e2e/node_modules below),
# and a Chinese font (fonts-wqy-microhei, 5 MB) so its screenshots (docs/screenshots/) show
# the console's Chinese rather than empty boxes; pgbackrest for the backup test; the
# failover test (tests/chaos/failover.sh): a Patroni pair with etcd; the network-cut
# test (tests/chaos/netcut.sh): ip and nft.
testing=(docker.io docker-compose debootstrap clang-14 libclang-rt-14-dev python3-jsonschema python3-yaml chromium
         fonts-wqy-microhei pgbackrest patroni etcd-server etcd-client iproute2 nftables)
runtime=(libzmq5 libprotobuf-c1 libpq5 libuv1 libjansson4 libmicrohttpd12 libcurl4 libssl3 libargon2-1 libsodium23 python3-aiosmtpd
         postgresql-client-15 curl ca-certificates libjs-leaflet libjs-chart.js)

case "${1:-}" in
    "") want=("${build[@]}") ;;
    --build) want=("${compile[@]}") ;;
    --test) want=("${build[@]}" "${testing[@]}") ;;
    --bench) want=(wrk) ;;
    --runtime) want=("${runtime[@]}") ;;
    *) echo "usage: $0 [--build|--test|--bench|--runtime]" >&2; exit 2 ;;
esac

# A machine with Docker's own packages (docker-ce, the compose plugin) keeps them:
# Debian's docker.io and docker-compose would conflict with them.
if [ "${1:-}" = --test ]; then
    keep=()
    for p in "${want[@]}"; do
        case "$p" in
            docker.io) command -v dockerd >/dev/null && ! dpkg-query -W docker.io >/dev/null 2>&1 && continue ;;
            docker-compose) docker compose version >/dev/null 2>&1 && continue ;;
        esac
        keep+=("$p")
    done
    want=("${keep[@]}")
fi
# Node and npm: Debian's, unless a node is there already (NodeSource's nodejs
# carries its own npm and conflicts with Debian's npm package).
if [ "${1:-}" = --test ] && ! command -v npm >/dev/null; then
    want+=(nodejs npm)
fi
# After the packages: playwright-core, exactly as the lockfile says.
e2e() {
    [ "${1:-}" = --test ] || return 0
    local dir; dir="$(dirname "$0")/../tests/e2e"
    [ -d "$dir/node_modules/playwright-core" ] && return 0
    echo "install: npm ci in tests/e2e (playwright-core)"
    (cd "$dir" && npm ci --no-audit --no-fund >/dev/null)
}

missing=()
for p in "${want[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
    echo "install: all packages present"
    e2e "${1:-}"
    exit 0
fi
echo "install: installing ${missing[*]}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install: done"
e2e "${1:-}"
