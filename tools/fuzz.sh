#!/usr/bin/env bash
# Builds and runs the libFuzzer harnesses of fuzz/ (docs/security/fuzzing.md).
#
#   tools/fuzz.sh [TARGET] [SECONDS]   fuzz TARGET (every target in turn when
#                                      none or "all") for SECONDS each (default 60)
#   tools/fuzz.sh --smoke [RUNS]       every target over its seeds and committed
#                                      regression inputs, plus RUNS mutations
#                                      (default 5000); what ./test.sh runs
#   tools/fuzz.sh --build              build only
#   tools/fuzz.sh --list               the target names
#
# Build: the "fuzz" CMake preset (clang 14, ASan+UBSan, build-fuzz/), only
# the libraries the harnesses need, -j2. Seeds: made once from a fresh
# sandbox into build-fuzz/seeds/ (fuzz/seeds/make-seeds.sh; needs
# build/bin/zhaoyin, built here when missing). Corpora grow in
# build-fuzz/corpus/<target>/; crashes land in build-fuzz/artifacts/<target>/
# — copy one to fuzz/regressions/<target>/ once its bug is fixed, and the
# smoke replays it from then on. Environment: FUZZ_JOBS (default 2) for
# parallel builds.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
bf="$root/build-fuzz"
jobs="${FUZZ_JOBS:-2}"

targets() { sed -n 's/^zhaoyin_fuzzer(\([a-z_0-9]*\) .*/\1/p' fuzz/CMakeLists.txt; }

build() {
  if ! command -v clang++-14 >/dev/null; then
    echo "[fuzz] clang++-14 is missing: tools/install-deps.sh --with-tests installs it" >&2
    exit 1
  fi
  if [[ ! -f "$bf/CMakeCache.txt" ]]; then
    if command -v ccache >/dev/null; then export CMAKE_CXX_COMPILER_LAUNCHER=ccache; fi
    cmake --preset fuzz >/dev/null
  fi
  mkdir -p "$bf"
  if ! cmake --build "$bf" -j"$jobs" --target fuzzers >"$bf/build.log" 2>&1; then
    grep -E 'error|Error' "$bf/build.log" | head -n 40 >&2
    echo "[fuzz] build FAILED (full log: build-fuzz/build.log)" >&2
    exit 1
  fi
  echo "[fuzz] built: $(targets | wc -l) harnesses in build-fuzz/bin/"
}

seeds() {
  [[ -d "$bf/seeds" ]] && return 0
  if [[ ! -x build/bin/zhaoyin ]]; then
    [[ -f build/CMakeCache.txt ]] || cmake --preset default >/dev/null
    cmake --build build -j"$jobs" --target zhaoyin >/dev/null
  fi
  fuzz/seeds/make-seeds.sh "$bf/seeds.tmp"
  mv "$bf/seeds.tmp" "$bf/seeds"
}

# The input folders of a target: its corpus (first: libFuzzer adds new
# inputs to the first folder), its seeds, its committed regression inputs.
inputs() {
  local t="$1" first="$2"
  local dirs=("$first")
  [[ -d "$bf/seeds/$t" ]] && dirs+=("$bf/seeds/$t")
  [[ -d "$root/fuzz/regressions/$t" ]] && dirs+=("$root/fuzz/regressions/$t")
  printf '%s\n' "${dirs[@]}"
}

# Sanitizer settings for every run: leaks are findings; UBSan prints stacks.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

smoke() {
  local runs="$1" failed=() t tmp
  for t in $(targets); do
    tmp="$(mktemp -d)"
    mapfile -t dirs < <(inputs "$t" "$tmp")
    local start=$SECONDS
    # -seed=1: the same inputs get the same mutations on every run (no
    # run-to-run randomness in what ./test.sh checks).
    if "$bf/bin/fuzz_$t" -runs="$runs" -seed=1 -timeout=30 -rss_limit_mb=2048 \
        -artifact_prefix="$tmp/" "${dirs[@]}" >"$tmp.log" 2>&1; then
      echo "[fuzz] smoke $t: ok ($(grep -c . <(ls "${dirs[@]:1}" 2>/dev/null)) inputs + $runs runs, $((SECONDS - start)) s)"
    else
      echo "[fuzz] smoke $t: FAILED" >&2
      tail -n 40 "$tmp.log" >&2
      failed+=("$t")
    fi
    rm -rf "$tmp" "$tmp.log"
  done
  if ((${#failed[@]})); then
    echo "[fuzz] smoke failed: ${failed[*]}" >&2
    return 1
  fi
}

run() {
  local t="$1" seconds="$2"
  mkdir -p "$bf/corpus/$t" "$bf/artifacts/$t" "$bf/logs"
  mapfile -t dirs < <(inputs "$t" "$bf/corpus/$t")
  echo "[fuzz] $t for ${seconds}s (log: build-fuzz/logs/$t.log)"
  # -jobs=1: one fuzzing process, run as a child of libFuzzer's supervisor,
  # which writes its output to fuzz-0.log in the working folder — one folder
  # per target so two targets can run at once.
  # Real signed PDFs and wallet files are 100-170 kB (a seal's impression
  # rides in every SESeal) and run a few times a second; long runs cap
  # inputs at 32 kB and start from the small variants fuzz_seedgen makes.
  # The smoke still replays the full-size seeds.
  local limit=()
  case "$t" in pdf | wallet_file) limit=(-max_len=32768) ;; esac
  local status=0 work="$bf/work/$t"
  rm -rf "$work" && mkdir -p "$work"
  (cd "$work" && "$bf/bin/fuzz_$t" -jobs=1 -workers=1 -max_total_time="$seconds" -timeout=30 -rss_limit_mb=2048 "${limit[@]}" \
    -print_final_stats=1 -artifact_prefix="$bf/artifacts/$t/" "${dirs[@]}") \
    >"$bf/logs/$t.log" 2>&1 || status=$?
  [[ -f "$work/fuzz-0.log" ]] && cat "$work/fuzz-0.log" >>"$bf/logs/$t.log"
  grep -E '^#[0-9]+ +(DONE|pulse|NEW)' "$bf/logs/$t.log" | tail -n 1 || true
  grep -E 'stat::number_of_executed_units' "$bf/logs/$t.log" | tail -n 1 || true
  if ((status)) || grep -q 'ERROR: libFuzzer\|SUMMARY: .*Sanitizer' "$bf/logs/$t.log"; then
    echo "[fuzz] $t FOUND something: build-fuzz/artifacts/$t/, build-fuzz/logs/$t.log" >&2
    return 1
  fi
}

# Everything runs from main, called on the last line: bash has then read the
# whole file before it starts, so editing this script while a long run is
# going does not make the running copy execute shifted bytes.
main() {
  case "${1:-all}" in
    --list) targets ;;
    --build) build ;;
    --smoke) build; seeds; smoke "${2:-5000}" ;;
    *)
      target="${1:-all}" seconds="${2:-60}"
      build; seeds
      if [[ "$target" == all ]]; then
        status=0
        for t in $(targets); do run "$t" "$seconds" || status=1; done
        exit "$status"
      fi
      targets | grep -qx "$target" || { echo "[fuzz] unknown target $target; one of: $(targets | xargs)" >&2; exit 2; }
      run "$target" "$seconds"
      ;;
  esac
}

main "$@"; exit $?
