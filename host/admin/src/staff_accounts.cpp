#include <zhaoyin/admin/staff_accounts.h>

#include <Poco/Data/RecordSet.h>
#include <Poco/Data/Session.h>
#include <Poco/Data/Statement.h>
#include <Poco/Exception.h>
#include <Poco/Types.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <cstdio>
#include <zhaoyin/store/database.h>
#include <zhaoyin/store/secrets.h>
#include <zhaoyin/trust/bytes.h>

namespace zhaoyin::admin {

using namespace Poco::Data::Keywords;

namespace {

constexpr std::size_t kSaltBytes = 16;
constexpr std::size_t kHashBytes = 32;
constexpr std::size_t kTokenBytes = 32;

Poco::Int64 unix_seconds(StaffAccounts::Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

trust::Bytes scrypt(std::string_view password, const trust::Bytes& salt, std::uint64_t n, std::uint32_t r,
                    std::uint32_t p) {
  EVP_KDF* kdf = EVP_KDF_fetch(nullptr, "SCRYPT", nullptr);
  if (!kdf) throw std::runtime_error("OpenSSL has no SCRYPT KDF");
  EVP_KDF_CTX* ctx = EVP_KDF_CTX_new(kdf);
  EVP_KDF_free(kdf);
  if (!ctx) throw std::runtime_error("cannot create a SCRYPT context");
  std::uint64_t maxmem = 256ull * 1024 * 1024;  // room for N up to 2^17 with r=8
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_PASSWORD, const_cast<char*>(password.data()), password.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, const_cast<std::uint8_t*>(salt.data()), salt.size()),
      OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_N, &n),
      OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_R, &r),
      OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_P, &p),
      OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_MAXMEM, &maxmem),
      OSSL_PARAM_construct_end(),
  };
  trust::Bytes out(kHashBytes);
  const int ok = EVP_KDF_derive(ctx, out.data(), out.size(), params);
  EVP_KDF_CTX_free(ctx);
  if (ok != 1) throw std::runtime_error("SCRYPT derivation failed");
  return out;
}

std::vector<std::string> split(std::string_view s, char sep) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (true) {
    const auto at = s.find(sep, start);
    parts.emplace_back(s.substr(start, at == std::string_view::npos ? std::string_view::npos : at - start));
    if (at == std::string_view::npos) return parts;
    start = at + 1;
  }
}

bool valid_username(const std::string& u) {
  if (u.empty() || u.size() > 64) return false;
  for (char c : u) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                    c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

StaffAccount account_from(Poco::Data::RecordSet& rs, std::size_t row) {
  StaffAccount a;
  a.username = rs.value(0, row).convert<std::string>();
  a.display_name = rs.value(1, row).convert<std::string>();
  a.role = role_from(rs.value(2, row).convert<std::string>()).value_or(Role::Applicant);
  a.failed_attempts = rs.value(3, row).convert<Poco::Int64>();
  a.locked_until = rs.value(4, row).convert<Poco::Int64>();
  a.created_at = rs.value(5, row).convert<Poco::Int64>();
  a.disabled = rs.value(6, row).convert<Poco::Int64>() != 0;
  return a;
}

constexpr const char* kAccountColumns =
    "SELECT username, display_name, role, failed_attempts, locked_until, created_at, disabled FROM staff_accounts";

// A text id that sorts by time: microseconds since the epoch, then randomness
// so two entries in the same microsecond (or on two hosts) never collide.
std::string time_ordered_id() {
  const auto us = std::chrono::duration_cast<std::chrono::microseconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count();
  char prefix[24];
  std::snprintf(prefix, sizeof prefix, "%017lld", static_cast<long long>(us));
  return std::string(prefix) + "-" + trust::hex_encode(trust::random_bytes(6));
}

}  // namespace

std::string hash_password(std::string_view password, std::uint64_t n, std::uint32_t r, std::uint32_t p) {
  const trust::Bytes salt = trust::random_bytes(kSaltBytes);
  const trust::Bytes hash = scrypt(password, salt, n, r, p);
  return "scrypt$" + std::to_string(n) + "$" + std::to_string(r) + "$" + std::to_string(p) + "$" +
         trust::base64_encode(salt) + "$" + trust::base64_encode(hash);
}

bool verify_password(std::string_view password, std::string_view stored) {
  const auto parts = split(stored, '$');
  if (parts.size() != 6 || parts[0] != "scrypt") return false;
  try {
    const std::uint64_t n = std::stoull(parts[1]);
    const auto r = static_cast<std::uint32_t>(std::stoul(parts[2]));
    const auto p = static_cast<std::uint32_t>(std::stoul(parts[3]));
    // Refuse parameters no hash of ours has, so a tampered row cannot make
    // every sign-in allocate gigabytes.
    if (n < 2 || n > (1u << 20) || (n & (n - 1)) != 0 || r == 0 || r > 32 || p == 0 || p > 16) return false;
    const trust::Bytes salt = trust::base64_decode(parts[4]);
    const trust::Bytes expected = trust::base64_decode(parts[5]);
    if (expected.size() != kHashBytes) return false;
    const trust::Bytes actual = scrypt(password, salt, n, r, p);
    return CRYPTO_memcmp(actual.data(), expected.data(), kHashBytes) == 0;
  } catch (const std::exception&) {
    return false;
  }
}

