#pragma once
// Relying-party applications (接入应用): what an approved access application
// became. The client secret is stored only as a salted SM3 hash.
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace zhaoyin::store {

class Database;

enum class ApplicationStatus { Active, Suspended, Revoked };
std::string to_string(ApplicationStatus s);                          // active | suspended | revoked
std::optional<ApplicationStatus> application_status_from(std::string_view s);

struct Application {
  std::string client_id;
  std::string name;
  std::string department;              // tax | social_insurance | real_estate | banking | ...
  std::string scope;                   // verification scope (验证范围): province | national
  std::string province;                // two-digit province code, e.g. "42"
  std::vector<std::string> needs;      // login | presentation | signature | ...
  std::vector<std::string> channels;   // pc | app | wechat_mini | ...
  std::vector<std::string> matters;    // approved matters, e.g. 电子政务/税务/发票申领
  // 附件2: matter → the functions it is approved for (login | presentation |
  // signature | other). A matter without an entry allows `needs`
  // (verification/matter_functions.h decides).
  std::map<std::string, std::vector<std::string>> matter_functions;
  std::int64_t annual_volume = 0;      // verifications per year
  std::int64_t peak_rate = 0;          // verifications per second
  ApplicationStatus status = ApplicationStatus::Active;
  std::vector<std::string> redirect_uris;  // OpenID Connect redirect URIs, matched exactly
  // 附件1's 办事系统 the application was approved for, as "host:port"
  // ("etax.example.gov.cn:443", "[::1]:8443"; redirect/declared_hosts.h).
  // Redirect, return and callback URLs must lie on one of them; empty (an
  // application from before the declaration, or created without one): not checked.
  std::vector<std::string> declared_systems;
  // The purpose (用途) the access application declared for the need
  // data_interface (数据接口); the data interface audits and returns it with
  // every call. Empty without that need (or for applications made before it).
  std::string data_purpose;
  std::chrono::system_clock::time_point created_at{};
};

class ApplicationRepository {
 public:
  explicit ApplicationRepository(Database& db) : db_(db) {}

  // Inserts a new application; throws StoreError("... already exists") on a
  // duplicate client_id. created_at is set to now.
  void create(const Application& app, const std::string& client_secret);

  // Inserts, or updates every field and the secret of an existing one while
  // keeping its status and created_at (used to import the sandbox's demo apps).
  // A different secret than the stored one is a rotation: the client's tokens
  // are deleted (see set_secret). Returns true if it inserted.
  bool upsert(const Application& app, const std::string& client_secret);

  // Replaces what an approval decides — name, department, scope, province,
  // needs, channels, matters, matter functions, volumes, redirect URIs,
  // declared systems — keeping the secret, status, tokens and created_at
  // (an approved amendment, host/access). False if there is no such client.
  bool update_terms(const Application& app);

  std::optional<Application> find(const std::string& client_id) const;
  std::vector<Application> list() const;  // ordered by client_id

  // The application if the client exists and the secret matches (constant-time
  // comparison), whatever its status; nullopt otherwise.
  std::optional<Application> verify_secret(const std::string& client_id, const std::string& client_secret) const;

  // False if there is no such client. Revoked also deletes every token issued
  // to the client (OAuth access tokens, OpenID Connect userinfo tokens), in
  // the same transaction.
  bool set_status(const std::string& client_id, ApplicationStatus status);
  // Also replaces the callback signing key (derived from the secret), and
  // deletes every token issued under the old secret (as for Revoked), in the
  // same transaction: API calls with them get 401 invalid_token.
  bool set_secret(const std::string& client_id, const std::string& client_secret);

  // The hex HMAC key callbacks to this application are signed with
  // (store::callback_key_for of its current secret); nullopt if no such client.
  std::optional<std::string> callback_key(const std::string& client_id) const;

 private:
  Database& db_;
};

}  // namespace zhaoyin::store
