#!/usr/bin/env bash
# Installs chdb-core (a current ClickHouse engine embedded in Python) for the DDL/query compatibility test
# (packages/clickhouse/src/ddl-compat.int.test.ts). Idempotent: does nothing when the pinned version is importable.
# ~180 MB wheel, ~20 s on this machine. Bump CHDB_VERSION to check against a newer ClickHouse.
set -euo pipefail
CHDB_VERSION="${CHDB_VERSION:-26.9.0}"
PYTHON="${PYTHON:-python3}"

command -v "$PYTHON" >/dev/null 2>&1 || { echo "[chdb] ERROR: $PYTHON not found (needed for the ClickHouse compatibility test)" >&2; exit 1; }
if [ "$("$PYTHON" -c 'import importlib.metadata as m; print(m.version("chdb-core"))' 2>/dev/null || true)" = "$CHDB_VERSION" ]; then
  exit 0
fi
# --user outside a virtualenv (no root needed); inside one, pip refuses --user and installs into the venv.
user_flag="--user"
"$PYTHON" -c 'import sys; sys.exit(0 if sys.prefix != sys.base_prefix else 1)' && user_flag=""
echo "[chdb] installing chdb-core==$CHDB_VERSION (pip ${user_flag:-into the virtualenv})" >&2
"$PYTHON" -m pip install $user_flag --disable-pip-version-check --quiet "chdb-core==$CHDB_VERSION" >&2
"$PYTHON" -c 'import chdb' >&2
