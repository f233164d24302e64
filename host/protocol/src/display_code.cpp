#include <zhaoyin/protocol/display_code.h>

#include <zhaoyin/protocol/presentation_code.h>
#include <zhaoyin/trust/error.h>

#include "prefixed_code_reader.h"

namespace zhaoyin::protocol {

namespace {

constexpr std::uint8_t kVersion = 1;
constexpr std::size_t kDigestSize = 8;
constexpr std::size_t kSignatureSize = 64;
constexpr std::size_t kMaxSerial = 20;

void check_fields(const DisplayCode& c) {
  if (c.serial_hex.empty() || c.serial_hex.size() > 2 * kMaxSerial)
    throw std::invalid_argument("the serial must be 1 to 20 bytes");
  if (c.display_id.size() != kDisplayIdBytes) throw std::invalid_argument("the display id must be 12 bytes");
  if (c.grant_digest.size() != kDigestSize) throw std::invalid_argument("the grant digest must be 8 bytes");
  if (c.issued_at < 0 || c.issued_at > 0xFFFFFFFFLL) throw std::invalid_argument("issued_at out of range");
  if (!valid_display_label(c.label))
    throw std::invalid_argument("the label must be UTF-8 text of at most 64 bytes without control characters");
}

}  // namespace

bool valid_display_label(std::string_view label) {
  if (label.size() > kMaxDisplayLabelBytes) return false;
  std::size_t i = 0;
  while (i < label.size()) {
    const auto b0 = static_cast<unsigned char>(label[i]);
    std::size_t n = 0;
    std::uint32_t cp = 0;
    if (b0 < 0x80) { n = 1; cp = b0; }
    else if ((b0 & 0xE0) == 0xC0) { n = 2; cp = b0 & 0x1F; }
    else if ((b0 & 0xF0) == 0xE0) { n = 3; cp = b0 & 0x0F; }
    else if ((b0 & 0xF8) == 0xF0) { n = 4; cp = b0 & 0x07; }
    else return false;
    if (label.size() - i < n) return false;
    for (std::size_t k = 1; k < n; ++k) {
      const auto b = static_cast<unsigned char>(label[i + k]);
      if ((b & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (b & 0x3F);
    }
    static constexpr std::uint32_t kMinOf[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMinOf[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F)) return false;
    i += n;
  }
  return true;
}

trust::Bytes DisplayCode::body() const {
  check_fields(*this);
  std::string hex = serial_hex;
  if (hex.size() % 2) hex.insert(hex.begin(), '0');
  const trust::Bytes serial = trust::hex_decode(hex);
  trust::Bytes out;
  out.push_back(kVersion);
  out.push_back(static_cast<std::uint8_t>(serial.size()));
  out.insert(out.end(), serial.begin(), serial.end());
  const auto issued = static_cast<std::uint32_t>(issued_at);
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<std::uint8_t>(issued >> shift));
  out.insert(out.end(), display_id.begin(), display_id.end());
  out.insert(out.end(), grant_digest.begin(), grant_digest.end());
  out.push_back(static_cast<std::uint8_t>(label.size()));
  out.insert(out.end(), label.begin(), label.end());
  return out;
}

trust::Bytes DisplayCode::signed_bytes() const {
  trust::Bytes out = trust::to_bytes(kDisplayContext);
  const trust::Bytes b = body();
  out.insert(out.end(), b.begin(), b.end());
  return out;
}

std::string DisplayCode::text() const {
  if (signature.size() != kSignatureSize) throw std::invalid_argument("the code is not signed");
  trust::Bytes all = body();
  all.insert(all.end(), signature.begin(), signature.end());
  return std::string(kDisplayPrefix) + base32_encode(all);
}

std::string encode_display_code(DisplayCode& code, const trust::Sm2Key& holder_key) {
  code.signature = trust::sm2_signature_to_raw(holder_key.sign(code.signed_bytes()));
  return code.text();
}

DisplayCode decode_display_code(std::string_view text) {
  detail::PrefixedCodeReader<DisplayCodeError> r(text, kDisplayPrefix, kMaxDisplayCodeText, "display code");
  r.expect_version(kVersion);
  DisplayCode c;
  c.serial_hex = r.serial_hex(kMaxSerial);
  c.issued_at = r.u32();
  c.display_id = r.take(kDisplayIdBytes);
  c.grant_digest = r.take(kDigestSize);
  const std::size_t label_len = r.u8();
  if (label_len > kMaxDisplayLabelBytes) throw DisplayCodeError("the label is longer than 64 bytes");
  const trust::Bytes label = r.take(label_len);
  c.label.assign(label.begin(), label.end());
  if (!valid_display_label(c.label)) throw DisplayCodeError("the label is not UTF-8 text without control characters");
  c.signature = r.take(kSignatureSize);
  r.finish();
  return c;
}

bool verify_display_signature(const DisplayCode& code, const trust::Sm2Key& certificate_key) {
  try {
    return certificate_key.verify(code.signed_bytes(), trust::sm2_signature_from_raw(code.signature));
  } catch (const trust::TrustError&) {
    return false;
  } catch (const std::invalid_argument&) {
    return false;
  }
}

}  // namespace zhaoyin::protocol
