// The associated permits (关联证照) of the authority's answers and of the
// sandbox's registry.json (host/authority/src/permit.cpp, docs/AUTHORITY.md
// §Permits): the host's http connector reads them from whatever the network
// returns, the sandbox driver from a file an operator may have edited.
// The input is JSON text; an object goes to permit_from_json (as one permit)
// and to permits_from_answer (as an answer document) with a status signer
// whose key only this harness holds, so no input can carry a valid signature.
// Properties, from the format's rules rather than the parser's code:
//   - only std::invalid_argument is thrown;
//   - an accepted permit has number, kind, issuer, valid_from, valid_to and
//     status, every text at most 200 characters, real YYYY-MM-DD dates with
//     valid_to not before valid_from, status valid | revoked | expired, and
//     revoked_at exactly when revoked; written back with to_json it reads the same;
//   - an answer is accepted only when it lists no permit (none can be signed).
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <zhaoyin/authority/permit.h>
#include <zhaoyin/trust/sm2.h>
#include <zhaoyin/trust/x509.h>

using namespace zhaoyin;
using nlohmann::json;

namespace {

void require(bool condition) {
  if (!condition) std::abort();
}

std::size_t characters(const std::string& s) {
  std::size_t n = 0;
  for (const unsigned char c : s)
    if ((c & 0xC0) != 0x80) ++n;
  return n;
}

const trust::Certificate& harness_signer() {
  static const trust::Certificate cert = [] {
    const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
    trust::CertificateRequest request;
    request.subject = trust::DistinguishedName{{{"CN", "fuzz status signer"}}};
    request.subject_key = trust::Sm2Key::generate();
    request.profile = trust::CertProfile::SealMaker;
    request.not_before = now - std::chrono::hours(1);
    request.not_after = now + std::chrono::hours(24);
    return trust::issue_certificate(request, request.subject_key, nullptr);
  }();
  return cert;
}

const std::string kUscc = "91420100YULA38GUXF";

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const json doc = json::parse(data, data + size, nullptr, false);
  if (doc.is_discarded()) return 0;
  try {
    const auto p = authority::permit_from_json(doc, kUscc);
    require(!p.number.empty() && !p.kind.empty() && !p.issuer.empty());
    for (const auto* text : {&p.number, &p.kind, &p.issuer, &p.scope, &p.valid_from, &p.valid_to, &p.revoked_at})
      require(characters(*text) <= authority::kMaxPermitText);
    require(authority::is_calendar_date(p.valid_from) && authority::is_calendar_date(p.valid_to));
    require(p.valid_from <= p.valid_to);
    require(p.status == "valid" || p.status == "revoked" || p.status == "expired");
    require((p.status == "revoked") == !p.revoked_at.empty());
    require(authority::to_json(authority::permit_from_json(authority::to_json(p), kUscc)) == authority::to_json(p));
  } catch (const std::invalid_argument&) {
  }
  try {
    const auto permits = authority::permits_from_answer(doc, kUscc, harness_signer());
    require(permits.empty());
  } catch (const std::invalid_argument&) {
  }
  return 0;
}
