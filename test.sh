#!/usr/bin/env bash
# Zhaoyin test command: the same set-up as run.sh, then every test through ctest.
# Exits non-zero on any failure. Tests make their own sandboxes and hosts in
# temporary folders, on loopback ports, and stop them themselves.
set -euo pipefail
cd "$(dirname "$0")"

tools/install-deps.sh --with-tests
tools/build.sh

cd build
ctest --output-on-failure -j"$(nproc)" --timeout 600
