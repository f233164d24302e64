#!/usr/bin/env bash
# lintian on the four packages: no error, warning or info tag (pedantic ones
# are shown too). An override is allowed only with a comment right above it
# saying why (packaging/deb/<package>/lintian-overrides).
#
#   lintian_test.sh SOURCE_DIR PACKAGES_DIR
set -euo pipefail
source_dir="$1" pkgs="$2"
fail() { echo "FAIL: $*" >&2; exit 1; }
for overrides in "$source_dir"/packaging/deb/*/lintian-overrides; do
  [[ -e "$overrides" ]] || continue
  previous=""
  while IFS= read -r line; do
    if [[ -n "$line" && "$line" != \#* && "$previous" != \#* ]]; then
      fail "$overrides: the override '$line' has no comment above it"
    fi
    previous="$line"
  done <"$overrides"
done
# lintian warns that it runs as root; that is how ./test.sh runs.
lintian --info --pedantic --fail-on error,warning,info "$pkgs"/*.deb 2>&1 | { grep -v 'running with root privileges' || true; }
echo "ok: lintian"
