#pragma once
// The static display code (亮证经营 / 网络交易平台亮照): made and signed in the
// wallet by a license holder of the enterprise, printed at the premises or
// shown on a web shop, verified by anyone with a phone camera. Unlike the
// presentation code it has no expiry of its own: it is valid while the
// license, the enterprise (存续) and the holder's grant are, and until the
// enterprise revokes it at the host named in its URL.
//
// Text: "ZYD1" followed by base32 (RFC 4648 §6 alphabet, upper case, no
// padding) of the binary layout below (all integers big-endian). The QR code
// carries "<host public_url>/v/<text>".
//
//   u8        version            1
//   u8        serial_length      1..20
//   bytes     serial             the holder's license certificate serial
//   u32       issued_at          Unix seconds
//   12 bytes  display_id         random; names the code in a revocation
//   8 bytes   grant_digest       protocol::grant_digest of the holder's grant (zeros: legal representative)
//   u8        label_length       0..64
//   bytes     label              UTF-8: the premises' address (门店地址) or the shop URL (网店)
//   64 bytes  signature          SM2/SM3 (ID 1234567812345678), r || s, over
//                                "zhaoyin-display/1" || every byte above
//
// The context string differs from the presentation code's
// ("zhaoyin-presentation/1") and neither is a prefix of the other, so a
// signature made for one kind of code never verifies as the other.
// docs/PROTOCOL.md, "Display code", is the normative description.
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <zhaoyin/trust/bytes.h>
#include <zhaoyin/trust/sm2.h>

namespace zhaoyin::protocol {

inline constexpr std::string_view kDisplayPrefix = "ZYD1";
inline constexpr std::string_view kDisplayContext = "zhaoyin-display/1";
inline constexpr std::size_t kMaxDisplayLabelBytes = 64;
inline constexpr std::size_t kDisplayIdBytes = 12;
// Longest text a decoder reads (a full code is at most 284 characters).
inline constexpr std::size_t kMaxDisplayCodeText = 400;
// The path of the public page: <public_url>/v/<code>.
inline constexpr std::string_view kDisplayPagePath = "/v/";

// A code that cannot be read. HTTP: 422 malformed_code.
class DisplayCodeError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct DisplayCode {
  std::string serial_hex;     // upper-case hex, no leading zero byte
  std::int64_t issued_at = 0;  // Unix seconds
  trust::Bytes display_id;    // 12 bytes
  trust::Bytes grant_digest;  // 8 bytes
  std::string label;          // UTF-8, at most 64 bytes, no control characters
  trust::Bytes signature;     // 64 bytes r||s (empty before signing)

  // The layout without the signature.
  trust::Bytes body() const;
  // What the signature covers: context string || body().
  trust::Bytes signed_bytes() const;
  // "ZYD1" + base32(body() || signature); the signature must be set.
  std::string text() const;
  std::string display_id_hex() const { return trust::hex_encode(display_id); }
};

// Signs with `holder_key` (tests, tools that hold a key) and returns the text.
// Throws std::invalid_argument for an out-of-range field.
std::string encode_display_code(DisplayCode& code, const trust::Sm2Key& holder_key);

// Parses the text (surrounding whitespace ignored, lower case accepted).
// Checks form only; throws DisplayCodeError naming what is wrong.
DisplayCode decode_display_code(std::string_view text);

// True if `certificate_key` verifies the code's signature.
bool verify_display_signature(const DisplayCode& code, const trust::Sm2Key& certificate_key);

// Whether `label` is acceptable: well-formed UTF-8 (RFC 3629 §3, no overlong
// forms or surrogates), ≤ 64 bytes, no control characters (C0, DEL, C1).
bool valid_display_label(std::string_view label);

}  // namespace zhaoyin::protocol
