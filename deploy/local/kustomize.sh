#!/usr/bin/env bash
# Prints the path of a pinned kustomize, built once from the Go module proxy into the cache
# (tests/test_manifests.py renders deploy/kubernetes/overlays/* with it; deploy/README.md).
#
#   deploy/local/kustomize.sh            the path (builds it first when missing: about 2.5 min)
#   "$(deploy/local/kustomize.sh)" build deploy/kubernetes/overlays/dev
#
# Needs Go (1.22 or newer) and the Go module proxy; nothing is fetched from anywhere else.
set -euo pipefail

VERSION="${JRP_KUSTOMIZE_VERSION:-v5.7.1}"
CACHE="${JRP_CACHE_DIR:-$HOME/.cache/jrp}/kustomize-$VERSION"
BIN="$CACHE/kustomize"

log() { printf '[kustomize] %s\n' "$*" >&2; }

if [[ ! -x "$BIN" ]]; then
  # Go's own installer puts it here without touching PATH.
  command -v go >/dev/null 2>&1 || [[ ! -x /usr/local/go/bin/go ]] || PATH="/usr/local/go/bin:$PATH"
  if ! command -v go >/dev/null 2>&1; then
    log "Go is missing: install it (e.g. apt-get install -y golang-go) to build kustomize $VERSION"
    exit 1
  fi
  log "building sigs.k8s.io/kustomize/kustomize/v5@$VERSION into $CACHE (once) ..."
  mkdir -p "$CACHE"
  build_log=$(mktemp)
  if ! GOBIN="$CACHE" GOTOOLCHAIN=local GOFLAGS=-buildvcs=false \
      go install "sigs.k8s.io/kustomize/kustomize/v5@$VERSION" >"$build_log" 2>&1; then
    tail -n 30 "$build_log" >&2
    log "go install failed (full output: $build_log)"
    exit 1
  fi
  rm -f "$build_log"
fi
printf '%s\n' "$BIN"
