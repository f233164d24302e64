#!/bin/sh
# Installs the pinned canonicalize (package-lock.json) when missing, then runs
# the RFC 8785 interop generator/checker: run.sh gen DIR SEED COUNT | check DIR.
set -e
cd "$(dirname "$0")"
if [ ! -d node_modules/canonicalize ]; then
  npm ci --no-audit --no-fund >/dev/null
fi
exec node jcs.mjs "$@"
