#!/usr/bin/env bash
# Local/test infrastructure: PostgreSQL (postgres.sh) + Apache Kafka (kafka.sh), no Docker.
#
#   deploy/local/infra.sh up [db ...]   start both in parallel (idempotent); dbs go to postgres.sh
#   deploy/local/infra.sh down          stop both
#   deploy/local/infra.sh status        exit 0 when both are up
#   deploy/local/infra.sh env           print exports for the test suite:
#                                         eval "$(deploy/local/infra.sh env)"
set -euo pipefail

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)

log() { printf '[infra] %s\n' "$*" >&2; }

# Run both scripts concurrently; fail if either fails.
both() {
  local pg_pid kafka_pid rc=0
  "$SCRIPT_DIR/postgres.sh" "$@" &
  pg_pid=$!
  # kafka.sh takes no extra arguments
  "$SCRIPT_DIR/kafka.sh" "$1" &
  kafka_pid=$!
  wait "$pg_pid" || { rc=1; log "postgres.sh $1 failed"; }
  wait "$kafka_pid" || { rc=1; log "kafka.sh $1 failed"; }
  return "$rc"
}

cmd=${1:-}
shift || true
case $cmd in
  up)
    t0=$SECONDS
    "$SCRIPT_DIR/tools.sh" kcat
    both up "$@"
    log "up in $((SECONDS - t0))s; for tests: eval \"\$($0 env)\""
    ;;
  down) both down ;;
  status)
    rc=0
    "$SCRIPT_DIR/postgres.sh" status || rc=1
    "$SCRIPT_DIR/kafka.sh" status || rc=1
    exit "$rc"
    ;;
  env)
    printf 'export JRP_TEST_POSTGRES_URL=%s\n' \
      "postgresql+asyncpg://jrp:jrp@127.0.0.1:${JRP_PG_PORT:-55432}/postgres"
    printf 'export JRP_TEST_KAFKA_BOOTSTRAP=%s\n' "127.0.0.1:${JRP_KAFKA_PORT:-19092}"
    ;;
  *)
    printf 'usage: %s {up [db ...]|down|status|env}\n' "$0" >&2
    exit 2
    ;;
esac
