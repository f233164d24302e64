#!/bin/sh
# Installs the pinned playwright-core (no browser download) when missing, then
# runs the redirect test with Debian's chromium.
set -e
cd "$(dirname "$0")"
sh ../../support/npm-ensure.sh .
exec node redirects_test.js "$@"
