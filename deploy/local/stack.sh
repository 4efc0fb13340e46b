#!/usr/bin/env bash
# Trackstream's local stack: real Kafka (KRaft), PostgreSQL 15 and ClickHouse on loopback,
# without Docker. Every command is idempotent.
#
#   deploy/local/stack.sh install   install what is missing (Debian packages, Kafka jars via mvn)
#   deploy/local/stack.sh start     install if needed, start what is not running, wait until ready
#   deploy/local/stack.sh status    one line per server; exit 0 only when all three answer
#   deploy/local/stack.sh stop      stop the servers this script started (by their pid files)
#   deploy/local/stack.sh env       print the TRACKSTREAM_* connection variables for the stack
#   deploy/local/stack.sh env seaweedfs   print the S3 variables for the SeaweedFS gateway (TRACKSTREAM_S3_*, AWS_*)
# start and stop take server names (kafka, postgres, clickhouse, seaweedfs) to act on some only. SeaweedFS (a real S3
# server for the artifact store) is started only when named: `npm start` keeps artifacts in a local directory.
#
# Configuration (environment):
#   TRACKSTREAM_STACK_DIR           data, logs and pid files   (default: <repo>/.stack, git-ignored)
#   TRACKSTREAM_STACK_KAFKA_PORT    Kafka broker listener      (default 9092)
#   TRACKSTREAM_STACK_KAFKA_CONTROLLER_PORT                    (default 9093)
#   TRACKSTREAM_STACK_PG_PORT       PostgreSQL                 (default 5432)
#   TRACKSTREAM_STACK_CH_HTTP_PORT  ClickHouse HTTP            (default 8123)
#   TRACKSTREAM_STACK_CH_TCP_PORT   ClickHouse native TCP      (default 9000)
#   TRACKSTREAM_STACK_CH_INTERSERVER_PORT                      (default 9009)
#   TRACKSTREAM_STACK_KAFKA_HEAP    JVM heap for the broker    (default 512m)
#   TRACKSTREAM_STACK_TIMEOUT       seconds to wait for each server to be ready (default 90)
#   TRACKSTREAM_STACK_KAFKA_LIBS    where Kafka's jars are kept (default: <stack dir>/kafka/libs)
#   TRACKSTREAM_STACK_S3_PORT       SeaweedFS S3 gateway       (default 8333; master 9333, volume 8380, filer 8888,
#                                   gRPC on each port + 10000)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
STACK_DIR="${TRACKSTREAM_STACK_DIR:-$REPO/.stack}"
KAFKA_PORT="${TRACKSTREAM_STACK_KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${TRACKSTREAM_STACK_KAFKA_CONTROLLER_PORT:-9093}"
PG_PORT="${TRACKSTREAM_STACK_PG_PORT:-5432}"
CH_HTTP_PORT="${TRACKSTREAM_STACK_CH_HTTP_PORT:-8123}"
CH_TCP_PORT="${TRACKSTREAM_STACK_CH_TCP_PORT:-9000}"
CH_INTERSERVER_PORT="${TRACKSTREAM_STACK_CH_INTERSERVER_PORT:-9009}"
KAFKA_HEAP="${TRACKSTREAM_STACK_KAFKA_HEAP:-512m}"
# Test-owned private stacks share the main stack's jars instead of copying them again.
KAFKA_LIBS="${TRACKSTREAM_STACK_KAFKA_LIBS:-}"
READY_TIMEOUT="${TRACKSTREAM_STACK_TIMEOUT:-90}"
S3_PORT="${TRACKSTREAM_STACK_S3_PORT:-8333}"
SW_MASTER_PORT="${TRACKSTREAM_STACK_SW_MASTER_PORT:-9333}"
SW_VOLUME_PORT="${TRACKSTREAM_STACK_SW_VOLUME_PORT:-8380}"
SW_FILER_PORT="${TRACKSTREAM_STACK_SW_FILER_PORT:-8888}"
S3_ACCESS_KEY="trackstream"
S3_SECRET_KEY="trackstream-local-secret"
S3_BUCKET="trackstream-artifacts"

PG_BIN="/usr/lib/postgresql/15/bin"
PG_USER="trackstream"
PG_PASSWORD="trackstream"
DB_NAME="trackstream"

