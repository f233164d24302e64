#pragma once
// The store behind staff.h: accounts (scrypt password hashes),
// browser sessions (kept as the hash of their token) and the audit log. Used
// by the /admin pages and by `zhaoyin admin create-user`.
#include <chrono>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>
#include <zhaoyin/admin/staff.h>

namespace zhaoyin::store {
class Database;
}

namespace zhaoyin::admin {

// "scrypt$N$r$p$<salt base64>$<hash base64>" (OpenSSL's SCRYPT KDF, a fresh
// 16-byte salt, a 32-byte hash). N=2^15, r=8, p=1 by default.
std::string hash_password(std::string_view password, std::uint64_t n = 1u << 15, std::uint32_t r = 8,
                          std::uint32_t p = 1);
// Recomputes with the stored parameters and salt; constant-time comparison.
// False for a malformed stored value.
bool verify_password(std::string_view password, std::string_view stored);

// Why an account cannot be created (duplicate username, bad field).
class StaffAccountError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct StaffAccount {
  std::string username;
  std::string display_name;
  Role role = Role::Applicant;
  // Columns of migration 10, no longer used: there is no account lockout
  // (a stranger could lock the operator out). Guessing is slowed per source
  // address instead: http::CredentialGuard in the sign-in page.
  std::int64_t failed_attempts = 0;
  std::int64_t locked_until = 0;
  std::int64_t created_at = 0;
  bool disabled = false;
};

enum class SignInOutcome { SignedIn, WrongCredentials };

struct SignInResult {
  SignInOutcome outcome = SignInOutcome::WrongCredentials;
  std::optional<StaffAccount> account;  // when SignedIn
};

struct NewSession {
  std::string token;  // the cookie value (only its hash is stored)
  StaffSession session;
};

struct AuditEntry {
  std::string id;
  std::int64_t at = 0;
  std::string actor;
  std::string action;
  std::string target;
  std::string detail_json;
  std::string request_id;
};

class StaffAccounts {
 public:
  using Clock = std::chrono::system_clock;
  static constexpr std::chrono::hours kSessionLifetime{8};
  static constexpr std::chrono::minutes kSessionIdle{30};

  explicit StaffAccounts(store::Database& db) : db_(db) {}

  // Throws StaffAccountError for a duplicate username, an invalid username
  // (1-64 of [A-Za-z0-9._-]) or an empty password.
  void create(const std::string& username, const std::string& display_name, Role role, const std::string& password);
  // Creates the account unless the username exists (never touches an existing
  // one). Returns true if it created.
  bool create_if_missing(const std::string& username, const std::string& display_name, Role role,
                         const std::string& password);
  std::optional<StaffAccount> find(const std::string& username) const;
  std::vector<StaffAccount> list() const;

  // Checks the password. Unknown and disabled accounts answer
  // WrongCredentials after the same work as a wrong password (an scrypt
  // derivation with the default parameters on a dummy hash) and no store
  // write either way, so neither the answer nor its cost tells whether an
  // account exists. Never locks an account: throttling is the caller's
  // (http::CredentialGuard, per source address).
  SignInResult sign_in(const std::string& username, const std::string& password);

  NewSession start_session(const StaffAccount& account, Clock::time_point now = Clock::now());
  // The session for a cookie token if it is neither expired nor idle too
  // long; refreshes last_seen.
  std::optional<StaffSession> find_session(const std::string& token, Clock::time_point now = Clock::now());
  void end_session(const std::string& token);

  void append_audit(const AuditEntry& entry);
  // Newest first.
  std::vector<AuditEntry> audit_page(std::int64_t offset, std::int64_t limit) const;
  std::int64_t audit_count() const;

 private:
  store::Database& db_;
};

}  // namespace zhaoyin::admin
