#pragma once
// A process-wide memo of SM2 signature checks over data that does not change:
// certificates, CRLs, the legal representative's grants. The same CA
// certificate, CRL and grant are checked on every verification of every
// license; the answer is a pure function of (public key, ID, data, signature),
// so it is computed once.
//
// The memo is keyed by SM3 over all four inputs (length-prefixed), so a hit
// means the very same key verified the very same bytes before. Only the
// signature math is remembered: validity windows, revocation and policy are
// checked on every call by the callers. Bounded; cleared when full.
// Thread-safe.
#include <cstddef>
#include <string_view>
#include <zhaoyin/trust/bytes.h>
#include <zhaoyin/trust/sm2.h>

namespace zhaoyin::trust {

// key.verify(message, der_signature, id), remembered. Do not use it for
// one-off signatures (presentation codes, wallet answers): they would only
// fill the memo.
bool verify_remembered(const Sm2Key& key, const Bytes& message, const Bytes& der_signature,
                       std::string_view id = kSm2DefaultId);

struct VerifiedSignatureStats {
  std::size_t hits = 0;
  std::size_t misses = 0;
  std::size_t entries = 0;
};
VerifiedSignatureStats verified_signature_stats();

}  // namespace zhaoyin::trust
