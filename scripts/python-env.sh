#!/usr/bin/env bash
# The project's Python virtual environment (git-ignored, .stack/venv): created when missing, and its packages
# installed again only when requirements-dev.txt changed (a stamp holds the file's hash). Prints the venv's
# python on stdout, everything else on stderr. Called by bootstrap.sh and by the Python-driven tests and benches.
#   TRACKSTREAM_VENV   where the venv lives (default <repo>/.stack/venv)
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${TRACKSTREAM_VENV:-$REPO/.stack/venv}"
REQ="$REPO/requirements-dev.txt"
say() { printf '[python-env] %s\n' "$*" >&2; }

command -v python3 >/dev/null 2>&1 || { say "ERROR: python3 (3.9+) is required"; exit 1; }
if [ ! -x "$VENV/bin/python" ]; then
  say "creating $VENV"
  mkdir -p "$(dirname "$VENV")"
  python3 -m venv "$VENV" >&2
fi
want="$(sha256sum "$REQ" | cut -d' ' -f1)"
have="$(cat "$VENV/.requirements.sha256" 2>/dev/null || true)"
if [ "$want" != "$have" ]; then
  say "installing requirements-dev.txt into $VENV"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip >&2
  (cd "$REPO" && "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$REQ") >&2
  echo "$want" > "$VENV/.requirements.sha256"
fi
echo "$VENV/bin/python"
