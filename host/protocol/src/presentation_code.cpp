#include <zhaoyin/protocol/presentation_code.h>

#include <stdexcept>
#include <zhaoyin/trust/error.h>

#include "prefixed_code_reader.h"

namespace zhaoyin::protocol {

namespace {

constexpr std::string_view kBase32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
constexpr std::uint8_t kVersion = 1;
constexpr std::size_t kNonceSize = 12;
constexpr std::size_t kDigestSize = 8;
constexpr std::size_t kSignatureSize = 64;
constexpr std::size_t kMaxSerial = 20;

void put_u32(trust::Bytes& out, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<std::uint8_t>(v >> shift));
}
void put_u16(trust::Bytes& out, std::uint16_t v) {
  out.push_back(static_cast<std::uint8_t>(v >> 8));
  out.push_back(static_cast<std::uint8_t>(v));
}

void check_fields(const PresentationCode& c) {
  if (c.serial_hex.empty() || c.serial_hex.size() > 2 * kMaxSerial)
    throw std::invalid_argument("the serial must be 1 to 20 bytes");
  if (c.validity == 0 || c.validity > kMaxPresentationValidity)
    throw std::invalid_argument("validity must be 1 to 600 seconds");
  if (c.nonce.size() != kNonceSize) throw std::invalid_argument("the nonce must be 12 bytes");
  if (c.grant_digest.size() != kDigestSize) throw std::invalid_argument("the grant digest must be 8 bytes");
  if (c.issued_at < 0 || c.issued_at > 0xFFFFFFFFLL) throw std::invalid_argument("issued_at out of range");
}

trust::Bytes body_bytes(const PresentationCode& c) {
  std::string hex = c.serial_hex;
  if (hex.size() % 2) hex.insert(hex.begin(), '0');
  const trust::Bytes serial = trust::hex_decode(hex);
  trust::Bytes out;
  out.push_back(kVersion);
  out.push_back(static_cast<std::uint8_t>(serial.size()));
  out.insert(out.end(), serial.begin(), serial.end());
  put_u32(out, static_cast<std::uint32_t>(c.issued_at));
  put_u16(out, c.validity);
  out.insert(out.end(), c.nonce.begin(), c.nonce.end());
  out.insert(out.end(), c.grant_digest.begin(), c.grant_digest.end());
  return out;
}

}  // namespace

trust::Bytes PresentationCode::signed_bytes() const {
  check_fields(*this);
  trust::Bytes out = trust::to_bytes(kPresentationContext);
  const trust::Bytes body = body_bytes(*this);
  out.insert(out.end(), body.begin(), body.end());
  return out;
}

std::string encode_presentation_code(PresentationCode& code, const trust::Sm2Key& holder_key) {
  check_fields(code);
  code.signature = trust::sm2_signature_to_raw(holder_key.sign(code.signed_bytes()));
  trust::Bytes all = body_bytes(code);
  all.insert(all.end(), code.signature.begin(), code.signature.end());
  return std::string(kPresentationPrefix) + base32_encode(all);
}

PresentationCode decode_presentation_code(std::string_view text) {
  detail::PrefixedCodeReader<PresentationCodeError> r(text, kPresentationPrefix, 400, "presentation code");
  r.expect_version(kVersion);
  PresentationCode c;
  c.serial_hex = r.serial_hex(kMaxSerial);
  c.issued_at = r.u32();
  c.validity = r.u16();
  if (c.validity == 0 || c.validity > kMaxPresentationValidity) throw PresentationCodeError("bad validity");
  c.nonce = r.take(kNonceSize);
  c.grant_digest = r.take(kDigestSize);
  c.signature = r.take(kSignatureSize);
  r.finish();
  return c;
}

bool verify_presentation_signature(const PresentationCode& code, const trust::Sm2Key& certificate_key) {
  try {
    return certificate_key.verify(code.signed_bytes(), trust::sm2_signature_from_raw(code.signature));
  } catch (const trust::TrustError&) {
    return false;
  } catch (const std::invalid_argument&) {
    return false;
  }
}

std::string base32_encode(const trust::Bytes& data) {
  std::string out;
  std::uint32_t buffer = 0;
  int bits = 0;
  for (const std::uint8_t byte : data) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out.push_back(kBase32[(buffer >> (bits - 5)) & 31]);
      bits -= 5;
    }
  }
  if (bits > 0) out.push_back(kBase32[(buffer << (5 - bits)) & 31]);
  return out;
}

std::optional<trust::Bytes> base32_decode(std::string_view text) {
  trust::Bytes out;
  std::uint32_t buffer = 0;
  int bits = 0;
  for (const char c : text) {
    const auto v = kBase32.find(c);
    if (v == std::string_view::npos) return std::nullopt;
    buffer = (buffer << 5) | static_cast<std::uint32_t>(v);
    bits += 5;
    if (bits >= 8) {
      out.push_back(static_cast<std::uint8_t>(buffer >> (bits - 8)));
      bits -= 8;
    }
  }
  // Leftover bits are padding and must be zero (one text per byte string).
  if (bits >= 5 || (buffer & ((1u << bits) - 1)) != 0) return std::nullopt;
  return out;
}

}  // namespace zhaoyin::protocol
