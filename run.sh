#!/usr/bin/env bash
# Zhaoyin quick start: install what is missing, build what changed, create the
# sandbox once, then run the host in the foreground on http://127.0.0.1:8080.
set -euo pipefail
cd "$(dirname "$0")"

tools/install-deps.sh
tools/build.sh

SANDBOX="${ZHAOYIN_SANDBOX:-var/sandbox}"
DATA="${ZHAOYIN_DATA:-var/data}"
PORT="${ZHAOYIN_PORT:-8080}"

if [[ ! -f "$SANDBOX/sandbox.json" ]]; then
  build/bin/zhaoyin sandbox init "$SANDBOX"
fi
build/bin/zhaoyin sandbox summary "$SANDBOX" --port "$PORT"

exec build/bin/zhaoyin-host --config config/zhaoyin.properties \
  --port "$PORT" --data "$DATA" --sandbox "$SANDBOX"
