#!/bin/sh
# Installs the pinned asn1js and sm-crypto (package-lock.json) when missing,
# then runs the independent GB/T 38540 reader/builder: run.sh verify|build DIR.
set -e
cd "$(dirname "$0")"
sh ../../support/npm-ensure.sh .
exec node interop.js "$@"
