#pragma once
// Byte strings and the encodings every other trust header uses.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace zhaoyin::trust {

using Bytes = std::vector<std::uint8_t>;

Bytes to_bytes(std::string_view s);
std::string to_string(const Bytes& b);

std::string hex_encode(const Bytes& b);             // lower-case
Bytes hex_decode(std::string_view hex);             // throws TrustError("malformed") on bad input
std::string base64_encode(const Bytes& b);          // standard alphabet, padded, no newlines
Bytes base64_decode(std::string_view b64);          // throws TrustError("malformed")
std::string base64url_encode(const Bytes& b);       // RFC 4648 §5, no padding
Bytes base64url_decode(std::string_view b64url);    // throws TrustError("malformed")

Bytes random_bytes(std::size_t n);                  // from OpenSSL's CSPRNG

// Constant-time comparison for secrets and MACs.
bool equal_constant_time(const Bytes& a, const Bytes& b);

}  // namespace zhaoyin::trust
