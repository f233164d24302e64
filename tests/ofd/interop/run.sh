#!/bin/sh
# Installs the pinned jszip and fast-xml-parser (package-lock.json) and the
# seal interop's asn1js and sm-crypto (../../signing/interop) when missing,
# then runs the independent OFD reader/builder: run.sh verify|build ARGS.
set -e
cd "$(dirname "$0")"
sh ../../support/npm-ensure.sh . ../../signing/interop
exec node ofd.js "$@"
