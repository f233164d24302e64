#!/usr/bin/env bash
# Configures (once) and builds Zhaoyin into build/. Rebuilds only what changed.
set -euo pipefail
cd "$(dirname "$0")/.."
# ccache when the machine has it (as tools/fuzz.sh does): a rebuild of an
# unchanged tree, e.g. CI's fresh clone, then takes minutes instead of most
# of an hour. Read by CMake at the first configure only.
if command -v ccache >/dev/null && [[ -z "${CMAKE_CXX_COMPILER_LAUNCHER:-}" ]]; then
  export CMAKE_CXX_COMPILER_LAUNCHER=ccache
fi
if [[ ! -f build/CMakeCache.txt ]]; then
  cmake --preset default >/dev/null
fi
status=0
cmake --build build -j"$(nproc)" >build/build.log 2>&1 || status=$?
# Show warnings, errors and anything unusual; hide the progress lines.
grep -Ev '^\[ *[0-9]+%\] (Building|Linking|Built target)|^(gmake|make)\[|^-- |^Consolidate compiler' build/build.log || true
if ((status)); then echo "[build] FAILED (full log: build/build.log)" >&2; else echo "[build] ok: build/bin/"; fi
exit "$status"
