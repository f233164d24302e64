#include <zhaoyin/store/secrets.h>

#include <zhaoyin/trust/bytes.h>
#include <zhaoyin/trust/error.h>
#include <zhaoyin/trust/sm3.h>

namespace zhaoyin::store {

namespace {
constexpr std::string_view kScheme = "sm3";
constexpr std::size_t kSaltBytes = 16;

trust::Bytes salted_digest(const trust::Bytes& salt, std::string_view secret) {
  trust::Bytes input = salt;
  input.insert(input.end(), secret.begin(), secret.end());
  return trust::sm3(input);
}
}  // namespace

std::string hash_secret(std::string_view secret) {
  const trust::Bytes salt = trust::random_bytes(kSaltBytes);
  return std::string(kScheme) + "$" + trust::hex_encode(salt) + "$" + trust::hex_encode(salted_digest(salt, secret));
}

bool verify_secret(std::string_view secret, std::string_view stored) {
  const auto first = stored.find('$');
  const auto second = first == std::string_view::npos ? first : stored.find('$', first + 1);
  if (second == std::string_view::npos || stored.substr(0, first) != kScheme) return false;
  try {
    const trust::Bytes salt = trust::hex_decode(stored.substr(first + 1, second - first - 1));
    const trust::Bytes expected = trust::hex_decode(stored.substr(second + 1));
    return trust::equal_constant_time(salted_digest(salt, secret), expected);
  } catch (const trust::TrustError&) {
    return false;
  }
}

std::string token_hash(std::string_view token) { return trust::hex_encode(trust::sm3(token)); }

std::string callback_key_for(std::string_view client_secret) {
  return trust::hex_encode(trust::hmac_sha256(trust::to_bytes(client_secret), trust::to_bytes("zhaoyin callback signing key")));
}

}  // namespace zhaoyin::store
