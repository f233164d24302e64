// Byte strings and their text encodings (hex, base64, base64url).
//
// The codecs are written by hand rather than with OpenSSL's EVP_EncodeBlock
// because OpenSSL's decoder silently tolerates whitespace and returns padded
// lengths; here every malformed input is refused with TrustError("malformed").
#include <zhaoyin/trust/bytes.h>

#include <array>
#include <climits>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <zhaoyin/trust/error.h>

namespace zhaoyin::trust {

namespace {

constexpr char kHexDigits[] = "0123456789abcdef";
constexpr char kBase64Alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr char kBase64UrlAlphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Reverse lookup table for one alphabet: 0..63, or -1 for characters outside it.
std::array<int, 256> reverse_alphabet(const char* alphabet) {
  std::array<int, 256> table{};
  table.fill(-1);
  for (int i = 0; i < 64; ++i) table[static_cast<unsigned char>(alphabet[i])] = i;
  return table;
}

std::string encode_base64_with(const Bytes& b, const char* alphabet, bool pad) {
  std::string out;
  out.reserve((b.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= b.size(); i += 3) {
    const std::uint32_t v = (std::uint32_t{b[i]} << 16) | (std::uint32_t{b[i + 1]} << 8) | b[i + 2];
    out += alphabet[(v >> 18) & 63];
    out += alphabet[(v >> 12) & 63];
    out += alphabet[(v >> 6) & 63];
    out += alphabet[v & 63];
  }
  const std::size_t rest = b.size() - i;
  if (rest == 1) {
    const std::uint32_t v = std::uint32_t{b[i]} << 16;
    out += alphabet[(v >> 18) & 63];
    out += alphabet[(v >> 12) & 63];
    if (pad) out += "==";
  } else if (rest == 2) {
    const std::uint32_t v = (std::uint32_t{b[i]} << 16) | (std::uint32_t{b[i + 1]} << 8);
    out += alphabet[(v >> 18) & 63];
    out += alphabet[(v >> 12) & 63];
    out += alphabet[(v >> 6) & 63];
    if (pad) out += '=';
  }
  return out;
}

// Decodes base64 in `alphabet`. With require_padding the length must be a
// multiple of 4 with '=' padding; without it, padding must be absent.
// Non-zero bits left over in the last character are refused, so every byte
// string has exactly one accepted encoding.
Bytes decode_base64_with(std::string_view text, const std::array<int, 256>& table,
                         bool require_padding) {
  std::size_t data_len = text.size();
  if (require_padding) {
    if (text.size() % 4 != 0) throw TrustError("malformed", "base64 length is not a multiple of 4");
    if (data_len > 0 && text[data_len - 1] == '=') --data_len;
    if (data_len > 0 && text[data_len - 1] == '=') --data_len;
  }
  if (data_len % 4 == 1) throw TrustError("malformed", "base64 has a dangling character");

  Bytes out;
  out.reserve(data_len * 3 / 4);
  std::uint32_t accumulator = 0;
  int bits = 0;
  for (std::size_t i = 0; i < data_len; ++i) {
    const int v = table[static_cast<unsigned char>(text[i])];
    if (v < 0) throw TrustError("malformed", "invalid base64 character");
    accumulator = (accumulator << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<std::uint8_t>((accumulator >> bits) & 0xFF));
    }
  }
  if (bits > 0 && (accumulator & ((1u << bits) - 1)) != 0)
    throw TrustError("malformed", "base64 has non-zero trailing bits");
  return out;
}

}  // namespace

Bytes to_bytes(std::string_view s) { return Bytes(s.begin(), s.end()); }

std::string to_string(const Bytes& b) { return std::string(b.begin(), b.end()); }

std::string hex_encode(const Bytes& b) {
  std::string out;
  out.reserve(b.size() * 2);
  for (std::uint8_t byte : b) {
    out += kHexDigits[byte >> 4];
    out += kHexDigits[byte & 0x0F];
  }
  return out;
}

Bytes hex_decode(std::string_view hex) {
  if (hex.size() % 2 != 0) throw TrustError("malformed", "hex string has an odd length");
  Bytes out;
  out.reserve(hex.size() / 2);
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    const int hi = hex_value(hex[i]);
    const int lo = hex_value(hex[i + 1]);
    if (hi < 0 || lo < 0) throw TrustError("malformed", "invalid hex character");
    out.push_back(static_cast<std::uint8_t>((hi << 4) | lo));
  }
  return out;
}

std::string base64_encode(const Bytes& b) { return encode_base64_with(b, kBase64Alphabet, true); }

Bytes base64_decode(std::string_view b64) {
  static const auto table = reverse_alphabet(kBase64Alphabet);
  return decode_base64_with(b64, table, true);
}

std::string base64url_encode(const Bytes& b) {
  return encode_base64_with(b, kBase64UrlAlphabet, false);
}

Bytes base64url_decode(std::string_view b64url) {
  static const auto table = reverse_alphabet(kBase64UrlAlphabet);
  return decode_base64_with(b64url, table, false);
}

Bytes random_bytes(std::size_t n) {
  Bytes out(n);
  if (n > static_cast<std::size_t>(INT_MAX) ||
      (n > 0 && RAND_bytes(out.data(), static_cast<int>(n)) != 1))
    throw TrustError("crypto_failure", "the random generator failed");
  return out;
}

bool equal_constant_time(const Bytes& a, const Bytes& b) {
  // The length is not secret (MACs and tokens have fixed sizes); the contents are.
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace zhaoyin::trust
