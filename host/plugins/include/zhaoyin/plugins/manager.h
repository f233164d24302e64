#pragma once
// The host's department plugins: loads every plugin in plugins.dir, runs the
// ones bound to an application (store::ExtensionBindingRepository, kind
// Plugin) at the flow points as a flow::ExtensionSource, reloads them without
// a restart, and keeps their configuration (table plugin_config).
//
// Reload swaps an immutable Generation. active_for() hands out shared_ptrs into
// the generation current at that moment, so a request in flight finishes on
// the code it started with; a replaced plugin is dlclosed when the last such
// holder lets go.
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <zhaoyin/flow/extensions.h>
#include <zhaoyin/http/log.h>
#include <zhaoyin/plugins/loader.h>
#include <zhaoyin/store/database.h>

namespace zhaoyin::plugins {

// One loaded plugin as a flow::Extension ("plugin:<id>"). Turns the plugin's
// JSON answers into decisions and forms, and anything wrong with them into
// 422 plugin_failed naming the plugin; its refusals are 403 refused_by_plugin.
class PluginExtension final : public flow::Extension {
 public:
  explicit PluginExtension(std::shared_ptr<const LoadedPlugin> plugin);

  std::string source() const override { return "plugin:" + plugin_->id(); }
  flow::Decision on_flow(const flow::FlowEvent& event) override;
  std::vector<flow::FormDefinition> forms() const override { return forms_; }
  bool fill_form(const flow::FlowEvent& event, flow::FormFill& fill) override;
  flow::Decision on_prefill(const flow::FlowEvent& event, flow::FormFill& fill) override;
  nlohmann::json matters() const override { return plugin_->matters(); }

  const LoadedPlugin& plugin() const { return *plugin_; }

 private:
  std::shared_ptr<const LoadedPlugin> plugin_;
  std::vector<flow::FormDefinition> forms_;
};

struct Generation {
  int number = 0;
  std::string loaded_at;  // ISO 8601 UTC
  std::vector<std::shared_ptr<PluginExtension>> plugins;  // by file name
  std::vector<LoadFailure> failures;
  std::shared_ptr<PluginExtension> find(const std::string& id) const;
};

class PluginManager final : public flow::ExtensionSource {
 public:
  PluginManager(std::shared_ptr<store::Database> db, std::shared_ptr<http::JsonLog> log, std::string plugins_dir,
                std::string host_version);

  // Re-scans plugins.dir, configures each plugin with its stored values, and
  // makes the result current. Serialised; logs one line per refused plugin.
  std::shared_ptr<const Generation> reload();
  std::shared_ptr<const Generation> current() const;
  const std::string& plugins_dir() const { return dir_; }

  // The loaded plugins bound to the application, in order. A bound plugin
  // that is not loaded is skipped with a warning in the log (and listed by
  // missing_bindings()): an operator who removes a plugin file, or runs a
  // host with another plugins folder, turns that department's rules off
  // rather than every flow of its applications.
  std::vector<std::shared_ptr<flow::Extension>> active_for(const std::string& client_id) override;
  // [{"client_id","plugin"}] for every binding to a plugin that is not loaded.
  nlohmann::json missing_bindings() const;
  std::vector<std::shared_ptr<flow::Extension>> all() override;

  // Stored values (object) and effective values (defaults + stored).
  nlohmann::json stored_config(const std::string& plugin_id) const;
  // Validates `values` against the plugin's schema, hands them to the loaded
  // plugin (which may refuse them), then stores them. Throws
  // std::invalid_argument (bad values or refused by the plugin) and
  // std::out_of_range (no such plugin loaded).
  nlohmann::json set_config(const std::string& plugin_id, const nlohmann::json& values);

 private:
  std::shared_ptr<store::Database> db_;
  std::shared_ptr<http::JsonLog> log_;
  std::string dir_;
  std::string host_version_;
  mutable std::mutex current_mutex_;
  std::shared_ptr<const Generation> current_;
  std::mutex reload_mutex_;  // one reload (or config change) at a time
};

}  // namespace zhaoyin::plugins
