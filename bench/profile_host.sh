#!/usr/bin/env bash
# Profiles zhaoyin-host under bench_presentation (docs/PERFORMANCE.md):
# starts the benchmark, attaches `perf record` (software clock, DWARF call
# graphs: the host and its libraries keep no frame pointers) to the host it
# starts, and prints where the host's CPU goes with bench/perf_breakdown.py.
#
# Usage: bench/profile_host.sh [N] [CLIENTS] [OUT_DIR]   (default 3000 codes, 4 clients, /tmp/zhaoyin-profile)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-3000}
clients=${2:-4}
out=${3:-/tmp/zhaoyin-profile}
mkdir -p "$out"
build/bin/bench_presentation "$n" "$clients" >"$out/bench.txt" 2>&1 &
bench=$!
pid=
while [ -z "$pid" ] && kill -0 "$bench" 2>/dev/null; do
  pid=$(sed -n 's/^host pid \([0-9]*\).*/\1/p' "$out/bench.txt")
  sleep 0.1
done
[ -n "$pid" ] || { cat "$out/bench.txt"; exit 1; }
perf record -e cpu-clock -F "${PERF_FREQUENCY:-300}" --call-graph dwarf,32768 -p "$pid" -o "$out/perf.data" \
  >"$out/perf-record.txt" 2>&1 &
perf=$!
wait "$bench"
kill -INT "$perf"
wait "$perf" || true
cat "$out/bench.txt"
perf script -i "$out/perf.data" -F comm,tid,period,ip,sym,dso 2>/dev/null >"$out/perf.txt"
python3 bench/perf_breakdown.py "$out/perf.txt" | tee "$out/breakdown.txt"
