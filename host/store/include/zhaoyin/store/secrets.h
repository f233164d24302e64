#pragma once
// Hashing of client secrets and bearer tokens. Neither is ever stored in clear.
#include <string>
#include <string_view>

namespace zhaoyin::store {

// "sm3$<salt hex>$<SM3(salt || secret) hex>" with a fresh 16-byte random salt.
std::string hash_secret(std::string_view secret);
// Recomputes the hash with the stored salt and compares in constant time.
// False for a malformed stored value.
bool verify_secret(std::string_view secret, std::string_view stored);

// Hex SM3 of a bearer token: how tokens are stored and looked up. Tokens are
// 256-bit random values, so an unsalted hash is enough.
std::string token_hash(std::string_view token);

// The key callbacks to an application are signed with (HMAC-SHA256 over the
// body): hex HMAC-SHA256(key = client secret, "zhaoyin callback signing key").
// Derived, so the host never stores the secret itself, and the relying party
// computes the same key from the secret it holds (docs/API.md, "Callbacks").
std::string callback_key_for(std::string_view client_secret);

}  // namespace zhaoyin::store
