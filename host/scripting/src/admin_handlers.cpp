#include "admin_handlers.h"

#include <zhaoyin/http/api_error.h>
#include <zhaoyin/http/auth.h>
#include <zhaoyin/store/application_repository.h>
#include <zhaoyin/store/extension_bindings.h>

#include "script.h"

namespace zhaoyin::scripting {

namespace {

nlohmann::json listing(const ScriptingContext& sc, nlohmann::json status) {
  status["enabled"] = sc.enabled;
  if (!sc.enabled)
    status["note"] = "scripts.dir does not exist on this host: bound scripts are not run (set scripts.dir)";
  return status;
}

}  // namespace

void ListScripts::handle(http::Exchange& ex) {
  http::authenticate_operator(ex, *sc_->host);
  ex.response().set("Cache-Control", "no-store");
  ex.send_json(200, listing(*sc_, sc_->engine->status()));
}

void ReloadScripts::handle(http::Exchange& ex) {
  http::authenticate_operator(ex, *sc_->host);
  if (!sc_->enabled)
    throw http::ApiError(409, "scripts_disabled", "scripts.dir " + sc_->engine->scripts_dir().string() + " does not exist");
  ex.send_json(200, listing(*sc_, sc_->engine->reload_all()));
}

void BindScripts::handle(http::Exchange& ex) {
  http::authenticate_operator(ex, *sc_->host);
  const std::string client_id = ex.param("client_id");
  const auto body = ex.json_body();
  if (!body.is_object() || !body.contains("scripts") || !body["scripts"].is_array())
    throw http::ApiError::bad_request("the body is {\"scripts\": [\"department/file.lua\", ...]}");
  std::vector<std::string> paths;
  for (const auto& p : body["scripts"]) {
    if (!p.is_string() || !valid_script_path(p.get<std::string>()))
      throw http::ApiError(400, "invalid_script_path",
                           "'" + (p.is_string() ? p.get<std::string>() : p.dump()) +
                               "' is not a script path (department/file.lua, no '..')");
    paths.push_back(p.get<std::string>());
  }
  if (!store::ApplicationRepository(*sc_->host->db).find(client_id))
    throw http::ApiError(404, "unknown_application", "no application " + client_id);
  for (const auto& p : paths) {
    try {
      resolve_script_file(sc_->engine->scripts_dir(), p);  // a symbolic link out of scripts.dir is refused
    } catch (const ScriptPathError& e) {
      throw http::ApiError(422, e.code(), e.what());
    }
    auto script = sc_->engine->script(p);
    if (!script->refresh()) {
      const auto status = script->status();
      if (!status["loaded"].get<bool>())
        throw http::ApiError(422, "script_not_loadable",
                             status["last_error"].is_object() ? status["last_error"]["message"].get<std::string>()
                                                              : p + " does not load");
    }
  }
  try {
    store::ExtensionBindingRepository(*sc_->host->db).set(client_id, store::ExtensionKind::Script, paths);
  } catch (const store::StoreError& e) {
    throw http::ApiError(400, "invalid_request", e.what());
  }
  sc_->host->log->info("scripts bound", {{"client_id", client_id}, {"scripts", paths}});
  ex.send_json(200, {{"client_id", client_id}, {"scripts", paths}});
}

}  // namespace zhaoyin::scripting
