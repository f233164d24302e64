#pragma once
// The relying party's side of OCSP (RFC 6960) for the http connector's
// `authority.certificate_status = ocsp`: one certificate per request, asked
// with a nonce; the answer is believed only when it is signed — SM2 with SM3
// and the distinguishing ID 1234567812345678 (GM/T 0009), which OpenSSL 3.0's
// OCSP_basic_verify cannot check — by the issuing CA itself or by a responder
// certificate that CA issued for id-kp-OCSPSigning (§4.2.2.2), names the
// certificate asked about, echoes the nonce and is current.
#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>
#include <zhaoyin/authority/connector.h>
#include <zhaoyin/trust/bytes.h>
#include <zhaoyin/trust/x509.h>

namespace zhaoyin::authority {

// An OCSP answer that cannot be believed or used; the message says why.
class OcspRefused : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct OcspQuery {
  trust::Bytes der;    // the DER OCSPRequest
  trust::Bytes nonce;  // the nonce sent (§4.4.1), to be echoed
};

// An OCSPRequest for `certificate` issued by `issuer`: one CertID, its name and
// key hashes SHA-1 as RFC 5019 §2.1.1 asks of clients (they identify the
// issuer; nothing is signed with them), and a nonce of 16 random octets.
// `nonce` replaces the random one (for tests).
OcspQuery make_ocsp_query(const trust::Certificate& certificate, const trust::Certificate& issuer,
                          std::optional<trust::Bytes> nonce = std::nullopt);

struct OcspStatus {
  RevocationStatus status;  // good | revoked (time, reason in snake_case) | unknown
  std::chrono::system_clock::time_point this_update;
  std::optional<std::chrono::system_clock::time_point> next_update;
  std::string responder;    // "issuer" or the delegated responder's subject
};

// Reads and checks a DER OCSPResponse to `query` about `certificate` (issued by
// `issuer`) at `now`; throws OcspRefused for anything else: not DER, a status
// other than successful, a signature that does not verify, a signer that is
// neither the issuer nor its delegated responder, a nonce not echoed, no
// single response for the certificate, a thisUpdate in the future or a
// nextUpdate in the past (beyond `skew`).
OcspStatus read_ocsp_response(const trust::Bytes& response_der, const OcspQuery& query,
                              const trust::Certificate& certificate, const trust::Certificate& issuer,
                              std::chrono::system_clock::time_point now,
                              std::chrono::seconds skew = std::chrono::seconds(60));

// RFC 6960 Appendix A.1: the GET form's path segment, the URL-encoded base64 of the request.
std::string ocsp_get_path(const trust::Bytes& request_der);

}  // namespace zhaoyin::authority