RUN_DIR="$STACK_DIR/run"
KAFKA_HOME="$STACK_DIR/kafka"
KAFKA_LIBS="${KAFKA_LIBS:-$KAFKA_HOME/libs}"
PG_HOME="$STACK_DIR/postgres"
CH_HOME="$STACK_DIR/clickhouse"
SW_HOME="$STACK_DIR/seaweedfs"
SW_LOG="$SW_HOME/weed.log"

KAFKA_LOG="$KAFKA_HOME/kafka.log"
PG_LOG="$PG_HOME/postgres.log"
CH_LOG="$CH_HOME/clickhouse-server.log"
CH_ERR_LOG="$CH_HOME/clickhouse-server.err.log"

say() { printf '[stack] %s\n' "$*" >&2; }
die() { printf '[stack] ERROR: %s\n' "$*" >&2; exit 1; }

# ---------------------------------------------------------------- helpers

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

pid_alive() { [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null; }

read_pid() { [ -f "$RUN_DIR/$1.pid" ] && cat "$RUN_DIR/$1.pid" || true; }

# Root runs Postgres as the `postgres` account (Postgres refuses root); anyone else runs it as themselves.
as_pg_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@";
  elif command -v sudo >/dev/null 2>&1; then sudo "$@";
  else return 1; fi
}

apt_install() {
  local missing=()
  local pkg
  for pkg in "$@"; do
    # `dpkg -s` succeeds for removed-but-configured packages too, so read the status itself.
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  command -v apt-get >/dev/null 2>&1 || die "Debian packages missing (${missing[*]}) and apt-get is not available; install them by hand"
  say "installing Debian packages: ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null \
    || die "apt-get update failed (need root or sudo) while installing ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >"$STACK_DIR/apt.log" 2>&1 \
    || die "could not install ${missing[*]}; see $STACK_DIR/apt.log"
}

# Refuse to start a server on a port something else already holds.
ensure_port_free() { # name port
  if port_open "$2"; then
    die "$1: port $2 on 127.0.0.1 is already taken by another process; free it or set the port variable (see the header of $0)"
  fi
}

# Poll until `check` succeeds, the process dies, or the timeout passes.
wait_ready() { # name pid log check-command...
  local name="$1" pid="$2" log="$3"; shift 3
  local waited=0
  until "$@"; do
    if ! pid_alive "$pid"; then
      say "$name exited during start-up; last lines of $log:"
      tail -n 25 "$log" >&2 || true
      [ -z "${STARTUP_OUTPUT:-}" ] || { say "and of $STARTUP_OUTPUT:"; tail -n 10 "$STARTUP_OUTPUT" >&2 || true; }
      die "$name failed to start; full log: $log"
    fi
    if [ "$waited" -ge "$((READY_TIMEOUT * 2))" ]; then
      die "$name did not become ready within ${READY_TIMEOUT}s; log: $log"
    fi
    sleep 0.5
    waited=$((waited + 1))
  done
}

# ---------------------------------------------------------------- Kafka

kafka_install() {
  command -v java >/dev/null 2>&1 || apt_install openjdk-17-jre-headless
  command -v mvn >/dev/null 2>&1 || apt_install maven
  if [ -f "$KAFKA_LIBS/.complete" ] && cmp -s "$HERE/pom.xml" "$KAFKA_LIBS/.complete"; then
    return 0
  fi
  say "resolving Kafka jars from Maven Central (cached in ~/.m2)"
  rm -rf "$KAFKA_LIBS"
  mkdir -p "$KAFKA_LIBS"
  local mvn_args=(-q -B -f "$HERE/pom.xml" dependency:copy-dependencies
    "-DoutputDirectory=$KAFKA_LIBS" -DincludeScope=runtime)
  # Offline first, so a warm cache never touches the network.
  if ! mvn -o "${mvn_args[@]}" >"$KAFKA_HOME/mvn.log" 2>&1; then
    mvn "${mvn_args[@]}" >"$KAFKA_HOME/mvn.log" 2>&1 \
      || die "Kafka: mvn could not resolve the broker jars; see $KAFKA_HOME/mvn.log"
  fi
  cp "$HERE/pom.xml" "$KAFKA_LIBS/.complete"
}

