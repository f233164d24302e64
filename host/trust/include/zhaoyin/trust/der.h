#pragma once
// A small DER (X.690) writer and reader for the Chinese e-seal structures
// (GB/T 38540, GM/T 0031), which OpenSSL has no templates for. It covers the
// universal types those structures use; X.509 stays with OpenSSL.
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>
#include <zhaoyin/trust/bytes.h>

namespace zhaoyin::trust::der {

enum Tag : std::uint8_t {
  kBoolean = 0x01, kInteger = 0x02, kBitString = 0x03, kOctetString = 0x04,
  kNull = 0x05, kOid = 0x06, kUtf8String = 0x0C, kPrintableString = 0x13,
  kIa5String = 0x16, kUtcTime = 0x17, kGeneralizedTime = 0x18,
  kSequence = 0x30, kSet = 0x31,
};

// ---- writing: each function returns one complete TLV ----
Bytes tlv(std::uint8_t tag, const Bytes& content);
Bytes boolean(bool v);
Bytes integer(std::int64_t v);
Bytes integer_unsigned(const Bytes& big_endian_magnitude);  // adds a 0x00 when the top bit is set
Bytes octet_string(const Bytes& v);
Bytes bit_string(const Bytes& v);  // zero unused bits
Bytes oid(std::string_view dotted);
Bytes utf8_string(std::string_view v);
Bytes ia5_string(std::string_view v);
Bytes printable_string(std::string_view v);
Bytes utc_time(std::chrono::system_clock::time_point t);          // YYMMDDHHMMSSZ
Bytes generalized_time(std::chrono::system_clock::time_point t);  // YYYYMMDDHHMMSSZ
Bytes sequence(const std::vector<Bytes>& elements);
Bytes context(unsigned number, const Bytes& content, bool constructed);  // [n] IMPLICIT/EXPLICIT

// ---- reading ----
// A view of one TLV inside a buffer the caller keeps alive. Every accessor
// throws TrustError("malformed") when the encoding is not what it asks for.
struct Element {
  std::uint8_t tag = 0;
  const std::uint8_t* content = nullptr;
  std::size_t length = 0;
  const std::uint8_t* raw = nullptr;  // the whole TLV (header + content)
  std::size_t raw_length = 0;

  Bytes raw_bytes() const { return Bytes(raw, raw + raw_length); }
  Bytes content_bytes() const { return Bytes(content, content + length); }
  std::vector<Element> children() const;  // for constructed types
  std::int64_t as_integer() const;
  Bytes as_octets() const;     // OCTET STRING content
  Bytes as_bits() const;       // BIT STRING content without the unused-bits byte
  std::string as_string() const;  // UTF8/IA5/Printable String content
  std::string as_oid() const;     // dotted form
  bool as_boolean() const;
  std::chrono::system_clock::time_point as_time() const;  // UTCTime or GeneralizedTime
};

// Parses exactly one TLV spanning the whole buffer (trailing bytes are malformed).
Element parse(const Bytes& buffer);
Element parse(const std::uint8_t* data, std::size_t n);

}  // namespace zhaoyin::trust::der
