#pragma once
// PKCE (RFC 7636) with the S256 method only: the client sends
// code_challenge = BASE64URL(SHA-256(code_verifier)) to /oidc/authorize and
// the verifier itself to /oidc/token. "plain" is refused: it protects nothing
// once the authorization request has leaked.
#include <string>
#include <string_view>

namespace zhaoyin::oidc {

// 43..128 characters of [A-Za-z0-9-._~] (RFC 7636 §4.1).
bool valid_code_verifier(std::string_view verifier);
// Exactly 43 base64url characters: the encoding of a 32-byte SHA-256 digest.
bool valid_code_challenge(std::string_view challenge);
// BASE64URL(SHA-256(ASCII(verifier))), no padding.
std::string s256_challenge(std::string_view verifier);
// True if the verifier is well-formed and hashes to the challenge (constant-time compare).
bool pkce_s256_matches(std::string_view verifier, std::string_view challenge);

}  // namespace zhaoyin::oidc
