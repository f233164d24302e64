#include "admin_handlers.h"

#include <zhaoyin/http/api_error.h>
#include <zhaoyin/plugin_abi.h>
#include <zhaoyin/http/auth.h>
#include <zhaoyin/store/application_repository.h>
#include <zhaoyin/store/extension_bindings.h>

namespace zhaoyin::plugins {

namespace {

nlohmann::json failures_json(const std::vector<LoadFailure>& failures) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& f : failures) out.push_back({{"file", f.file}, {"error", f.error}});
  return out;
}

nlohmann::json effective_or_null(const PluginExtension& p, const nlohmann::json& stored) {
  try {
    return effective_config(p.plugin().config_schema(), stored);
  } catch (const std::exception&) {
    return nullptr;
  }
}

std::shared_ptr<PluginExtension> loaded_plugin(const PluginManager& m, const std::string& id) {
  auto p = m.current()->find(id);
  if (!p) throw http::ApiError(404, "unknown_plugin", "no plugin '" + id + "' is loaded");
  return p;
}

store::Application known_application(const http::HostContext& ctx, const std::string& client_id) {
  auto app = store::ApplicationRepository(*ctx.db).find(client_id);
  if (!app) throw http::ApiError(404, "unknown_application", "no application " + client_id);
  return *app;
}

}  // namespace

void ListPlugins::handle(http::Exchange& ex) {
  http::authenticate_operator(ex, *ctx_);
  const auto g = manager_->current();
  nlohmann::json plugins = nlohmann::json::array();
  for (const auto& p : g->plugins) {
    nlohmann::json d = p->plugin().describe();
    d["config"] = effective_or_null(*p, manager_->stored_config(p->plugin().id()));
    plugins.push_back(std::move(d));
  }
  ex.send_json(200, {{"plugins_dir", manager_->plugins_dir()},
                     {"generation", g->number},
                     {"loaded_at", g->loaded_at},
                     {"abi_version", ZHAOYIN_PLUGIN_ABI_VERSION},
                     {"plugins", plugins},
                     {"failures", failures_json(g->failures)},
                     {"missing_bindings", manager_->missing_bindings()}});
}

void ReloadPlugins::handle(http::Exchange& ex) {
  http::authenticate_operator(ex, *ctx_);
  const auto g = manager_->reload();
  nlohmann::json loaded = nlohmann::json::array();
  for (const auto& p : g->plugins)
    loaded.push_back({{"id", p->plugin().id()}, {"version", p->plugin().version()}, {"file", p->plugin().file()}});
  ex.send_json(200, {{"generation", g->number},
                     {"loaded_at", g->loaded_at},
                     {"loaded", loaded},
                     {"failed", failures_json(g->failures)}});
}

void GetPluginConfig::handle(http::Exchange& ex) {
  http::authenticate_operator(ex, *ctx_);
  const auto p = loaded_plugin(*manager_, ex.param("id"));
  const auto stored = manager_->stored_config(p->plugin().id());
  ex.send_json(200, {{"plugin_id", p->plugin().id()},
                     {"schema", p->plugin().config_schema()},
                     {"values", stored},
                     {"effective", effective_or_null(*p, stored)}});
}

void PutPluginConfig::handle(http::Exchange& ex) {
  http::authenticate_operator(ex, *ctx_);
  const auto p = loaded_plugin(*manager_, ex.param("id"));
  const auto body = ex.json_body();
  if (!body.is_object()) throw http::ApiError::bad_request("the body must be a JSON object of configuration values");
  nlohmann::json effective;
  try {
    effective = manager_->set_config(p->plugin().id(), body);
  } catch (const std::out_of_range& e) {
    throw http::ApiError(404, "unknown_plugin", e.what());
  } catch (const std::invalid_argument& e) {
    throw http::ApiError(422, "invalid_config", e.what());
  }
  if (ctx_->log) ctx_->log->info("plugin configured", {{"plugin", p->plugin().id()}, {"values", body}});
  ex.send_json(200, {{"plugin_id", p->plugin().id()},
                     {"schema", p->plugin().config_schema()},
                     {"values", body},
                     {"effective", effective}});
}

void GetApplicationPlugins::handle(http::Exchange& ex) {
  http::authenticate_operator(ex, *ctx_);
  const auto app = known_application(*ctx_, ex.param("client_id"));
  nlohmann::json available = nlohmann::json::array();
  for (const auto& p : manager_->current()->plugins) available.push_back(p->plugin().id());
  ex.send_json(200, {{"client_id", app.client_id},
                     {"plugins", store::ExtensionBindingRepository(*ctx_->db).names(app.client_id,
                                                                                     store::ExtensionKind::Plugin)},
                     {"available", available}});
}

void PutApplicationPlugins::handle(http::Exchange& ex) {
  http::authenticate_operator(ex, *ctx_);
  const auto app = known_application(*ctx_, ex.param("client_id"));
  const auto body = ex.json_body();
  if (!body.is_object() || !body.contains("plugins") || !body["plugins"].is_array())
    throw http::ApiError::bad_request("'plugins' (a list of plugin ids, in run order) is required");
  std::vector<std::string> ids;
  const auto g = manager_->current();
  for (const auto& v : body["plugins"]) {
    if (!v.is_string()) throw http::ApiError::bad_request("'plugins' must list plugin ids (strings)");
    const std::string id = v;
    if (!g->find(id)) throw http::ApiError(422, "unknown_plugin", "no plugin '" + id + "' is loaded");
    ids.push_back(id);
  }
  try {
    store::ExtensionBindingRepository(*ctx_->db).set(app.client_id, store::ExtensionKind::Plugin, ids);
  } catch (const store::StoreError& e) {
    throw http::ApiError(422, "invalid_plugins", e.what());
  }
  if (ctx_->log) ctx_->log->info("application plugins set", {{"client_id", app.client_id}, {"plugins", ids}});
  ex.send_json(200, {{"client_id", app.client_id}, {"plugins", ids}});
}

}  // namespace zhaoyin::plugins
