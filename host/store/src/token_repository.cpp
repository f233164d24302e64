#include <zhaoyin/store/token_repository.h>

#include <Poco/Data/RecordSet.h>
#include <Poco/Data/Session.h>
#include <Poco/Data/Statement.h>
#include <Poco/Exception.h>
#include <Poco/Types.h>
#include <zhaoyin/store/database.h>
#include <zhaoyin/store/secrets.h>
#include <zhaoyin/trust/bytes.h>
#include "read_caches.h"

namespace zhaoyin::store {

using namespace Poco::Data::Keywords;

namespace {

constexpr std::size_t kTokenBytes = 32;

Poco::Int64 seconds(TokenRepository::Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

TokenRepository::Clock::time_point from_seconds(Poco::Int64 s) {
  return TokenRepository::Clock::time_point(std::chrono::seconds(s));
}

}  // namespace

IssuedToken TokenRepository::issue(const std::string& client_id, const std::string& scope, std::chrono::seconds ttl,
                                   Clock::time_point when) {
  IssuedToken issued;
  issued.token = trust::base64url_encode(trust::random_bytes(kTokenBytes));
  issued.record.client_id = client_id;
  issued.record.scope = scope;
  issued.record.issued_at = std::chrono::time_point_cast<std::chrono::seconds>(when);
  issued.record.expires_at = issued.record.issued_at + ttl;
  std::string hash = token_hash(issued.token);
  std::string id = client_id;
  std::string sc = scope;
  Poco::Int64 issued_at = seconds(issued.record.issued_at);
  Poco::Int64 expires_at = seconds(issued.record.expires_at);
  try {
    auto s = db_.session();
    s << "INSERT INTO access_tokens (token_hash, client_id, scope, issued_at, expires_at) VALUES (?, ?, ?, ?, ?)",
        use(hash), use(id), use(sc), use(issued_at), use(expires_at), now;
  } catch (const Poco::Exception& e) {
    throw StoreError("cannot issue a token for " + client_id + ": " + e.displayText());
  }
  return issued;
}

std::optional<AccessToken> TokenRepository::find_valid(const std::string& token, Clock::time_point when) const {
  if (token.empty()) return std::nullopt;
  const std::string hash = token_hash(token);
  const Poco::Int64 at = seconds(when);
  auto& cache = db_.read_caches().tokens;
  // A recent read stands in for the store (read_caches.h); expiry is checked
  // on every use, exactly as the query below checks it.
  if (auto cached = cache.get(hash)) {
    if (seconds(cached->expires_at) > at) return cached;
    return std::nullopt;
  }
  const auto ticket = cache.ticket();  // before the query: the entry's age counts from here
  try {
    auto s = db_.session();
    std::string key = hash;
    Poco::Int64 after = at;
    Poco::Data::Statement select(s);
    select << "SELECT client_id, scope, issued_at, expires_at FROM access_tokens"
              " WHERE token_hash = ? AND expires_at > ?",
        use(key), use(after);
    select.execute();
    Poco::Data::RecordSet rs(select);
    if (rs.rowCount() == 0) return std::nullopt;
    AccessToken t;
    t.client_id = rs.value(0, 0).convert<std::string>();
    t.scope = rs.value(1, 0).convert<std::string>();
    t.issued_at = from_seconds(rs.value(2, 0).convert<Poco::Int64>());
    t.expires_at = from_seconds(rs.value(3, 0).convert<Poco::Int64>());
    cache.put(hash, t, ticket);
    return t;
  } catch (const Poco::Exception& e) {
    throw StoreError("cannot look up a token: " + e.displayText());
  }
}

bool TokenRepository::revoke(const std::string& token) {
  std::string hash = token_hash(token);
  try {
    auto s = db_.session();
    Poco::Data::Statement del(s);
    del << "DELETE FROM access_tokens WHERE token_hash = ?", use(hash);
    const bool deleted = del.execute() > 0;
    db_.read_caches().tokens.changed();  // this host refuses it from the next request on
    return deleted;
  } catch (const Poco::Exception& e) {
    throw StoreError("cannot revoke a token: " + e.displayText());
  }
}

std::size_t TokenRepository::revoke_all(const std::string& client_id) {
  std::string id = client_id;
  try {
    auto s = db_.session();
    Poco::Data::Statement del(s);
    del << "DELETE FROM access_tokens WHERE client_id = ?", use(id);
    const std::size_t deleted = del.execute();
    db_.read_caches().tokens.changed();
    return deleted;
  } catch (const Poco::Exception& e) {
    throw StoreError("cannot revoke the tokens of " + client_id + ": " + e.displayText());
  }
}

std::size_t TokenRepository::purge_expired(Clock::time_point when) {
  Poco::Int64 at = seconds(when);
  try {
    auto s = db_.session();
    Poco::Data::Statement del(s);
    del << "DELETE FROM access_tokens WHERE expires_at <= ?", use(at);
    return del.execute();
  } catch (const Poco::Exception& e) {
    throw StoreError("cannot purge expired tokens: " + e.displayText());
  }
}

}  // namespace zhaoyin::store
