#!/bin/sh
# Installs the pinned asn1js and sm-crypto (package-lock.json) when missing,
# then runs the independent GB/T 38540 reader/builder: run.sh verify|build DIR.
set -e
cd "$(dirname "$0")"
if [ ! -d node_modules/asn1js ] || [ ! -d node_modules/sm-crypto ]; then
  npm ci --no-audit --no-fund >/dev/null
fi
exec node interop.js "$@"
