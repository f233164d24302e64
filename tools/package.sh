#!/usr/bin/env bash
# Builds the Debian packages zhaoyin-host, zhaoyin-tools, zhaoyin-plugins and
# zhaoyin-sdk-dev from what build/ holds (cmake/Packaging.cmake says what goes
# where). It compiles nothing: run tools/build.sh (or build the targets) first.
# The .debs land in build/packages/; their names are printed.
#
#   tools/package.sh [--no-configure] [BUILD_DIR]
#
# --no-configure: skip re-running cmake on BUILD_DIR (the packaging test does:
# ./test.sh has just configured and built it, and other tests are running from it).
set -euo pipefail
cd "$(dirname "$0")/.."
configure=1
if [[ "${1:-}" == --no-configure ]]; then configure=0; shift; fi
build="${1:-build}"
for binary in zhaoyin-host zhaoyin zhaoyin-wallet; do
  if [[ ! -x "$build/bin/$binary" ]]; then
    echo "[package] $build/bin/$binary is missing: build first (tools/build.sh)" >&2
    exit 1
  fi
done
# The configuration step writes the packaged zhaoyin.properties and conffile list;
# re-run it so edits to config/ or scripts/ are picked up.
if ((configure)); then cmake "$build" >/dev/null; fi
rm -rf "$build/packages"
cpack --config "$build/CPackConfig.cmake" >"$build/packages.log" 2>&1 || {
  cat "$build/packages.log" >&2
  echo "[package] FAILED (log: $build/packages.log)" >&2
  exit 1
}
ls "$build"/packages/*.deb
