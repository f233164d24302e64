#include <zhaoyin/plugins/loader.h>

#include <dlfcn.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <regex>
#include <set>
#include <stdexcept>

#include <zhaoyin/plugin_abi.h>

namespace zhaoyin::plugins {

namespace fs = std::filesystem;

// The zhaoyin_host_api a plugin may keep until on_unload: owned here, shared
// by the LoadedPlugin, so it outlives every call into the plugin.
class HostBridge {
 public:
  HostBridge(std::string host_version, PluginLogSink log) : version_(std::move(host_version)), log_(std::move(log)) {
    std::memset(&api_, 0, sizeof api_);
    api_.size = sizeof api_;
    api_.abi_version = ZHAOYIN_PLUGIN_ABI_VERSION;
    api_.host_version = version_.c_str();
    api_.host = this;
    api_.host_log = &HostBridge::host_log;
  }
  const zhaoyin_host_api* api() const { return &api_; }

 private:
  // A C boundary: nothing may escape into the plugin.
  static void host_log(void* host, int32_t level, const char* plugin_id, const char* message) noexcept {
    try {
      auto* self = static_cast<HostBridge*>(host);
      if (self && self->log_) self->log_(level, plugin_id ? plugin_id : "", message ? message : "");
    } catch (...) {
    }
  }

  zhaoyin_host_api api_;
  std::string version_;
  PluginLogSink log_;
};

namespace {

std::string private_copy_dir() {
  static const fs::path dir = fs::temp_directory_path() / ("zhaoyin-plugins-" + std::to_string(::getpid()));
  return dir.string();
}

// Copies the plugin to a file of its own (see loader.h for why).
fs::path private_copy(const fs::path& file) {
  static std::atomic<unsigned long> counter{0};
  const fs::path dir = private_copy_dir();
  fs::create_directories(dir);
  const fs::path copy = dir / (std::to_string(++counter) + "-" + file.filename().string());
  fs::copy_file(file, copy, fs::copy_options::overwrite_existing);
  return copy;
}

nlohmann::json parse_declared(const char* text, const char* what) {
  if (!text) return nlohmann::json::array();
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const std::exception& e) {
    throw std::invalid_argument(std::string(what) + " is not valid JSON (" + e.what() + ")");
  }
  if (!j.is_array()) throw std::invalid_argument(std::string(what) + " must be a JSON array");
  return j;
}

bool nonempty_string(const nlohmann::json& o, const char* key) {
  return o.is_object() && o.contains(key) && o[key].is_string() && !o[key].get<std::string>().empty();
}

void check_matters(const nlohmann::json& matters) {
  for (const auto& m : matters)
    if (!nonempty_string(m, "path") || !nonempty_string(m, "name"))
      throw std::invalid_argument("every matter needs a \"path\" and a \"name\"");
}

void check_forms(const nlohmann::json& forms, const std::string& plugin_id) {
  static const std::set<std::string> types = {"text", "textarea", "date", "number", "select", "email", "phone"};
  std::set<std::string> ids;
  for (const auto& f : forms) {
    if (!nonempty_string(f, "id") || !nonempty_string(f, "title"))
      throw std::invalid_argument("every form needs an \"id\" and a \"title\"");
    const std::string id = f["id"];
    if (id == "generic") throw std::invalid_argument("form id 'generic' is the host's");
    if (!ids.insert(id).second) throw std::invalid_argument("form '" + id + "' is declared twice");
    if (!f.contains("fields") || !f["fields"].is_array() || f["fields"].empty())
      throw std::invalid_argument("form '" + id + "' needs a non-empty \"fields\" array");
    std::set<std::string> keys;
    for (const auto& field : f["fields"]) {
      if (!nonempty_string(field, "key") || !nonempty_string(field, "label"))
        throw std::invalid_argument("form '" + id + "': every field needs a \"key\" and a \"label\"");
      if (!keys.insert(field["key"].get<std::string>()).second)
        throw std::invalid_argument("form '" + id + "': field '" + field["key"].get<std::string>() + "' twice");
      if (field.contains("type") && (!field["type"].is_string() || !types.count(field["type"].get<std::string>())))
        throw std::invalid_argument("form '" + id + "': field '" + field["key"].get<std::string>() +
                                    "' has an unknown type");
      if (field.contains("pattern")) {
        if (!field["pattern"].is_string())
          throw std::invalid_argument("form '" + id + "': a pattern must be a string");
        try {
          std::regex(field["pattern"].get<std::string>(), std::regex::ECMAScript);
        } catch (const std::regex_error&) {
          throw std::invalid_argument("form '" + id + "': field '" + field["key"].get<std::string>() +
                                      "' has an invalid pattern");
        }
      }
    }
  }
  (void)plugin_id;
}

bool value_has_type(const nlohmann::json& v, const std::string& type) {
  if (type == "string") return v.is_string();
  if (type == "integer") return v.is_number_integer();
  if (type == "boolean") return v.is_boolean();
  if (type == "string_list")
    return v.is_array() && std::all_of(v.begin(), v.end(), [](const auto& e) { return e.is_string(); });
  return false;
}

void check_schema(const nlohmann::json& schema) {
  std::set<std::string> keys;
  for (const auto& s : schema) {
    if (!nonempty_string(s, "key") || !nonempty_string(s, "label") || !nonempty_string(s, "type"))
      throw std::invalid_argument("every config field needs a \"key\", a \"label\" and a \"type\"");
    const std::string key = s["key"], type = s["type"];
    if (!keys.insert(key).second) throw std::invalid_argument("config field '" + key + "' is declared twice");
    if (!s.contains("default") || !value_has_type(s["default"], type))
      throw std::invalid_argument("config field '" + key + "' needs a default of type " + type +
                                  " (string, integer, boolean or string_list)");
  }
}

std::string text_or_empty(const char* s) { return s ? s : ""; }

}  // namespace

