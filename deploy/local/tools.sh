#!/usr/bin/env bash
# Command-line tools the tests and benchmarks use, from the Debian packages when missing.
#
#   deploy/local/tools.sh kcat [wrk ...]   install each missing tool (apt, as root)
#
# kcat:         the test that a consumer outside the product can read a department's topic.
# wrk:          the HTTP load generator of `make bench`.
# chromium,
# chromedriver: the console's browser tests (tests/test_console_browser.py), Debian's own
#               builds (nothing downloads a browser at run time).
set -euo pipefail

log() { printf '[tools] %s\n' "$*" >&2; }

# The Debian package of a tool whose package is named otherwise.
package_of() {
  case "$1" in
    chromedriver) echo chromium-driver ;;
    *) echo "$1" ;;
  esac
}

missing=()
for tool in "$@"; do
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
