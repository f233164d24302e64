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

# Idempotent: creates the sandbox when missing; on an existing one it changes
# nothing, except upgrades this version needs (e.g. re-issuing seals made before
# the maker's signature followed GB/T 38540-2020 §6.1), which it names.
build/bin/zhaoyin sandbox init "$SANDBOX"
build/bin/zhaoyin sandbox summary "$SANDBOX" --port "$PORT"

# The sandbox time-stamping authority (RFC 3161), so the demo's seal signatures
# carry time-stamps (docs/SEALS.md, "Long-term validation"); stopped with the host.
TSA_PORT="${ZHAOYIN_TSA_PORT:-3161}"
build/bin/zhaoyin tsa serve --sandbox "$SANDBOX" --port "$TSA_PORT" &
TSA_PID=$!
trap 'kill "$TSA_PID" 2>/dev/null || true' EXIT

build/bin/zhaoyin-host --config config/zhaoyin.properties \
  --port "$PORT" --data "$DATA" --sandbox "$SANDBOX" \
  --set "signing.timestamp.url=http://127.0.0.1:$TSA_PORT/"