// Opens, checks and initialises a plugin; the LoadedPlugin's destructor undoes
// whatever was done when a later step fails.
struct PluginOpener {
  static LoadOutcome open(const fs::path& file, const LoadOptions& options) {
    LoadOutcome out;
    out.failure.file = file.string();
    auto fail = [&](std::string error) {
      out.plugin.reset();
      out.failure.error = std::move(error);
      return out;
    };
    std::shared_ptr<LoadedPlugin> p(new LoadedPlugin());
    p->file_ = file.string();

    fs::path copy;
    try {
      copy = private_copy(file);
    } catch (const std::exception& e) {
      return fail(std::string("cannot read the plugin file: ") + e.what());
    }
    p->handle_ = ::dlopen(copy.c_str(), RTLD_NOW | RTLD_LOCAL);
    std::error_code ignored;
    fs::remove(copy, ignored);  // the mapping stays; nothing to clean up later
    if (!p->handle_) return fail(std::string("not a loadable shared library: ") + text_or_empty(::dlerror()));

    auto version_fn =
        reinterpret_cast<zhaoyin_plugin_abi_version_fn>(::dlsym(p->handle_, ZHAOYIN_PLUGIN_ABI_VERSION_SYMBOL));
    auto init_fn = reinterpret_cast<zhaoyin_plugin_init_fn>(::dlsym(p->handle_, ZHAOYIN_PLUGIN_INIT_SYMBOL));
    if (!version_fn || !init_fn)
      return fail(std::string("missing entry point ") +
                  (!version_fn ? ZHAOYIN_PLUGIN_ABI_VERSION_SYMBOL : ZHAOYIN_PLUGIN_INIT_SYMBOL) +
                  "() — not a Zhaoyin plugin, or built without ZHAOYIN_PLUGIN()");
    const std::uint32_t abi = version_fn();
    if (abi != ZHAOYIN_PLUGIN_ABI_VERSION)
      return fail("built for plugin ABI " + std::to_string(abi) + ", this host speaks ABI " +
                  std::to_string(ZHAOYIN_PLUGIN_ABI_VERSION) + " — rebuild it against this host's SDK");

    p->bridge_ = std::make_shared<HostBridge>(options.host_version, options.log);
    p->def_ = std::make_unique<zhaoyin_plugin_def>();
    std::memset(p->def_.get(), 0, sizeof(zhaoyin_plugin_def));
    p->def_->size = sizeof(zhaoyin_plugin_def);
    const zhaoyin_status status =
        init_fn(p->bridge_->api(), sizeof(zhaoyin_host_api), p->def_.get(), sizeof(zhaoyin_plugin_def));
    if (status != ZHAOYIN_STATUS_OK) return fail("zhaoyin_plugin_init() refused to load (status " + std::to_string(status) + ")");
    p->initialised_ = p->def_->on_unload != nullptr;

    const auto& d = *p->def_;
    try {
      if (!d.free_result || !d.on_unload) throw std::invalid_argument("free_result and on_unload are required");
      p->id_ = text_or_empty(d.id);
      if (!std::regex_match(p->id_, std::regex("[a-z0-9_]{1,64}")))
        throw std::invalid_argument("id '" + p->id_ + "' must be 1 to 64 of [a-z0-9_]");
      p->name_ = text_or_empty(d.name);
      p->version_ = text_or_empty(d.version);
      p->department_ = text_or_empty(d.department);
      if (p->name_.empty() || p->version_.empty()) throw std::invalid_argument("name and version are required");
      p->matters_ = parse_declared(d.matters_json, "matters_json");
      p->forms_ = parse_declared(d.forms_json, "forms_json");
      p->schema_ = parse_declared(d.config_schema_json, "config_schema_json");
      check_matters(p->matters_);
      check_forms(p->forms_, p->id_);
      check_schema(p->schema_);
    } catch (const std::exception& e) {
      return fail(std::string("bad definition: ") + e.what());
    }
    out.plugin = std::move(p);
    return out;
  }
};

