#include <zhaoyin/authority/ocsp_client.h>

#include <Poco/URI.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ocsp.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include <algorithm>
#include <ctime>
#include <memory>
#include <zhaoyin/trust/der.h>
#include <zhaoyin/trust/error.h>
#include <zhaoyin/trust/sm2.h>

namespace zhaoyin::authority {

namespace {

using Clock = std::chrono::system_clock;

template <auto FreeFn>
struct Free {
  template <typename T>
  void operator()(T* p) const noexcept { FreeFn(p); }
};
using RequestPtr = std::unique_ptr<OCSP_REQUEST, Free<OCSP_REQUEST_free>>;
using ResponsePtr = std::unique_ptr<OCSP_RESPONSE, Free<OCSP_RESPONSE_free>>;
using BasicPtr = std::unique_ptr<OCSP_BASICRESP, Free<OCSP_BASICRESP_free>>;
using CertIdPtr = std::unique_ptr<OCSP_CERTID, Free<OCSP_CERTID_free>>;

constexpr std::size_t kNonceBytes = 16;
constexpr std::size_t kMaxResponse = 64 * 1024;
// RFC 6960 §4.2.1 id-pkix-ocsp-basic; GB/T 32918 / GM/T 0006 SM2-with-SM3;
// RFC 5280 §4.2.1.12 id-kp-OCSPSigning.
constexpr const char* kBasicResponse = "1.3.6.1.5.5.7.48.1.1";
constexpr const char* kSm2WithSm3 = "1.2.156.10197.1.501";
constexpr const char* kOcspSigning = "1.3.6.1.5.5.7.3.9";

[[noreturn]] void refuse(const std::string& why) {
  ERR_clear_error();
  throw OcspRefused(why);
}

CertIdPtr cert_id(const trust::Certificate& certificate, const trust::Certificate& issuer) {
  CertIdPtr id(OCSP_cert_to_id(EVP_sha1(), certificate.native(), issuer.native()));
  if (!id) {
    ERR_clear_error();
    throw trust::TrustError("crypto_failure", "cannot make an OCSP CertID");
  }
  return id;
}

Clock::time_point time_of(const ASN1_GENERALIZEDTIME* t) {
  std::tm tm{};
  if (!t || ASN1_TIME_to_tm(t, &tm) != 1) refuse("a time in the response is malformed");
  return Clock::from_time_t(timegm(&tm));
}

// RFC 5280 §5.3.1 CRLReason, as the connector names reasons elsewhere.
std::string reason_name(int code) {
  switch (code) {
    case 1: return "key_compromise";
    case 2: return "ca_compromise";
    case 3: return "affiliation_changed";
    case 4: return "superseded";
    case 5: return "cessation_of_operation";
    case 6: return "certificate_hold";
    case 8: return "remove_from_crl";
    case 9: return "privilege_withdrawn";
    case 10: return "aa_compromise";
    default: return "unspecified";
  }
}

struct SignedResponse {
  trust::Bytes tbs;        // tbsResponseData, exactly as received
  trust::Bytes signature;  // DER SM2 signature
};

// OCSPResponse ::= SEQUENCE { responseStatus, [0] EXPLICIT ResponseBytes }
// ResponseBytes ::= SEQUENCE { responseType OID, response OCTET STRING }
// BasicOCSPResponse ::= SEQUENCE { tbsResponseData, signatureAlgorithm, signature BIT STRING, [0] certs OPTIONAL }
// (§4.2.1). The signed bytes are taken from the answer itself, never re-encoded.
SignedResponse split(const trust::Bytes& response_der) {
  try {
    const auto outer = trust::der::parse(response_der).children();
    if (outer.size() != 2 || outer[1].tag != 0xA0) refuse("the response carries no responseBytes");
    const auto bytes = outer[1].children();
    if (bytes.size() != 1) refuse("the responseBytes are malformed");
    const auto type_and_body = bytes[0].children();
    if (type_and_body.size() != 2 || type_and_body[0].as_oid() != kBasicResponse)
      refuse("the response is not a BasicOCSPResponse");
    const trust::Bytes basic = type_and_body[1].as_octets();
    const auto parts = trust::der::parse(basic).children();
    if (parts.size() < 3 || parts.size() > 4 || parts[0].tag != trust::der::kSequence)
      refuse("the BasicOCSPResponse is malformed");
    const auto algorithm = parts[1].children();
    if (algorithm.empty() || algorithm[0].as_oid() != kSm2WithSm3)
      refuse("the response is not signed with SM2-with-SM3 (" + (algorithm.empty() ? std::string("?") : algorithm[0].as_oid()) + ")");
    return {parts[0].raw_bytes(), parts[2].as_bits()};
  } catch (const trust::TrustError& e) {
    refuse(std::string("the response is not DER: ") + e.what());
  }
}

// §4.2.2.3 ResponderID: the SHA-1 hash of the signer's public key (byKey) or
// its subject name (byName).
bool names_signer(OCSP_BASICRESP* basic, X509* candidate) {
  const ASN1_OCTET_STRING* key_hash = nullptr;
  const X509_NAME* name = nullptr;
  if (OCSP_resp_get0_id(basic, &key_hash, &name) != 1) return false;
  if (key_hash) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (X509_pubkey_digest(candidate, EVP_sha1(), digest, &length) != 1) return false;
    return static_cast<unsigned int>(ASN1_STRING_length(key_hash)) == length &&
           std::equal(digest, digest + length, ASN1_STRING_get0_data(key_hash));
  }
  return name && X509_NAME_cmp(name, X509_get_subject_name(candidate)) == 0;
}

// §4.2.2.2: the issuing CA itself, or a certificate it issued for OCSP
// signing, named by the responderID (§4.2.2.3).
trust::Certificate signer_of(OCSP_BASICRESP* basic, const trust::Certificate& issuer, Clock::time_point now,
                             std::string& responder) {
  if (names_signer(basic, issuer.native())) {
    responder = "issuer";
    return issuer;
  }
  const STACK_OF(X509)* certs = OCSP_resp_get0_certs(basic);
  for (int i = 0; i < sk_X509_num(certs); ++i) {
    X509* x = sk_X509_value(certs, i);
    if (!names_signer(basic, x)) continue;
    unsigned char* der = nullptr;
    const int length = i2d_X509(x, &der);
    if (length <= 0) refuse("the responder's certificate cannot be encoded");
    const trust::Bytes bytes(der, der + length);
    OPENSSL_free(der);
    const auto delegated = trust::Certificate::from_der(bytes);
    if (delegated.issuer().attributes != issuer.subject().attributes || !delegated.signed_by(issuer))
      refuse("the responder " + delegated.subject_line() + " is not certified by " + issuer.subject_line());
    if (!delegated.has_extended_key_usage(kOcspSigning))
      refuse("the responder " + delegated.subject_line() + " lacks id-kp-OCSPSigning");
    if (now < delegated.not_before() || now > delegated.not_after())
      refuse("the responder " + delegated.subject_line() + " is outside its validity");
    responder = delegated.subject_line();
    return delegated;
  }
  refuse("the response is signed by neither " + issuer.subject_line() + " nor a responder it authorised");
}

}  // namespace

