#!/usr/bin/env bash
# Local/test PostgreSQL: a private cluster from the Debian packages, TCP on 127.0.0.1 only,
# trust auth, durable by default; `make test` starts it with durability off for speed
# (JRP_PG_DURABLE=0). No Docker.
#
#   deploy/local/postgres.sh up [db ...]   install (apt, as root) if needed, initdb, start,
#                                          create role jrp/jrp and the databases
#   deploy/local/postgres.sh down          pg_ctl stop -m fast
#   deploy/local/postgres.sh crash         pg_ctl stop -m immediate (fault tests: no shutdown
#                                          checkpoint; the next 'up' runs crash recovery)
#   deploy/local/postgres.sh status        exit 0 when the server accepts connections
#
# Databases default to: jrp_registry jrp_trigger jrp_enforcement jrp_appeals
# Environment (all optional):
#   JRP_PG_PORT      TCP port on 127.0.0.1                          [55432]
#   JRP_VAR_DIR      runtime state                                  [<repo>/var]
#   JRP_PG_DIR       cluster directory (must be reachable by the    [$JRP_VAR_DIR/infra/pg]
#                    `postgres` user when run as root)
#   JRP_PG_BINDIR    PostgreSQL bin directory   [newest /usr/lib/postgresql/*/bin]
#   JRP_PG_DURABLE   1: fsync, synchronous_commit and full_page_writes on (an acknowledged
#                    commit survives a crash); 0: all three off, for throwaway test data   [1]
set -euo pipefail

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
REPO_ROOT=$(cd -- "$SCRIPT_DIR/../.." && pwd -P)

PG_PORT=${JRP_PG_PORT:-55432}
VAR_DIR=${JRP_VAR_DIR:-$REPO_ROOT/var}
PG_DIR=${JRP_PG_DIR:-$VAR_DIR/infra/pg}
DATA="$PG_DIR/data"
PG_LOG="$PG_DIR/postgres.log"
DEFAULT_DBS=(jrp_registry jrp_trigger jrp_enforcement jrp_appeals)
APP_ROLE=jrp
APP_PASSWORD=jrp
DURABLE=${JRP_PG_DURABLE:-1}
[[ $DURABLE == 0 || $DURABLE == 1 ]] || { printf '[postgres] ERROR: JRP_PG_DURABLE must be 0 or 1\n' >&2; exit 1; }

log() { printf '[postgres] %s\n' "$*" >&2; }
die() { printf '[postgres] ERROR: %s\n' "$*" >&2; exit 1; }

# Root runs the server as the `postgres` OS user (postgres refuses to run as root).
if [[ $EUID -eq 0 ]]; then
  AS_PG=(runuser -u postgres --)
else
  AS_PG=()
fi