LoadedPlugin::~LoadedPlugin() {
  if (initialised_ && def_ && def_->on_unload) def_->on_unload(def_->instance);
  if (handle_) ::dlclose(handle_);
}

nlohmann::json LoadedPlugin::describe() const {
  return {{"id", id_},           {"name", name_},   {"version", version_},        {"department", department_},
          {"file", file_},       {"matters", matters_}, {"forms", forms_},       {"config_schema", schema_}};
}

template <class Hook>
CallResult LoadedPlugin::call(Hook&& hook) const {
  CallResult r;
  char* out = nullptr;
  r.status = hook(&out);
  if (out) {
    r.has_output = true;
    r.output = out;
    def_->free_result(def_->instance, out);
  }
  return r;
}

CallResult LoadedPlugin::configure(const std::string& config_json) const {
  if (!def_->on_configure) return {};
  return call([&](char** out) { return def_->on_configure(def_->instance, config_json.c_str(), out); });
}

CallResult LoadedPlugin::on_flow(const std::string& event_json) const {
  if (!def_->on_flow) return {};
  return call([&](char** out) { return def_->on_flow(def_->instance, event_json.c_str(), out); });
}

CallResult LoadedPlugin::fill_form(const std::string& form_id, const std::string& event_json) const {
  if (!def_->on_fill_form) return {ZHAOYIN_STATUS_NOT_MINE, false, {}};
  return call([&](char** out) { return def_->on_fill_form(def_->instance, form_id.c_str(), event_json.c_str(), out); });
}

bool LoadedPlugin::has_flow_hook() const { return def_->on_flow != nullptr; }
bool LoadedPlugin::has_fill_hook() const { return def_->on_fill_form != nullptr; }

LoadOutcome load_plugin(const fs::path& file, const LoadOptions& options) {
  return PluginOpener::open(file, options);
}

FolderLoad load_folder(const fs::path& dir, const LoadOptions& options) {
  FolderLoad out;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    out.failed.push_back({dir.string(), "the plugins folder does not exist (plugins.dir)"});
    return out;
  }
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir, ec))
    if (entry.is_regular_file() && entry.path().extension() == ".so") files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  std::set<std::string> ids;
  for (const auto& f : files) {
    auto outcome = load_plugin(f, options);
    if (!outcome.plugin) {
      out.failed.push_back(std::move(outcome.failure));
    } else if (!ids.insert(outcome.plugin->id()).second) {
      out.failed.push_back({f.string(), "plugin id '" + outcome.plugin->id() + "' is already loaded from another file"});
    } else {
      out.loaded.push_back(std::move(outcome.plugin));
    }
  }
  return out;
}

nlohmann::json effective_config(const nlohmann::json& schema, const nlohmann::json& values) {
  if (!values.is_object()) throw std::invalid_argument("the configuration must be a JSON object");
  nlohmann::json effective = nlohmann::json::object();
  for (const auto& s : schema) effective[s["key"].get<std::string>()] = s["default"];
  for (auto it = values.begin(); it != values.end(); ++it) {
    const auto field = std::find_if(schema.begin(), schema.end(), [&](const auto& s) { return s["key"] == it.key(); });
    if (field == schema.end()) throw std::invalid_argument("unknown configuration key '" + it.key() + "'");
    const std::string type = (*field)["type"];
    if (!value_has_type(*it, type))
      throw std::invalid_argument("configuration key '" + it.key() + "' must be of type " + type);
    effective[it.key()] = *it;
  }
  return effective;
}

}  // namespace zhaoyin::plugins
