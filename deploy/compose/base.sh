#!/usr/bin/env bash
# The Debian 12 image every compose image builds FROM (their BASE build
# argument). Uses debian:bookworm-slim when it is here or can be pulled; where
# no image registry is reachable, builds the same system from Debian's archive
# (debootstrap --variant=minbase) and imports it as gov-debian:bookworm, once:
# a second run finds the tag and returns at once. Prints the image's name on
# its last line; everything else goes to stderr.
#   base.sh [IMAGE]     IMAGE to try first (default debian:bookworm-slim)
set -euo pipefail
want=${1:-debian:bookworm-slim}
local=${GOV_LOCAL_BASE:-gov-debian:bookworm}
mirror=${GOV_DEBIAN_MIRROR:-http://deb.debian.org/debian}

have() { docker image inspect "$1" >/dev/null 2>&1; }
for image in "$want" "$local"; do
    if have "$image"; then echo "$image"; exit 0; fi
done
if timeout 60 docker pull -q "$want" >/dev/null 2>&1; then
    echo "$want"; exit 0
fi
echo "base: $want cannot be pulled; building $local from $mirror with debootstrap" >&2
if ! command -v debootstrap >/dev/null; then
    sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
    $sudo apt-get install -y -qq --no-install-recommends debootstrap >/dev/null
fi
root=$(mktemp -d /tmp/gov-rootfs.XXXXXX)
trap 'rm -rf "$root"' EXIT
debootstrap --variant=minbase bookworm "$root" "$mirror" >"$root.log" 2>&1 || {
    tail -20 "$root.log" >&2; rm -f "$root.log"; exit 1; }
rm -f "$root.log"
# As debian:bookworm-slim: the security and point-release updates, no package
# lists or caches in the image.
cat >"$root/etc/apt/sources.list" <<SOURCES
deb $mirror bookworm main
deb $mirror bookworm-updates main
deb ${mirror%/debian}/debian-security bookworm-security main
SOURCES
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/var/log/*.log
tar -C "$root" -c . | docker import -c 'CMD ["bash"]' - "$local" >/dev/null
echo "$local"
