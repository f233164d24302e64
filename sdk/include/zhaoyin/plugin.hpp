// Zhaoyin plugin SDK — the header-only C++ wrapper over zhaoyin/plugin_abi.h.
//
// A plugin author derives from zhaoyin::sdk::Plugin, overrides what the
// plugin does, and names the class once with ZHAOYIN_PLUGIN:
//
//   class Example final : public zhaoyin::sdk::Plugin {
//     zhaoyin::sdk::Info info() const override { return {"example", "示例", "1.0.0", "示例部门"}; }
//     zhaoyin::sdk::Decision on_flow(const zhaoyin::sdk::json& event) override { ... }
//   };
//   ZHAOYIN_PLUGIN(Example)
//
// The wrapper owns the ABI details: it keeps the declared strings alive until
// unload, turns JSON text into nlohmann::json and back, and catches every
// exception at the C boundary (an exception becomes ZHAOYIN_STATUS_ERROR with
// its message — the host reports it as plugin_failed naming the plugin).
#pragma once

#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>
#include <zhaoyin/plugin_abi.h>

namespace zhaoyin::sdk {

using json = nlohmann::json;

struct Info {
  std::string id;          // [a-z0-9_]{1,64}
  std::string name;        // display name
  std::string version;     // the plugin's version
  std::string department;  // 税务, 人力资源社会保障, ...
};

// What a policy hook answers.
struct Decision {
  bool allowed = true;
  std::string reason;
  json requirements = json::object();  // {"seal_types": [...]} at sign_task_created

  static Decision allow() { return {}; }
  static Decision refuse(std::string reason) { return {false, std::move(reason), json::object()}; }
  static Decision require_seals(std::vector<std::string> seal_types) {
    Decision d;
    d.requirements["seal_types"] = std::move(seal_types);
    return d;
  }
  json to_json() const {
    json j = {{"decision", allowed ? "allow" : "refuse"}};
    if (!reason.empty()) j["reason"] = reason;
    if (!requirements.empty()) j["requirements"] = requirements;
    return j;
  }
};

// A filled form: key -> value, and labels that differ from the form's.
struct Fill {
  json values = json::object();
  json labels = json::object();
};

// Calls into the host (logging). Valid for the plugin's lifetime.
class Host {
 public:
  Host() = default;
  Host(const zhaoyin_host_api* api, size_t size, std::string plugin_id)
      : api_(api), size_(size), plugin_id_(std::move(plugin_id)) {}
  void log(int level, const std::string& message) const {
    if (api_ && size_ >= offsetof(zhaoyin_host_api, host_log) + sizeof(api_->host_log) && api_->host_log)
      api_->host_log(api_->host, level, plugin_id_.c_str(), message.c_str());
  }
  void info(const std::string& message) const { log(ZHAOYIN_LOG_INFO, message); }
  void warning(const std::string& message) const { log(ZHAOYIN_LOG_WARNING, message); }

 private:
  const zhaoyin_host_api* api_ = nullptr;
  size_t size_ = 0;
  std::string plugin_id_;
};

template <class P>
struct Adapter;

class Plugin {
 public:
  virtual ~Plugin() = default;

  virtual Info info() const = 0;
  // [{"path","name","label"?}]
  virtual json matters() const { return json::array(); }
  // [{"id","title","fields":[{"key","label","type","required","pattern"}]}]
  virtual json forms() const { return json::array(); }
  // [{"key","label","type","default","description"?}]
  virtual json config_schema() const { return json::array(); }

  // Validated values with defaults filled in; throw to refuse them.
  virtual void configure(const json& config) { (void)config; }
  // Policy at a flow point (event: {"point","client_id","application","subject","detail"}).
  virtual Decision on_flow(const json& event) { (void)event; return Decision::allow(); }
  // Fill one of forms() from event["subject"]; nullopt when it is not ours.
  virtual std::optional<Fill> fill_form(const std::string& form_id, const json& event) {
    (void)form_id;
    (void)event;
    return std::nullopt;
  }

  const Host& host() const { return host_; }

 private:
  template <class P>
  friend struct Adapter;
  Host host_;
};

// Shared helpers for reading the event JSON the host sends.
inline std::string text_at(const json& object, const char* key) {
  if (!object.is_object()) return {};
  const auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}
inline const json& object_at(const json& object, const char* key) {
  static const json empty = json::object();
  if (!object.is_object()) return empty;
  const auto it = object.find(key);
  return it != object.end() && it->is_object() ? *it : empty;
}

// The C side of one plugin instance: owns the plugin object and the strings
// the def points to; every function here is a C boundary and catches all.
template <class P>
struct Adapter {
  std::unique_ptr<P> plugin;
  std::shared_mutex mutex;  // on_configure exclusive, other hooks shared
  std::string id, name, version, department, matters, forms, schema;