void StaffAccounts::create(const std::string& username, const std::string& display_name, Role role,
                           const std::string& password) {
  if (!valid_username(username))
    throw StaffAccountError("invalid username '" + username + "': use 1 to 64 of A-Z a-z 0-9 . _ -");
  if (password.empty()) throw StaffAccountError("the password is empty");
  if (find(username)) throw StaffAccountError("the account '" + username + "' already exists");
  std::string user = username;
  std::string name = display_name.empty() ? username : display_name;
  std::string role_text = to_string(role);
  std::string hash = hash_password(password);
  Poco::Int64 created = unix_seconds(Clock::now());
  try {
    auto s = db_.session();
    s << "INSERT INTO staff_accounts (username, display_name, role, password_hash, failed_attempts, locked_until,"
         " created_at, disabled) VALUES (?, ?, ?, ?, 0, 0, ?, 0)",
        use(user), use(name), use(role_text), use(hash), use(created), now;
  } catch (const Poco::Exception& e) {
    if (find(username)) throw StaffAccountError("the account '" + username + "' already exists");
    throw store::StoreError("cannot create the staff account " + username + ": " + e.displayText());
  }
}

bool StaffAccounts::create_if_missing(const std::string& username, const std::string& display_name, Role role,
                                      const std::string& password) {
  if (find(username)) return false;
  try {
    create(username, display_name, role, password);
    return true;
  } catch (const StaffAccountError&) {
    if (find(username)) return false;  // another host created it meanwhile
    throw;
  }
}

std::optional<StaffAccount> StaffAccounts::find(const std::string& username) const {
  std::string user = username;
  try {
    auto s = db_.session();
    Poco::Data::Statement select(s);
    select << std::string(kAccountColumns) + " WHERE username = ?", use(user);
    select.execute();
    Poco::Data::RecordSet rs(select);
    if (rs.rowCount() == 0) return std::nullopt;
    return account_from(rs, 0);
  } catch (const Poco::Exception& e) {
    throw store::StoreError("cannot read the staff account " + username + ": " + e.displayText());
  }
}

std::vector<StaffAccount> StaffAccounts::list() const {
  try {
    auto s = db_.session();
    Poco::Data::Statement select(s);
    select << std::string(kAccountColumns) + " ORDER BY username";
    select.execute();
    Poco::Data::RecordSet rs(select);
    std::vector<StaffAccount> out;
    for (std::size_t i = 0; i < rs.rowCount(); ++i) out.push_back(account_from(rs, i));
    return out;
  } catch (const Poco::Exception& e) {
    throw store::StoreError("cannot list the staff accounts: " + e.displayText());
  }
}

SignInResult StaffAccounts::sign_in(const std::string& username, const std::string& password) {
  SignInResult result;
  std::string user = username;
  std::string stored;
  std::optional<StaffAccount> account;
  try {
    auto s = db_.session();
    Poco::Data::Statement select(s);
    select << "SELECT username, display_name, role, failed_attempts, locked_until, created_at, disabled,"
              " password_hash FROM staff_accounts WHERE username = ?",
        use(user);
    select.execute();
    Poco::Data::RecordSet rs(select);
    if (rs.rowCount() > 0) {
      account = account_from(rs, 0);
      stored = rs.value(7, 0).convert<std::string>();
    }
  } catch (const Poco::Exception& e) {
    throw store::StoreError("cannot read the staff account " + username + ": " + e.displayText());
  }
  // The dummy hash has the parameters of hash_password's defaults, so an
  // unknown account costs what a real one does.
  static const std::string dummy = hash_password("zhaoyin-no-such-account");
  if (!account || account->disabled) {
    (void)verify_password(password, dummy);
    return result;
  }
  if (!verify_password(password, stored)) return result;
  result.outcome = SignInOutcome::SignedIn;
  result.account = account;
  return result;
}

NewSession StaffAccounts::start_session(const StaffAccount& account, Clock::time_point when) {
  NewSession ns;
  ns.token = trust::base64url_encode(trust::random_bytes(kTokenBytes));
  ns.session.username = account.username;
  ns.session.display_name = account.display_name;
  ns.session.role = account.role;
  ns.session.csrf_token = trust::base64url_encode(trust::random_bytes(kTokenBytes));
  std::string hash = store::token_hash(ns.token);
  std::string user = account.username;
  std::string csrf = ns.session.csrf_token;
  Poco::Int64 created = unix_seconds(when);
  Poco::Int64 expires = created + std::chrono::duration_cast<std::chrono::seconds>(kSessionLifetime).count();
  try {
    auto s = db_.session();
    // Sessions that ended long ago are cleared now and then, on sign-in.
    s << "DELETE FROM staff_sessions WHERE expires_at < ?", use(created), now;
    s << "INSERT INTO staff_sessions (token_hash, username, csrf_token, created_at, last_seen, expires_at)"
         " VALUES (?, ?, ?, ?, ?, ?)",
        use(hash), use(user), use(csrf), use(created), use(created), use(expires), now;
  } catch (const Poco::Exception& e) {
    throw store::StoreError("cannot start a staff session: " + e.displayText());
  }
  return ns;
}

