#!/bin/sh
# Installs the pinned npm client when node_modules is missing, then runs the
# single sign-on script: run-sso.sh ISSUER SANDBOX_DIR WALLET_BIN
set -e
here=$(cd "$(dirname "$0")" && pwd)
sh "$here/../../support/npm-ensure.sh" "$here"
exec node "$here/sso.js" "$@"
