// Display codes (亮照码) as anyone may put them in a URL: "ZYD1" + base32 of
// (serial, issued_at, display id, grant digest, label, signature), from
// GET /v/{code}, GET /api/v1/display-codes/{code} and inside revocations.
// decode_display_code must either return a code or throw DisplayCodeError —
// any other exception would reach the caller as a 500 — and what it returns
// must encode back to the same text.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <zhaoyin/protocol/display_code.h>

using namespace zhaoyin;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    const protocol::DisplayCode code = protocol::decode_display_code(text);
    if (code.display_id.size() != 12 || code.grant_digest.size() != 8 || code.signature.size() != 64) std::abort();
    if (!protocol::valid_display_label(code.label)) std::abort();
    // One text per code: re-encoding and decoding gives the same fields.
    const protocol::DisplayCode again = protocol::decode_display_code(code.text());
    if (again.label != code.label || again.display_id != code.display_id || again.signature != code.signature ||
        again.serial_hex != code.serial_hex || again.issued_at != code.issued_at)
      std::abort();
    (void)code.display_id_hex();
    static const trust::Sm2Key key = trust::Sm2Key::generate();
    if (protocol::verify_display_signature(code, key)) std::abort();
  } catch (const protocol::DisplayCodeError&) {
  }
  return 0;
}