find_bindir() {
  if [[ -n ${JRP_PG_BINDIR:-} ]]; then
    [[ -x $JRP_PG_BINDIR/initdb && -x $JRP_PG_BINDIR/postgres ]] && { printf '%s\n' "$JRP_PG_BINDIR"; return 0; }
    die "JRP_PG_BINDIR=$JRP_PG_BINDIR has no initdb/postgres"
  fi
  local d best
  best=$(for d in /usr/lib/postgresql/*/bin; do
           if [[ -x $d/initdb && -x $d/postgres && -x $d/pg_ctl ]]; then printf '%s\n' "$d"; fi
         done | sort -V | tail -n1)
  [[ -n $best ]] || return 1
  printf '%s\n' "$best"
}

ensure_installed() {
  if [[ -n ${JRP_PG_BINDIR:-} ]]; then
    BIN=$(find_bindir) || exit 1
    return 0
  fi
  if BIN=$(find_bindir); then
    return 0
  fi
  if [[ $EUID -ne 0 ]]; then
    die "PostgreSQL server binaries not found in /usr/lib/postgresql/*/bin. Install them first, e.g.:
    sudo apt-get update && sudo apt-get install -y postgresql
or point JRP_PG_BINDIR at a directory containing initdb/pg_ctl/postgres."
  fi
  command -v apt-get >/dev/null 2>&1 || die "PostgreSQL not installed and apt-get not available"
  log "PostgreSQL not installed; installing the Debian 'postgresql' package (apt-get) ..."
  local apt_log
  apt_log=$(mktemp)
  if ! { DEBIAN_FRONTEND=noninteractive apt-get update &&
         DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends postgresql; } >"$apt_log" 2>&1; then
    tail -n 40 "$apt_log" >&2
    die "apt-get install postgresql failed (full output: $apt_log)"
  fi
  rm -f "$apt_log"
  BIN=$(find_bindir) || die "postgresql installed but no server binaries in /usr/lib/postgresql/*/bin"
  log "installed: $("$BIN/postgres" --version)"
}

pg() { "${AS_PG[@]}" "$@"; }

is_running() { [[ -f $DATA/PG_VERSION ]] && pg "$BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; }
is_ready() { "$BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -t "${1:-3}" >/dev/null 2>&1; }

psql_admin() {
  "$BIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres "$@"
}

prepare_dir() {
  mkdir -p "$PG_DIR"
  if [[ $EUID -eq 0 ]]; then
    id postgres >/dev/null 2>&1 || die "OS user 'postgres' does not exist (it comes with the postgresql package)"
    chown postgres: "$PG_DIR"
  fi
  chmod 700 "$PG_DIR"
  if ! pg test -w "$PG_DIR"; then
    die "the postgres OS user cannot reach $PG_DIR (a parent directory is not world-traversable?).
Set JRP_PG_DIR (or JRP_VAR_DIR) to a location under a world-traversable directory, e.g. /tmp/jrp-pg."
  fi
}

init_cluster() {
  local major
  major=$("$BIN/postgres" --version | sed -n 's/.*(PostgreSQL) \([0-9]*\).*/\1/p')
  if [[ -f $DATA/PG_VERSION ]]; then
    if [[ -n $major && $(<"$DATA/PG_VERSION") != "$major" ]]; then
      die "cluster in $DATA is PostgreSQL $(<"$DATA/PG_VERSION") but binaries are $major; remove $DATA to re-create it"
    fi
    return 0
  fi
  log "initdb $DATA ($("$BIN/postgres" --version))"
  rm -rf "$DATA.tmp"
  pg "$BIN/initdb" -D "$DATA.tmp" -U postgres --auth=trust -E UTF8 --no-locale --no-sync \
    >"$PG_DIR/initdb.log" 2>&1 || { cat "$PG_DIR/initdb.log" >&2; die "initdb failed"; }
  # loopback TCP only; no unix socket, no remote hosts
  pg tee "$DATA.tmp/pg_hba.conf" >/dev/null <<'EOF'
# TYPE  DATABASE  USER  ADDRESS        METHOD
host    all       all   127.0.0.1/32   trust
EOF
  printf "\n# local/test settings, rewritten by deploy/local/postgres.sh\ninclude_if_exists = 'jrp.conf'\n" |
    pg tee -a "$DATA.tmp/postgresql.conf" >/dev/null
  pg mv "$DATA.tmp" "$DATA"
}

durability_conf() {
  if [[ $DURABLE == 1 ]]; then
    printf '%s\n' "# durable (JRP_PG_DURABLE=1): an acknowledged commit survives a crash" \
      "fsync = on" "synchronous_commit = on" "full_page_writes = on"
  else
    printf '%s\n' "# test speed over durability (JRP_PG_DURABLE=0): a crash may lose or corrupt data" \
      "fsync = off" "synchronous_commit = off" "full_page_writes = off"
  fi
}

# A running server keeps the durability it was started with (turning fsync on at run time is
# not enough: what was written while it was off may still be only in the OS cache).
check_running_durability() {
  local fsync
  fsync=$(psql_admin -Atc 'SHOW fsync') || die "cannot ask the running server for its settings"
  if [[ $DURABLE == 1 && $fsync != on ]]; then
    die "the running cluster was started for tests (fsync=off: a crash can lose acknowledged commits),
but a durable one was asked for (JRP_PG_DURABLE=1, the default). Restart it durable:
    $0 down && $0 up"
  fi
  if [[ $DURABLE == 0 && $fsync == on ]]; then
    log "note: the running cluster is durable; tests run on it as they are (slower, still correct)"
  fi
}

write_conf() {
  pg tee "$DATA/jrp.conf" >/dev/null <<EOF
# Generated by deploy/local/postgres.sh on every 'up' - edit the script, not this file.
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = ''
max_connections = 200
$(durability_conf)
logging_collector = off
log_min_messages = warning
log_line_prefix = '%m [%p] %q%u@%d '
EOF
}

ensure_role_and_dbs() {
  local db
  for db in "$@"; do
    [[ $db =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] || die "invalid database name: $db"
  done
  psql_admin -v role="$APP_ROLE" -v pw="$APP_PASSWORD" -v dbs="$(IFS=,; printf '%s' "$*")" <<'SQL'
SELECT format('CREATE ROLE %I', :'role')
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'role') \gexec
ALTER ROLE :"role" WITH LOGIN SUPERUSER PASSWORD :'pw';
SELECT format('CREATE DATABASE %I OWNER %I', d, :'role')
  FROM unnest(string_to_array(:'dbs', ',')) AS d
 WHERE d <> '' AND NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = d) \gexec
SQL
}

cmd_up() {
  local t0=$SECONDS dbs=("$@")
  ((${#dbs[@]})) || dbs=("${DEFAULT_DBS[@]}")
  ensure_installed
  mkdir -p "$(dirname -- "$PG_DIR")"
  exec 9>"$(dirname -- "$PG_DIR")/.pg.lock"
  flock 9   # serialise concurrent up/down

  if is_running && is_ready 5; then
    log "already running on 127.0.0.1:$PG_PORT"
    check_running_durability
  else
    if is_ready 1; then
      die "port $PG_PORT already serves a PostgreSQL that is not $DATA; set JRP_PG_PORT"
    fi
    prepare_dir
    init_cluster
    write_conf
    log "starting on 127.0.0.1:$PG_PORT (data $DATA)"
    if ! pg "$BIN/pg_ctl" -D "$DATA" -l "$PG_LOG" -w -t 60 -s start 9>&-; then
      tail -n 30 "$PG_LOG" >&2 || true
      die "pg_ctl start failed (log: $PG_LOG)"
    fi
    is_ready 10 || die "server started but not accepting TCP connections on 127.0.0.1:$PG_PORT"
  fi
  ensure_role_and_dbs "${dbs[@]}"
  log "ready on 127.0.0.1:$PG_PORT, role $APP_ROLE, databases: ${dbs[*]} ($((SECONDS - t0))s)"
}

cmd_down() {
  BIN=$(find_bindir) || { log "not installed"; return 0; }
  if [[ ! -f $DATA/PG_VERSION ]]; then
    log "not running (no cluster)"
    return 0
  fi
  exec 9>"$(dirname -- "$PG_DIR")/.pg.lock"
  flock 9
  if ! is_running; then
    log "not running"
    return 0
  fi
  log "stopping"
  pg "$BIN/pg_ctl" -D "$DATA" -m fast -w -t 60 -s stop
  log "stopped"
}

cmd_crash() {
  BIN=$(find_bindir) || die "not installed"
  is_running || die "not running"
  log "stopping immediately (as a crash)"
  pg "$BIN/pg_ctl" -D "$DATA" -m immediate -w -t 60 -s stop
}

cmd_status() {
  if BIN=$(find_bindir) && is_running && is_ready 3; then
    log "running on 127.0.0.1:$PG_PORT (data $DATA)"
    return 0
  fi
  log "not running"
  return 1
}

cmd=${1:-}
shift || true
case $cmd in
  up) cmd_up "$@" ;;
  down) cmd_down ;;
  crash) cmd_crash ;;
  status) cmd_status ;;
  *) printf 'usage: %s {up [db ...]|down|crash|status}\n' "$0" >&2; exit 2 ;;
esac
