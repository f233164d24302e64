#pragma once
// The provider's state in the store (migration 6): pending authorizations,
// authorization codes and userinfo access tokens. Codes and tokens are random
// 256-bit values handed out once; only their SM3 hashes are kept.
#include <chrono>
#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace zhaoyin::store {
class Database;
}

namespace zhaoyin::oidc {

using Clock = std::chrono::system_clock;
using TimePoint = Clock::time_point;

// An /oidc/authorize request waiting for its QR login.
struct Authorization {
  std::string id;                // random, in the /oidc/continue/<id> URL
  std::string client_id;
  std::string redirect_uri;
  std::string scope;
  std::string state;             // "" when the client sent none
  std::string nonce;             // "" when the client sent none
  std::string code_challenge;    // S256
  std::string matter;            // "" when none was asked for
  std::string login_session_id;
  std::string browser_hash;      // SM3 of the cookie value that binds the browser
  TimePoint completed_at{};      // epoch when not completed
  TimePoint created_at{};
  TimePoint expires_at{};
  bool completed() const { return completed_at.time_since_epoch().count() != 0; }
};

// What a code stands for.
struct CodeGrant {
  std::string authorization_id;
  std::string client_id;
  std::string redirect_uri;
  std::string code_challenge;
  std::string nonce;
  std::string scope;
  nlohmann::json claims;         // identity_claims() of the subject
  TimePoint auth_time{};
  TimePoint issued_at{};
  TimePoint expires_at{};
  bool used = false;
};

struct TokenGrant {
  std::string client_id;
  std::string scope;
  nlohmann::json claims;
  TimePoint issued_at{};
  TimePoint expires_at{};
};

class OidcRepository {
 public:
  explicit OidcRepository(store::Database& db) : db_(db) {}

  void save_authorization(const Authorization& a);
  std::optional<Authorization> find_authorization(const std::string& id) const;
  // Marks the authorization completed unless it already was: true for exactly
  // one caller, so one login yields one code.
  bool complete_authorization(const std::string& id, TimePoint now = Clock::now());

  // Stores a fresh code for `grant` (valid from grant.issued_at to grant.expires_at); returns the code.
  std::string issue_code(const CodeGrant& grant);
  // The code's grant, used or not, expired or not; nullopt if unknown.
  std::optional<CodeGrant> find_code(const std::string& code) const;
  // Marks the code used; true for exactly one caller (an atomic UPDATE).
  bool consume_code(const std::string& code, TimePoint now = Clock::now());

  // A userinfo access token derived from `code`; returns the token.
  std::string issue_access_token(const std::string& code, const TokenGrant& grant);
  // The token's grant if it exists and has not expired at `now`.
  std::optional<TokenGrant> find_access_token(const std::string& token, TimePoint now = Clock::now()) const;
  // Revokes every token issued from `code` (a replayed code, RFC 6749 §4.1.2); returns how many.
  std::size_t revoke_tokens_of_code(const std::string& code);

  // Deletes authorizations, codes and tokens expired before `now`; returns how many rows.
  std::size_t purge_expired(TimePoint now = Clock::now());

  // A fresh random handle (base64url of 32 bytes) for codes, tokens and ids.
  static std::string random_handle();

 private:
  store::Database& db_;
};

}  // namespace zhaoyin::oidc