OcspQuery make_ocsp_query(const trust::Certificate& certificate, const trust::Certificate& issuer,
                          std::optional<trust::Bytes> nonce) {
  OcspQuery q;
  if (nonce) {
    q.nonce = *nonce;
  } else {
    q.nonce.resize(kNonceBytes);
    if (RAND_bytes(q.nonce.data(), static_cast<int>(q.nonce.size())) != 1)
      throw trust::TrustError("crypto_failure", "no random bytes for the OCSP nonce");
  }
  RequestPtr request(OCSP_REQUEST_new());
  CertIdPtr id = cert_id(certificate, issuer);
  if (!request || !OCSP_request_add0_id(request.get(), id.get()))
    throw trust::TrustError("crypto_failure", "cannot build the OCSP request");
  id.release();  // owned by the request now
  // §4.4.1: OpenSSL wraps the value in an OCTET STRING, as RFC 8954 §2.1 asks.
  if (OCSP_request_add1_nonce(request.get(), q.nonce.data(), static_cast<int>(q.nonce.size())) != 1)
    throw trust::TrustError("crypto_failure", "cannot add the OCSP nonce");
  unsigned char* der = nullptr;
  const int length = i2d_OCSP_REQUEST(request.get(), &der);
  if (length <= 0) throw trust::TrustError("crypto_failure", "cannot encode the OCSP request");
  q.der.assign(der, der + length);
  OPENSSL_free(der);
  return q;
}

