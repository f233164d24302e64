// /admin/plugins: the loaded department plugins, their 授权事项 (matters) and
// a configuration form per plugin built from its JSON schema. Saving goes
// through PluginManager::set_config, the same validation and store as
// PUT /api/v1/admin/plugins/{id}/config.
#include "operator_pages.h"

#include <zhaoyin/admin/staff.h>
#include <zhaoyin/http/api_error.h>
#include <zhaoyin/plugins/loader.h>

#include <algorithm>

#include "page_support.h"

namespace zhaoyin::admin {

namespace {

using FieldErrors = std::map<std::string, std::string>;  // plugin config key -> message

std::string list_text(const nlohmann::json& v) {
  std::string out;
  if (v.is_array())
    for (const auto& item : v) out += (out.empty() ? "" : "\n") + (item.is_string() ? item.get<std::string>() : item.dump());
  return out;
}

// One form field per schema entry, with the effective value and any error.
nlohmann::json config_fields(const nlohmann::json& schema, const nlohmann::json& values, const FieldErrors& errors) {
  nlohmann::json fields = nlohmann::json::array();
  if (!schema.is_array()) return fields;
  for (const auto& entry : schema) {
    const std::string key = entry.value("key", "");
    const std::string type = entry.value("type", "string");
    const nlohmann::json value = values.is_object() && values.contains(key) ? values[key] : entry.value("default", nlohmann::json());
    nlohmann::json f = {{"key", key}, {"label", entry.value("label", key)}, {"type", type}, {"input_id", "cfg-" + key},
                        {"is_string", type == "string"}, {"is_integer", type == "integer"},
                        {"is_boolean", type == "boolean"}, {"is_list", type == "string_list"}};
    if (type == "boolean") f["checked"] = value.is_boolean() && value.get<bool>();
    else if (type == "string_list") f["value"] = list_text(value);
    else if (value.is_string()) f["value"] = value.get<std::string>();
    else if (!value.is_null()) f["value"] = value.dump();
    if (const auto e = errors.find(key); e != errors.end()) f["error"] = e->second;
    fields.push_back(std::move(f));
  }
  return fields;
}

nlohmann::json page_data(const plugins::PluginManager& manager, const std::string& failed_plugin,
                         const nlohmann::json& submitted, const FieldErrors& errors, const std::string& form_error) {
  const auto g = manager.current();
  nlohmann::json list = nlohmann::json::array();
  for (const auto& p : g->plugins) {
    const auto& plugin = p->plugin();
    const bool failed_here = plugin.id() == failed_plugin;
    const nlohmann::json stored = manager.stored_config(plugin.id());
    nlohmann::json values;
    try {
      values = plugins::effective_config(plugin.config_schema(), stored);
    } catch (const std::exception&) {
      values = stored;
    }
    if (failed_here) values = submitted;  // show what the operator typed, with the errors
    nlohmann::json matters = nlohmann::json::array();
    for (const auto& m : plugin.matters()) matters.push_back({{"path", m.value("path", "")}, {"name", m.value("name", "")}});
    nlohmann::json item = {{"id", plugin.id()},         {"name", plugin.name()},
                           {"version", plugin.version()}, {"department", plugin.department()},
                           {"file", plugin.file()},       {"matters", matters},
                           {"fields", config_fields(plugin.config_schema(), values, failed_here ? errors : FieldErrors{})}};
    if (failed_here && !form_error.empty()) item["form_error"] = form_error;
    list.push_back(std::move(item));
  }
  nlohmann::json failures = nlohmann::json::array();
  for (const auto& f : g->failures) failures.push_back({{"file", f.file}, {"error", f.error}});
  return {{"plugins_dir", manager.plugins_dir()}, {"generation", g->number}, {"loaded_at", g->loaded_at},
          {"plugins", list}, {"failures", failures}, {"missing_bindings", manager.missing_bindings()}};
}

class PluginsPage final : public http::Handler {
 public:
  PluginsPage(std::shared_ptr<http::HostContext> ctx, HostExtensionSources sources)
      : ctx_(std::move(ctx)), sources_(std::move(sources)) {}
  void handle(http::Exchange& ex) override {
    const StaffSession staff = require_staff(ex, *ctx_, {Role::Operator});
    nlohmann::json data = sources_.plugins ? page_data(*sources_.plugins, "", nullptr, {}, "")
                                           : nlohmann::json{{"unavailable", true}};
    if (const auto saved = ex.query("saved")) data["saved"] = *saved;
    if (ex.query("reloaded")) data["reloaded"] = true;
    send_page(ex, *ctx_, staff, "插件 · 照印管理", "plugins", data);
  }

