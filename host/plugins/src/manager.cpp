#include <zhaoyin/plugins/manager.h>

#include <zhaoyin/plugin_abi.h>
#include <zhaoyin/store/extension_bindings.h>

#include "config_repository.h"

namespace zhaoyin::plugins {

std::string plugin_utc_now();  // config_repository.cpp

std::shared_ptr<PluginExtension> Generation::find(const std::string& id) const {
  for (const auto& p : plugins)
    if (p->plugin().id() == id) return p;
  return nullptr;
}

PluginManager::PluginManager(std::shared_ptr<store::Database> db, std::shared_ptr<http::JsonLog> log,
                             std::string plugins_dir, std::string host_version)
    : db_(std::move(db)),
      log_(std::move(log)),
      dir_(std::move(plugins_dir)),
      host_version_(std::move(host_version)),
      current_(std::make_shared<Generation>()) {}

std::shared_ptr<const Generation> PluginManager::current() const {
  std::lock_guard lock(current_mutex_);
  return current_;
}

std::shared_ptr<const Generation> PluginManager::reload() {
  std::lock_guard reloading(reload_mutex_);
  LoadOptions options;
  options.host_version = host_version_;
  std::weak_ptr<http::JsonLog> weak_log = log_;
  options.log = [weak_log](int level, const std::string& id, const std::string& message) {
    const auto log = weak_log.lock();
    if (!log) return;
    const auto l = level >= ZHAOYIN_LOG_ERROR     ? http::LogLevel::Error
                   : level >= ZHAOYIN_LOG_WARNING ? http::LogLevel::Warn
                   : level >= ZHAOYIN_LOG_INFO    ? http::LogLevel::Info
                                                  : http::LogLevel::Debug;
    log->log(l, "plugin log", {{"plugin", id}, {"message", message}});
  };

  FolderLoad folder = load_folder(dir_, options);
  auto next = std::make_shared<Generation>();
  next->number = current()->number + 1;
  next->loaded_at = plugin_utc_now();
  next->failures = std::move(folder.failed);
  for (auto& plugin : folder.loaded) {
    // Each plugin starts with its stored configuration (defaults for the rest).
    std::string refused;
    try {
      const auto values = effective_config(plugin->config_schema(),
                                           db_ ? PluginConfigRepository(*db_).get(plugin->id()) : nlohmann::json::object());
      const CallResult r = plugin->configure(values.dump());
      if (r.status != ZHAOYIN_STATUS_OK)
        refused = "refused its stored configuration: " + (r.has_output ? r.output : std::string("no message"));
    } catch (const std::exception& e) {
      refused = std::string("stored configuration is not valid: ") + e.what();
    }
    if (!refused.empty()) {
      next->failures.push_back({plugin->file(), refused});
      continue;
    }
    next->plugins.push_back(std::make_shared<PluginExtension>(plugin));
  }

  if (log_) {
    for (const auto& f : next->failures)
      log_->warn("plugin refused", {{"file", f.file}, {"error", f.error}});
    nlohmann::json ids = nlohmann::json::array();
    for (const auto& p : next->plugins) ids.push_back(p->plugin().id() + " " + p->plugin().version());
    log_->info("plugins loaded", {{"dir", dir_}, {"generation", next->number}, {"plugins", ids},
                                  {"failed", next->failures.size()}});
  }
  std::shared_ptr<const Generation> result = next;
  {
    std::lock_guard lock(current_mutex_);
    current_ = result;
  }
  return result;
}

std::vector<std::shared_ptr<flow::Extension>> PluginManager::active_for(const std::string& client_id) {
  std::vector<std::shared_ptr<flow::Extension>> out;
  if (!db_) return out;
  const auto generation = current();
  for (const auto& id : store::ExtensionBindingRepository(*db_).names(client_id, store::ExtensionKind::Plugin)) {
    if (auto p = generation->find(id))
      out.push_back(p);
    else if (log_)
      log_->warn("bound plugin not loaded: its rules are not applied",
                 {{"client_id", client_id}, {"plugin", id}, {"dir", dir_}});
  }
  return out;
}

nlohmann::json PluginManager::missing_bindings() const {
  nlohmann::json out = nlohmann::json::array();
  if (!db_) return out;
  const auto generation = current();
  for (const auto& b : store::ExtensionBindingRepository(*db_).list(store::ExtensionKind::Plugin))
    if (!generation->find(b.name)) out.push_back({{"client_id", b.client_id}, {"plugin", b.name}});
  return out;
}

std::vector<std::shared_ptr<flow::Extension>> PluginManager::all() {
  const auto generation = current();
  return {generation->plugins.begin(), generation->plugins.end()};
}

nlohmann::json PluginManager::stored_config(const std::string& plugin_id) const {
  return db_ ? PluginConfigRepository(*db_).get(plugin_id) : nlohmann::json::object();
}

nlohmann::json PluginManager::set_config(const std::string& plugin_id, const nlohmann::json& values) {
  std::lock_guard reloading(reload_mutex_);
  const auto plugin = current()->find(plugin_id);
  if (!plugin) throw std::out_of_range("no plugin '" + plugin_id + "' is loaded");
  const nlohmann::json effective = effective_config(plugin->plugin().config_schema(), values);
  const CallResult r = plugin->plugin().configure(effective.dump());
  if (r.status != ZHAOYIN_STATUS_OK)
    throw std::invalid_argument("plugin:" + plugin_id + " refused the configuration: " +
                                (r.has_output ? r.output : std::string("no message")));
  if (db_) PluginConfigRepository(*db_).put(plugin_id, values);
  return effective;
}

}  // namespace zhaoyin::plugins
