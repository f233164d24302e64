#pragma once
// Plugin configuration values (table plugin_config, migration 9): one JSON
// object per plugin id, as the operator stored it (defaults are not stored).
#include <string>

#include <nlohmann/json.hpp>
#include <zhaoyin/store/database.h>

namespace zhaoyin::plugins {

class PluginConfigRepository {
 public:
  explicit PluginConfigRepository(store::Database& db) : db_(db) {}
  nlohmann::json get(const std::string& plugin_id) const;  // {} when none stored
  void put(const std::string& plugin_id, const nlohmann::json& values);

 private:
  store::Database& db_;
};

}  // namespace zhaoyin::plugins
