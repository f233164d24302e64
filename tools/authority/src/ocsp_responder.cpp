#include "ocsp_responder.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ocsp.h>
#include <openssl/x509.h>
#include <algorithm>
#include <memory>
#include <zhaoyin/trust/error.h>

namespace zhaoyin::authority_service {

namespace {

template <auto FreeFn>
struct Free {
  template <typename T>
  void operator()(T* p) const noexcept { FreeFn(p); }
};
using RequestPtr = std::unique_ptr<OCSP_REQUEST, Free<OCSP_REQUEST_free>>;
using ResponsePtr = std::unique_ptr<OCSP_RESPONSE, Free<OCSP_RESPONSE_free>>;
using BasicPtr = std::unique_ptr<OCSP_BASICRESP, Free<OCSP_BASICRESP_free>>;
using CertIdPtr = std::unique_ptr<OCSP_CERTID, Free<OCSP_CERTID_free>>;
using TimePtr = std::unique_ptr<ASN1_TIME, Free<ASN1_TIME_free>>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, Free<EVP_MD_CTX_free>>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, Free<EVP_PKEY_CTX_free>>;
using BignumPtr = std::unique_ptr<BIGNUM, Free<BN_free>>;

trust::Bytes encode(OCSP_RESPONSE* response) {
  unsigned char* der = nullptr;
  const int len = i2d_OCSP_RESPONSE(response, &der);
  if (len <= 0) throw trust::TrustError("crypto_failure", "cannot encode the OCSP response");
  trust::Bytes out(der, der + len);
  OPENSSL_free(der);
  return out;
}

// A response without a body: malformedRequest, unauthorized, internalError (§4.2.1).
trust::Bytes status_only(int status) {
  ResponsePtr response(OCSP_response_create(status, nullptr));
  if (!response) throw trust::TrustError("crypto_failure", "cannot build an OCSP response");
  return encode(response.get());
}

TimePtr asn1_time(std::chrono::system_clock::time_point t) {
  TimePtr out(ASN1_TIME_set(nullptr, std::chrono::system_clock::to_time_t(t)));
  if (!out) throw trust::TrustError("crypto_failure", "cannot encode a time");
  return out;
}

// The CA whose name and key hashes the CertID carries (§4.1.1), computed with
// the CertID's own hash algorithm.
const CaRecord* issuer_for(const Snapshot& snapshot, OCSP_CERTID* id) {
  ASN1_OBJECT* hash_oid = nullptr;
  if (OCSP_id_get0_info(nullptr, &hash_oid, nullptr, nullptr, id) != 1 || !hash_oid) return nullptr;
  const EVP_MD* md = EVP_get_digestbyobj(hash_oid);
  if (!md) return nullptr;
  for (const auto& ca : snapshot.cas) {
    CertIdPtr candidate(OCSP_cert_to_id(md, nullptr, ca.cert.native()));
    if (candidate && OCSP_id_issuer_cmp(candidate.get(), id) == 0) return &ca;
  }
  return nullptr;
}

std::string serial_of(OCSP_CERTID* id) {
  ASN1_INTEGER* serial = nullptr;
  if (OCSP_id_get0_info(nullptr, nullptr, nullptr, &serial, id) != 1 || !serial) return {};
  BignumPtr bn(ASN1_INTEGER_to_BN(serial, nullptr));
  if (!bn || BN_is_negative(bn.get())) return {};
  char* hex = BN_bn2hex(bn.get());
  std::string out = hex ? hex : "";
  OPENSSL_free(hex);
  return out;
}

// SM2-with-SM3 over the tbsResponseData with the distinguishing ID set (GM/T
// 0009; OpenSSL 3.0 would otherwise hash an empty ID).
void sign(OCSP_BASICRESP* basic, const CaRecord& ca) {
  MdCtxPtr md(EVP_MD_CTX_new());
  PkeyCtxPtr pkey(EVP_PKEY_CTX_new(ca.key.native(), nullptr));
  static constexpr char kId[] = "1234567812345678";
  if (!md || !pkey || EVP_PKEY_CTX_set1_id(pkey.get(), kId, sizeof kId - 1) <= 0)
    throw trust::TrustError("crypto_failure", "cannot set up the OCSP signer");
  EVP_MD_CTX_set_pkey_ctx(md.get(), pkey.get());
  if (EVP_DigestSignInit(md.get(), nullptr, EVP_sm3(), nullptr, ca.key.native()) != 1 ||
      // The responder is named by key hash (§4.2.2.3); the client has the
      // issuing CA's certificate already, so none is attached.
      OCSP_basic_sign_ctx(basic, ca.cert.native(), md.get(), nullptr, OCSP_NOCERTS | OCSP_RESPID_KEY) != 1) {
    ERR_clear_error();
    throw trust::TrustError("crypto_failure", "signing the OCSP response failed");
  }
}

}  // namespace

OcspAnswer answer_ocsp(const Snapshot& snapshot, const trust::Bytes& request_der,
                       std::chrono::system_clock::time_point now) {
  OcspAnswer answer;
  const unsigned char* p = request_der.data();
  RequestPtr request(request_der.empty() || request_der.size() > kMaxOcspRequest
                         ? nullptr
                         : d2i_OCSP_REQUEST(nullptr, &p, static_cast<long>(request_der.size())));
  const int count = request ? OCSP_request_onereq_count(request.get()) : 0;
  // DER only (RFC 6960 §4.1.1 is ASN.1 in DER): a request must encode back to
  // exactly its bytes. OpenSSL's reader accepts more than it can write back —
  // a CertID whose AlgorithmIdentifier parameters are an odd constructed
  // element read fine and then failed to encode into the response (found by
  // fuzz/targets/ocsp_request.cpp) — and what it cannot write back is refused
  // here as malformed, before anything is built from it.
  bool canonical = false;
  if (request && p == request_der.data() + request_der.size()) {
    unsigned char* again = nullptr;
    const int length = i2d_OCSP_REQUEST(request.get(), &again);
    canonical = length == static_cast<int>(request_der.size()) &&
                std::equal(again, again + length, request_der.begin());
    OPENSSL_free(again);
  }
  if (!canonical || count < 1 || count > kMaxOcspCertificates) {
    ERR_clear_error();
    answer.response = status_only(OCSP_RESPONSE_STATUS_MALFORMEDREQUEST);
    answer.summary = "malformed";
    return answer;
  }
  answer.well_formed = true;

  // One signer per response: every certificate asked about must come from the same CA.
  const CaRecord* ca = nullptr;
  for (int i = 0; i < count; ++i) {
    OCSP_CERTID* id = OCSP_onereq_get0_id(OCSP_request_onereq_get0(request.get(), i));
    const CaRecord* issuer = issuer_for(snapshot, id);
    if (!issuer || (ca && issuer != ca)) {
      ERR_clear_error();
      answer.response = status_only(OCSP_RESPONSE_STATUS_UNAUTHORIZED);  // §2.3: not a CA we answer for
      answer.summary = "unauthorized";
      return answer;
    }
    ca = issuer;
  }

  BasicPtr basic(OCSP_BASICRESP_new());
  if (!basic) throw trust::TrustError("crypto_failure", "cannot build an OCSP response");
  const TimePtr this_update = asn1_time(now);
  const TimePtr next_update = asn1_time(now + kOcspValidity);
  answer.summary = ca->name + ":";
  for (int i = 0; i < count; ++i) {
    OCSP_CERTID* id = OCSP_onereq_get0_id(OCSP_request_onereq_get0(request.get(), i));
    const std::string serial = serial_of(id);
    int status = V_OCSP_CERTSTATUS_UNKNOWN;
    int reason = OCSP_REVOKED_STATUS_NOSTATUS;
    TimePtr revoked_at;
    const auto cert = serial.empty() ? std::nullopt : snapshot.find_issued(serial);
    // "good" only for a certificate this CA issued (§2.2: not merely "not revoked").
    if (cert && snapshot.issuer_of(*cert) == ca) {
      status = V_OCSP_CERTSTATUS_GOOD;
      if (const auto entry = ca->crl.find(serial)) {
        status = V_OCSP_CERTSTATUS_REVOKED;
        revoked_at = asn1_time(entry->revoked_at);
        // As in the CRL (RFC 5280 §5.3.1), an unspecified reason is left out.
        reason = entry->reason == 0 ? OCSP_REVOKED_STATUS_NOSTATUS : entry->reason;
      }
    }
    if (!OCSP_basic_add1_status(basic.get(), id, status, reason, revoked_at.get(), this_update.get(),
                                next_update.get()))
      throw trust::TrustError("crypto_failure", "cannot add an OCSP single response");
    answer.summary += " " + (serial.empty() ? std::string("?") : serial) + "=" +
                      OCSP_cert_status_str(status);
  }
  // §4.4.1: the nonce is copied from the request when there is one.
  if (OCSP_copy_nonce(basic.get(), request.get()) <= 0)
    throw trust::TrustError("crypto_failure", "cannot copy the OCSP nonce");
  sign(basic.get(), *ca);
  ResponsePtr response(OCSP_response_create(OCSP_RESPONSE_STATUS_SUCCESSFUL, basic.get()));
  if (!response) throw trust::TrustError("crypto_failure", "cannot build an OCSP response");
  answer.response = encode(response.get());
  ERR_clear_error();
  return answer;
}

}  // namespace zhaoyin::authority_service
