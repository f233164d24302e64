#!/usr/bin/env bash
# Configures (once) and builds Zhaoyin into build/. Rebuilds only what changed.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ ! -f build/CMakeCache.txt ]]; then
  cmake --preset default >/dev/null
fi
status=0
cmake --build build -j"$(nproc)" >build/build.log 2>&1 || status=$?
# Show warnings, errors and anything unusual; hide the progress lines.
grep -Ev '^\[ *[0-9]+%\] (Building|Linking|Built target)|^(gmake|make)\[|^-- |^Consolidate compiler' build/build.log || true
if ((status)); then echo "[build] FAILED (full log: build/build.log)" >&2; else echo "[build] ok: build/bin/"; fi
exit "$status"
