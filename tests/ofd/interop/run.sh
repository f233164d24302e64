#!/bin/sh
# Installs the pinned jszip and fast-xml-parser (package-lock.json) and the
# seal interop's asn1js and sm-crypto (../../signing/interop) when missing,
# then runs the independent OFD reader/builder: run.sh verify|build ARGS.
set -e
cd "$(dirname "$0")"
if [ ! -d node_modules/jszip ] || [ ! -d node_modules/fast-xml-parser ]; then
  npm ci --no-audit --no-fund >/dev/null
fi
if [ ! -d ../../signing/interop/node_modules/asn1js ] || [ ! -d ../../signing/interop/node_modules/sm-crypto ]; then
  (cd ../../signing/interop && npm ci --no-audit --no-fund >/dev/null)
fi
exec node ofd.js "$@"
