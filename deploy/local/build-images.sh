#!/usr/bin/env bash
# Build the five images (registry, trigger, enforcement, appeals, console) from
# deploy/containers/Dockerfile with buildah, and check each one: it holds its own service and
# not the others, and as uid 10001 with nothing configured it migrates its database under
# /data (the defaults of deploy/containers/entrypoint.sh).
#
#   deploy/local/build-images.sh [service ...]     (as root, on Debian; `make images`)
#
# No container registry is needed: where none is reachable (this project's machines reach
# Debian's mirrors and PyPI only), the base image is made here with debootstrap: Debian 12
# minbase with its python3 (3.11) and venv module, committed as localhost/jrp-python:3.11.
# BASE=python:3.11-slim uses the official image instead. buildah runs with the vfs storage
# driver and chroot isolation, which need no daemon, no overlay module and no user namespaces.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
SERVICES=("$@")
[[ ${#SERVICES[@]} -gt 0 ]] || SERVICES=(registry trigger enforcement appeals console)
VERSION=$(sed -n 's/^version = "\(.*\)"/\1/p' services/registry/pyproject.toml | head -n 1)
BASE=${BASE:-localhost/jrp-python:3.11}
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
export STORAGE_DRIVER=vfs BUILDAH_ISOLATION=chroot

log() { printf '[images] %s\n' "$*" >&2; }

if ! command -v buildah >/dev/null 2>&1 || ! command -v debootstrap >/dev/null 2>&1; then
  if [[ $EUID -ne 0 ]] || ! command -v apt-get >/dev/null 2>&1; then
    log "needs buildah and debootstrap (apt-get install buildah debootstrap, as root)"
    exit 1
  fi
  log "installing buildah and debootstrap (Debian packages) ..."
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q buildah debootstrap >/dev/null ||
    { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q buildah debootstrap >/dev/null; }
fi

if ! buildah inspect --type image "$BASE" >/dev/null 2>&1; then
  if [[ $BASE != localhost/* ]]; then
    log "pulling $BASE"
    buildah pull "$BASE" >/dev/null
  else
    rootfs=$(mktemp -d)
    log "making $BASE: debootstrap bookworm (minbase, python3, python3-venv) from $MIRROR ..."
    debootstrap --variant=minbase --include=python3,python3-venv,ca-certificates \
      bookworm "$rootfs" "$MIRROR" >"$rootfs.log" 2>&1 || { tail -n 20 "$rootfs.log" >&2; exit 1; }
    rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
    container=$(buildah from scratch)
    mountpoint=$(buildah mount "$container")
    cp -a "$rootfs"/. "$mountpoint"/
    buildah umount "$container" >/dev/null
    buildah config --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
      --env LANG=C.UTF-8 --cmd python3 "$container"
    buildah commit --quiet "$container" "$BASE" >/dev/null
    buildah rm "$container" >/dev/null
    rm -rf "$rootfs" "$rootfs.log"
  fi
fi

# The host's certificate bundle for the build's downloads (PyPI), when it has one: on a
# network whose egress re-signs TLS, pip and uv then trust what the host trusts. Only the
# build stage sees it; it is not in any image.
TRUST=()
HOST_BUNDLE=${SSL_CERT_FILE:-/etc/ssl/certs/ca-certificates.crt}
if [[ -s $HOST_BUNDLE ]]; then
  TRUST=(--volume "$HOST_BUNDLE:/run/host-ca.crt:ro"
         --build-arg SSL_CERT_FILE=/run/host-ca.crt --build-arg PIP_CERT=/run/host-ca.crt)
fi

for service in "${SERVICES[@]}"; do
  image="localhost/jrp-$service:$VERSION"
  log "building $image ..."
  started=$(date +%s)
  build_log=$(mktemp)
  if ! buildah bud --layers --format docker -f deploy/containers/Dockerfile "${TRUST[@]}" \
      --build-arg SERVICE="$service" --build-arg BASE="$BASE" -t "$image" . >"$build_log" 2>&1; then
    tail -n 40 "$build_log" >&2
    log "building $image failed (whole log: $build_log)"
    exit 1
  fi
  rm -f "$build_log"
  container=$(buildah from "$image")
  # Its own service, and not another's.
  buildah run "$container" -- python -c "import jrp_$service, jrp_shared"
  for other in registry trigger enforcement appeals console; do
    if [[ $other != "$service" ]] && buildah run "$container" -- python -c "import jrp_$other" 2>/dev/null; then
      log "$image holds jrp_$other as well"
      exit 1
    fi
  done
  # The image's user and defaults: migrations into /data (the console keeps no database).
  [[ $(buildah run "$container" -- id -u) == 10001 ]] || { log "$image does not run as 10001"; exit 1; }
  if [[ $service != console ]]; then
    buildah run "$container" -- /app/entrypoint.sh "jrp-$service" migrate >/dev/null
    buildah run "$container" -- test -s "/data/$service.db"
  fi
  buildah run "$container" -- /app/entrypoint.sh "jrp-$service" --help >/dev/null
  buildah rm "$container" >/dev/null
  log "$image: built and checked in $(( $(date +%s) - started )) s ($(buildah images --format '{{.Size}}' "$image"))"
done
