#include <zhaoyin/oidc/provider_sessions.h>

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

using TimePoint = std::chrono::system_clock::time_point;

constexpr std::size_t kCookieBytes = 32;

Poco::Int64 seconds(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}
TimePoint from_seconds(Poco::Int64 s) { return TimePoint(std::chrono::seconds(s)); }

[[noreturn]] void rethrow(const std::string& what, const Poco::Exception& e) {
  throw store::StoreError("oidc sso: " + what + ": " + e.displayText());
}

}  // namespace

std::string ProviderSessionRepository::open(const std::string& license_serial, const std::string& uscc,
                                            TimePoint auth_time, const SsoOptions& options, TimePoint when) {
  const std::string cookie = trust::base64url_encode(trust::random_bytes(kCookieBytes));
  std::string id = store::token_hash(cookie);
  std::string serial = license_serial;
  std::string enterprise = uscc;
  Poco::Int64 auth = seconds(auth_time);
  Poco::Int64 used = seconds(when);
  // The lifetime counts from the QR login, not from the session's creation.
  Poco::Int64 expires = seconds(auth_time + options.max_age);
  try {
    auto s = db_.session();
    s << "INSERT INTO oidc_provider_sessions (id_hash, license_serial, uscc, auth_time, last_used_at, expires_at,"
         " ended_at) VALUES (?, ?, ?, ?, ?, ?, 0)",
        use(id), use(serial), use(enterprise), use(auth), use(used), use(expires), now;
  } catch (const Poco::Exception& e) {
    rethrow("cannot open a session", e);
  }
  return cookie;
}

std::optional<ProviderSession> ProviderSessionRepository::find_open(const std::string& cookie_value,
                                                                    std::chrono::seconds idle, TimePoint when) const {
  if (cookie_value.empty()) return std::nullopt;
  try {
    auto s = db_.session();
    std::string id = store::token_hash(cookie_value);
    Poco::Int64 at = seconds(when);
    Poco::Int64 idle_cutoff = seconds(when - idle);
    Poco::Data::Statement select(s);
    select << "SELECT license_serial, uscc, auth_time, last_used_at, expires_at FROM oidc_provider_sessions"
              " WHERE id_hash = ? AND ended_at = 0 AND expires_at > ? AND last_used_at > ?",
        use(id), use(at), use(idle_cutoff);
    select.execute();
    Poco::Data::RecordSet rs(select);
    if (rs.rowCount() == 0) return std::nullopt;
    ProviderSession p;
    p.id = id;
    p.license_serial = rs.value(0, 0).convert<std::string>();
    p.uscc = rs.value(1, 0).convert<std::string>();
    p.auth_time = from_seconds(rs.value(2, 0).convert<Poco::Int64>());
    p.last_used_at = from_seconds(rs.value(3, 0).convert<Poco::Int64>());
    p.expires_at = from_seconds(rs.value(4, 0).convert<Poco::Int64>());
    return p;
  } catch (const Poco::Exception& e) {
    rethrow("cannot read a session", e);
  }
}

void ProviderSessionRepository::touch(const std::string& id, TimePoint when) {
  try {
    auto s = db_.session();
    std::string key = id;
    Poco::Int64 at = seconds(when);
    s << "UPDATE oidc_provider_sessions SET last_used_at = ? WHERE id_hash = ? AND ended_at = 0", use(at), use(key),
        now;
  } catch (const Poco::Exception& e) {
    rethrow("cannot record a session's use", e);
  }
}

bool ProviderSessionRepository::end(const std::string& cookie_value, TimePoint when) {
  if (cookie_value.empty()) return false;
  try {
    auto s = db_.session();
    std::string id = store::token_hash(cookie_value);
    Poco::Int64 at = std::max<Poco::Int64>(seconds(when), 1);
    Poco::Data::Statement update(s);
    update << "UPDATE oidc_provider_sessions SET ended_at = ? WHERE id_hash = ? AND ended_at = 0", use(at), use(id);
    return update.execute() == 1;
  } catch (const Poco::Exception& e) {
    rethrow("cannot end a session", e);
  }
}

std::size_t ProviderSessionRepository::end_all_of(const std::string& license_serial, TimePoint when) {
  try {
    auto s = db_.session();
    std::string serial = license_serial;
    Poco::Int64 at = std::max<Poco::Int64>(seconds(when), 1);
    Poco::Data::Statement update(s);
    update << "UPDATE oidc_provider_sessions SET ended_at = ? WHERE license_serial = ? AND ended_at = 0", use(at),
        use(serial);
    return update.execute();
  } catch (const Poco::Exception& e) {
    rethrow("cannot end a holder's sessions", e);
  }
}

std::size_t ProviderSessionRepository::purge(TimePoint when) {
  try {
    auto s = db_.session();
    Poco::Int64 at = seconds(when);
    Poco::Data::Statement del(s);
    del << "DELETE FROM oidc_provider_sessions WHERE expires_at <= ? OR (ended_at > 0 AND ended_at <= ?)", use(at),
        use(at);
    return del.execute();
  } catch (const Poco::Exception& e) {
    rethrow("cannot purge sessions", e);
  }
}

}  // namespace zhaoyin::oidc
