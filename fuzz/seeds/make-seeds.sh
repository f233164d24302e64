#!/usr/bin/env bash
# fuzz/seeds/make-seeds.sh OUT_DIR — seed corpora from the artefacts a real
# sandbox makes, one folder per fuzz target (OUT_DIR/<target>/). Needs
# build/bin/zhaoyin (the normal build) for `zhaoyin sandbox init`, and
# build-fuzz/bin/fuzz_seedgen for what only a holder's key can make
# (presentation codes, signed answers, SES_Signatures, signed PDFs).
# The sandbox is made in a temporary folder and removed afterwards; the
# seeds themselves are not committed (a few hundred kB, and they carry
# certificates that expire), fuzz/seeds/static/ holds the small hand-made ones.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
out="${1:?usage: make-seeds.sh OUT_DIR}"
zhaoyin="${ZHAOYIN_BIN:-$root/build/bin/zhaoyin}"
seedgen="${SEEDGEN_BIN:-$root/build-fuzz/bin/fuzz_seedgen}"

sandbox="$(mktemp -d)"
trap 'rm -rf "$sandbox"' EXIT
"$zhaoyin" sandbox init "$sandbox/sb" >/dev/null

rm -rf "$out"
mkdir -p "$out"/{ocsp_request,presentation_code,wallet_messages,canonical_json,der,certificate,crl,seal,seal_signature,license_signature,pdf,form,wallet_file,lua_script}
a="$sandbox/sb/authority"

# Certificates: the CAs, the seal maker, the host, a few holders — DER for
# the DER readers, PEM for the PEM paths (bundle_from_pem).
i=0
for pem in "$a"/root.pem "$a"/ca-*.pem "$a"/seal-maker.pem "$a"/host.pem $(ls "$a"/certs/*.pem | head -n 4); do
  i=$((i + 1))
  openssl x509 -in "$pem" -outform DER -out "$out/certificate/cert-$i.der"
  cp "$out/certificate/cert-$i.der" "$out/der/cert-$i.der"
done
cat "$a"/ca-42.pem "$a"/root.pem >"$out/certificate/chain.pem"

# CRLs, DER and PEM.
i=0
for pem in "$a"/crl-*.pem; do
  i=$((i + 1))
  openssl crl -in "$pem" -outform DER -out "$out/crl/crl-$i.der"
  cp "$pem" "$out/crl/crl-$i.pem"
done
cp "$out/crl/crl-1.der" "$out/der/crl-1.der"

# OCSP requests (RFC 6960) as OpenSSL's client makes them: one holder
# certificate, two at once, SHA-256 CertIDs, with a nonce; a revoked holder's.
holders=($(ls "$a"/certs/*.pem | head -n 3))
issuer_of() {  # the CA whose subject is the certificate's issuer
  local issuer ca
  issuer="$(openssl x509 -in "$1" -noout -issuer -nameopt RFC2253 | sed 's/^issuer=//')"
  for ca in "$a"/ca-*.pem; do
    [[ "$(openssl x509 -in "$ca" -noout -subject -nameopt RFC2253 | sed 's/^subject=//')" == "$issuer" ]] && { echo "$ca"; return 0; }
  done
  return 0
}
ca="$(issuer_of "${holders[0]}")"
if [[ -n "$ca" ]]; then
  openssl ocsp -issuer "$ca" -cert "${holders[0]}" -no_nonce -reqout "$out/ocsp_request/one.der"
  openssl ocsp -sha256 -issuer "$ca" -cert "${holders[0]}" -reqout "$out/ocsp_request/sha256-nonce.der"
  ca2="$(issuer_of "${holders[1]}")"
  [[ "$ca2" == "$ca" ]] && openssl ocsp -issuer "$ca" -cert "${holders[0]}" -cert "${holders[1]}" -no_nonce \
    -reqout "$out/ocsp_request/two.der"
  openssl ocsp -issuer "$ca" -serial 0x01 -no_nonce -reqout "$out/ocsp_request/serial-1.der"
fi

# Seals (GB/T 38540 v4 SESeal, DER): one enterprise's set.
for seal in $(ls "$sandbox"/sb/seals/*.seal | head -n 5); do
  cp "$seal" "$out/seal/"
  cp "$seal" "$out/der/"
done

# Wallet files: a legal representative, an administrator, an agent.
for w in $(ls "$sandbox"/sb/wallets/*.wallet.json | head -n 4); do cp "$w" "$out/wallet_file/"; done

# Integrators' Lua scripts as shipped.
for s in "$root"/scripts/*/*.lua; do cp "$s" "$out/lua_script/$(basename "$(dirname "$s")")-$(basename "$s")"; done

# What only a holder's key makes.
"$seedgen" "$sandbox/sb" "$out" >/dev/null
for d in "$out"/seal_signature/*.der; do cp "$d" "$out/der/sig-$(basename "$d")"; done

# The same PDF with a cross-reference stream and object streams, when the
# qpdf command line is there (a test package).
if command -v qpdf >/dev/null; then
  qpdf --object-streams=generate "$out/pdf/minimal.pdf" "$out/pdf/xref-stream.pdf" || true
fi

# The small hand-made seeds (forms, odd JSON, near-miss codes).
for d in "$root"/fuzz/seeds/static/*/; do
  t="$(basename "$d")"
  mkdir -p "$out/$t"
  cp "$d"* "$out/$t/"
done
echo "[seeds] $(find "$out" -type f | wc -l) seeds in $out"
