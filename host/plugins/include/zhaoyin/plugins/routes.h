#pragma once
#include <memory>
#include <zhaoyin/http/host_context.h>
#include <zhaoyin/http/router.h>

namespace zhaoyin::plugins {

// Loads the plugins from ctx->settings.plugins_dir, adds them to ctx->extensions, and serves /api/v1/admin/plugins...
void register_plugin_routes(http::Router& router, const std::shared_ptr<http::HostContext>& ctx);

}  // namespace zhaoyin::plugins