 private:
  std::shared_ptr<http::HostContext> ctx_;
  HostExtensionSources sources_;
};

class SavePluginConfig final : public http::Handler {
 public:
  SavePluginConfig(std::shared_ptr<http::HostContext> ctx, HostExtensionSources sources)
      : ctx_(std::move(ctx)), sources_(std::move(sources)) {}
  void handle(http::Exchange& ex) override {
    const StaffSession staff = require_staff(ex, *ctx_, {Role::Operator});
    const auto form = ex.form_body();
    require_csrf(staff, form);
    if (!sources_.plugins) throw http::ApiError(404, "unknown_plugin", "no plugins are loaded on this host");
    const std::string id = ex.param("id");
    const auto plugin = sources_.plugins->current()->find(id);
    if (!plugin) throw http::ApiError(404, "unknown_plugin", "no plugin '" + id + "' is loaded");

    FieldErrors errors;
    // Keys the form did not carry keep their stored values.
    nlohmann::json values = sources_.plugins->stored_config(id);
    if (!values.is_object()) values = nlohmann::json::object();
    values.update(values_from_form(plugin->plugin().config_schema(), form, errors));
    if (errors.empty()) {
      try {
        sources_.plugins->set_config(id, values);
        audit(*ctx_, staff.username, "plugin_config_saved", "plugin:" + id, {{"values", values}});
        return redirect(ex, "/admin/plugins?saved=" + http::form_encode(id) + "#plugin-" + id);
      } catch (const std::invalid_argument& e) {
        attribute_error(plugin->plugin().config_schema(), e.what(), errors);
      } catch (const std::out_of_range&) {
        throw http::ApiError(404, "unknown_plugin", "no plugin '" + id + "' is loaded");
      }
    }
    std::string form_error;
    if (const auto general = errors.find(""); general != errors.end()) form_error = general->second;
    nlohmann::json data = page_data(*sources_.plugins, id, values, errors, form_error.empty() ? "请更正标出的字段（the configuration was not saved）" : form_error);
    data["error_code"] = "invalid_config";
    send_page(ex, *ctx_, staff, "插件 · 照印管理", "plugins", data, 400);
  }

 private:
  // The form as the plugin's config object, by schema type. Mistakes the form
  // can see (not an integer) go to `errors`; the schema check itself is
  // set_config's.
  static nlohmann::json values_from_form(const nlohmann::json& schema, const http::FormFields& form,
                                         FieldErrors& errors) {
    nlohmann::json values = nlohmann::json::object();
    if (!schema.is_array()) return values;
    for (const auto& entry : schema) {
      const std::string key = entry.value("key", "");
      const std::string type = entry.value("type", "string");
      const std::string raw = form_field(form, "cfg." + key);
      const bool present = std::any_of(form.begin(), form.end(), [&](const auto& f) { return f.first == "cfg." + key; });
      if (type == "boolean") {
        // A checkbox that is not ticked is not sent at all: absent means false.
        values[key] = raw == "on" || raw == "true" || raw == "1";
      } else if (!present) {
        continue;  // a field the form did not carry keeps its stored or default value
      } else if (type == "integer") {
        try {
          std::size_t used = 0;
          const long long n = std::stoll(raw, &used);
          if (used != raw.size()) throw std::invalid_argument("trailing text");
          values[key] = n;
        } catch (const std::exception&) {
          errors[key] = "请输入整数（an integer）";
          values[key] = raw;
        }
      } else if (type == "string_list") {
        nlohmann::json list = nlohmann::json::array();
        std::size_t start = 0;
        while (start <= raw.size()) {
          auto end = raw.find('\n', start);
          if (end == std::string::npos) end = raw.size();
          std::string line = raw.substr(start, end - start);
          while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
          if (!line.empty()) list.push_back(line);
          start = end + 1;
        }
        values[key] = list;
      } else {
        values[key] = raw;
      }
    }
    return values;
  }

  // set_config names the offending key in its message: show it next to that field.
  static void attribute_error(const nlohmann::json& schema, const std::string& message, FieldErrors& errors) {
    if (schema.is_array())
      for (const auto& entry : schema) {
        const std::string key = entry.value("key", "");
        if (!key.empty() && message.find("'" + key + "'") != std::string::npos) {
          errors[key] = message;
          return;
        }
      }
    errors[""] = message;
  }

  std::shared_ptr<http::HostContext> ctx_;
  HostExtensionSources sources_;
};

class ReloadPlugins final : public http::Handler {
 public:
  ReloadPlugins(std::shared_ptr<http::HostContext> ctx, HostExtensionSources sources)
      : ctx_(std::move(ctx)), sources_(std::move(sources)) {}
  void handle(http::Exchange& ex) override {
    const StaffSession staff = require_staff(ex, *ctx_, {Role::Operator});
    require_csrf(staff, ex.form_body());
    if (!sources_.plugins) throw http::ApiError(404, "unknown_plugin", "no plugins are loaded on this host");
    const auto g = sources_.plugins->reload();
    nlohmann::json failed = nlohmann::json::array();
    for (const auto& f : g->failures) failed.push_back(f.file);
    audit(*ctx_, staff.username, "plugins_reloaded", "plugins",
          {{"generation", g->number}, {"loaded", g->plugins.size()}, {"failed", failed}});
    redirect(ex, "/admin/plugins?reloaded=1");
  }

 private:
  std::shared_ptr<http::HostContext> ctx_;
  HostExtensionSources sources_;
};

}  // namespace

void register_plugins_page(http::Router& pages, const std::shared_ptr<http::HostContext>& ctx,
                           const HostExtensionSources& sources) {
  pages.add<PluginsPage>("GET", "/admin/plugins", ctx, sources);
  pages.add<ReloadPlugins>("POST", "/admin/plugins/reload", ctx, sources);
  pages.add<SavePluginConfig>("POST", "/admin/plugins/{id}/config", ctx, sources);
}

}  // namespace zhaoyin::admin
