// The wallet side of the protocol as the host receives it (docs/PROTOCOL.md):
//   - the QR text a wallet scans, "<url>/wallet/v1/requests/<ticket>";
//   - the body a wallet POSTs to …/answer: {"answer", "certificate" (PEM),
//     "chain" [PEM…], "grant" null|{…}, "signature" (b64 DER)}.
// The input is split at the first NUL: QR text before it, answer body after
// (without a NUL, both get the whole input), so one corpus feeds both.
// verify_message and verify_grant promise never to throw for bad input;
// certificate PEM throws only TrustError. The QR text also goes through
// url_host (the wallet's reading of the host it must find in the host
// certificate, docs/PROTOCOL.md §2.3); the body through the strict answer
// reader (parse_answer_envelope, answered_at_of, parse_wallet_time, §3.2),
// which refuses only with AnswerFormatError.
#include <cctype>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <zhaoyin/protocol/canonical_json.h>
#include <zhaoyin/protocol/grant.h>
#include <zhaoyin/protocol/host_certificate.h>
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

bool starts_with_ci(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(s[i])) != prefix[i]) return false;
  return true;
}

// From RFC 3986 §3.2.2 and the header's promise, not from the code: the host
// of an http(s) URL without userinfo, lower-cased, a bracketed IPv6 literal
// or a name/IPv4 address without ':', and reading it back gives it again.
void host_of_url(std::string_view url) {
  const auto host = protocol::url_host(url);
  if (!host) return;
  const std::string& h = *host;
  if (h.empty()) std::abort();
  if (!starts_with_ci(url, "http://") && !starts_with_ci(url, "https://")) std::abort();
  // A DNS name or IPv4 address: [a-z0-9.-]; an IP literal: "[" [0-9a-f:.] "]".
  const bool bracketed = h.size() > 2 && h.front() == '[' && h.back() == ']';
  const std::string_view inner = bracketed ? std::string_view(h).substr(1, h.size() - 2) : std::string_view(h);
  for (const char c : inner) {
    const bool digit = c >= '0' && c <= '9', lower_letter = c >= 'a' && c <= 'z';
    const bool ok = bracketed ? (digit || (c >= 'a' && c <= 'f') || c == ':' || c == '.')
                              : (digit || lower_letter || c == '-' || c == '.');
    if (!ok) std::abort();
  }
  // The host appears right after "://", as written (case aside).
  const std::size_t at = url.find("://") + 3;
  if (!starts_with_ci(url.substr(at), h)) std::abort();
  if (protocol::url_host("https://" + h + "/wallet/v1/requests/t") != h) std::abort();
}

void strict_answer(const nlohmann::json& body) {
  protocol::AnswerEnvelope envelope;
  try {
    envelope = protocol::parse_answer_envelope(body);
  } catch (const protocol::AnswerFormatError&) {
    return;
  }
  // All five members, of their types, nothing else.
  if (!body.is_object() || body.size() != 5 || !envelope.answer.is_object() || envelope.certificate_pem.empty() ||
      !(envelope.grant.is_null() || envelope.grant.is_object()) || envelope.signature.empty())
    std::abort();
  try {
    const auto at = protocol::answered_at_of(envelope.answer);
    // A wallet time is exactly "YYYY-MM-DDTHH:MM:SSZ" and prints back to itself.
    const std::string text = envelope.answer["answered_at"].get<std::string>();
    if (text.size() != 20 || protocol::rfc3339(at) != text) std::abort();
    (void)protocol::within_clock_window(at, std::chrono::system_clock::now());
  } catch (const protocol::AnswerFormatError&) {
  }
}

void answer_body(std::string_view text) {
  const nlohmann::json body = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded()) return;
  strict_answer(body);
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
  host_of_url(qr);
  answer_body(body);
  return 0;
}
