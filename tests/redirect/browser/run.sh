#!/bin/sh
# Installs the pinned playwright-core (no browser download) when missing, then
# runs the redirect test with Debian's chromium.
set -e
cd "$(dirname "$0")"
if [ ! -d node_modules/playwright-core ]; then
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund >/dev/null
fi
exec node redirects_test.js "$@"
