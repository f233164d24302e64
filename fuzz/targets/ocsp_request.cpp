// OCSP requests to the sandbox authority service's responder
// (tools/authority/src/ocsp_responder.cpp): DER that anyone who reaches the
// authority's port may POST to /ocsp. The responder runs over a real sandbox
// made once at start-up in a temporary folder.
//
// Properties, from RFC 6960 rather than from the responder's code:
//   - answer_ocsp never throws, whatever the bytes (§4.2.1: a request it
//     cannot read gets a status-only response, not a failure);
//   - the answer is one whole DER OCSPResponse (§4.2.1) that OpenSSL reads
//     back and encodes to the same bytes;
//   - responseStatus is malformedRequest exactly when the answer says the
//     request was not well formed, and a DER request (one OpenSSL reads whole
//     and encodes back to the same bytes) with 1 to 20 CertIDs within the
//     16 KiB limit is always well formed;
//   - a successful response is a BasicOCSPResponse (§4.2.1, id-pkix-ocsp-basic)
//     with one SingleResponse per CertID of the request, in order and equal to
//     it (§4.2.2.3), signed SM2-with-SM3 (ID 1234567812345678) by the issuing
//     CA over DER(tbsResponseData) (§4.2.1, §4.2.2.2), valid for 300 s;
//   - "good" or "revoked" only for a serial number the authority issued under
//     that CA (§2.2), revoked exactly when the CA's CRL lists it. The serial is
//     read here from the CertID's INTEGER content octets (X.690 §8.3), not via
//     the responder's BIGNUM route: a negative serial, or one that differs
//     only by leading zero octets, must not be taken for an issued one.
#include <openssl/asn1.h>
#include <openssl/err.h>
#include <openssl/ocsp.h>
#include <openssl/x509.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>
#include <zhaoyin/sandbox/generator.h>
#include <zhaoyin/trust/bytes.h>

#include "ocsp_responder.h"
#include "snapshot.h"

namespace fs = std::filesystem;
using namespace zhaoyin;
using authority_service::answer_ocsp;
using authority_service::Snapshot;

