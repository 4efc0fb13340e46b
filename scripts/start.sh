#!/usr/bin/env bash
# `npm start`: install and build, bring up the local stack (unless TRACKSTREAM_* endpoints are given),
# then run every service that exists, printing where each listens. Ctrl-C stops the services;
# the stack keeps running until `npm run stack:stop`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/bootstrap.sh

if [ -z "${TRACKSTREAM_KAFKA_BROKERS:-}${TRACKSTREAM_PG_URL:-}${TRACKSTREAM_CLICKHOUSE_URL:-}" ]; then
  bash deploy/local/stack.sh start
  set -a; eval "$(bash deploy/local/stack.sh env)"; set +a
fi

# Access control (issue 9): this is the local single-user setup, so auth is off unless the user asked for it.
# docker-compose.yml and production deployments run with TRACKSTREAM_AUTH=on (the services' own default).
export TRACKSTREAM_AUTH="${TRACKSTREAM_AUTH:-off}"

# A URL for the terminal: its password (if any) replaced.
redact_url() { printf '%s' "$1" | sed -E 's#^([a-zA-Z][a-zA-Z0-9+.-]*://[^/:@]*):[^/]*@#\1:[redacted]@#'; }

LOG_DIR="${TRACKSTREAM_LOG_DIR:-.stack/logs}"
mkdir -p "$LOG_DIR"

# name | entry point | where it answers | node flags. A service is started once its build output exists.
# The gateway gets a larger young generation: it halves its GC share (docs/performance.md, Ingest gateway).
SERVICES=(
  "ingest-gateway|services/ingest-gateway/dist/main.js|http://127.0.0.1:${TRACKSTREAM_GATEWAY_PORT:-8080}|--max-semi-space-size=32"
  "projector-postgres|services/projector/dist/main.js --projection postgres|http://127.0.0.1:${TRACKSTREAM_PROJECTOR_POSTGRES_PORT:-8082}/metrics"
  "projector-clickhouse|services/projector/dist/main.js --projection clickhouse|http://127.0.0.1:${TRACKSTREAM_PROJECTOR_CLICKHOUSE_PORT:-8083}/metrics"
  "query-api|services/query-api/dist/main.js|http://127.0.0.1:${TRACKSTREAM_QUERY_PORT:-8081}"
  "artifact-store|services/artifact-store/dist/main.js|http://127.0.0.1:${TRACKSTREAM_ARTIFACT_PORT:-8084}"
  "mlflow-server|services/mlflow-server/dist/main.js|http://127.0.0.1:${TRACKSTREAM_MLFLOW_PORT:-5000}"
  "web|services/web/dist/server/main.js|http://127.0.0.1:${TRACKSTREAM_WEB_PORT:-3000}"
)
# The web UI proxies /v1 to the query API started above.
export TRACKSTREAM_QUERY_URL="${TRACKSTREAM_QUERY_URL:-http://127.0.0.1:${TRACKSTREAM_QUERY_PORT:-8081}}"

pids=()
stopping=0
stop_services() {
  stopping=1
  trap - INT TERM EXIT
  [ ${#pids[@]} -gt 0 ] && kill "${pids[@]}" 2>/dev/null || true
  wait 2>/dev/null || true
  echo "services stopped; the stack is still running (npm run stack:stop to stop it)"
}
trap stop_services INT TERM EXIT

echo
echo "Trackstream"
[ -f services/web/dist/server/main.js ] && echo "  UI          http://127.0.0.1:${TRACKSTREAM_WEB_PORT:-3000}   <- open this in a browser"
[ -f services/mlflow-server/dist/main.js ] && echo "  MLflow      http://127.0.0.1:${TRACKSTREAM_MLFLOW_PORT:-5000}  (MLFLOW_TRACKING_URI)"
echo "  kafka       ${TRACKSTREAM_KAFKA_BROKERS}"
echo "  postgres    $(redact_url "${TRACKSTREAM_PG_URL}")"
echo "  clickhouse  $(redact_url "${TRACKSTREAM_CLICKHOUSE_URL}")"
if [ "$TRACKSTREAM_AUTH" = "off" ]; then
  echo "  auth        off (local single-user: no token needed; TRACKSTREAM_AUTH=on requires API tokens)"
else
  echo "  auth        ${TRACKSTREAM_AUTH} (API tokens in Postgres schema ${TRACKSTREAM_AUTH_PG_SCHEMA:-trackstream_auth}; first admin: npm run trackstream -- tokens create --principal you --project '*' --role admin)"
fi
started=0
for entry in "${SERVICES[@]}"; do
  IFS='|' read -r name cmd where node_flags <<<"$entry"
  main="${cmd%% *}"
  [ -f "$main" ] || continue
  # shellcheck disable=SC2086
  node $node_flags $cmd >>"$LOG_DIR/$name.log" 2>&1 &
  pids+=("$!")
  printf '  %-20s %s  (log %s)\n' "$name" "$where" "$LOG_DIR/$name.log"
  started=$((started + 1))
done
[ "$started" -gt 0 ] || echo "  (no services built yet)"
echo
echo "Ctrl-C stops the services; npm run stack:stop stops Kafka, Postgres and ClickHouse."

if [ "$started" -eq 0 ]; then
  trap - INT TERM EXIT
  exit 0
fi
# Stop everything when any service exits: a half-running system is worse than a clear failure.
wait -n "${pids[@]}" || true
[ "$stopping" -eq 1 ] && exit 0
echo "a service exited; see its log in $LOG_DIR" >&2
exit 1
