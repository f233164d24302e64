#pragma once
// The authority's signed answers (docs/AUTHORITY.md §Authenticated status
// endpoints): every 200 and 404 of a status or record endpoint carries
//
//   Authority-Signature: signer="<status signer serial, HEX>", signature="<base64 DER SM2>"
//
// an SM2-with-SM3 signature (ID 1234567812345678) by the status signer over
// the exact body bytes. The status signer is an end-entity certificate issued
// by the authority's root with the one extendedKeyUsage below. Shared by the
// service's tests and the host's http connector, which refuses any answer
// that does not verify.
#include <optional>
#include <string>
#include <string_view>
#include <zhaoyin/trust/x509.h>

namespace zhaoyin::authority {

// UUID 80e002cd-c599-477b-81d6-c50d15915879 in the 2.25 arc (ITU-T X.667).
inline constexpr std::string_view kStatusSignerPurpose = "2.25.171304314824527405999539893014134610041";

struct AuthoritySignature {
  std::string signer_serial;  // upper-case hex
  std::string signature;      // base64 DER
};

// Parses the header value; nullopt unless it is exactly the two quoted
// parameters, each once, in any order (at most 4096 bytes).
std::optional<AuthoritySignature> parse_authority_signature(std::string_view header);

// Why `signer` cannot sign status answers for an authority whose root is
// `root` at `now` (not issued by the root, outside its validity, a CA, or
// without the status-signer purpose); nullopt when it can.
std::optional<std::string> status_signer_problem(const trust::Certificate& signer, const trust::Certificate& root,
                                                 trust::TimePoint now);

// True when the header names `signer` and its signature verifies over `body`.
bool authority_signature_valid(std::string_view header, std::string_view body, const trust::Certificate& signer);

}  // namespace zhaoyin::authority
