#!/usr/bin/env bash
# Installs the npm dependencies when they are missing or older than the lockfile, then builds
# (tsc -b: type checks every project and emits dist/ for the services). Sourced by start.sh and test.sh.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

command -v node >/dev/null 2>&1 || { echo "[bootstrap] ERROR: Node.js 20+ is required (node not found)" >&2; exit 1; }
node_major="$(node -p 'process.versions.node.split(".")[0]')"
[ "$node_major" -ge 20 ] || { echo "[bootstrap] ERROR: Node.js 20+ is required (found $(node --version))" >&2; exit 1; }

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "[bootstrap] installing npm dependencies" >&2
  npm install --no-audit --no-fund --loglevel=error >&2
fi

# >>> clickhouse: chdb-core (packages/clickhouse) >>>
# A current ClickHouse engine embedded in Python (pip --user, ~180 MB once, a no-op afterwards).
# packages/clickhouse/src/ddl-compat.int.test.ts runs every DDL statement and query template through it as well as
# through the stack's ClickHouse 18.16 (the test also calls this script itself). Not needed to run the services,
# so a failure here only warns.
bash packages/clickhouse/scripts/ensure-chdb.sh \
  || echo "[bootstrap] WARNING: chdb-core not installed; the ClickHouse compatibility test will fail" >&2
# <<< clickhouse <<<

# The Python virtual environment for the pytest suites and Python benches (.stack/venv, requirements-dev.txt).
bash scripts/python-env.sh >/dev/null

echo "[bootstrap] building (tsc -b)" >&2
npx --no-install tsc -b

# The web UI's bundle (services/web/build.mjs: esbuild, into services/web/dist/public).
echo "[bootstrap] bundling the web UI" >&2
node services/web/build.mjs
