#pragma once
// Long-term validation of seal signatures (docs/SEALS.md, "Long-term
// validation"): an RFC 3161 time-stamp over each signature value, stored in
// the SES_Signature's timeStamp (GB/T 38540-2020 §7.1), and the revocation
// evidence that proved the certificates good when the signature was made, so
// the signature can be validated at the time-stamp's genTime after its
// certificates expire and their CRLs are superseded.
#include <functional>
#include <optional>
#include <zhaoyin/http/host_context.h>
#include <zhaoyin/trust/chain.h>
#include <zhaoyin/trust/seal_signature.h>

namespace Poco::Data {
class Session;
}

namespace zhaoyin::signing {

using trust::Bytes;
using trust::TimePoint;

// The configured TSA trust anchors as a trust store (no CRLs: see docs/SEALS.md).
trust::TrustStore tsa_trust_store(const http::HostSettings::Timestamping& settings);

// Asks the configured TSA (RFC 3161 §3.4) for a token over `signature_value`
// with an SM3 imprint, a fresh nonce and certReq, and checks the reply: HTTP
// 200 application/timestamp-reply, status granted, the nonce and imprint
// echoed, the token verifying (verify_timestamp_token) with its TSA chaining
// to the anchors, genTime within five minutes of `now`. Returns the token.
// Throws http::ApiError 503 tsa_unavailable (unreachable, timed out, an HTTP
// error, a refusal) or 502 timestamp_invalid (a reply that fails a check).
Bytes obtain_timestamp(const http::HostSettings::Timestamping& settings, const Bytes& signature_value, TimePoint now);

// The certificates and CRLs that validate a signature's signer and seal maker at `at`.
struct SignatureEvidence {
  std::vector<trust::Certificate> certificates;  // the signer's and the maker's paths, roots excluded
  std::vector<trust::Crl> crls;                  // the CRL of every issuer on those paths
  TimePoint captured_at{};
  // Where it came from: "store" (signature_evidence, captured when the
  // signature was made) or "file" (the PDF's /DSS, pdf_evidence.h).
  std::string source = "store";
  bool from_vri = false;                         // file: the signature's own /VRI entry (else the DSS-wide lists)
  std::vector<std::string> rejected;             // file: items that did not verify, and why (not used)
  bool usable() const { return !certificates.empty() || !crls.empty(); }
};

SignatureEvidence collect_evidence(const trust::TrustStore& authority, const trust::ParsedSealSignature& signature,
                                   TimePoint at);
// A license signature's: the holder's path alone (there is no seal maker).
SignatureEvidence collect_evidence(const trust::TrustStore& authority, const std::vector<const trust::Certificate*>& leaves,
                                   TimePoint at);
// Inside the caller's transaction (SignRepository::record_signature).
void save_evidence(Poco::Data::Session& session, const std::string& task_id, const Bytes& signature_value,
                   const SignatureEvidence& evidence);
std::optional<SignatureEvidence> load_evidence(store::Database& db, const Bytes& signature_value);

// A trust store with the authority's roots and intermediates and only the
// evidence's CRLs (the authority's current CRLs may postdate the time-stamp).
trust::TrustStore evidence_trust_store(const trust::TrustStore& authority, const SignatureEvidence& evidence);

// What verification reports need for long-term validation.
struct LongTermContext {
  trust::TrustStore tsa_trust;
  // The evidence for a signature value, to validate it at `at` (its genTime).
  std::function<std::optional<SignatureEvidence>(const Bytes& signature_value, TimePoint at)> evidence;
};

}  // namespace zhaoyin::signing
