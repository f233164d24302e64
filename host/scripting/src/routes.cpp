#include <zhaoyin/scripting/routes.h>

#include <filesystem>
#include <zhaoyin/store/extension_bindings.h>

#include "admin_handlers.h"

namespace zhaoyin::scripting {

namespace {

ScriptBindings store_bindings(std::shared_ptr<store::Database> db) {
  ScriptBindings b;
  b.scripts_of = [db](const std::string& client_id) {
    return db ? store::ExtensionBindingRepository(*db).names(client_id, store::ExtensionKind::Script)
              : std::vector<std::string>{};
  };
  b.all = [db] {
    std::vector<std::pair<std::string, std::string>> out;
    if (db)
      for (const auto& x : store::ExtensionBindingRepository(*db).list(store::ExtensionKind::Script))
        out.emplace_back(x.client_id, x.name);
    return out;
  };
  return b;
}

}  // namespace

void register_scripting_routes(http::Router& router, const std::shared_ptr<http::HostContext>& ctx) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::absolute(ctx->settings.scripts_dir.empty() ? fs::path("scripts") : fs::path(ctx->settings.scripts_dir))
                           .lexically_normal();
  auto sc = std::make_shared<ScriptingContext>();
  sc->host = ctx;
  const auto& configured = ctx->settings.script_limits;
  EngineLimits limits;
  limits.instructions_per_call = configured.instructions_per_call;
  limits.time_per_call_ms = configured.time_per_call_ms;
  limits.memory_bytes = configured.memory_bytes;
  limits.string_bytes = configured.string_bytes;
  limits.states_per_application = configured.states_per_application;
  sc->engine = std::make_shared<ScriptEngine>(dir, store_bindings(ctx->db), limits, ctx->log, ctx->extensions);
  std::error_code ec;
  sc->enabled = fs::is_directory(dir, ec);
  if (sc->enabled) {
    ctx->extensions->add_source(sc->engine);
    try {
      const auto status = sc->engine->reload_all();  // compile what is bound now; errors are logged and listed
      if (ctx->log) ctx->log->info("scripts ready", {{"dir", dir.string()}, {"scripts", status["scripts"].size()}});
    } catch (const std::exception& e) {
      if (ctx->log) ctx->log->error("scripts: cannot read the bindings", {{"error", e.what()}});
    }
  } else if (ctx->log) {
    ctx->log->warn("scripts.dir does not exist: scripts bound to applications are not run",
                   {{"dir", dir.string()}});
  }
  router.add<ListScripts>("GET", "/api/v1/admin/scripts", sc);
  router.add<ReloadScripts>("POST", "/api/v1/admin/scripts/reload", sc);
  router.add<BindScripts>("PUT", "/api/v1/admin/applications/{client_id}/scripts", sc);
}

}  // namespace zhaoyin::scripting
