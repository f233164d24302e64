#pragma once
#include <memory>
#include <zhaoyin/http/host_context.h>
#include <zhaoyin/http/router.h>

namespace zhaoyin::login {

// /api/v1/login-sessions..., /wallet/v1/requests/... (login), /login/{id} (hosted page), /demo...
void register_login_routes(http::Router& router, const std::shared_ptr<http::HostContext>& ctx);

}  // namespace zhaoyin::login