kafka_configure() {
  mkdir -p "$KAFKA_HOME/data" "$KAFKA_HOME/logs"
  cat >"$KAFKA_HOME/server.properties" <<EOF
# Generated by deploy/local/stack.sh; edit the script, not this file.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$KAFKA_HOME/data
num.partitions=1
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=10
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
delete.topic.enable=true
# The event log is the system of record: keep it forever.
log.retention.ms=-1
log.retention.bytes=-1
EOF
  cat >"$KAFKA_HOME/log4j.properties" <<'EOF'
log4j.rootLogger=INFO, stdout
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka=INFO
log4j.logger.org.apache.kafka=INFO
log4j.logger.kafka.request.logger=WARN
log4j.logger.state.change.logger=WARN
log4j.logger.kafka.log.LogCleaner=WARN
EOF
}

kafka_java() {
  java "-Xms256m" "-Xmx$KAFKA_HEAP" -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
    "-Dlog4j.configuration=file:$KAFKA_HOME/log4j.properties" \
    "-Dkafka.logs.dir=$KAFKA_HOME/logs" \
    -cp "$KAFKA_LIBS/*" "$@"
}

# Started in the background with `exec`, so the pid file names the JVM itself.
kafka_launch() {
  exec java "-Xms256m" "-Xmx$KAFKA_HEAP" -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
    "-Dlog4j.configuration=file:$KAFKA_HOME/log4j.properties" \
    "-Dkafka.logs.dir=$KAFKA_HOME/logs" \
    -cp "$KAFKA_LIBS/*" kafka.Kafka "$KAFKA_HOME/server.properties"
}

kafka_running() { pid_alive "$(read_pid kafka)"; }

kafka_ready() { port_open "$KAFKA_PORT" && grep -q 'Kafka Server started' "$KAFKA_LOG" 2>/dev/null; }

kafka_start() {
  if kafka_running; then
    kafka_ready || wait_ready Kafka "$(read_pid kafka)" "$KAFKA_LOG" kafka_ready
    return 0
  fi
  kafka_install
  ensure_port_free Kafka "$KAFKA_PORT"
  ensure_port_free "Kafka controller" "$KAFKA_CONTROLLER_PORT"
  kafka_configure
  if [ ! -f "$KAFKA_HOME/data/meta.properties" ]; then
    local cluster_id
    cluster_id="$(kafka_java kafka.tools.StorageTool random-uuid 2>>"$KAFKA_LOG" | tail -n 1)"
    kafka_java kafka.tools.StorageTool format -t "$cluster_id" -c "$KAFKA_HOME/server.properties" \
      >>"$KAFKA_LOG" 2>&1 || die "Kafka: formatting storage failed; log: $KAFKA_LOG"
  fi
  : >"$KAFKA_LOG"
  say "starting Kafka on 127.0.0.1:$KAFKA_PORT (log: $KAFKA_LOG)"
  (kafka_launch) >>"$KAFKA_LOG" 2>&1 </dev/null &
  echo $! >"$RUN_DIR/kafka.pid"
  wait_ready Kafka "$!" "$KAFKA_LOG" kafka_ready
}

# ---------------------------------------------------------------- PostgreSQL

pg_install() { [ -x "$PG_BIN/postgres" ] || apt_install postgresql-15; [ -x "$PG_BIN/postgres" ] || die "PostgreSQL: $PG_BIN/postgres missing after installing postgresql-15"; }

pg_running() { [ -f "$PG_HOME/data/postmaster.pid" ] && pid_alive "$(head -n 1 "$PG_HOME/data/postmaster.pid")"; }

pg_ready() { "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" -d postgres; }

