// OCSP responses (RFC 6960) as the host's http connector reads them with
// authority.certificate_status = ocsp (host/authority/src/ocsp_client.cpp):
// DER from whatever answered at <authority.url>/ocsp. The harness makes, once,
// an SM2 CA and a certificate it issued; the request is fixed (its nonce too).
// The CA's key exists only in this process, so no input can carry its
// signature — and a response OpenSSL reads whole is also re-signed here with
// that key and read again, so the checks past the signature run too.
//
// Properties, from RFC 6960 rather than from the reader's code:
//   - read_ocsp_response throws nothing but OcspRefused, whatever the bytes;
//   - an input as received is never accepted (§4.2.2.2: only the CA or its
//     delegate signs, and neither key is outside this process);
//   - a re-signed response is accepted only when OpenSSL finds in it a
//     single response for the request's CertID with the status the reader
//     reports, and the request's nonce (§4.4.1, §4.2.2.3).
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ocsp.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <zhaoyin/authority/ocsp_client.h>
#include <zhaoyin/trust/sm2.h>
#include <zhaoyin/trust/x509.h>

using namespace zhaoyin;

namespace {

void require(bool condition) {
  if (!condition) std::abort();
}

struct Harness {
  trust::Sm2Key ca_key = trust::Sm2Key::generate();
  trust::Certificate ca;
  trust::Certificate holder;
  authority::OcspQuery query;
  Harness() {
    const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
    trust::CertificateRequest root;
    root.subject = trust::DistinguishedName{{{"CN", "fuzz OCSP CA"}}};
    root.subject_key = ca_key;
    root.profile = trust::CertProfile::IssuingCa;
    root.not_before = now - std::chrono::hours(1);
    root.not_after = now + std::chrono::hours(24);
    ca = trust::issue_certificate(root, ca_key, nullptr);
    trust::CertificateRequest leaf;
    leaf.subject = trust::DistinguishedName{{{"CN", "fuzz holder"}}};
    leaf.subject_key = trust::Sm2Key::generate();
    leaf.profile = trust::CertProfile::License;
    leaf.not_before = root.not_before;
    leaf.not_after = root.not_after;
    holder = trust::issue_certificate(leaf, ca_key, &ca);
    query = authority::make_ocsp_query(holder, ca, trust::Bytes(16, 0x5A));
  }
};

const Harness& harness() {
  static const Harness h;
  return h;
}

// The input's single responses and extensions in a new BasicOCSPResponse
// signed by the harness CA (byKey, with the ID), wrapped as a successful
// response; empty when OpenSSL cannot. (A new one rather than the input's
// signed again: OpenSSL 3.0's OCSP_RESPID_set_by_key overwrites a byKey
// responderID without freeing it, a leak LeakSanitizer reports.)
trust::Bytes resigned(const trust::Bytes& input) {
  const Harness& h = harness();
  const unsigned char* p = input.data();
  OCSP_RESPONSE* response = d2i_OCSP_RESPONSE(nullptr, &p, static_cast<long>(input.size()));
  OCSP_BASICRESP* basic = response ? OCSP_response_get1_basic(response) : nullptr;
  trust::Bytes out;
  OCSP_BASICRESP* fresh = basic ? OCSP_BASICRESP_new() : nullptr;
  bool copied = fresh != nullptr;
  for (int i = 0; copied && i < OCSP_resp_count(basic); ++i) {
    OCSP_SINGLERESP* single = OCSP_resp_get0(basic, i);
    int reason = -1;
    ASN1_GENERALIZEDTIME *revoked = nullptr, *this_update = nullptr, *next_update = nullptr;
    const int status = OCSP_single_get0_status(single, &reason, &revoked, &this_update, &next_update);
    const OCSP_CERTID* id = OCSP_SINGLERESP_get0_id(single);
    copied = status >= 0 && this_update &&
             OCSP_basic_add1_status(fresh, const_cast<OCSP_CERTID*>(id), status, reason, revoked, this_update,
                                    next_update) != nullptr;
  }
  for (int i = 0; copied && i < OCSP_BASICRESP_get_ext_count(basic); ++i)
    copied = OCSP_BASICRESP_add_ext(fresh, OCSP_BASICRESP_get_ext(basic, i), -1) == 1;
  if (copied) {
    EVP_MD_CTX* md = EVP_MD_CTX_new();
    EVP_PKEY_CTX* pctx = EVP_PKEY_CTX_new(h.ca_key.native(), nullptr);
    if (md && pctx && EVP_PKEY_CTX_set1_id(pctx, "1234567812345678", 16) > 0) {
      EVP_MD_CTX_set_pkey_ctx(md, pctx);
      if (EVP_DigestSignInit(md, nullptr, EVP_sm3(), nullptr, h.ca_key.native()) == 1 &&
          OCSP_basic_sign_ctx(fresh, h.ca.native(), md, nullptr, OCSP_NOCERTS | OCSP_RESPID_KEY) == 1) {
        OCSP_RESPONSE* again = OCSP_response_create(OCSP_RESPONSE_STATUS_SUCCESSFUL, fresh);
        unsigned char* der = nullptr;
        const int length = again ? i2d_OCSP_RESPONSE(again, &der) : 0;
        if (length > 0) out.assign(der, der + length);
        OPENSSL_free(der);
        OCSP_RESPONSE_free(again);
      }
    }
    EVP_MD_CTX_free(md);
    EVP_PKEY_CTX_free(pctx);
  }
  OCSP_BASICRESP_free(fresh);
  OCSP_BASICRESP_free(basic);
  OCSP_RESPONSE_free(response);
  ERR_clear_error();
  return out;
}

// What OpenSSL finds in the response for the harness's CertID and nonce.
int openssl_status(const trust::Bytes& der) {
  const Harness& h = harness();
  const unsigned char* p = der.data();
  OCSP_RESPONSE* response = d2i_OCSP_RESPONSE(nullptr, &p, static_cast<long>(der.size()));
  OCSP_BASICRESP* basic = response ? OCSP_response_get1_basic(response) : nullptr;
  const unsigned char* q = h.query.der.data();
  OCSP_REQUEST* request = d2i_OCSP_REQUEST(nullptr, &q, static_cast<long>(h.query.der.size()));
  OCSP_CERTID* id = OCSP_cert_to_id(EVP_sha1(), h.holder.native(), h.ca.native());
  int status = -1;
  int reason = 0;
  ASN1_GENERALIZEDTIME *revoked = nullptr, *this_update = nullptr, *next_update = nullptr;
  if (basic && request && id && OCSP_check_nonce(request, basic) == 1 &&
      OCSP_resp_find_status(basic, id, &status, &reason, &revoked, &this_update, &next_update) != 1)
    status = -1;
  OCSP_CERTID_free(id);
  OCSP_REQUEST_free(request);
  OCSP_BASICRESP_free(basic);
  OCSP_RESPONSE_free(response);
  ERR_clear_error();
  return status;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const Harness& h = harness();
  const trust::Bytes input(data, data + size);
  const auto now = std::chrono::system_clock::now();
  try {
    (void)authority::read_ocsp_response(input, h.query, h.holder, h.ca, now);
    require(false);  // nothing from outside carries the harness CA's signature
  } catch (const authority::OcspRefused&) {
  }
  const trust::Bytes signed_again = resigned(input);
  if (signed_again.empty()) return 0;
  try {
    const auto answer = authority::read_ocsp_response(signed_again, h.query, h.holder, h.ca, now);
    const int status = openssl_status(signed_again);
    require(status >= 0);
    require((status == V_OCSP_CERTSTATUS_GOOD) == (answer.status.state == authority::CertificateState::Good));
    require((status == V_OCSP_CERTSTATUS_REVOKED) == (answer.status.state == authority::CertificateState::Revoked));
    require(answer.responder == "issuer");
  } catch (const authority::OcspRefused&) {
  }
  return 0;
}
