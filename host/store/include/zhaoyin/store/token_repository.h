#pragma once
// OAuth access tokens of relying-party applications. A token is handed out
// once; the store keeps only its SM3 hash, the client, the scope and expiry.
#include <chrono>
#include <optional>
#include <string>

namespace zhaoyin::store {

class Database;

struct AccessToken {
  std::string client_id;
  std::string scope;  // space-separated OAuth scope values
  std::chrono::system_clock::time_point issued_at{};
  std::chrono::system_clock::time_point expires_at{};
};

struct IssuedToken {
  std::string token;  // the bearer value (base64url of 32 random bytes); not stored
  AccessToken record;
};

class TokenRepository {
 public:
  using Clock = std::chrono::system_clock;
  explicit TokenRepository(Database& db) : db_(db) {}

  // Creates a token for an existing client (foreign key), valid for ttl from now.
  IssuedToken issue(const std::string& client_id, const std::string& scope, std::chrono::seconds ttl,
                    Clock::time_point now = Clock::now());

  // The token's record if it exists and has not expired at `now`; nullopt otherwise.
  std::optional<AccessToken> find_valid(const std::string& token, Clock::time_point now = Clock::now()) const;

  // Deletes one token; false if it was not there.
  bool revoke(const std::string& token);
  // Deletes every token of a client (suspension, secret rotation); returns how many.
  std::size_t revoke_all(const std::string& client_id);
  // Deletes tokens expired at `now`; returns how many.
  std::size_t purge_expired(Clock::time_point now = Clock::now());

 private:
  Database& db_;
};

}  // namespace zhaoyin::store