pg_start() {
  pg_install
  if pg_running; then
    pg_ready || wait_ready PostgreSQL "$(head -n 1 "$PG_HOME/data/postmaster.pid")" "$PG_LOG" pg_ready
    return 0
  fi
  ensure_port_free PostgreSQL "$PG_PORT"
  mkdir -p "$PG_HOME"
  [ "$(id -u)" = 0 ] && chown postgres: "$PG_HOME"
  if [ ! -f "$PG_HOME/data/PG_VERSION" ]; then
    say "initialising PostgreSQL data directory"
    local pwfile="$PG_HOME/pwfile"
    printf '%s\n' "$PG_PASSWORD" >"$pwfile"
    [ "$(id -u)" = 0 ] && chown postgres: "$pwfile"
    as_pg_owner "$PG_BIN/initdb" -D "$PG_HOME/data" -U "$PG_USER" --pwfile="$pwfile" \
      --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$PG_HOME/initdb.log" 2>&1 \
      || die "PostgreSQL: initdb failed; log: $PG_HOME/initdb.log"
    rm -f "$pwfile"
  fi
  say "starting PostgreSQL on 127.0.0.1:$PG_PORT (log: $PG_LOG)"
  touch "$PG_LOG"; [ "$(id -u)" = 0 ] && chown postgres: "$PG_LOG"
  as_pg_owner "$PG_BIN/pg_ctl" -D "$PG_HOME/data" -l "$PG_LOG" -w -t "$READY_TIMEOUT" \
    -o "-p $PG_PORT -k $PG_HOME -c listen_addresses=127.0.0.1 -c max_connections=300 -c shared_buffers=256MB" \
    start >/dev/null || { tail -n 25 "$PG_LOG" >&2; die "PostgreSQL failed to start; log: $PG_LOG"; }
  wait_ready PostgreSQL "$(head -n 1 "$PG_HOME/data/postmaster.pid")" "$PG_LOG" pg_ready
  if ! as_pg_owner "$PG_BIN/../bin/psql" -h "$PG_HOME" -p "$PG_PORT" -U "$PG_USER" -d postgres -tAc \
      "SELECT 1 FROM pg_database WHERE datname = '$DB_NAME'" | grep -q 1; then
    as_pg_owner psql -q -h "$PG_HOME" -p "$PG_PORT" -U "$PG_USER" -d postgres -c "CREATE DATABASE $DB_NAME" \
      || die "PostgreSQL: could not create database $DB_NAME; log: $PG_LOG"
  fi
}

pg_stop() {
  pg_running || return 0
  say "stopping PostgreSQL"
  as_pg_owner "$PG_BIN/pg_ctl" -D "$PG_HOME/data" -m fast -w stop >/dev/null
}

# ---------------------------------------------------------------- ClickHouse

ch_install() {
  command -v clickhouse-server >/dev/null 2>&1 || apt_install clickhouse-server clickhouse-client
  command -v clickhouse-server >/dev/null 2>&1 || die "ClickHouse: clickhouse-server not found after installing the Debian package clickhouse-server"
}

ch_configure() {
  mkdir -p "$CH_HOME/data" "$CH_HOME/tmp" "$CH_HOME/user_files" "$CH_HOME/format_schemas"
  cat >"$CH_HOME/config.xml" <<EOF
<?xml version="1.0"?>
<!-- Generated by deploy/local/stack.sh; edit the script, not this file. -->
<yandex>
  <logger>
    <level>information</level>
    <log>$CH_LOG</log>
    <errorlog>$CH_ERR_LOG</errorlog>
    <size>100M</size>
    <count>3</count>
  </logger>
  <http_port>$CH_HTTP_PORT</http_port>
  <tcp_port>$CH_TCP_PORT</tcp_port>
  <interserver_http_port>$CH_INTERSERVER_PORT</interserver_http_port>
  <listen_host>127.0.0.1</listen_host>
  <max_connections>4096</max_connections>
  <keep_alive_timeout>10</keep_alive_timeout>
  <max_concurrent_queries>100</max_concurrent_queries>
  <uncompressed_cache_size>1073741824</uncompressed_cache_size>
  <mark_cache_size>1073741824</mark_cache_size>
  <path>$CH_HOME/data/</path>
  <tmp_path>$CH_HOME/tmp/</tmp_path>
  <user_files_path>$CH_HOME/user_files/</user_files_path>
  <format_schema_path>$CH_HOME/format_schemas/</format_schema_path>
  <users_config>$CH_HOME/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <mlock_executable>false</mlock_executable>
</yandex>
EOF
  cat >"$CH_HOME/users.xml" <<'EOF'
<?xml version="1.0"?>
<!-- Generated by deploy/local/stack.sh: one passwordless user reachable from loopback only. -->
<yandex>
  <profiles>
    <default>
      <max_memory_usage>4000000000</max_memory_usage>
      <load_balancing>random</load_balancing>
    </default>
  </profiles>
  <users>
    <default>
      <password></password>
      <networks><ip>::1</ip><ip>127.0.0.1</ip></networks>
      <profile>default</profile>
      <quota>default</quota>
    </default>
  </users>
  <quotas><default><interval><duration>3600</duration><queries>0</queries><errors>0</errors>
    <result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time></interval></default></quotas>
</yandex>
EOF
}

ch_running() { pid_alive "$(read_pid clickhouse)"; }

