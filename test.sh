#!/usr/bin/env bash
# Zhaoyin test command: the same set-up as run.sh, then every test through ctest.
# Exits non-zero on any failure. Tests make their own sandboxes and hosts in
# temporary folders, on loopback ports, and stop them themselves. Then a
# short smoke of every fuzz harness (its seeds, its committed regression
# inputs and a few thousand mutations; docs/security/fuzzing.md).
set -euo pipefail
cd "$(dirname "$0")"

tools/install-deps.sh --with-tests
tools/build.sh

(cd build && ctest --output-on-failure -j"$(nproc)" --timeout 600)

tools/fuzz.sh --smoke
