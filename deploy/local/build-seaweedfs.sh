#!/usr/bin/env bash
# Builds the SeaweedFS server binary (`weed`) from its Go module source and caches it under
# ~/.cache/trackstream/seaweedfs/<version>/weed. `go install` refuses the module (it has replace
# directives), so the source is fetched through the Go module proxy and built inside a copy of it.
# Prints the binary path on stdout. Idempotent: a cached binary is reused.
set -euo pipefail
VERSION="${SEAWEEDFS_VERSION:-v0.0.0-20261109003541-7506e5f91cd6}"
CACHE="${TRACKSTREAM_CACHE:-$HOME/.cache/trackstream}/seaweedfs/$VERSION"
BIN="$CACHE/weed"
if [[ -x "$BIN" ]]; then echo "$BIN"; exit 0; fi
command -v go >/dev/null || { echo "build-seaweedfs: go toolchain not found" >&2; exit 1; }
mkdir -p "$CACHE"
DIR="$(go mod download -json "github.com/seaweedfs/seaweedfs@$VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
[[ -n "$DIR" && -d "$DIR" ]] || { echo "build-seaweedfs: module download failed" >&2; exit 1; }
SRC="$CACHE/src"
rm -rf "$SRC"; cp -r "$DIR" "$SRC"; chmod -R u+w "$SRC"
( cd "$SRC" && CGO_ENABLED=0 go build -o "$BIN.tmp" ./weed ) >&2
mv "$BIN.tmp" "$BIN"
rm -rf "$SRC"
echo "$BIN"
