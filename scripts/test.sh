#!/usr/bin/env bash
# `npm test`: install, type check, then run every tier. The jest global setup finds or starts
# Kafka, Postgres and ClickHouse (TRACKSTREAM_* variables, else Docker, else deploy/local/stack.sh).
# Extra arguments go to jest, e.g. `npm test -- test/smoke`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/bootstrap.sh
exec npx --no-install jest --ci "$@"
