#include <zhaoyin/store/application_repository.h>

#include <Poco/Data/RecordSet.h>
#include <Poco/Data/Session.h>
#include <Poco/Data/Statement.h>
#include <Poco/Data/Transaction.h>
#include <Poco/Exception.h>
#include <Poco/Types.h>
#include <nlohmann/json.hpp>
#include <zhaoyin/store/database.h>
#include <zhaoyin/store/secrets.h>
#include "read_caches.h"

namespace zhaoyin::store {

using namespace Poco::Data::Keywords;
using Clock = std::chrono::system_clock;

std::string to_string(ApplicationStatus s) {
  switch (s) {
    case ApplicationStatus::Active: return "active";
    case ApplicationStatus::Suspended: return "suspended";
    case ApplicationStatus::Revoked: break;
  }
  return "revoked";
}

std::optional<ApplicationStatus> application_status_from(std::string_view s) {
  if (s == "active") return ApplicationStatus::Active;
  if (s == "suspended") return ApplicationStatus::Suspended;
  if (s == "revoked") return ApplicationStatus::Revoked;
  return std::nullopt;
}

namespace {

const char* const kColumns =
    "client_id, name, department, scope, province, needs, channels, matters, annual_volume, peak_rate, status, "
    "created_at, redirect_uris, matter_functions, declared_systems, data_purpose";

Poco::Int64 seconds(Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

std::string list_to_json(const std::vector<std::string>& v) { return nlohmann::json(v).dump(); }

std::string map_to_json(const std::map<std::string, std::vector<std::string>>& m) {
  return nlohmann::json(m).dump();
}

std::map<std::string, std::vector<std::string>> map_from_json(const std::string& text) {
  try {
    return nlohmann::json::parse(text).get<std::map<std::string, std::vector<std::string>>>();
  } catch (const nlohmann::json::exception&) {
    throw StoreError("applications: matter_functions is not a JSON object of string lists");
  }
}

std::vector<std::string> list_from_json(const std::string& text) {
  try {
    auto j = nlohmann::json::parse(text);
    return j.get<std::vector<std::string>>();
  } catch (const nlohmann::json::exception&) {
    throw StoreError("applications: a stored list is not a JSON list of strings");
  }
}

void validate(const Application& app, const std::string& secret) {
  if (app.client_id.empty() || app.client_id.size() > 128)
    throw StoreError("an application's client_id must be 1 to 128 characters");
  for (char c : app.client_id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                    c == '_' || c == '.';
    if (!ok) throw StoreError("client_id '" + app.client_id + "' may hold only letters, digits, '-', '_' and '.'");
  }
  if (secret.empty()) throw StoreError("application " + app.client_id + ": the client secret is empty");
  if (app.name.empty()) throw StoreError("application " + app.client_id + ": the name is empty");
}

Application from_row(const Poco::Data::RecordSet& rs, std::size_t row) {
  Application app;
  app.client_id = rs.value(0, row).convert<std::string>();
  app.name = rs.value(1, row).convert<std::string>();
  app.department = rs.value(2, row).convert<std::string>();
  app.scope = rs.value(3, row).convert<std::string>();
  app.province = rs.value(4, row).convert<std::string>();
  app.needs = list_from_json(rs.value(5, row).convert<std::string>());
  app.channels = list_from_json(rs.value(6, row).convert<std::string>());
  app.matters = list_from_json(rs.value(7, row).convert<std::string>());
  app.annual_volume = rs.value(8, row).convert<Poco::Int64>();
  app.peak_rate = rs.value(9, row).convert<Poco::Int64>();
  const auto status = application_status_from(rs.value(10, row).convert<std::string>());
  if (!status) throw StoreError("application " + app.client_id + " has an unknown status");
  app.status = *status;
  app.created_at = Clock::time_point(std::chrono::seconds(rs.value(11, row).convert<Poco::Int64>()));
  app.redirect_uris = list_from_json(rs.value(12, row).convert<std::string>());
  app.matter_functions = map_from_json(rs.value(13, row).convert<std::string>());
  app.declared_systems = list_from_json(rs.value(14, row).convert<std::string>());
  app.data_purpose = rs.value(15, row).convert<std::string>();
  return app;
}

// Column values of an application in the order of the INSERT/UPDATE statements below.
struct Row {
  std::string client_id, secret_hash, name, department, scope, province, needs, channels, matters, status,
      redirect_uris, callback_key, matter_functions, declared_systems, data_purpose;
  Poco::Int64 annual_volume = 0, peak_rate = 0, now = 0;
  Row(const Application& app, const std::string& secret)
      : client_id(app.client_id), secret_hash(hash_secret(secret)), name(app.name), department(app.department),
        scope(app.scope), province(app.province), needs(list_to_json(app.needs)),
        channels(list_to_json(app.channels)), matters(list_to_json(app.matters)), status(to_string(app.status)),
        redirect_uris(list_to_json(app.redirect_uris)), callback_key(callback_key_for(secret)),
        matter_functions(map_to_json(app.matter_functions)), declared_systems(list_to_json(app.declared_systems)),
        data_purpose(app.data_purpose),
        annual_volume(app.annual_volume), peak_rate(app.peak_rate), now(seconds(Clock::now())) {}
};

void insert(Poco::Data::Session& s, Row& r) {
  s << "INSERT INTO applications (client_id, secret_hash, name, department, scope, province, needs, channels,"
       " matters, annual_volume, peak_rate, status, created_at, updated_at, redirect_uris, callback_key,"
       " matter_functions, declared_systems, data_purpose)"
       " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      use(r.client_id), use(r.secret_hash), use(r.name), use(r.department), use(r.scope), use(r.province),
      use(r.needs), use(r.channels), use(r.matters), use(r.annual_volume), use(r.peak_rate), use(r.status),
      use(r.now), use(r.now), use(r.redirect_uris), use(r.callback_key), use(r.matter_functions),
      use(r.declared_systems), use(r.data_purpose), now;
}

bool exists(Poco::Data::Session& s, std::string client_id) {
  int count = 0;
  s << "SELECT COUNT(*) FROM applications WHERE client_id = ?", into(count), use(client_id), now;
  return count > 0;
}

// Every bearer token issued under the client's credentials: OAuth access
// tokens (/oauth/token) and OpenID Connect userinfo tokens (/oidc/token). Run
// inside the transaction that rotates the secret or revokes the client, so
// there is no moment at which the new secret works and an old token still does.
std::size_t delete_tokens(Poco::Data::Session& s, std::string client_id) {
  Poco::Data::Statement oauth(s);
  oauth << "DELETE FROM access_tokens WHERE client_id = ?", use(client_id);
  std::size_t n = oauth.execute();
  Poco::Data::Statement oidc(s);
  oidc << "DELETE FROM oidc_access_tokens WHERE client_id = ?", use(client_id);
  n += oidc.execute();
  return n;
}

[[noreturn]] void rethrow(const std::string& what, const Poco::Exception& e) {
  throw StoreError(what + ": " + e.displayText());
}

}  // namespace

void ApplicationRepository::create(const Application& app, const std::string& client_secret) {
  validate(app, client_secret);
  Row row(app, client_secret);
  try {
    auto s = db_.session();
    Poco::Data::Transaction tx(s);
    db_.lock_for_write(s);
    if (exists(s, app.client_id)) throw StoreError("application " + app.client_id + " already exists");
    insert(s, row);
    tx.commit();
    db_.read_caches().credentials_changed();
  } catch (const Poco::Exception& e) {
    rethrow("cannot create application " + app.client_id, e);
  }
}

bool ApplicationRepository::upsert(const Application& app, const std::string& client_secret) {
  validate(app, client_secret);
  Row row(app, client_secret);
  try {
    auto s = db_.session();
    Poco::Data::Transaction tx(s);
    db_.lock_for_write(s);
    const bool inserting = !exists(s, app.client_id);
    if (inserting) {
      insert(s, row);
    } else {
      // A re-import with the same secret (every host start) keeps the tokens;
      // a changed secret is a rotation and ends them.
      std::string old_hash;
      std::string id = app.client_id;
      s << "SELECT secret_hash FROM applications WHERE client_id = ?", into(old_hash), use(id), now;
      if (!store::verify_secret(client_secret, old_hash)) delete_tokens(s, app.client_id);
      s << "UPDATE applications SET secret_hash = ?, name = ?, department = ?, scope = ?, province = ?,"
           " needs = ?, channels = ?, matters = ?, annual_volume = ?, peak_rate = ?, updated_at = ?,"
           " redirect_uris = ?, callback_key = ?, matter_functions = ?, declared_systems = ?,"
           " data_purpose = ? WHERE client_id = ?",
          use(row.secret_hash), use(row.name), use(row.department), use(row.scope), use(row.province),
          use(row.needs), use(row.channels), use(row.matters), use(row.annual_volume), use(row.peak_rate),
          use(row.now), use(row.redirect_uris), use(row.callback_key), use(row.matter_functions),
          use(row.declared_systems), use(row.data_purpose), use(row.client_id), now;
    }
    tx.commit();
    db_.read_caches().credentials_changed();  // also when a rotation deleted tokens
    return inserting;
  } catch (const Poco::Exception& e) {
    rethrow("cannot save application " + app.client_id, e);
  }
}

bool ApplicationRepository::update_terms(const Application& app) {
  if (app.name.empty()) throw StoreError("application " + app.client_id + ": the name is empty");
  std::string id = app.client_id, name = app.name, department = app.department, scope = app.scope,
              province = app.province, needs = list_to_json(app.needs), channels = list_to_json(app.channels),
              matters = list_to_json(app.matters), redirect_uris = list_to_json(app.redirect_uris),
              functions = map_to_json(app.matter_functions), systems = list_to_json(app.declared_systems);
  Poco::Int64 volume = app.annual_volume, peak = app.peak_rate, at = seconds(Clock::now());
  try {
    auto s = db_.session();
    Poco::Data::Statement update(s);
    update << "UPDATE applications SET name = ?, department = ?, scope = ?, province = ?, needs = ?, channels = ?,"
              " matters = ?, annual_volume = ?, peak_rate = ?, updated_at = ?, redirect_uris = ?, matter_functions = ?,"
              " declared_systems = ? WHERE client_id = ?",
        use(name), use(department), use(scope), use(province), use(needs), use(channels), use(matters), use(volume),
        use(peak), use(at), use(redirect_uris), use(functions), use(systems), use(id);
    const bool found = update.execute() == 1;
    db_.read_caches().credentials_changed();
    return found;
  } catch (const Poco::Exception& e) {
    rethrow("cannot update application " + app.client_id, e);
  }
}

std::optional<Application> ApplicationRepository::find(const std::string& client_id) const {
  auto& cache = db_.read_caches().applications;
  if (auto cached = cache.get(client_id)) return cached;
  const auto ticket = cache.ticket();  // before the query: the entry's age counts from here
  try {
    auto s = db_.session();
    std::string id = client_id;
    Poco::Data::Statement select(s);
    select << "SELECT " << kColumns << " FROM applications WHERE client_id = ?", use(id);
    select.execute();
    Poco::Data::RecordSet rs(select);
    if (rs.rowCount() == 0) return std::nullopt;
    Application app = from_row(rs, 0);
    cache.put(client_id, app, ticket);
    return app;
  } catch (const Poco::Exception& e) {
    rethrow("cannot read application " + client_id, e);
  }
}

std::vector<Application> ApplicationRepository::list() const {
  try {
    auto s = db_.session();
    Poco::Data::Statement select(s);
    select << "SELECT " << kColumns << " FROM applications ORDER BY client_id";
    select.execute();
    Poco::Data::RecordSet rs(select);
    std::vector<Application> out;
    for (std::size_t row = 0; row < rs.rowCount(); ++row) out.push_back(from_row(rs, row));
    return out;
  } catch (const Poco::Exception& e) {
    rethrow("cannot list applications", e);
  }
}

std::optional<Application> ApplicationRepository::verify_secret(const std::string& client_id,
                                                                const std::string& client_secret) const {
  std::string stored;
  try {
    auto s = db_.session();
    std::string id = client_id;
    Poco::Data::Statement select(s);
    select << "SELECT secret_hash FROM applications WHERE client_id = ?", use(id);
    select.execute();
    Poco::Data::RecordSet rs(select);
    if (rs.rowCount() > 0) stored = rs.value(0, 0).convert<std::string>();
  } catch (const Poco::Exception& e) {
    rethrow("cannot read application " + client_id, e);
  }
  if (stored.empty()) {
    // Unknown client: spend the same work as a real check so timing does not
    // tell which client ids exist.
    static const std::string dummy = hash_secret("zhaoyin-no-such-client");
    (void)store::verify_secret(client_secret, dummy);
    return std::nullopt;
  }
  if (!store::verify_secret(client_secret, stored)) return std::nullopt;
  return find(client_id);
}

bool ApplicationRepository::set_status(const std::string& client_id, ApplicationStatus status) {
  try {
    auto s = db_.session();
    Poco::Data::Transaction tx(s);
    std::string id = client_id;
    std::string value = to_string(status);
    Poco::Int64 at = seconds(Clock::now());
    Poco::Data::Statement update(s);
    update << "UPDATE applications SET status = ?, updated_at = ? WHERE client_id = ?", use(value), use(at), use(id);
    const bool found = update.execute() > 0;
    // Revocation is final: its tokens go too. (Suspension is not: tokens are
    // refused while suspended and work again on resume, until they expire.)
    if (found && status == ApplicationStatus::Revoked) delete_tokens(s, client_id);
    tx.commit();
    db_.read_caches().credentials_changed();  // this host applies it from the next request on
    return found;
  } catch (const Poco::Exception& e) {
    rethrow("cannot change the status of application " + client_id, e);
  }
}

bool ApplicationRepository::set_secret(const std::string& client_id, const std::string& client_secret) {
  if (client_secret.empty()) throw StoreError("application " + client_id + ": the client secret is empty");
  try {
    auto s = db_.session();
    std::string id = client_id;
    std::string hash = hash_secret(client_secret);
    std::string key = callback_key_for(client_secret);
    Poco::Int64 at = seconds(Clock::now());
    Poco::Data::Transaction tx(s);
    Poco::Data::Statement update(s);
    update << "UPDATE applications SET secret_hash = ?, callback_key = ?, updated_at = ? WHERE client_id = ?",
        use(hash), use(key), use(at), use(id);
    const bool found = update.execute() > 0;
    // A rotation answers a leaked secret: whatever was obtained with it ends now.
    if (found) delete_tokens(s, client_id);
    tx.commit();
    db_.read_caches().credentials_changed();
    return found;
  } catch (const Poco::Exception& e) {
    rethrow("cannot change the secret of application " + client_id, e);
  }
}

std::optional<std::string> ApplicationRepository::callback_key(const std::string& client_id) const {
  try {
    auto s = db_.session();
    std::string id = client_id;
    Poco::Data::Statement select(s);
    select << "SELECT callback_key FROM applications WHERE client_id = ?", use(id);
    select.execute();
    Poco::Data::RecordSet rs(select);
    if (rs.rowCount() == 0) return std::nullopt;
    return rs.value(0, 0).convert<std::string>();
  } catch (const Poco::Exception& e) {
    rethrow("cannot read application " + client_id, e);
  }
}

}  // namespace zhaoyin::store