OcspStatus read_ocsp_response(const trust::Bytes& response_der, const OcspQuery& query,
                              const trust::Certificate& certificate, const trust::Certificate& issuer,
                              Clock::time_point now, std::chrono::seconds skew) {
  if (response_der.empty() || response_der.size() > kMaxResponse) refuse("the response is empty or too long");
  const unsigned char* p = response_der.data();
  ResponsePtr response(d2i_OCSP_RESPONSE(nullptr, &p, static_cast<long>(response_der.size())));
  if (!response || p != response_der.data() + response_der.size()) refuse("the response is not one DER OCSPResponse");
  const int status = OCSP_response_status(response.get());
  if (status != OCSP_RESPONSE_STATUS_SUCCESSFUL)
    refuse(std::string("the responder answered ") + OCSP_response_status_str(status));
  BasicPtr basic(OCSP_response_get1_basic(response.get()));
  if (!basic) refuse("the response has no BasicOCSPResponse");

  const SignedResponse signed_part = split(response_der);
  OcspStatus out;
  const trust::Certificate signer = signer_of(basic.get(), issuer, now, out.responder);
  // GM/T 0009: SM2 with SM3 over the exact tbsResponseData and the ID set —
  // what OCSP_basic_verify in OpenSSL 3.0 cannot do (it hashes an empty ID).
  if (!signer.public_key().verify(signed_part.tbs, signed_part.signature, trust::kSm2DefaultId))
    refuse("the response's signature does not verify with " + signer.subject_line());

  // §4.4.1: the nonce sent must come back, unchanged.
  const unsigned char* q = query.der.data();
  RequestPtr request(d2i_OCSP_REQUEST(nullptr, &q, static_cast<long>(query.der.size())));
  if (!request) refuse("the request is malformed");
  if (OCSP_check_nonce(request.get(), basic.get()) != 1) refuse("the response does not echo the request's nonce");

  const CertIdPtr id = cert_id(certificate, issuer);
  const int index = OCSP_resp_find(basic.get(), id.get(), -1);
  if (index < 0) refuse("the response says nothing about " + certificate.serial_hex());
  int reason = OCSP_REVOKED_STATUS_NOSTATUS;
  ASN1_GENERALIZEDTIME* revoked_at = nullptr;
  ASN1_GENERALIZEDTIME* this_update = nullptr;
  ASN1_GENERALIZEDTIME* next_update = nullptr;
  const int state =
      OCSP_single_get0_status(OCSP_resp_get0(basic.get(), index), &reason, &revoked_at, &this_update, &next_update);
  out.this_update = time_of(this_update);
  if (next_update) out.next_update = time_of(next_update);
  // §4.2.2.1: a thisUpdate ahead of us, or a nextUpdate behind us, is not current.
  if (out.this_update > now + skew) refuse("the response's thisUpdate lies in the future");
  if (out.next_update && *out.next_update + skew < now) refuse("the response's nextUpdate has passed");
  if (out.next_update && *out.next_update < out.this_update) refuse("the response's nextUpdate precedes its thisUpdate");

  if (state == V_OCSP_CERTSTATUS_GOOD) {
    out.status.state = CertificateState::Good;
  } else if (state == V_OCSP_CERTSTATUS_REVOKED) {
    out.status.state = CertificateState::Revoked;
    out.status.revoked_at = time_of(revoked_at);
    out.status.reason = reason_name(reason);
  } else if (state == V_OCSP_CERTSTATUS_UNKNOWN) {
    out.status.state = CertificateState::Unknown;
  } else {
    refuse("the single response's status is malformed");
  }
  ERR_clear_error();
  return out;
}

std::string ocsp_get_path(const trust::Bytes& request_der) {
  std::string encoded;
  Poco::URI::encode(trust::base64_encode(request_der), "+/=", encoded);
  return encoded;
}

}  // namespace zhaoyin::authority
