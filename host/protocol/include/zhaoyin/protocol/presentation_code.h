#pragma once
// The one-time presentation code a wallet shows at the counter (线下出示执照):
// small enough for a QR code of version 10 or lower at error correction M
// (≤ 311 alphanumeric characters; a 16-byte serial gives 176), made only of
// characters a scanner gun types on any keyboard layout (A–Z, 2–7).
//
// Text: "ZY1" followed by base32 (RFC 4648 alphabet, upper case, no padding)
// of the binary layout below (all integers big-endian):
//
//   u8        version            1
//   u8        serial_length      1..20
//   bytes     serial             the holder's license certificate serial
//   u32       issued_at          Unix seconds
//   u16       validity           seconds, 1..600 (default 120)
//   12 bytes  nonce              random
//   8 bytes   grant_digest       protocol::grant_digest of the holder's grant (zeros: legal representative)
//   64 bytes  signature          SM2/SM3 (ID 1234567812345678), r || s, over
//                                "zhaoyin-presentation/1" || every byte above
//
// docs/PROTOCOL.md, "Presentation code", is the normative description.
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <zhaoyin/trust/bytes.h>
#include <zhaoyin/trust/sm2.h>

namespace zhaoyin::protocol {

inline constexpr std::string_view kPresentationPrefix = "ZY1";
inline constexpr std::string_view kPresentationContext = "zhaoyin-presentation/1";
inline constexpr std::uint16_t kDefaultPresentationValidity = 120;
inline constexpr std::uint16_t kMaxPresentationValidity = 600;

// A code that cannot be read. code(): malformed_code.
class PresentationCodeError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct PresentationCode {
  std::string serial_hex;            // upper-case hex, as the authority names certificates
  std::int64_t issued_at = 0;        // Unix seconds
  std::uint16_t validity = kDefaultPresentationValidity;
  trust::Bytes nonce;                // 12 bytes
  trust::Bytes grant_digest;         // 8 bytes
  trust::Bytes signature;            // 64 bytes r||s (empty before signing)

  // The bytes the signature covers: context string || layout without the signature.
  trust::Bytes signed_bytes() const;
  // Nonce as lower-case hex: the key of the single-use record.
  std::string nonce_hex() const { return trust::hex_encode(nonce); }
};

// Fills in the signature with `holder_key` and returns the text. Throws
// std::invalid_argument for an out-of-range field (serial length, validity,
// nonce or digest size).
std::string encode_presentation_code(PresentationCode& code, const trust::Sm2Key& holder_key);

// Parses the text (surrounding whitespace ignored; lower-case letters
// accepted, since some scanner guns type with Caps Lock inverted). Checks
// form only — not the signature, which needs the certificate. Throws
// PresentationCodeError naming what is wrong.
PresentationCode decode_presentation_code(std::string_view text);

// True if `certificate_key` verifies the code's signature.
bool verify_presentation_signature(const PresentationCode& code, const trust::Sm2Key& certificate_key);

// RFC 4648 base32, upper case, no padding (exposed for tests).
std::string base32_encode(const trust::Bytes& data);
std::optional<trust::Bytes> base32_decode(std::string_view text);

}  // namespace zhaoyin::protocol
