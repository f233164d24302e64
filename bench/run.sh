#!/usr/bin/env bash
# Builds and runs the benchmarks. Figures are ratios against baselines measured
# in the same run (OpenSSL's own `openssl speed`), so a noisy 2-core machine
# still gives comparable numbers.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/build.sh >/dev/null
build/bin/bench_trust "$@"
build/bin/bench_login "${BENCH_LOGIN_N:-200}"
build/bin/bench_oidc "${BENCH_OIDC_N:-100}"
build/bin/bench_waiting "${BENCH_WAITING_N:-10000}" 30 1024
build/bin/bench_presentation "${BENCH_PRESENTATION_N:-3000}" "${BENCH_PRESENTATION_CLIENTS:-4}"
build/bin/bench_scripting "${BENCH_SCRIPTING_N:-20000}"
build/bin/bench_signing "${BENCH_SIGNING_N:-50}"
build/bin/bench_quota
build/bin/bench_cluster "${BENCH_CLUSTER_N:-1500}" "${BENCH_CLUSTER_CLIENTS:-4}" "${BENCH_CLUSTER_NOTIFICATIONS:-100}"
build/bin/bench_store_pg "${BENCH_STORE_PG_N:-600}" "${BENCH_STORE_PG_CLIENTS:-4}"
