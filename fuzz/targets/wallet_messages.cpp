// The wallet side of the protocol as the host receives it (docs/PROTOCOL.md):
//   - the QR text a wallet scans, "<url>/wallet/v1/requests/<ticket>";
//   - the body a wallet POSTs to …/answer: {"answer", "certificate" (PEM),
//     "chain" [PEM…], "grant" null|{…}, "signature" (b64 DER)}.
// The input is split at the first NUL: QR text before it, answer body after
// (without a NUL, both get the whole input), so one corpus feeds both.
// verify_message and verify_grant promise never to throw for bad input;
// certificate PEM throws only TrustError.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <zhaoyin/protocol/grant.h>
#include <zhaoyin/protocol/wallet_messages.h>
#include <zhaoyin/trust/error.h>
#include <zhaoyin/trust/x509.h>

using namespace zhaoyin;

namespace {

struct Fixture {
  trust::Sm2Key key = trust::Sm2Key::generate();
  trust::Certificate cert;
  Fixture() {
    trust::CertificateRequest req;
    req.subject.attributes = {{"CN", "fuzz legal representative"}};
    req.subject_key = key;
    req.not_before = std::chrono::system_clock::now() - std::chrono::hours(1);
    req.not_after = req.not_before + std::chrono::hours(24 * 365);
    cert = trust::issue_certificate(req, key, nullptr);
  }
};

const Fixture& fixture() {
  static const Fixture f;
  return f;
}

void answer_body(std::string_view text) {
  const nlohmann::json body = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!body.is_object()) return;
  const Fixture& f = fixture();
  if (const auto it = body.find("signature"); it != body.end() && it->is_string() && body.contains("answer")) {
    // Not signed by our fresh key, so it must not verify.
    if (protocol::verify_message(body["answer"], it->get<std::string>(), f.key)) std::abort();
  }
  if (const auto it = body.find("certificate"); it != body.end() && it->is_string()) {
    try {
      (void)trust::Certificate::from_pem(it->get<std::string>());
    } catch (const trust::TrustError&) {
    }
  }
  if (const auto it = body.find("chain"); it != body.end() && it->is_array()) {
    for (const auto& pem : *it) {
      if (!pem.is_string()) continue;
      try {
        (void)trust::Certificate::bundle_from_pem(pem.get<std::string>());
      } catch (const trust::TrustError&) {
      }
    }
  }
  if (const auto it = body.find("grant"); it != body.end()) {
    const protocol::GrantCheck check = protocol::verify_grant(*it, f.cert);
    if (check.ok) std::abort();  // nothing the fuzzer makes is signed by our key
    try {
      (void)protocol::grant_digest(*it);
    } catch (const trust::TrustError&) {
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  (void)fixture();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view all(reinterpret_cast<const char*>(data), size);
  const std::size_t nul = all.find('\0');
  const std::string_view qr = nul == std::string_view::npos ? all : all.substr(0, nul);
  const std::string_view body = nul == std::string_view::npos ? all : all.substr(nul + 1);

  if (const auto ticket = protocol::ticket_from_qr_text(qr)) {
    // A ticket is one path segment: no '/', '?' or '#', never empty.
    if (ticket->empty() || ticket->find_first_of("/?#") != std::string::npos) std::abort();
  }
  answer_body(body);
  return 0;
}
