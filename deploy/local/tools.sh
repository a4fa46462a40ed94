#!/usr/bin/env bash
# Command-line tools the tests and benchmarks use, from the Debian packages when missing.
#
#   deploy/local/tools.sh kcat [wrk ...]   install each missing tool (apt, as root)
#
# promtool:     `promtool check rules` / `test rules` on deploy/observability/ (the tests in
#               tests/test_observability_files.py). Taken out of Debian's `prometheus` package
#               into var/tools/bin/ (no root needed): installing that package would also start a
#               Prometheus server on :9090 where systemd runs. One 19 MB download, a 48 MB file,
#               a few seconds; afterwards offline. A promtool already on PATH is used as it is.
# kcat:         the test that a consumer outside the product can read a department's topic.
# wrk:          the HTTP load generator of `make bench`.
# chromium,
# chromedriver: the console's browser tests (tests/test_console_browser.py), Debian's own
#               builds (nothing downloads a browser at run time).
set -euo pipefail

log() { printf '[tools] %s\n' "$*" >&2; }

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
TOOLS_BIN="$ROOT/var/tools/bin"

# promtool alone, from the .deb of Debian's `prometheus` (apt-get download: no root, no daemon).
extract_promtool() {
  local work
  if ! command -v apt-get >/dev/null 2>&1 || ! command -v dpkg-deb >/dev/null 2>&1; then
    log "missing: promtool; not a Debian system: put Prometheus's promtool on PATH"
    exit 1
  fi
  work=$(mktemp -d)
  chmod 0755 "$work"  # apt's `_apt` user writes the download there
  log "fetching promtool (Debian package prometheus, apt-get download) ..."
  if ! (cd "$work" && { apt-get download prometheus ||
        { [[ $EUID -eq 0 ]] && apt-get update && apt-get download prometheus; }; }) >"$work/apt.log" 2>&1; then
    tail -n 30 "$work/apt.log" >&2
    log "apt-get download prometheus failed (full output: $work/apt.log)"
    exit 1
  fi
  mkdir -p "$TOOLS_BIN"
  dpkg-deb --fsys-tarfile "$work"/prometheus_*.deb | tar -xO ./usr/bin/promtool >"$TOOLS_BIN/promtool.part"
  chmod 0755 "$TOOLS_BIN/promtool.part"
  mv "$TOOLS_BIN/promtool.part" "$TOOLS_BIN/promtool"
  rm -rf "$work"
  log "installed $("$TOOLS_BIN/promtool" --version 2>&1 | head -n 1) as $TOOLS_BIN/promtool"
}

# The Debian package of a tool whose package is named otherwise.
package_of() {
  case "$1" in
    chromedriver) echo chromium-driver ;;
    *) echo "$1" ;;
  esac
}

missing=()
for tool in "$@"; do
  if [[ $tool == promtool ]]; then
    command -v promtool >/dev/null 2>&1 || [[ -x $TOOLS_BIN/promtool ]] || extract_promtool
    continue
  fi
  command -v "$tool" >/dev/null 2>&1 || missing+=("$(package_of "$tool")")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

if [[ $EUID -ne 0 ]] || ! command -v apt-get >/dev/null 2>&1; then
  log "missing: ${missing[*]}; install them, e.g. sudo apt-get install -y ${missing[*]}"
  exit 1
fi
log "installing ${missing[*]} (apt-get) ..."
apt_log=$(mktemp)
if ! { DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" ||
       { DEBIAN_FRONTEND=noninteractive apt-get update &&
         DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"; }; } >"$apt_log" 2>&1; then
  tail -n 30 "$apt_log" >&2
  log "apt-get install ${missing[*]} failed (full output: $apt_log)"
  exit 1
fi
rm -f "$apt_log"
log "installed ${missing[*]}"
