#!/usr/bin/env bash
# Local/test Apache Kafka: a single-node KRaft broker+controller assembled from Maven Central
# artifacts (deploy/kafka/pom.xml) and run with plain `java`. No Docker.
#
#   deploy/local/kafka.sh up       download jars (cached), format storage, start, wait until ready
#   deploy/local/kafka.sh down     stop (SIGTERM, then SIGKILL after a grace period)
#   deploy/local/kafka.sh status   exit 0 when the broker is up and answers requests
#   deploy/local/kafka.sh crash    SIGKILL the broker (fault runs: no controlled shutdown; the
#                                  next 'up' recovers its log)
#
# Environment (all optional):
#   JRP_KAFKA_PORT             client (PLAINTEXT) port            [19092]
#   JRP_KAFKA_CONTROLLER_PORT  KRaft controller port              [19093]
#   JRP_CACHE_DIR              download cache                     [~/.cache/jrp]
#   JRP_VAR_DIR                runtime state (data, logs, pid)    [<repo>/var]
#   JRP_KAFKA_VERSION          override <kafka.version> of the pom
#   JRP_KAFKA_HEAP_OPTS        JVM heap flags                     [-Xms128m -Xmx512m]
#   JRP_KAFKA_START_TIMEOUT    seconds to wait for readiness      [90]
#   JRP_KAFKA_DIR              this broker's state directory      [$JRP_VAR_DIR/infra/kafka]
#   JRP_KAFKA_SCRAM_USERS_FILE secured mode (a second, private broker for the security tests;
#                              never the shared one): a file, mode 0600, one `name password`
#                              a line. The client listener becomes SASL_PLAINTEXT with
#                              SCRAM-SHA-512/256 for these users (stored at format time), the
#                              StandardAuthorizer denies what no ACL allows, topics are never
#                              auto-created, and the controller listener takes SASL/PLAIN
#   JRP_KAFKA_SUPER_USER       the user (in the file) that is super user and the broker's own
#                              identity in secured mode                  [admin]
#   JAVA_HOME / MAVEN_OPTS     honoured as usual (e.g. MAVEN_OPTS=-Dmaven.repo.local=...)
set -euo pipefail

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
REPO_ROOT=$(cd -- "$SCRIPT_DIR/../.." && pwd -P)
KAFKA_SRC="$REPO_ROOT/deploy/kafka"

KAFKA_PORT=${JRP_KAFKA_PORT:-19092}
CONTROLLER_PORT=${JRP_KAFKA_CONTROLLER_PORT:-19093}
CACHE_DIR=${JRP_CACHE_DIR:-$HOME/.cache/jrp}
VAR_DIR=${JRP_VAR_DIR:-$REPO_ROOT/var}
START_TIMEOUT=${JRP_KAFKA_START_TIMEOUT:-90}
# shellcheck disable=SC2206  # intentional word splitting of JVM flags
HEAP_OPTS=(${JRP_KAFKA_HEAP_OPTS:--Xms128m -Xmx512m})

STATE_DIR=${JRP_KAFKA_DIR:-$VAR_DIR/infra/kafka}
SCRAM_USERS_FILE=${JRP_KAFKA_SCRAM_USERS_FILE:-}
SUPER_USER=${JRP_KAFKA_SUPER_USER:-admin}
DATA_DIR="$STATE_DIR/data"
LOG_DIR="$STATE_DIR/logs"
LOG_FILE="$LOG_DIR/server.log"
PROPS="$STATE_DIR/server.properties"
PID_FILE="$STATE_DIR/kafka.pid"
CLUSTER_ID_FILE="$STATE_DIR/cluster.id"
PORTS_FILE="$STATE_DIR/ports"

log() { printf '[kafka] %s\n' "$*" >&2; }
die() { printf '[kafka] ERROR: %s\n' "$*" >&2; exit 1; }

java_bin() {
  if [[ -n ${JAVA_HOME:-} && -x $JAVA_HOME/bin/java ]]; then
    printf '%s\n' "$JAVA_HOME/bin/java"
  elif command -v java >/dev/null 2>&1; then
    command -v java
  else
    die "java not found (install OpenJDK 17, or set JAVA_HOME)"
  fi
}

kafka_version() {
  if [[ -n ${JRP_KAFKA_VERSION:-} ]]; then
    printf '%s\n' "$JRP_KAFKA_VERSION"
    return
  fi
  local v
  v=$(sed -n 's:.*<kafka\.version>\([^<]*\)</kafka\.version>.*:\1:p' "$KAFKA_SRC/pom.xml" | head -n1)
  [[ -n $v ]] || die "cannot read <kafka.version> from $KAFKA_SRC/pom.xml"
  printf '%s\n' "$v"
}

