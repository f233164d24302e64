#!/bin/sh
# Installs the pinned dev dependencies (playwright-core only; no browser
# download: Debian's chromium is used) when missing, then runs the widget's
# Chromium test. Usage: run-browser-test.sh CONFIG.json
set -e
cd "$(dirname "$0")"
if [ ! -d node_modules/playwright-core ]; then
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund >/dev/null
fi
exec node test/browser/widget.chromium.js "$@"