namespace {

void require(bool condition) {
  if (!condition) std::abort();
}

template <auto FreeFn>
struct Free {
  template <typename T>
  void operator()(T* p) const noexcept { FreeFn(p); }
};

struct Fixture {
  fs::path dir;
  std::shared_ptr<const Snapshot> snapshot;
  Fixture() {
    char pattern[] = "/tmp/zhaoyin-fuzz-ocsp-XXXXXX";
    require(::mkdtemp(pattern) != nullptr);
    dir = pattern;
    sandbox::init_sandbox(dir / "sb");
    snapshot = Snapshot::load(dir / "sb");
  }
  ~Fixture() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
};

const Fixture& fixture() {
  static const Fixture f;
  return f;
}

// Upper-case hex of a non-negative INTEGER's content octets without leading
// zero octets, as the authority names serials; empty for a negative one.
std::string serial_from_content(const ASN1_INTEGER* serial) {
  if (ASN1_STRING_type(serial) == V_ASN1_NEG_INTEGER) return {};
  const unsigned char* data = ASN1_STRING_get0_data(serial);
  int length = ASN1_STRING_length(serial);
  while (length > 1 && *data == 0) {
    ++data;
    --length;
  }
  std::string hex = trust::hex_encode(trust::Bytes(data, data + length));
  for (char& c : hex) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return hex;
}

void check_successful(const Snapshot& snapshot, OCSP_REQUEST* request, OCSP_RESPONSE* response) {
  std::unique_ptr<OCSP_BASICRESP, Free<OCSP_BASICRESP_free>> basic(OCSP_response_get1_basic(response));
  require(basic != nullptr);
  const int count = OCSP_request_onereq_count(request);
  require(OCSP_resp_count(basic.get()) == count);

  const authority_service::CaRecord* signer = nullptr;
  for (int i = 0; i < count; ++i) {
    OCSP_CERTID* asked = OCSP_onereq_get0_id(OCSP_request_onereq_get0(request, i));
    OCSP_SINGLERESP* single = OCSP_resp_get0(basic.get(), i);
    require(single != nullptr);
    const OCSP_CERTID* answered = OCSP_SINGLERESP_get0_id(single);
    require(OCSP_id_cmp(asked, answered) == 0);

    int reason = 0;
    ASN1_GENERALIZEDTIME *revoked_at = nullptr, *this_update = nullptr, *next_update = nullptr;
    const int status = OCSP_single_get0_status(single, &reason, &revoked_at, &this_update, &next_update);
    require(this_update && next_update);
    int days = 0, seconds = 0;
    require(ASN1_TIME_diff(&days, &seconds, this_update, next_update) == 1 && days == 0 && seconds == 300);

    // The CA the CertID's issuer hashes name, by an independent comparison.
    ASN1_OBJECT* hash_oid = nullptr;
    ASN1_INTEGER* serial = nullptr;
    require(OCSP_id_get0_info(nullptr, &hash_oid, nullptr, &serial, asked) == 1);
    const EVP_MD* md = EVP_get_digestbyobj(hash_oid);
    require(md != nullptr);  // an issuer the responder recognised was hashed with a known digest
    const authority_service::CaRecord* ca = nullptr;
    for (const auto& candidate : snapshot.cas) {
      std::unique_ptr<OCSP_CERTID, Free<OCSP_CERTID_free>> id(OCSP_cert_to_id(md, nullptr, candidate.cert.native()));
      if (id && OCSP_id_issuer_cmp(id.get(), asked) == 0) ca = &candidate;
    }
    require(ca != nullptr);
    require(signer == nullptr || signer == ca);  // one signer per response
    signer = ca;

    const std::string hex = serial_from_content(serial);
    const auto issued = hex.empty() ? std::nullopt : snapshot.find_issued(hex);
    const bool ours = issued && snapshot.issuer_of(*issued) == ca;
    if (!ours) {
      require(status == V_OCSP_CERTSTATUS_UNKNOWN);
    } else if (ca->crl.find(hex)) {
      require(status == V_OCSP_CERTSTATUS_REVOKED && revoked_at != nullptr);
    } else {
      require(status == V_OCSP_CERTSTATUS_GOOD);
    }
  }

  // SM2-with-SM3 by that CA over DER(tbsResponseData).
  const OCSP_RESPDATA* data = OCSP_resp_get0_respdata(basic.get());
  unsigned char* tbs = nullptr;
  const int tbs_length = i2d_OCSP_RESPDATA(data, &tbs);
  require(tbs_length > 0);
  const trust::Bytes signed_bytes(tbs, tbs + tbs_length);
  OPENSSL_free(tbs);
  const ASN1_OCTET_STRING* signature = OCSP_resp_get0_signature(basic.get());
  const unsigned char* sig = ASN1_STRING_get0_data(signature);
  require(signer->cert.public_key().verify(signed_bytes, trust::Bytes(sig, sig + ASN1_STRING_length(signature))));
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  (void)fixture();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const Snapshot& snapshot = *fixture().snapshot;
  const trust::Bytes request_der(data, data + size);
  const auto now = std::chrono::system_clock::now();
  authority_service::OcspAnswer answer;
  try {
    answer = answer_ocsp(snapshot, request_der, now);
  } catch (...) {
    std::abort();
  }

  const unsigned char* p = answer.response.data();
  std::unique_ptr<OCSP_RESPONSE, Free<OCSP_RESPONSE_free>> response(
      d2i_OCSP_RESPONSE(nullptr, &p, static_cast<long>(answer.response.size())));
  require(response != nullptr && p == answer.response.data() + answer.response.size());
  unsigned char* again = nullptr;
  const int again_length = i2d_OCSP_RESPONSE(response.get(), &again);
  require(again_length == static_cast<int>(answer.response.size()) &&
          std::equal(again, again + again_length, answer.response.begin()));
  OPENSSL_free(again);

  const int status = OCSP_response_status(response.get());
  require((status == OCSP_RESPONSE_STATUS_MALFORMEDREQUEST) == !answer.well_formed);
  require(status == OCSP_RESPONSE_STATUS_MALFORMEDREQUEST || status == OCSP_RESPONSE_STATUS_SUCCESSFUL ||
          status == OCSP_RESPONSE_STATUS_UNAUTHORIZED);

  // What the request is, read independently of the responder.
  const unsigned char* q = data;
  std::unique_ptr<OCSP_REQUEST, Free<OCSP_REQUEST_free>> request(
      size == 0 ? nullptr : d2i_OCSP_REQUEST(nullptr, &q, static_cast<long>(size)));
  bool whole = request && q == data + size;
  if (whole) {  // and DER: it encodes back to exactly these bytes (X.690 §10)
    unsigned char* again = nullptr;
    const int length = i2d_OCSP_REQUEST(request.get(), &again);
    whole = length == static_cast<int>(size) && std::equal(again, again + length, data);
    OPENSSL_free(again);
  }
  const int count = request ? OCSP_request_onereq_count(request.get()) : 0;
  if (whole && size <= authority_service::kMaxOcspRequest && count >= 1 &&
      count <= authority_service::kMaxOcspCertificates)
    require(answer.well_formed);
  if (status == OCSP_RESPONSE_STATUS_SUCCESSFUL) {
    require(whole);
    check_successful(snapshot, request.get(), response.get());
  }
  ERR_clear_error();
  return 0;
}
