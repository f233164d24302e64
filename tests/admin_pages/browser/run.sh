#!/bin/sh
# Installs the pinned playwright-core (no browser download) when missing, then
# runs a browser test with Debian's chromium: `run.sh CONFIG.json` runs the
# access application lifecycle test, `run.sh catalogue_test.js CONFIG.json`
# the matters catalogue test.
set -e
cd "$(dirname "$0")"
sh ../../support/npm-ensure.sh .
case "$1" in
  *_test.js) test_file="$1"; shift ;;
  *) test_file=lifecycle_test.js ;;
esac
exec node "$test_file" "$@"
