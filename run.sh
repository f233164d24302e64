#!/usr/bin/env bash
# Zhaoyin quick start: install what is missing, build what changed, create the
# sandbox once, start the sandbox authority's service and the sandbox TSA, then
# run the host on http://127.0.0.1:8080 until Ctrl-C (or SIGTERM), which stops
# all three.
#
# Environment (all optional):
#   ZHAOYIN_PORT            the host's port (8080)
#   ZHAOYIN_SANDBOX         the sandbox folder (var/sandbox)
#   ZHAOYIN_DATA            the host's store (var/data)
#   ZHAOYIN_AUTHORITY       http: the host asks the authority's service (default);
#                           sandbox: the host reads the sandbox's files itself
#   ZHAOYIN_AUTHORITY_PORT  the authority service's port when the sandbox is made (8090);
#                           an existing sandbox keeps the URL its certificates name
#   ZHAOYIN_TSA_PORT        the sandbox time-stamping authority's port (3161)
#   ZHAOYIN_SKIP_BUILD=1    use the binaries as they are: no package check, no build (tests)
#   ZHAOYIN_BIN             where the binaries are (build/bin)
set -euo pipefail
cd "$(dirname "$0")"

if [[ "${ZHAOYIN_SKIP_BUILD:-}" != 1 ]]; then
  tools/install-deps.sh
  tools/build.sh
fi

BIN="${ZHAOYIN_BIN:-build/bin}"
SANDBOX="${ZHAOYIN_SANDBOX:-var/sandbox}"
DATA="${ZHAOYIN_DATA:-var/data}"
PORT="${ZHAOYIN_PORT:-8080}"
AUTHORITY="${ZHAOYIN_AUTHORITY:-http}"
AUTHORITY_PORT="${ZHAOYIN_AUTHORITY_PORT:-8090}"
TSA_PORT="${ZHAOYIN_TSA_PORT:-3161}"
case "$AUTHORITY" in
  http | sandbox) ;;
  *) echo "run.sh: ZHAOYIN_AUTHORITY=$AUTHORITY: expected http or sandbox" >&2; exit 2 ;;
esac

# Idempotent: creates the sandbox when missing; on an existing one it changes
# nothing, except upgrades this version needs (e.g. re-issuing seals made before
# the maker's signature followed GB/T 38540-2020 §6.1), which it names.
# --authority-url counts only when the sandbox is made: its certificates name
# the service's CRLs there (docs/AUTHORITY.md).
"$BIN/zhaoyin" sandbox init "$SANDBOX" --authority-url "http://127.0.0.1:$AUTHORITY_PORT"
"$BIN/zhaoyin" sandbox summary "$SANDBOX" --port "$PORT"

PIDS=()
stop_services() {
  # Only the processes this script started, by their ids.
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap stop_services EXIT

# Polls URL until it answers 200 (curl's own timeout bounds each try), or
# gives up when the process PID has exited or after 300 tries.
wait_until_answers() {
  local what="$1" url="$2" pid="$3"
  for _ in $(seq 300); do
    if curl -fsS --max-time 2 -o /dev/null "$url" 2>/dev/null; then return 0; fi
    if ! kill -0 "$pid" 2>/dev/null; then echo "run.sh: $what exited before answering at $url" >&2; return 1; fi
    sleep 0.1
  done
  echo "run.sh: $what does not answer at $url" >&2
  return 1
}

HOST_AUTHORITY=(--sandbox "$SANDBOX")
if [[ "$AUTHORITY" == http ]]; then
  # The sandbox authority as its own service, the only process that reads its
  # key files; the host asks it over HTTP as it would a license platform
  # (authority.driver = http, docs/AUTHORITY.md). Its URL is the one the
  # sandbox was made with.
  AUTHORITY_URL="$(jq -r '.authority.url // empty' "$SANDBOX/sandbox.json")"
  AUTHORITY_URL="${AUTHORITY_URL:-http://127.0.0.1:8090}"
  if [[ -n "${ZHAOYIN_AUTHORITY_PORT:-}" && "$AUTHORITY_URL" != "http://127.0.0.1:$AUTHORITY_PORT" ]]; then
    echo "run.sh: $SANDBOX was made for the authority at $AUTHORITY_URL, not port $AUTHORITY_PORT" >&2
    echo "        (remake it: $BIN/zhaoyin sandbox init $SANDBOX --force --authority-url http://127.0.0.1:$AUTHORITY_PORT)" >&2
    exit 1
  fi
  "$BIN/zhaoyin" authority serve "$SANDBOX" &
  PIDS+=($!)
  wait_until_answers "the authority service" "$AUTHORITY_URL/healthz" "${PIDS[-1]}"
  HOST_AUTHORITY+=(--set authority.driver=http --set "authority.url=$AUTHORITY_URL")
fi

# The sandbox time-stamping authority (RFC 3161), so the demo's seal signatures
# carry time-stamps (docs/SEALS.md, "Long-term validation").
"$BIN/zhaoyin" tsa serve --sandbox "$SANDBOX" --port "$TSA_PORT" &
PIDS+=($!)

"$BIN/zhaoyin-host" --config config/zhaoyin.properties \
  --port "$PORT" --data "$DATA" "${HOST_AUTHORITY[@]}" \
  --set "signing.timestamp.url=http://127.0.0.1:$TSA_PORT/" &
HOST_PID=$!
# A script's background jobs ignore SIGINT: pass Ctrl-C and SIGTERM on to the
# host, let it stop gracefully, then the EXIT trap stops the services.
trap 'kill -TERM "$HOST_PID" 2>/dev/null || true' INT TERM
status=0
wait "$HOST_PID" || status=$?
if kill -0 "$HOST_PID" 2>/dev/null; then
  status=0
  wait "$HOST_PID" || status=$?
fi
exit "$status"
