#!/bin/sh
# Installs the pinned sm-crypto (package-lock.json) when missing, then runs the
# independent display code reader/maker: run.sh verify|make ...
set -e
cd "$(dirname "$0")"
sh ../../support/npm-ensure.sh .
exec node display.js "$@"
