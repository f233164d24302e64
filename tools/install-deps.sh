#!/usr/bin/env bash
# Installs the Debian 12 packages Zhaoyin needs, and only those that are missing.
# Idempotent: a second run with everything present touches nothing (no apt-get update).
set -euo pipefail

BUILD_PKGS=(
  cmake g++ make pkg-config git
  libssl-dev openssl                 # SM2/SM3/X.509 (OpenSSL 3)
  libpoco-dev                        # HTTP server, Util, Data/SQLite, JSON, JWT, Redis
  nlohmann-json3-dev                 # JSON in the core libraries
  liblua5.4-dev                      # integrator scripts
  libqrencode-dev                    # QR codes (login and signing QR, presentation codes)
  libzbar-dev                        # the wallet simulator reads QR images (scan --image)
  libqpdf-dev zlib1g-dev             # reading PDFs to sign (incremental updates written by us)
  libcairo2-dev libfreetype-dev libpng-dev  # seal impressions, Chinese text, palette PNGs
  fonts-wqy-zenhei                   # a real CJK font for seal impressions
  libjemalloc-dev                    # zhaoyin-host's allocator (docs/PERFORMANCE.md)
  catch2                             # unit tests
  curl jq                            # run.sh: polls the authority service's /healthz, reads the sandbox's URL
)
TEST_PKGS=(
  curl                               # integration tests talk HTTP to a running host
  qrencode zbar-tools                # reading our QR images with an independent decoder
  qpdf poppler-utils                 # checking PDFs with independent tools
  sqlite3                            # a signing test edits a stored document behind the host's back
  unzip                              # checking the OFD packages (ZIP) we write with Info-ZIP (unzip -t)
  chromium                           # browser tests of the hosted pages (driven by playwright-core)
  postgresql                         # the store tests and the multi-host tests run on PostgreSQL too
  redis-server                       # events and rate windows between hosts
  nginx-light                        # the load balancer in front of several hosts in the multi-host tests
  clang-14 libclang-rt-14-dev        # libFuzzer, ASan and UBSan for the fuzz harnesses (tools/fuzz.sh)
  prometheus                         # only for promtool: `promtool check metrics` on /metrics (Debian ships it in this package)
  # The Debian packages (tools/package.sh, tests/packaging): dpkg-shlibdeps computes their
  # Depends:, lintian checks them, systemd-analyze verifies the unit, jq reads the sandbox's JSON.
  dpkg-dev lintian systemd jq
  # The install test puts the packages on a copy of this system: what zhaoyin-host depends on
  # beyond the libraries above (adduser, procps), and deb-systemd-helper, which enables the unit.
  adduser procps init-system-helpers
)
# Node.js runs the npm client libraries the tests use (openid-client, playwright-core).
# Any node >= 18 will do: install Debian's only when there is none.
NODE_PKGS=(nodejs npm)

want=("${BUILD_PKGS[@]}")
if [[ "${1:-}" == "--with-tests" ]]; then
  want+=("${TEST_PKGS[@]}")
  if ! command -v node >/dev/null || ! command -v npm >/dev/null; then want+=("${NODE_PKGS[@]}"); fi
fi

missing=()
for p in "${want[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]})); then
  echo "[deps] installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "[deps] all system packages present"
fi
