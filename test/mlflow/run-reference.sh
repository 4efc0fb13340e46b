#!/usr/bin/env bash
# Runs the MLflow compatibility suite against MLflow's own server (the reference): `mlflow server` from the venv
# on a sqlite store in a temp dir, port 5055 unless MLFLOW_REFERENCE_PORT. Tests marked beyond_mlflow are expected
# to fail there (strict xfail). Usage: bash test/mlflow/run-reference.sh [pytest args]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
venv=.stack/venv/bin
port="${MLFLOW_REFERENCE_PORT:-5055}"
dir="$(mktemp -d)"
"$venv/mlflow" server --backend-store-uri "sqlite:///$dir/mlflow.db" --artifacts-destination "$dir/artifacts" \
  --host 127.0.0.1 --port "$port" --workers 1 >"$dir/server.log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -rf "$dir"' EXIT
for _ in $(seq 1 120); do
  curl -fs "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break
  kill -0 "$server" 2>/dev/null || { cat "$dir/server.log" >&2; exit 1; }
  sleep 0.5
done
MLFLOW_TRACKING_URI="http://127.0.0.1:$port" "$venv/python" -m pytest test/mlflow --reference "$@"
