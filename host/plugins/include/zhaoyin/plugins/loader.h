#pragma once
// Loading one department plugin (sdk/include/zhaoyin/plugin_abi.h) with
// dlopen, checking it, and calling it. No HTTP, no store: the host's plugin
// manager and the `zhaoyin plugins` CLI both use this.
//
// A plugin file is copied to a private file before dlopen, so that replacing
// the original (a new build, a hot reload) never touches the code a request in
// flight is running, and so that a reload of the same path really loads the
// new file (the dynamic loader would otherwise hand back the old handle).
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

struct zhaoyin_plugin_def;

namespace zhaoyin::plugins {

// Where plugin log lines go: level (ZHAOYIN_LOG_*), plugin id, message.
using PluginLogSink = std::function<void(int level, const std::string& plugin_id, const std::string& message)>;

struct LoadOptions {
  std::string host_version = "0.0.0";
  PluginLogSink log;  // may be empty
};

// The outcome of one hook call: the plugin's status and its text (the JSON
// result on ZHAOYIN_STATUS_OK, the error message on ZHAOYIN_STATUS_ERROR).
struct CallResult {
  int status = 0;
  bool has_output = false;
  std::string output;
};

class HostBridge;

// A loaded, validated plugin. Immutable after load except for its
// configuration, which lives inside the plugin. Destroying it calls the
// plugin's on_unload and dlcloses it: keep a shared_ptr while calling.
class LoadedPlugin {
 public:
  ~LoadedPlugin();
  LoadedPlugin(const LoadedPlugin&) = delete;
  LoadedPlugin& operator=(const LoadedPlugin&) = delete;

  const std::string& id() const { return id_; }
  const std::string& name() const { return name_; }
  const std::string& version() const { return version_; }
  const std::string& department() const { return department_; }
  const std::string& file() const { return file_; }  // the path it was loaded from
  const nlohmann::json& matters() const { return matters_; }      // [{"path","name",...}]
  const nlohmann::json& forms() const { return forms_; }          // [{"id","title","fields":[...]}]
  const nlohmann::json& config_schema() const { return schema_; } // [{"key","label","type","default"}]

  // {"id","name","version","department","file","matters","forms","config_schema"}
  nlohmann::json describe() const;

  CallResult configure(const std::string& config_json) const;
  CallResult on_flow(const std::string& event_json) const;
  CallResult fill_form(const std::string& form_id, const std::string& event_json) const;
  bool has_flow_hook() const;
  bool has_fill_hook() const;

 private:
  friend struct PluginOpener;
  LoadedPlugin() = default;
  template <class Hook>
  CallResult call(Hook&& hook) const;

  void* handle_ = nullptr;
  std::unique_ptr<zhaoyin_plugin_def> def_;
  std::shared_ptr<HostBridge> bridge_;  // the zhaoyin_host_api the plugin may keep
  bool initialised_ = false;            // init succeeded: on_unload is owed
  std::string id_, name_, version_, department_, file_;
  nlohmann::json matters_, forms_, schema_;
};

struct LoadFailure {
  std::string file;
  std::string error;  // one line: what is wrong and what to do
};

struct LoadOutcome {
  std::shared_ptr<LoadedPlugin> plugin;  // null on failure
  LoadFailure failure;
};

// Loads and validates one plugin file. Never throws for a bad plugin: the
// failure names what is wrong (missing entry point, ABI version, bad
// definition, init error).
LoadOutcome load_plugin(const std::filesystem::path& file, const LoadOptions& options);

struct FolderLoad {
  std::vector<std::shared_ptr<LoadedPlugin>> loaded;  // sorted by file name
  std::vector<LoadFailure> failed;
};

// Every *.so directly in `dir`, by file name; a second plugin with an id
// already loaded is refused. A missing folder loads nothing (one failure).
FolderLoad load_folder(const std::filesystem::path& dir, const LoadOptions& options);

// Config values checked against a plugin's schema ([{"key","type","default"}]):
// types string | integer | boolean | string_list, no unknown keys. Returns the
// effective values (defaults, then `values`); throws std::invalid_argument
// naming the offending key.
nlohmann::json effective_config(const nlohmann::json& schema, const nlohmann::json& values);

}  // namespace zhaoyin::plugins
