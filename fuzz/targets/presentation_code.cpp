// Presentation codes as a scanner gun types them into the counter page:
// "ZY1" + base32 of (serial, issued_at, validity, nonce, grant digest,
// signature). decode_presentation_code must either return a code or throw
// PresentationCodeError — any other exception would reach the caller as a 500.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <zhaoyin/protocol/presentation_code.h>

using namespace zhaoyin;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  // base32 on its own: whatever decodes must encode back to a text that
  // decodes to the same bytes.
  if (auto bytes = protocol::base32_decode(text)) {
    const auto again = protocol::base32_decode(protocol::base32_encode(*bytes));
    if (!again || *again != *bytes) std::abort();
  }

  try {
    const protocol::PresentationCode code = protocol::decode_presentation_code(text);
    // A decoded code always carries the fixed-size fields the verifier indexes.
    if (code.nonce.size() != 12 || code.grant_digest.size() != 8 || code.signature.size() != 64) std::abort();
    (void)code.signed_bytes();
    (void)code.nonce_hex();
    // The counter verifies against the certificate's key; a random key must
    // simply say no (the signature's r||s becomes DER on the way).
    static const trust::Sm2Key key = trust::Sm2Key::generate();
    if (protocol::verify_presentation_signature(code, key)) std::abort();
  } catch (const protocol::PresentationCodeError&) {
  }
  return 0;
}
