#!/bin/sh
# Installs the pinned canonicalize (package-lock.json) when missing, then runs
# the RFC 8785 interop generator/checker: run.sh gen DIR SEED COUNT | check DIR.
set -e
cd "$(dirname "$0")"
sh ../../support/npm-ensure.sh .
exec node jcs.mjs "$@"
