#include <zhaoyin/oidc/pkce.h>

#include <zhaoyin/trust/bytes.h>
#include <zhaoyin/trust/sm3.h>

namespace zhaoyin::oidc {

namespace {

bool unreserved(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
         c == '_' || c == '~';
}

bool base64url_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

}  // namespace

bool valid_code_verifier(std::string_view verifier) {
  if (verifier.size() < 43 || verifier.size() > 128) return false;
  for (char c : verifier) {
    if (!unreserved(c)) return false;
  }
  return true;
}

bool valid_code_challenge(std::string_view challenge) {
  if (challenge.size() != 43) return false;
  for (char c : challenge) {
    if (!base64url_char(c)) return false;
  }
  return true;
}

std::string s256_challenge(std::string_view verifier) {
  return trust::base64url_encode(trust::sha256(trust::to_bytes(verifier)));
}

bool pkce_s256_matches(std::string_view verifier, std::string_view challenge) {
  if (!valid_code_verifier(verifier) || !valid_code_challenge(challenge)) return false;
  return trust::equal_constant_time(trust::to_bytes(s256_challenge(verifier)), trust::to_bytes(challenge));
}

}  // namespace zhaoyin::oidc