std::optional<StaffSession> StaffAccounts::find_session(const std::string& token, Clock::time_point when) {
  if (token.empty() || token.size() > 128) return std::nullopt;
  std::string hash = store::token_hash(token);
  Poco::Int64 at = unix_seconds(when);
  Poco::Int64 idle_since = at - std::chrono::duration_cast<std::chrono::seconds>(kSessionIdle).count();
  try {
    auto s = db_.session();
    Poco::Data::Statement select(s);
    select << "SELECT a.username, a.display_name, a.role, s.csrf_token FROM staff_sessions s"
              " JOIN staff_accounts a ON a.username = s.username"
              " WHERE s.token_hash = ? AND s.expires_at > ? AND s.last_seen > ? AND a.disabled = 0",
        use(hash), use(at), use(idle_since);
    select.execute();
    Poco::Data::RecordSet rs(select);
    if (rs.rowCount() == 0) return std::nullopt;
    StaffSession session;
    session.username = rs.value(0, 0).convert<std::string>();
    session.display_name = rs.value(1, 0).convert<std::string>();
    auto role = role_from(rs.value(2, 0).convert<std::string>());
    if (!role) return std::nullopt;
    session.role = *role;
    session.csrf_token = rs.value(3, 0).convert<std::string>();
    s << "UPDATE staff_sessions SET last_seen = ? WHERE token_hash = ?", use(at), use(hash), now;
    return session;
  } catch (const Poco::Exception& e) {
    throw store::StoreError("cannot read a staff session: " + e.displayText());
  }
}

void StaffAccounts::end_session(const std::string& token) {
  std::string hash = store::token_hash(token);
  try {
    auto s = db_.session();
    s << "DELETE FROM staff_sessions WHERE token_hash = ?", use(hash), now;
  } catch (const Poco::Exception& e) {
    throw store::StoreError("cannot end a staff session: " + e.displayText());
  }
}

void StaffAccounts::append_audit(const AuditEntry& entry) {
  std::string id = entry.id.empty() ? time_ordered_id() : entry.id;
  Poco::Int64 at = entry.at ? entry.at : unix_seconds(Clock::now());
  std::string actor = entry.actor, action = entry.action, target = entry.target;
  std::string detail = entry.detail_json.empty() ? "{}" : entry.detail_json;
  std::string request_id = entry.request_id;
  try {
    auto s = db_.session();
    s << "INSERT INTO audit_log (id, at, actor, action, target, detail_json, request_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
        use(id), use(at), use(actor), use(action), use(target), use(detail), use(request_id), now;
  } catch (const Poco::Exception& e) {
    throw store::StoreError("cannot append to the audit log: " + e.displayText());
  }
}

std::vector<AuditEntry> StaffAccounts::audit_page(std::int64_t offset, std::int64_t limit) const {
  Poco::Int64 off = offset < 0 ? 0 : offset;
  Poco::Int64 lim = limit <= 0 ? 50 : limit;
  try {
    auto s = db_.session();
    Poco::Data::Statement select(s);
    select << "SELECT id, at, actor, action, target, detail_json, request_id FROM audit_log"
              " ORDER BY at DESC, id DESC LIMIT ? OFFSET ?",
        use(lim), use(off);
    select.execute();
    Poco::Data::RecordSet rs(select);
    std::vector<AuditEntry> out;
    for (std::size_t i = 0; i < rs.rowCount(); ++i) {
      AuditEntry e;
      e.id = rs.value(0, i).convert<std::string>();
      e.at = rs.value(1, i).convert<Poco::Int64>();
      e.actor = rs.value(2, i).convert<std::string>();
      e.action = rs.value(3, i).convert<std::string>();
      e.target = rs.value(4, i).convert<std::string>();
      e.detail_json = rs.value(5, i).convert<std::string>();
      e.request_id = rs.value(6, i).convert<std::string>();
      out.push_back(std::move(e));
    }
    return out;
  } catch (const Poco::Exception& e) {
    throw store::StoreError("cannot read the audit log: " + e.displayText());
  }
}

std::int64_t StaffAccounts::audit_count() const {
  try {
    auto s = db_.session();
    Poco::Int64 count = 0;
    s << "SELECT COUNT(*) FROM audit_log", into(count), now;
    return count;
  } catch (const Poco::Exception& e) {
    throw store::StoreError("cannot count the audit log: " + e.displayText());
  }
}

}  // namespace zhaoyin::admin
