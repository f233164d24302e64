#pragma once
// The framing Zhaoyin's printed codes share — presentation codes ("ZY1…",
// presentation_code.h) and display codes ("ZYD1…", display_code.h):
//
//   PREFIX base32( u8 version, u8 serial_length 1..20, serial, fields…, 64-byte signature )
//
// One reader for that framing, so both decoders trim, case-fold, bound and
// refuse malformed text the same way; each decoder reads only its own fields.
// `Error` is the decoder's exception type (PresentationCodeError,
// DisplayCodeError): every refusal here throws it with a message for people.
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <zhaoyin/protocol/presentation_code.h>  // base32_decode
#include <zhaoyin/trust/bytes.h>

namespace zhaoyin::protocol::detail {

template <class Error>
class PrefixedCodeReader {
 public:
  // Trims white space (scanner guns add a newline), upper-cases (base32 is
  // case-insensitive to people), refuses text over `max_text` characters or
  // without `prefix`, and decodes the rest. `kind` names the code in
  // messages, e.g. "presentation code".
  PrefixedCodeReader(std::string_view text, std::string_view prefix, std::size_t max_text, std::string_view kind)
      : kind_(kind) {
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
    if (text.size() > max_text) throw Error("the code is too long to be a " + kind_);
    std::string upper(text);
    for (char& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    if (upper.rfind(prefix, 0) != 0) throw Error("a " + kind_ + " starts with " + std::string(prefix));
    auto raw = base32_decode(std::string_view(upper).substr(prefix.size()));
    if (!raw) throw Error("the code has characters outside A-Z and 2-7");
    bytes_ = std::move(*raw);
  }

  // The version byte; anything but `expected` is refused.
  void expect_version(std::uint8_t expected) {
    if (u8() != expected) throw Error("unsupported " + kind_ + " version");
  }

  // The holder's certificate serial: a length byte (1..max_bytes) and the
  // bytes, returned as upper-case hex without leading zero bytes, the way
  // certificate serials are printed.
  std::string serial_hex(std::size_t max_bytes) {
    const std::size_t length = u8();
    if (length == 0 || length > max_bytes) throw Error("bad serial length");
    std::string hex = trust::hex_encode(take(length));
    for (char& ch : hex) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    while (hex.size() > 2 && hex.rfind("00", 0) == 0) hex.erase(0, 2);
    return hex;
  }

  std::uint8_t u8() {
    need(1);
    return bytes_[pos_++];
  }
  std::uint16_t u16() {
    need(2);
    const auto v = static_cast<std::uint16_t>((bytes_[pos_] << 8) | bytes_[pos_ + 1]);
    pos_ += 2;
    return v;
  }
  std::uint32_t u32() {
    need(4);
    std::uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v = (v << 8) | bytes_[pos_++];
    return v;
  }
  trust::Bytes take(std::size_t n) {
    need(n);
    trust::Bytes out(bytes_.begin() + static_cast<std::ptrdiff_t>(pos_),
                     bytes_.begin() + static_cast<std::ptrdiff_t>(pos_ + n));
    pos_ += n;
    return out;
  }

  // Every byte must have been read: one text per code.
  void finish() const {
    if (pos_ != bytes_.size()) throw Error("the code has trailing bytes");
  }

 private:
  void need(std::size_t n) const {
    if (bytes_.size() - pos_ < n) throw Error("the code is truncated");
  }

  std::string kind_;
  trust::Bytes bytes_;
  std::size_t pos_ = 0;
};

}  // namespace zhaoyin::protocol::detail