  static char* dup(const std::string& s) {
    char* out = static_cast<char*>(std::malloc(s.size() + 1));
    if (out) std::memcpy(out, s.c_str(), s.size() + 1);
    return out;
  }
  static zhaoyin_status fail(char** out, const char* what) {
    if (out) *out = dup(what ? what : "unknown error");
    return ZHAOYIN_STATUS_ERROR;
  }

  static zhaoyin_status on_configure(void* instance, const char* config_json, char** out) noexcept {
    try {
      auto* self = static_cast<Adapter*>(instance);
      const json config = json::parse(config_json ? config_json : "{}");
      std::unique_lock lock(self->mutex);
      self->plugin->configure(config);
      *out = nullptr;
      return ZHAOYIN_STATUS_OK;
    } catch (const std::exception& e) {
      return fail(out, e.what());
    } catch (...) {
      return fail(out, "unknown exception in on_configure");
    }
  }

  static zhaoyin_status on_flow(void* instance, const char* event_json, char** out) noexcept {
    try {
      auto* self = static_cast<Adapter*>(instance);
      const json event = json::parse(event_json ? event_json : "{}");
      std::shared_lock lock(self->mutex);
      *out = dup(self->plugin->on_flow(event).to_json().dump());
      return ZHAOYIN_STATUS_OK;
    } catch (const std::exception& e) {
      return fail(out, e.what());
    } catch (...) {
      return fail(out, "unknown exception in on_flow");
    }
  }

  static zhaoyin_status on_fill_form(void* instance, const char* form_id, const char* event_json,
                                     char** out) noexcept {
    try {
      auto* self = static_cast<Adapter*>(instance);
      const json event = json::parse(event_json ? event_json : "{}");
      std::shared_lock lock(self->mutex);
      const auto fill = self->plugin->fill_form(form_id ? form_id : "", event);
      *out = nullptr;
      if (!fill) return ZHAOYIN_STATUS_NOT_MINE;
      *out = dup(json{{"values", fill->values}, {"labels", fill->labels}}.dump());
      return ZHAOYIN_STATUS_OK;
    } catch (const std::exception& e) {
      return fail(out, e.what());
    } catch (...) {
      return fail(out, "unknown exception in on_fill_form");
    }
  }

  static void free_result(void*, char* result) noexcept { std::free(result); }
  static void on_unload(void* instance) noexcept { delete static_cast<Adapter*>(instance); }

  static zhaoyin_status init(const zhaoyin_host_api* host, size_t host_api_size, zhaoyin_plugin_def* def,
                             size_t def_size) noexcept {
    if (!def || def_size < ZHAOYIN_PLUGIN_DEF_V1_SIZE) return ZHAOYIN_STATUS_ERROR;
    try {
      auto self = std::make_unique<Adapter>();
      self->plugin = std::make_unique<P>();
      const Info info = self->plugin->info();
      self->id = info.id;
      self->name = info.name;
      self->version = info.version;
      self->department = info.department;
      self->matters = self->plugin->matters().dump();
      self->forms = self->plugin->forms().dump();
      self->schema = self->plugin->config_schema().dump();
      self->plugin->host_ = Host(host, host_api_size, info.id);

      def->id = self->id.c_str();
      def->name = self->name.c_str();
      def->version = self->version.c_str();
      def->department = self->department.c_str();
      def->matters_json = self->matters.c_str();
      def->forms_json = self->forms.c_str();
      def->config_schema_json = self->schema.c_str();
      def->on_configure = &Adapter::on_configure;
      def->on_flow = &Adapter::on_flow;
      def->on_fill_form = &Adapter::on_fill_form;
      def->free_result = &Adapter::free_result;
      def->on_unload = &Adapter::on_unload;
      def->instance = self.release();
      return ZHAOYIN_STATUS_OK;
    } catch (...) {
      return ZHAOYIN_STATUS_ERROR;
    }
  }
};

}  // namespace zhaoyin::sdk

// Exports the two required entry points for plugin class `PluginClass`
// (default-constructible, derived from zhaoyin::sdk::Plugin). Use once per plugin.
#define ZHAOYIN_PLUGIN(PluginClass)                                                                       \
  extern "C" ZHAOYIN_PLUGIN_EXPORT uint32_t zhaoyin_plugin_abi_version(void) {                            \
    return ZHAOYIN_PLUGIN_ABI_VERSION;                                                                    \
  }                                                                                                       \
  extern "C" ZHAOYIN_PLUGIN_EXPORT zhaoyin_status zhaoyin_plugin_init(                                    \
      const zhaoyin_host_api* host, size_t host_api_size, zhaoyin_plugin_def* def, size_t def_size) {     \
    return ::zhaoyin::sdk::Adapter<PluginClass>::init(host, host_api_size, def, def_size);                \
  }
