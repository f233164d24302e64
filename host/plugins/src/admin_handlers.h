#pragma once
// The operator's plugin API (http::authenticate_operator), one handler per route:
//   GET  /api/v1/admin/plugins                              loaded plugins and load errors
//   POST /api/v1/admin/plugins/reload                       re-scan plugins.dir
//   GET  /api/v1/admin/plugins/{id}/config                  schema, stored and effective values
//   PUT  /api/v1/admin/plugins/{id}/config                  validated against the schema
//   GET  /api/v1/admin/applications/{client_id}/plugins     which plugins an application runs
//   PUT  /api/v1/admin/applications/{client_id}/plugins     {"plugins": ["tax", ...]}
#include <memory>
#include <zhaoyin/http/exchange.h>
#include <zhaoyin/http/host_context.h>
#include <zhaoyin/plugins/manager.h>

namespace zhaoyin::plugins {

class AdminHandler : public http::Handler {
 public:
  AdminHandler(std::shared_ptr<http::HostContext> ctx, std::shared_ptr<PluginManager> manager)
      : ctx_(std::move(ctx)), manager_(std::move(manager)) {}

 protected:
  std::shared_ptr<http::HostContext> ctx_;
  std::shared_ptr<PluginManager> manager_;
};

#define ZHAOYIN_PLUGIN_ADMIN_HANDLER(Name)       \
  class Name final : public AdminHandler {       \
   public:                                       \
    using AdminHandler::AdminHandler;            \
    void handle(http::Exchange& ex) override;    \
  };

ZHAOYIN_PLUGIN_ADMIN_HANDLER(ListPlugins)
ZHAOYIN_PLUGIN_ADMIN_HANDLER(ReloadPlugins)
ZHAOYIN_PLUGIN_ADMIN_HANDLER(GetPluginConfig)
ZHAOYIN_PLUGIN_ADMIN_HANDLER(PutPluginConfig)
ZHAOYIN_PLUGIN_ADMIN_HANDLER(GetApplicationPlugins)
ZHAOYIN_PLUGIN_ADMIN_HANDLER(PutApplicationPlugins)

#undef ZHAOYIN_PLUGIN_ADMIN_HANDLER

}  // namespace zhaoyin::plugins
