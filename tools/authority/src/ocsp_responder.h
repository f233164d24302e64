#pragma once
// The OCSP responder (RFC 6960): reads a DER OCSPRequest with OpenSSL's
// decoder and answers a BasicOCSPResponse signed SM2-with-SM3 (distinguishing
// ID 1234567812345678) by the CA that issued the certificates asked about
// (§4.2.2.2: the issuing CA may sign its own responses), with the status the
// CA's current CRL gives: good, revoked (time and reason) or unknown.
#include <chrono>
#include <string>
#include <zhaoyin/trust/bytes.h>
#include "snapshot.h"

namespace zhaoyin::authority_service {

inline constexpr std::size_t kMaxOcspRequest = 16 * 1024;
inline constexpr int kMaxOcspCertificates = 20;  // single requests in one OCSPRequest
// How long a response may be relied on (nextUpdate - thisUpdate).
inline constexpr std::chrono::seconds kOcspValidity{300};

struct OcspAnswer {
  bool well_formed = false;  // false: the body is a malformedRequest response (§2.3)
  trust::Bytes response;     // DER OCSPResponse
  std::string summary;       // for the log: "42:5A3F... good", "unauthorized", ...
};

OcspAnswer answer_ocsp(const Snapshot& snapshot, const trust::Bytes& request_der,
                       std::chrono::system_clock::time_point now);

}  // namespace zhaoyin::authority_service
