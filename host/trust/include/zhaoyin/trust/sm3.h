#pragma once
// SM3 hash (GB/T 32905-2016) through OpenSSL 3's EVP interface.
#include <zhaoyin/trust/bytes.h>

namespace zhaoyin::trust {

inline constexpr std::size_t kSm3Size = 32;

Bytes sm3(const Bytes& data);
Bytes sm3(std::string_view data);

// Incremental SM3 for large inputs (PDF byte ranges, streamed uploads).
class Sm3Hasher {
 public:
  Sm3Hasher();
  ~Sm3Hasher();
  Sm3Hasher(const Sm3Hasher&) = delete;
  Sm3Hasher& operator=(const Sm3Hasher&) = delete;
  void update(const std::uint8_t* data, std::size_t n);
  void update(const Bytes& data) { update(data.data(), data.size()); }
  Bytes finish();  // the hasher cannot be used after finish()

 private:
  void* ctx_;  // EVP_MD_CTX*
};

// HMAC-SHA256 (callbacks to relying parties) and HMAC-SM3.
Bytes hmac_sha256(const Bytes& key, const Bytes& data);
Bytes hmac_sm3(const Bytes& key, const Bytes& data);
Bytes sha256(const Bytes& data);

}  // namespace zhaoyin::trust
