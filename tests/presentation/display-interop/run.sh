#!/bin/sh
# Installs the pinned sm-crypto (package-lock.json) when missing, then runs the
# independent display code reader/maker: run.sh verify|make ...
set -e
cd "$(dirname "$0")"
if [ ! -d node_modules/sm-crypto ]; then
  npm ci --no-audit --no-fund >/dev/null
fi
exec node display.js "$@"