ch_ready() { [ "$(curl -s "http://127.0.0.1:$CH_HTTP_PORT/ping" 2>/dev/null)" = "Ok." ]; }

ch_query() { curl -sS --fail-with-body "http://127.0.0.1:$CH_HTTP_PORT/" --data-binary "$1"; }

ch_start() {
  if ch_running; then
    ch_ready || wait_ready ClickHouse "$(read_pid clickhouse)" "$CH_ERR_LOG" ch_ready
    return 0
  fi
  ch_install
  command -v curl >/dev/null 2>&1 || apt_install curl
  ensure_port_free ClickHouse "$CH_HTTP_PORT"
  ensure_port_free "ClickHouse native" "$CH_TCP_PORT"
  ensure_port_free "ClickHouse interserver" "$CH_INTERSERVER_PORT"
  ch_configure
  say "starting ClickHouse on 127.0.0.1:$CH_HTTP_PORT (log: $CH_ERR_LOG)"
  touch "$CH_ERR_LOG"
  (cd "$CH_HOME" && exec clickhouse-server --config-file="$CH_HOME/config.xml") >>"$CH_HOME/stdout.log" 2>&1 </dev/null &
  echo $! >"$RUN_DIR/clickhouse.pid"
  STARTUP_OUTPUT="$CH_HOME/stdout.log" wait_ready ClickHouse "$!" "$CH_ERR_LOG" ch_ready
  ch_query "CREATE DATABASE IF NOT EXISTS $DB_NAME" >/dev/null \
    || die "ClickHouse: could not create database $DB_NAME; log: $CH_ERR_LOG"
}

# ---------------------------------------------------------------- SeaweedFS (S3 for the artifact store)

# The binary is built from the Go module source once and cached (deploy/local/build-seaweedfs.sh).
sw_install() {
  command -v go >/dev/null 2>&1 || apt_install golang-go
  SW_BIN="$(bash "$HERE/build-seaweedfs.sh")" || die "SeaweedFS: building weed failed (see the output above)"
}

sw_running() { pid_alive "$(read_pid seaweedfs)"; }

# Ready when the S3 gateway answers an authenticated-less request with an S3 error document (403/200), not a refusal.
sw_ready() { port_open "$S3_PORT" && curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$S3_PORT/" 2>/dev/null | grep -qE '^(200|403)$'; }

sw_configure() {
  mkdir -p "$SW_HOME/data"
  cat >"$SW_HOME/s3.json" <<EOF
{
  "identities": [
    { "name": "trackstream", "credentials": [{ "accessKey": "$S3_ACCESS_KEY", "secretKey": "$S3_SECRET_KEY" }],
      "actions": ["Admin", "Read", "Write", "List", "Tagging"] }
  ]
}
EOF
}

sw_start() {
  if sw_running; then
    sw_ready || wait_ready SeaweedFS "$(read_pid seaweedfs)" "$SW_LOG" sw_ready
    return 0
  fi
  command -v curl >/dev/null 2>&1 || apt_install curl
  sw_install
  local p
  for p in "$S3_PORT" "$SW_MASTER_PORT" "$SW_VOLUME_PORT" "$SW_FILER_PORT"; do
    ensure_port_free SeaweedFS "$p"; ensure_port_free "SeaweedFS gRPC" "$((p + 10000))"
  done
  sw_configure
  say "starting SeaweedFS with its S3 gateway on 127.0.0.1:$S3_PORT (log: $SW_LOG)"
  : >"$SW_LOG"
  (exec "$SW_BIN" server -ip=127.0.0.1 -ip.bind=127.0.0.1 -dir="$SW_HOME/data" -volume.max=0 \
     -master.port="$SW_MASTER_PORT" -master.volumeSizeLimitMB=1024 -master.telemetry=false \
     -volume.port="$SW_VOLUME_PORT" -volume.preStopSeconds=0 \
     -filer -filer.port="$SW_FILER_PORT" -s3 -s3.port="$S3_PORT" -s3.config="$SW_HOME/s3.json") >>"$SW_LOG" 2>&1 </dev/null &
  echo $! >"$RUN_DIR/seaweedfs.pid"
  wait_ready SeaweedFS "$!" "$SW_LOG" sw_ready
}

sw_env() {
  cat <<EOF
TRACKSTREAM_S3_ENDPOINT=http://127.0.0.1:$S3_PORT
TRACKSTREAM_S3_REGION=us-east-1
TRACKSTREAM_S3_BUCKET=$S3_BUCKET
AWS_ACCESS_KEY_ID=$S3_ACCESS_KEY
AWS_SECRET_ACCESS_KEY=$S3_SECRET_KEY
EOF
}

# ---------------------------------------------------------------- process stop

stop_pidfile() { # name pidfile-name
  local pid; pid="$(read_pid "$2")"
  if pid_alive "$pid"; then
    say "stopping $1 (pid $pid)"
    # The pid is a wrapper shell or the server itself: end its whole process group's children too.
    pkill -TERM -P "$pid" 2>/dev/null || true
    kill -TERM "$pid" 2>/dev/null || true
    local i
    for i in $(seq 1 60); do
      pid_alive "$pid" || pgrep -P "$pid" >/dev/null 2>&1 || break
      sleep 0.5
    done
    if pid_alive "$pid" || pgrep -P "$pid" >/dev/null 2>&1; then
      say "$1 did not stop in 30s; killing it"
      pkill -KILL -P "$pid" 2>/dev/null || true
      kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  rm -f "$RUN_DIR/$2.pid"
}

# ---------------------------------------------------------------- commands

cmd_env() {
  if [ "${1:-}" = seaweedfs ]; then sw_env; return; fi
  cat <<EOF
TRACKSTREAM_KAFKA_BROKERS=127.0.0.1:$KAFKA_PORT
TRACKSTREAM_PG_URL=postgres://$PG_USER:$PG_PASSWORD@127.0.0.1:$PG_PORT/$DB_NAME
TRACKSTREAM_CLICKHOUSE_URL=http://127.0.0.1:$CH_HTTP_PORT/$DB_NAME
EOF
}

cmd_status() {
  local ok=0
  if kafka_running && kafka_ready; then echo "kafka       up    127.0.0.1:$KAFKA_PORT  pid $(read_pid kafka)  log $KAFKA_LOG";
  else echo "kafka       down  (log $KAFKA_LOG)"; ok=1; fi
  if pg_running && pg_ready; then echo "postgres    up    127.0.0.1:$PG_PORT  pid $(head -n 1 "$PG_HOME/data/postmaster.pid")  log $PG_LOG";
  else echo "postgres    down  (log $PG_LOG)"; ok=1; fi
  if ch_running && ch_ready; then echo "clickhouse  up    127.0.0.1:$CH_HTTP_PORT  pid $(read_pid clickhouse)  log $CH_ERR_LOG";
  else echo "clickhouse  down  (log $CH_ERR_LOG)"; ok=1; fi
  # SeaweedFS is optional (started only when named): reported, never counted as down.
  if sw_running && sw_ready; then echo "seaweedfs   up    127.0.0.1:$S3_PORT (S3)  pid $(read_pid seaweedfs)  log $SW_LOG";
  else echo "seaweedfs   off   (started by: $0 start seaweedfs)"; fi
  return $ok
}

# Servers named on the command line, or all three (start order: stores first, then the log).
servers_of() {
  if [ $# -eq 0 ]; then echo "postgres clickhouse kafka"; return; fi
  local s
  for s in "$@"; do
    case "$s" in kafka|postgres|clickhouse|seaweedfs) ;; *) die "unknown server '$s' (kafka, postgres, clickhouse or seaweedfs)" ;; esac
  done
  echo "$*"
}

main() {
  mkdir -p "$RUN_DIR"
  local cmd="${1:-}"; shift || true
  local s
  case "$cmd" in
    install) kafka_install; pg_install; ch_install ;;
    start)
      for s in $(servers_of "$@"); do
        case "$s" in kafka) kafka_start ;; postgres) pg_start ;; clickhouse) ch_start ;; seaweedfs) sw_start ;; esac
      done
      say "ready"
      cmd_status >&2 || true
      ;;
    status) cmd_status ;;
    stop)
      # A plain stop also ends SeaweedFS when this script started it.
      for s in $( [ $# -eq 0 ] && echo "postgres clickhouse kafka seaweedfs" || servers_of "$@"); do
        case "$s" in kafka) stop_pidfile Kafka kafka ;; postgres) pg_stop ;; clickhouse) stop_pidfile ClickHouse clickhouse ;; seaweedfs) stop_pidfile SeaweedFS seaweedfs ;; esac
      done
      ;;
    env) cmd_env "$@" ;;
    *) echo "usage: $0 install|start|status|stop|env [kafka|postgres|clickhouse|seaweedfs ...]" >&2; exit 2 ;;
  esac
}

main "$@"
