#!/bin/sh
# run.sh reset DIR                 — empties the capture folder
# run.sh lint DOC                  — Redocly CLI lints the OpenAPI document
# run.sh codes DOC HOST_SRC        — the error-code enums match the host sources
# run.sh responses DOC CAPTURE_DIR — every captured response matches the document
# run.sh selftest                  — the checkers catch what they exist to catch
# Installs the pinned npm packages (package-lock.json) when they are missing.
set -e
here="$(cd "$(dirname "$0")" && pwd)"
what="$1"
shift
if [ "$what" = reset ]; then
  rm -rf "$1"
  mkdir -p "$1"
  exit 0
fi
sh "$here/../support/npm-ensure.sh" "$here"
case "$what" in
  lint)
    # No telemetry, no update check: the test only reads the document.
    REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true \
      exec "$here/node_modules/.bin/redocly" lint --config "$here/redocly.yaml" "$1" ;;
  codes) exec node "$here/check_error_codes.js" "$@" ;;
  responses) exec node "$here/validate_captures.js" "$@" ;;
  selftest) exec node --test "$here/selftest/" ;;
  *) echo "usage: run.sh reset|lint|codes|responses|selftest ..." >&2; exit 2 ;;
esac
