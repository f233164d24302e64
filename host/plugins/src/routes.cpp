#include <zhaoyin/plugins/routes.h>

#include <zhaoyin/plugins/manager.h>

#include "admin_handlers.h"

namespace zhaoyin::plugins {

void register_plugin_routes(http::Router& router, const std::shared_ptr<http::HostContext>& ctx) {
  auto manager = std::make_shared<PluginManager>(ctx->db, ctx->log, ctx->settings.plugins_dir, ctx->settings.version);
  manager->reload();  // a plugin that fails to load is logged; the host runs on
  ctx->extensions->add_source(manager);

  router.add<ListPlugins>("GET", "/api/v1/admin/plugins", ctx, manager);
  router.add<ReloadPlugins>("POST", "/api/v1/admin/plugins/reload", ctx, manager);
  router.add<GetPluginConfig>("GET", "/api/v1/admin/plugins/{id}/config", ctx, manager);
  router.add<PutPluginConfig>("PUT", "/api/v1/admin/plugins/{id}/config", ctx, manager);
  router.add<GetApplicationPlugins>("GET", "/api/v1/admin/applications/{client_id}/plugins", ctx, manager);
  router.add<PutApplicationPlugins>("PUT", "/api/v1/admin/applications/{client_id}/plugins", ctx, manager);
}

}  // namespace zhaoyin::plugins
