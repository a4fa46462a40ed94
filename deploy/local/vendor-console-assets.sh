#!/usr/bin/env bash
# Fetch the console's chart library (Apache ECharts) into the console's static files, so that
# its pages work without internet (issue 16: "No page calls an address outside the mesh").
#
#   deploy/local/vendor-console-assets.sh                  fetch the pinned version below
#   ECHARTS_VERSION=6.x.y deploy/local/vendor-console-assets.sh   refresh (then run the
#                                                          console's tests and commit)
#
# Run once by a maintainer, on a machine that reaches the npm registry; the files are checked
# in (services/console/src/jrp_console/static/vendor/), so a fresh clone needs no network.
# `npm pack` checks the tarball's integrity; the SHA-256 of each kept file goes to VERSIONS.md.
set -euo pipefail

ECHARTS_VERSION="${ECHARTS_VERSION:-6.1.0}"

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
target="$root/services/console/src/jrp_console/static/vendor"
log() { printf '[vendor-console] %s\n' "$*" >&2; }

command -v npm >/dev/null 2>&1 || { log "npm is needed (apt-get install -y npm)"; exit 1; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
log "npm pack echarts@$ECHARTS_VERSION"
tarball="$(cd "$work" && npm pack --silent "echarts@$ECHARTS_VERSION" | tail -n 1)"
mkdir -p "$work/echarts"
tar -xzf "$work/$tarball" -C "$work/echarts" --strip-components=1

rm -rf "$target"
mkdir -p "$target"
cp "$work/echarts/dist/echarts.min.js" "$target/echarts.min.js"
cp "$work/echarts/LICENSE" "$target/LICENSE.echarts"
cp "$work/echarts/NOTICE" "$target/NOTICE.echarts"
sed -i -e '/^\/\/# sourceMappingURL=/d' "$target/echarts.min.js"
licence="$(node -p "require('$work/echarts/package.json').license")"
{
  echo "# Vendored console assets"
  echo
  echo "Served by the console at \`/static/vendor/\` (its charts), so its pages work offline."
  echo "Fetched by \`deploy/local/vendor-console-assets.sh\` from the npm registry."
  echo
  echo "| package | version | licence | file | SHA-256 |"
  echo "| --- | --- | --- | --- | --- |"
  for file in echarts.min.js LICENSE.echarts NOTICE.echarts; do
    echo "| echarts | $ECHARTS_VERSION | $licence | $file | $(sha256sum "$target/$file" | cut -d' ' -f1) |"
  done
} >"$target/VERSIONS.md"
log "wrote $target"