# Cache key: any change to the pom (binding, versions) invalidates the jar directory.
pom_stamp() { { cat "$KAFKA_SRC/pom.xml"; printf '%s\n' "${JRP_KAFKA_VERSION:-}"; } | sha256sum | cut -d' ' -f1; }

# Kafka's ApiVersions v0 round trip in pure bash: proves the broker is serving requests, in ms.
# Request: size=10 | api_key=18 | api_version=0 | correlation_id=42 | client_id=null
# Response starts: size(4) | correlation_id=42 (4) | error_code=0 (2)
probe() {
  # shellcheck disable=SC2016  # runs in a child bash
  timeout 5 bash -c '
    exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
    printf "\x00\x00\x00\x0a\x00\x12\x00\x00\x00\x00\x00\x2a\xff\xff" >&3
    resp=$(head -c 10 <&3 | od -An -tx1 | tr -d " \n")
    [[ ${resp:8:12} == 0000002a0000 ]]
  ' _ "$KAFKA_PORT" 2>/dev/null
}

# shellcheck disable=SC2016
port_open() { timeout 2 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1"' _ "$1" 2>/dev/null; }

# Prints the pid when our broker process is alive (pid file + /proc cmdline check).
running_pid() {
  [[ -f $PID_FILE ]] || return 1
  local pid
  pid=$(<"$PID_FILE")
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q 'kafka\.Kafka' || return 1
  printf '%s\n' "$pid"
}

started_in_log() {
  [[ -f $LOG_FILE ]] &&
    grep -q 'Kafka Server started' "$LOG_FILE" &&
    grep -q 'Transitioning from RECOVERY to RUNNING' "$LOG_FILE"
}

ensure_libs() {
  local version stamp libs tmp
  version=$(kafka_version)
  LIBS="$CACHE_DIR/kafka-$version/libs"
  libs=$LIBS
  stamp=$(pom_stamp)
  if [[ -f $libs/.complete && $(<"$libs/.complete") == "$stamp" ]]; then
    return
  fi
  command -v mvn >/dev/null 2>&1 || die "mvn not found (install Maven 3.8+)"
  log "resolving Kafka $version + reload4j from Maven Central into $libs (first run only) ..."
  mkdir -p "$CACHE_DIR/kafka-$version"
  tmp=$(mktemp -d "$CACHE_DIR/kafka-$version/libs.tmp.XXXXXX")
  # shellcheck disable=SC2064
  trap "rm -rf '$tmp' '$tmp.mvn.log'" EXIT
  if ! mvn -q -B -Dstyle.color=never -f "$KAFKA_SRC/pom.xml" dependency:copy-dependencies \
        -DincludeScope=runtime -DoutputDirectory="$tmp" \
        ${JRP_KAFKA_VERSION:+-Dkafka.version="$JRP_KAFKA_VERSION"} >"$tmp.mvn.log" 2>&1; then
    cat "$tmp.mvn.log" >&2
    rm -f "$tmp.mvn.log"
    die "maven could not resolve the broker (output above)"
  fi
  rm -f "$tmp.mvn.log"
  ls "$tmp"/kafka_2.13-"$version".jar >/dev/null 2>&1 || die "kafka_2.13-$version.jar missing after resolve"
  printf '%s\n' "$stamp" >"$tmp/.complete"
  rm -rf "$libs"
  mv "$tmp" "$libs"
  trap - EXIT
  # maven may leave deploy/kafka/target behind; it is not ours to keep
  rm -rf "$KAFKA_SRC/target"
  log "cached $(find "$libs" -name '*.jar' | wc -l) jars"
}

sed_escape() { printf '%s' "$1" | sed -e 's/[\\|&]/\\&/g'; }

write_props() {
  sed -e "s|@KAFKA_PORT@|$(sed_escape "$KAFKA_PORT")|g" \
      -e "s|@CONTROLLER_PORT@|$(sed_escape "$CONTROLLER_PORT")|g" \
      -e "s|@LOG_DIR@|$(sed_escape "$DATA_DIR")|g" \
      "$KAFKA_SRC/server.properties.in" >"$PROPS.tmp"
  if [[ -n $SCRAM_USERS_FILE ]]; then secured_props >>"$PROPS.tmp"; fi
  mv "$PROPS.tmp" "$PROPS"
}

# The password of one user of the SCRAM users file (secured mode).
user_password() {
  awk -v u="$1" '$1 == u { print $2; found = 1; exit } END { exit !found }' "$SCRAM_USERS_FILE" ||
    die "user $1 is not in $SCRAM_USERS_FILE"
}

check_users_file() {
  [[ -f $SCRAM_USERS_FILE ]] || die "JRP_KAFKA_SCRAM_USERS_FILE=$SCRAM_USERS_FILE does not exist"
  [[ $(stat -c %a "$SCRAM_USERS_FILE") == 600 ]] ||
    die "$SCRAM_USERS_FILE holds passwords: make it mode 0600 (chmod 600)"
  [[ $SUPER_USER =~ ^[A-Za-z0-9._-]+$ ]] || die "JRP_KAFKA_SUPER_USER: letters, digits, . _ - only"
  awk 'NF != 2 || $1 !~ /^[A-Za-z0-9._-]+$/ || $2 !~ /^[A-Za-z0-9._~+-]+$/ { exit 1 }' \
    "$SCRAM_USERS_FILE" ||
    die "$SCRAM_USERS_FILE: one 'name password' a line (name: [A-Za-z0-9._-], password: [A-Za-z0-9._~+-])"
  user_password "$SUPER_USER" >/dev/null
}

# Appended to the template (a later key wins in a .properties file): SASL/SCRAM on the
# client listener, SASL/PLAIN between the broker and its controller, an authorizer that
# denies what no ACL allows, no topic created by a client's metadata request.
secured_props() {
  local pw
  pw=$(user_password "$SUPER_USER")
  cat <<PROPS

# --- secured mode (JRP_KAFKA_SCRAM_USERS_FILE) ---
listeners=SASL_PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$CONTROLLER_PORT
advertised.listeners=SASL_PLAINTEXT://127.0.0.1:$KAFKA_PORT
inter.broker.listener.name=SASL_PLAINTEXT
listener.security.protocol.map=CONTROLLER:SASL_PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT
sasl.enabled.mechanisms=SCRAM-SHA-512,SCRAM-SHA-256
sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512
listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="$SUPER_USER" password="$pw";
listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="$SUPER_USER" password="$pw";
sasl.mechanism.controller.protocol=PLAIN
listener.name.controller.sasl.enabled.mechanisms=PLAIN
listener.name.controller.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="$SUPER_USER" password="$pw" user_$SUPER_USER="$pw";
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
super.users=User:$SUPER_USER
allow.everyone.if.no.acl.found=false
auto.create.topics.enable=false
PROPS
}

# --add-scram arguments of StorageTool format: every user, both SCRAM mechanisms.
scram_args() {
  local name pw
  while read -r name pw; do
    [[ -n $name ]] || continue
    printf '%s\n' --add-scram "SCRAM-SHA-512=[name=$name,password=$pw]" \
      --add-scram "SCRAM-SHA-256=[name=$name,password=$pw]"
  done <"$SCRAM_USERS_FILE"
}

# Kafka cluster ids are 16 random bytes, base64url without padding (22 chars),
# never starting with '-' (Uuid.randomUuid avoids that too).
new_cluster_id() {
  local id
  while :; do
    id=$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')
    [[ $id != -* ]] && break
  done
  printf '%s\n' "$id"
}

java_opts() {
  JAVA_OPTS=(
    "${HEAP_OPTS[@]}"
    -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35
    -XX:+ExplicitGCInvokesConcurrent -Djava.awt.headless=true
    "-Dlog4j.configuration=file:$KAFKA_SRC/log4j.properties"
    "-Dkafka.logs.dir=$LOG_DIR"
  )
}

format_storage() {
  [[ -f $DATA_DIR/meta.properties ]] && return   # already formatted; skip a JVM start
  [[ -s $CLUSTER_ID_FILE ]] || new_cluster_id >"$CLUSTER_ID_FILE"
  log "formatting storage in $DATA_DIR (cluster id $(<"$CLUSTER_ID_FILE"))"
  local scram=()
  if [[ -n $SCRAM_USERS_FILE ]]; then mapfile -t scram < <(scram_args); fi
  "$JAVA" -Xmx256m "-Dlog4j.configuration=file:$KAFKA_SRC/log4j.properties" "-Dkafka.logs.dir=$LOG_DIR" \
    -cp "$LIBS/*" kafka.tools.StorageTool format \
    -t "$(<"$CLUSTER_ID_FILE")" -c "$PROPS" --ignore-formatted "${scram[@]}" >"$LOG_DIR/format.out" 2>&1 ||
    { cat "$LOG_DIR/format.out" >&2; die "storage format failed"; }
}

show_tail() {
  local f
  for f in "$LOG_FILE" "$STATE_DIR/stdout.log"; do
    [[ -s $f ]] || continue
    printf '==> %s <==\n' "$f" >&2
    tail -n 30 "$f" >&2
  done
}

wait_ready() {
  local pid=$1 deadline=$((SECONDS + START_TIMEOUT))
  while ((SECONDS < deadline)); do
    if ! kill -0 "$pid" 2>/dev/null; then
      log "broker process $pid exited during startup; last log lines:"
      show_tail
      die "kafka failed to start"
    fi
    if started_in_log && probe; then
      return 0
    fi
    sleep 0.3
  done
  log "not ready after ${START_TIMEOUT}s; last log lines:"
  show_tail
  die "kafka did not become ready on 127.0.0.1:$KAFKA_PORT (pid $pid still running; try: $0 down)"
}

cmd_up() {
  local pid t0=$SECONDS
  if [[ -n $SCRAM_USERS_FILE ]]; then
    check_users_file
    umask 077   # server.properties then holds the super user's password
  fi
  mkdir -p "$STATE_DIR" "$LOG_DIR" "$DATA_DIR"
  exec 9>"$STATE_DIR/.lock"
  flock 9   # serialise concurrent `up`/`down`

  if pid=$(running_pid); then
    if [[ -f $PORTS_FILE && $(<"$PORTS_FILE") != "$KAFKA_PORT $CONTROLLER_PORT" ]]; then
      die "already running (pid $pid) with ports $(<"$PORTS_FILE") (client controller), not $KAFKA_PORT $CONTROLLER_PORT; run '$0 down' first"
    fi
    if probe; then
      log "already running (pid $pid) on 127.0.0.1:$KAFKA_PORT"
      return 0
    fi
    log "process $pid is running but not answering yet; waiting"
    wait_ready "$pid"
    log "ready on 127.0.0.1:$KAFKA_PORT (pid $pid)"
    return 0
  fi
  rm -f "$PID_FILE"
  if port_open "$KAFKA_PORT" || port_open "$CONTROLLER_PORT"; then
    die "port $KAFKA_PORT or $CONTROLLER_PORT is already in use by another process (not started by this script); set JRP_KAFKA_PORT/JRP_KAFKA_CONTROLLER_PORT"
  fi

  JAVA=$(java_bin)
  ensure_libs
  write_props
  # keep the previous run's log; the readiness check greps a fresh file
  if [[ -f $LOG_FILE ]]; then mv -f "$LOG_FILE" "$LOG_FILE.prev"; fi
  format_storage
  java_opts

  log "starting broker (KRaft) on 127.0.0.1:$KAFKA_PORT, controller :$CONTROLLER_PORT"
  nohup "$JAVA" "${JAVA_OPTS[@]}" -cp "$LIBS/*" kafka.Kafka "$PROPS" \
    >"$STATE_DIR/stdout.log" 2>&1 </dev/null 9>&- &
  pid=$!
  printf '%s\n' "$pid" >"$PID_FILE"
  printf '%s\n' "$KAFKA_PORT $CONTROLLER_PORT" >"$PORTS_FILE"
  wait_ready "$pid"
  log "ready on 127.0.0.1:$KAFKA_PORT (pid $pid, $((SECONDS - t0))s); log: $LOG_FILE"
}

cmd_down() {
  local pid i
  [[ -d $STATE_DIR ]] || { log "not running"; return 0; }
  exec 9>"$STATE_DIR/.lock"
  flock 9
  if ! pid=$(running_pid); then
    rm -f "$PID_FILE"
    log "not running"
    return 0
  fi
  log "stopping (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 100; i++)); do   # up to 30 s for a controlled shutdown
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.3
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "still alive after 30s; sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    for ((i = 0; i < 50; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
  rm -f "$PID_FILE"
  log "stopped"
}

cmd_crash() {
  local pid i
  if ! pid=$(running_pid); then
    log "not running"
    return 0
  fi
  log "killing the broker (pid $pid) as a crash would"
  kill -KILL "$pid" 2>/dev/null || true
  for ((i = 0; i < 50; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  rm -f "$PID_FILE"
}

cmd_status() {
  local pid
  if pid=$(running_pid) && probe; then
    log "running (pid $pid) on 127.0.0.1:$KAFKA_PORT"
    return 0
  fi
  log "not running"
  return 1
}

case ${1:-} in
  up) cmd_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
  crash) cmd_crash ;;
  *) printf 'usage: %s {up|down|status|crash}\n' "$0" >&2; exit 2 ;;
esac
