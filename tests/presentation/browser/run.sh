#!/bin/sh
# Installs the pinned playwright-core (no browser download) when missing, then
# runs the counter page test with Debian's chromium.
set -e
cd "$(dirname "$0")"
sh ../../support/npm-ensure.sh .
# run.sh [display] ARGS: the counter test, or with "display" the display code page test.
if [ "$1" = "display" ]; then
  shift
  exec node display_page_test.js "$@"
fi
exec node counter_test.js "$@"
