#!/usr/bin/env bash
# The locally made base image for machines that reach no image registry: Debian bookworm from
# debootstrap (the Debian mirror is a package registry, so it is reachable), imported with
# `docker import`. It carries Python 3.11 with venv (the Dockerfile's only need of a base) and
# redis-server (the Celery broker container of the tests' compose override). Built once per engine
# data root: an existing tag is kept. Run as root, with DOCKER_HOST pointing at the engine.
set -euo pipefail
tag="${BASE_IMAGE:-pipeline-platform-base:bookworm}"
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
if docker image inspect "$tag" >/dev/null 2>&1; then
  echo "base image $tag already built"; exit 0
fi
root="$(mktemp -d "${TMPDIR:-/tmp}/pp-rootfs.XXXXXX")"
trap 'rm -rf "$root"' EXIT
debootstrap --variant=minbase --include=python3,python3-venv,redis-server,ca-certificates \
  bookworm "$root" "$mirror" >"$root.log" 2>&1 || { tail -30 "$root.log" >&2; rm -f "$root.log"; exit 1; }
rm -f "$root.log"
chroot "$root" apt-get clean
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin
tar -C "$root" --numeric-owner -c . \
  | docker import --change 'ENV LANG=C.UTF-8' --change 'CMD ["/bin/bash"]' - "$tag" >/dev/null
echo "base image $tag built"
