#pragma once
#include <memory>
#include <zhaoyin/http/host_context.h>
#include <zhaoyin/http/router.h>

namespace zhaoyin::scripting {

// Loads the scripts bound to applications from ctx->settings.scripts_dir, adds them to ctx->extensions, and serves /api/v1/admin/scripts...
void register_scripting_routes(http::Router& router, const std::shared_ptr<http::HostContext>& ctx);

}  // namespace zhaoyin::scripting
