#!/usr/bin/env bash
# Installs Debian's headless-capable Chromium for the browser tests and benches (playwright-core drives it through
# its executablePath; Playwright's own browser downloads are not used). Idempotent: does nothing when it is there.
# Prints the browser's path on stdout. TRACKSTREAM_CHROMIUM=/path/to/chrome skips the install.
set -euo pipefail

if [ -n "${TRACKSTREAM_CHROMIUM:-}" ]; then
  [ -x "$TRACKSTREAM_CHROMIUM" ] || { echo "ensure-chromium: TRACKSTREAM_CHROMIUM=$TRACKSTREAM_CHROMIUM is not an executable" >&2; exit 1; }
  echo "$TRACKSTREAM_CHROMIUM"
  exit 0
fi

find_chromium() { command -v chromium 2>/dev/null || command -v chromium-browser 2>/dev/null || true; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@";
  elif command -v sudo >/dev/null 2>&1; then sudo "$@";
  else return 1; fi
}

path="$(find_chromium)"
if [ -z "$path" ]; then
  command -v apt-get >/dev/null 2>&1 || { echo "ensure-chromium: chromium is missing and apt-get is not available; install Chromium and set TRACKSTREAM_CHROMIUM" >&2; exit 1; }
  echo "ensure-chromium: installing Debian package chromium" >&2
  log="${TMPDIR:-/tmp}/trackstream-chromium-apt.log"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q >"$log" 2>&1 \
    || { echo "ensure-chromium: apt-get update failed (need root or sudo); see $log" >&2; exit 1; }
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium fonts-dejavu-core >>"$log" 2>&1 \
    || { echo "ensure-chromium: could not install chromium; see $log" >&2; exit 1; }
  path="$(find_chromium)"
  [ -n "$path" ] || { echo "ensure-chromium: chromium installed but not on PATH" >&2; exit 1; }
fi
echo "$path"
