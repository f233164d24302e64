#pragma once
// Single sign-on (一次认证、全网通用): the provider's own session in a browser
// (migration 20). After a confirmed QR login through /oidc/authorize the
// browser holds a random cookie; a second relying party in the same browser
// then gets its code without another scan — even with prompt=none — as long as
// the session is within its absolute lifetime and idle limit, has not been
// ended by a logout, and the holder still passes every check for that relying
// party (single_sign_on.h re-runs the verification; nothing is carried over
// from the first relying party but who the holder is).
//
// Only the SM3 hash of the cookie value is stored. Times are epoch seconds.
#include <chrono>
#include <cstddef>
#include <optional>
#include <string>

namespace zhaoyin::store {
class Database;
}

namespace zhaoyin::oidc {

struct SsoOptions {
  bool enabled = false;                    // oidc.sso.enabled
  std::chrono::seconds max_age{8 * 3600};  // oidc.sso.max_age_seconds: from the QR login, whatever the use
  std::chrono::seconds idle{30 * 60};      // oidc.sso.idle_seconds: since the session last gave a code
};

struct ProviderSession {
  std::string id;              // SM3 of the cookie value (the row's key); never the cookie itself
  std::string license_serial;  // the holder's license certificate (upper-case hex)
  std::string uscc;
  std::chrono::system_clock::time_point auth_time{};  // when the holder confirmed the QR login
  std::chrono::system_clock::time_point last_used_at{};
  std::chrono::system_clock::time_point expires_at{};  // auth_time + max_age
};

class ProviderSessionRepository {
 public:
  using TimePoint = std::chrono::system_clock::time_point;
  explicit ProviderSessionRepository(store::Database& db) : db_(db) {}

  // A new session for the holder; returns the cookie value (random, 256 bits).
  std::string open(const std::string& license_serial, const std::string& uscc, TimePoint auth_time,
                   const SsoOptions& options, TimePoint now);
  // The session behind a cookie value if it is open at `now`: not ended, before
  // its expiry, and used within `idle`. nullopt otherwise (unknown included).
  std::optional<ProviderSession> find_open(const std::string& cookie_value, std::chrono::seconds idle,
                                           TimePoint now) const;
  // Records a use (a code given through the session): the idle clock restarts.
  void touch(const std::string& id, TimePoint now);
  // Ends the session behind a cookie value (logout); true if an open one was ended.
  bool end(const std::string& cookie_value, TimePoint now);
  // Ends every session of a holder's license (e.g. its verification failed); returns how many.
  std::size_t end_all_of(const std::string& license_serial, TimePoint now);
  // Deletes sessions expired or ended before `now`; returns how many.
  std::size_t purge(TimePoint now);

 private:
  store::Database& db_;
};

}  // namespace zhaoyin::oidc
