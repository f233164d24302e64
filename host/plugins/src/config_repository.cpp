#include "config_repository.h"

#include <Poco/Data/Session.h>
#include <Poco/Data/Transaction.h>
#include <Poco/Exception.h>
#include <chrono>
#include <ctime>

namespace zhaoyin::plugins {

using namespace Poco::Data::Keywords;

namespace {
std::string utc_now() {
  const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}
}  // namespace

nlohmann::json PluginConfigRepository::get(const std::string& plugin_id) const {
  std::vector<std::string> rows;
  try {
    auto s = db_.session();
    std::string id = plugin_id;
    s << "SELECT config_json FROM plugin_config WHERE plugin_id = ?", into(rows), use(id), now;
  } catch (const Poco::Exception& e) {
    throw store::StoreError("cannot read the configuration of plugin " + plugin_id + ": " + e.displayText());
  }
  if (rows.empty()) return nlohmann::json::object();
  try {
    auto j = nlohmann::json::parse(rows.front());
    return j.is_object() ? j : nlohmann::json::object();
  } catch (const std::exception&) {
    return nlohmann::json::object();
  }
}

void PluginConfigRepository::put(const std::string& plugin_id, const nlohmann::json& values) {
  try {
    auto s = db_.session();
    std::string id = plugin_id, text = values.dump(), at = utc_now();
    Poco::Data::Transaction tx(s);
    db_.lock_for_write(s);
    s << "DELETE FROM plugin_config WHERE plugin_id = ?", use(id), now;
    s << "INSERT INTO plugin_config (plugin_id, config_json, updated_at) VALUES (?, ?, ?)", use(id), use(text), use(at),
        now;
    tx.commit();
  } catch (const Poco::Exception& e) {
    throw store::StoreError("cannot store the configuration of plugin " + plugin_id + ": " + e.displayText());
  }
}

std::string plugin_utc_now() { return utc_now(); }

}  // namespace zhaoyin::plugins
