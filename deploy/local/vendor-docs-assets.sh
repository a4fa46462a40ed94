#!/usr/bin/env bash
# Fetch the API documentation pages' assets (Swagger UI, ReDoc) into the shared library, so
# that every service's /docs and /redoc work without internet (issue 16, item 6).
#
#   deploy/local/vendor-docs-assets.sh            fetch the pinned versions below
#   SWAGGER_UI_VERSION=5.x.y REDOC_VERSION=2.x.y deploy/local/vendor-docs-assets.sh
#                                                 refresh to other versions (then run the
#                                                 docs tests and commit the files)
#
# Run once by a maintainer, on a machine that reaches the npm registry; the files are checked
# in (shared/src/jrp_shared/static/docs/), so a fresh clone and the services need no network.
# Uses `npm pack` (the registry's own client): the tarballs' integrity is checked by npm, and
# the SHA-256 of each kept file is written to VERSIONS.md beside them.
set -euo pipefail

SWAGGER_UI_VERSION="${SWAGGER_UI_VERSION:-5.35.0}"
REDOC_VERSION="${REDOC_VERSION:-2.5.4}"  # FastAPI's own pages target ReDoc 2

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
target="$root/shared/src/jrp_shared/static/docs"
log() { printf '[vendor-docs] %s\n' "$*" >&2; }

command -v npm >/dev/null 2>&1 || { log "npm is needed (apt-get install -y npm)"; exit 1; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

fetch() {  # package version -> unpacked into $work/<package>
  local package="$1" version="$2" tarball
  log "npm pack $package@$version"
  tarball="$(cd "$work" && npm pack --silent "$package@$version" | tail -n 1)"
  mkdir -p "$work/$package"
  tar -xzf "$work/$tarball" -C "$work/$package" --strip-components=1
}

fetch swagger-ui-dist "$SWAGGER_UI_VERSION"
fetch redoc "$REDOC_VERSION"

rm -rf "$target"
mkdir -p "$target"
swagger="$work/swagger-ui-dist"
redoc="$work/redoc"
cp "$swagger/swagger-ui-bundle.js" "$target/swagger-ui-bundle.js"
cp "$swagger/swagger-ui.css" "$target/swagger-ui.css"
cp "$swagger/favicon-32x32.png" "$target/favicon-32x32.png"
cp "$swagger/LICENSE" "$target/LICENSE.swagger-ui"
cp "$swagger/NOTICE" "$target/NOTICE.swagger-ui"
cp "$swagger/swagger-ui-bundle.js.LICENSE.txt" "$target/swagger-ui-bundle.js.LICENSE.txt"
cp "$redoc/bundles/redoc.standalone.js" "$target/redoc.standalone.js"
cp "$redoc/LICENSE" "$target/LICENSE.redoc"
# The bundles point at source maps that are not shipped: drop the comment so a browser's
# developer tools do not ask the service for them (a 404 in the log).
sed -i -e '/^\/\/# sourceMappingURL=/d' "$target/swagger-ui-bundle.js" "$target/redoc.standalone.js"
sed -i -e 's#/\*\# sourceMappingURL=[^*]*\*/##' "$target/swagger-ui.css"
# ReDoc's side menu shows the Redocly logo from their CDN (an address outside the mesh, and a
# failed request on a network without internet): an empty inline image instead. Fails here if
# a new version moved it, so that a refresh looks again (a browser's network log: operations.md).
redoc_logo='https://cdn.redoc.ly/redoc/logo-mini.svg'
grep -qF "\"$redoc_logo\"" "$target/redoc.standalone.js" ||
  { log "the Redocly logo URL is not in this ReDoc: check what the page loads"; exit 1; }
sed -i -e "s#\"$redoc_logo\"#\"data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg'/%3E\"#" \
  "$target/redoc.standalone.js"

swagger_licence="$(node -p "require('$swagger/package.json').license")"
redoc_licence="$(node -p "require('$redoc/package.json').license")"
{
  echo "# Vendored API documentation assets"
  echo
  echo "Served by every service at \`/static/docs/\` for its \`/docs\` (Swagger UI) and \`/redoc\`"
  echo "(ReDoc) pages (\`jrp_shared.web\`), so they work offline. Fetched by"
  echo "\`deploy/local/vendor-docs-assets.sh\` (npm pack); do not edit by hand: re-run it."
  echo
  echo "| package | version | licence |"
  echo "| --- | --- | --- |"
  echo "| swagger-ui-dist | $SWAGGER_UI_VERSION | $swagger_licence (LICENSE.swagger-ui, NOTICE.swagger-ui) |"
  echo "| redoc | $REDOC_VERSION | $redoc_licence (LICENSE.redoc) |"
  echo
  echo "SHA-256 of the files as served: source-map comments removed, and in ReDoc the Redocly"
  echo "logo's CDN address replaced by an empty inline image (the page loads nothing from outside)."
  echo
  echo '```'
  (cd "$target" && sha256sum swagger-ui-bundle.js swagger-ui.css favicon-32x32.png redoc.standalone.js)
  echo '```'
} >"$target/VERSIONS.md"
log "wrote $(ls "$target" | wc -l) files into ${target#"$root"/}"
