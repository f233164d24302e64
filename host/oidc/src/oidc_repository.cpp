#include <zhaoyin/oidc/oidc_repository.h>

#include <Poco/Data/RecordSet.h>
#include <Poco/Data/Session.h>
#include <Poco/Data/Statement.h>
#include <Poco/Exception.h>
#include <Poco/Types.h>
#include <zhaoyin/store/database.h>
#include <zhaoyin/store/secrets.h>
#include <zhaoyin/trust/bytes.h>

namespace zhaoyin::oidc {

using namespace Poco::Data::Keywords;

namespace {

constexpr std::size_t kHandleBytes = 32;
// Used codes are kept a day past their expiry so that a replay still finds
// them and revokes the tokens they produced.
constexpr std::chrono::hours kUsedCodeRetention{24};

Poco::Int64 seconds(TimePoint t) { return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count(); }
TimePoint from_seconds(Poco::Int64 s) { return TimePoint(std::chrono::seconds(s)); }

[[noreturn]] void rethrow(const std::string& what, const Poco::Exception& e) {
  throw store::StoreError("oidc: " + what + ": " + e.displayText());
}

std::string text(const Poco::Data::RecordSet& rs, std::size_t col) { return rs.value(col, 0).convert<std::string>(); }
Poco::Int64 number(const Poco::Data::RecordSet& rs, std::size_t col) { return rs.value(col, 0).convert<Poco::Int64>(); }

}  // namespace

std::string OidcRepository::random_handle() { return trust::base64url_encode(trust::random_bytes(kHandleBytes)); }

void OidcRepository::save_authorization(const Authorization& a) {
  Authorization r = a;
  Poco::Int64 completed = r.completed() ? seconds(r.completed_at) : 0;
  Poco::Int64 created = seconds(r.created_at);
  Poco::Int64 expires = seconds(r.expires_at);
  try {
    auto s = db_.session();
    s << "INSERT INTO oidc_authorizations (id, client_id, redirect_uri, scope, state, nonce, code_challenge, matter,"
         " login_session_id, browser_hash, completed_at, created_at, expires_at)"
         " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        use(r.id), use(r.client_id), use(r.redirect_uri), use(r.scope), use(r.state), use(r.nonce),
        use(r.code_challenge), use(r.matter), use(r.login_session_id), use(r.browser_hash), use(completed),
        use(created), use(expires), now;
  } catch (const Poco::Exception& e) {
    rethrow("cannot save an authorization", e);
  }
}

std::optional<Authorization> OidcRepository::find_authorization(const std::string& id) const {
  try {
    auto s = db_.session();
    std::string key = id;
    Poco::Data::Statement select(s);
    select << "SELECT id, client_id, redirect_uri, scope, state, nonce, code_challenge, matter, login_session_id,"
              " browser_hash, completed_at, created_at, expires_at FROM oidc_authorizations WHERE id = ?",
        use(key);
    select.execute();
    Poco::Data::RecordSet rs(select);
    if (rs.rowCount() == 0) return std::nullopt;
    Authorization a;
    a.id = text(rs, 0);
    a.client_id = text(rs, 1);
    a.redirect_uri = text(rs, 2);
    a.scope = text(rs, 3);
    a.state = text(rs, 4);
    a.nonce = text(rs, 5);
    a.code_challenge = text(rs, 6);
    a.matter = text(rs, 7);
    a.login_session_id = text(rs, 8);
    a.browser_hash = text(rs, 9);
    a.completed_at = from_seconds(number(rs, 10));
    a.created_at = from_seconds(number(rs, 11));
    a.expires_at = from_seconds(number(rs, 12));
    return a;
  } catch (const Poco::Exception& e) {
    rethrow("cannot read an authorization", e);
  }
}

bool OidcRepository::complete_authorization(const std::string& id, TimePoint when) {
  try {
    auto s = db_.session();
    std::string key = id;
    Poco::Int64 at = std::max<Poco::Int64>(seconds(when), 1);
    Poco::Data::Statement update(s);
    update << "UPDATE oidc_authorizations SET completed_at = ? WHERE id = ? AND completed_at = 0", use(at), use(key);
    return update.execute() == 1;
  } catch (const Poco::Exception& e) {
    rethrow("cannot complete an authorization", e);
  }
}

std::string OidcRepository::issue_code(const CodeGrant& grant) {
  const std::string code = random_handle();
  std::string hash = store::token_hash(code);
  CodeGrant g = grant;
  std::string claims = g.claims.dump();
  Poco::Int64 auth_time = seconds(g.auth_time);
  Poco::Int64 issued = seconds(g.issued_at);
  Poco::Int64 expires = seconds(g.expires_at);
  try {
    auto s = db_.session();
    s << "INSERT INTO oidc_codes (code_hash, authorization_id, client_id, redirect_uri, code_challenge, nonce, scope,"
         " claims, auth_time, issued_at, expires_at, used_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)",
        use(hash), use(g.authorization_id), use(g.client_id), use(g.redirect_uri), use(g.code_challenge),
        use(g.nonce), use(g.scope), use(claims), use(auth_time), use(issued), use(expires), now;
  } catch (const Poco::Exception& e) {
    rethrow("cannot issue a code", e);
  }
  return code;
}

std::optional<CodeGrant> OidcRepository::find_code(const std::string& code) const {
  if (code.empty()) return std::nullopt;
  try {
    auto s = db_.session();
    std::string hash = store::token_hash(code);
    Poco::Data::Statement select(s);
    select << "SELECT authorization_id, client_id, redirect_uri, code_challenge, nonce, scope, claims, auth_time,"
              " issued_at, expires_at, used_at FROM oidc_codes WHERE code_hash = ?",
        use(hash);
    select.execute();
    Poco::Data::RecordSet rs(select);
    if (rs.rowCount() == 0) return std::nullopt;
    CodeGrant g;
    g.authorization_id = text(rs, 0);
    g.client_id = text(rs, 1);
    g.redirect_uri = text(rs, 2);
    g.code_challenge = text(rs, 3);
    g.nonce = text(rs, 4);
    g.scope = text(rs, 5);
    g.claims = nlohmann::json::parse(text(rs, 6));
    g.auth_time = from_seconds(number(rs, 7));
    g.issued_at = from_seconds(number(rs, 8));
    g.expires_at = from_seconds(number(rs, 9));
    g.used = number(rs, 10) != 0;
    return g;
  } catch (const Poco::Exception& e) {
    rethrow("cannot read a code", e);
  }
}

bool OidcRepository::consume_code(const std::string& code, TimePoint when) {
  try {
    auto s = db_.session();
    std::string hash = store::token_hash(code);
    Poco::Int64 at = std::max<Poco::Int64>(seconds(when), 1);
    Poco::Data::Statement update(s);
    update << "UPDATE oidc_codes SET used_at = ? WHERE code_hash = ? AND used_at = 0", use(at), use(hash);
    return update.execute() == 1;
  } catch (const Poco::Exception& e) {
    rethrow("cannot use a code", e);
  }
}

std::string OidcRepository::issue_access_token(const std::string& code, const TokenGrant& grant) {
  const std::string token = random_handle();
  std::string token_hash = store::token_hash(token);
  std::string code_hash = store::token_hash(code);
  TokenGrant g = grant;
  std::string claims = g.claims.dump();
  Poco::Int64 issued = seconds(g.issued_at);
  Poco::Int64 expires = seconds(g.expires_at);
  try {
    auto s = db_.session();
    s << "INSERT INTO oidc_access_tokens (token_hash, code_hash, client_id, scope, claims, issued_at, expires_at)"
         " VALUES (?, ?, ?, ?, ?, ?, ?)",
        use(token_hash), use(code_hash), use(g.client_id), use(g.scope), use(claims), use(issued), use(expires), now;
  } catch (const Poco::Exception& e) {
    rethrow("cannot issue an access token", e);
  }
  return token;
}

std::optional<TokenGrant> OidcRepository::find_access_token(const std::string& token, TimePoint when) const {
  if (token.empty()) return std::nullopt;
  try {
    auto s = db_.session();
    std::string hash = store::token_hash(token);
    Poco::Int64 at = seconds(when);
    Poco::Data::Statement select(s);
    select << "SELECT client_id, scope, claims, issued_at, expires_at FROM oidc_access_tokens"
              " WHERE token_hash = ? AND expires_at > ?",
        use(hash), use(at);
    select.execute();
    Poco::Data::RecordSet rs(select);
    if (rs.rowCount() == 0) return std::nullopt;
    TokenGrant g;
    g.client_id = text(rs, 0);
    g.scope = text(rs, 1);
    g.claims = nlohmann::json::parse(text(rs, 2));
    g.issued_at = from_seconds(number(rs, 3));
    g.expires_at = from_seconds(number(rs, 4));
    return g;
  } catch (const Poco::Exception& e) {
    rethrow("cannot look up an access token", e);
  }
}

std::size_t OidcRepository::revoke_tokens_of_code(const std::string& code) {
  try {
    auto s = db_.session();
    std::string hash = store::token_hash(code);
    Poco::Data::Statement del(s);
    del << "DELETE FROM oidc_access_tokens WHERE code_hash = ?", use(hash);
    return del.execute();
  } catch (const Poco::Exception& e) {
    rethrow("cannot revoke access tokens", e);
  }
}

std::size_t OidcRepository::purge_expired(TimePoint when) {
  try {
    auto s = db_.session();
    Poco::Int64 at = seconds(when);
    Poco::Int64 code_cutoff = seconds(when - kUsedCodeRetention);
    std::size_t n = 0;
    Poco::Data::Statement a(s);
    a << "DELETE FROM oidc_authorizations WHERE expires_at <= ?", use(at);
    n += a.execute();
    Poco::Data::Statement c(s);
    c << "DELETE FROM oidc_codes WHERE expires_at <= ?", use(code_cutoff);
    n += c.execute();
    Poco::Data::Statement t(s);
    t << "DELETE FROM oidc_access_tokens WHERE expires_at <= ?", use(at);
    n += t.execute();
    return n;
  } catch (const Poco::Exception& e) {
    rethrow("cannot purge expired state", e);
  }
}

}  // namespace zhaoyin::oidc
