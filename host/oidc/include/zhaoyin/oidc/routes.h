#pragma once
#include <memory>
#include <zhaoyin/http/host_context.h>
#include <zhaoyin/http/router.h>

namespace zhaoyin::oidc {

// /.well-known/openid-configuration, /oidc/authorize, /oidc/token, /oidc/jwks, /oidc/userinfo
void register_oidc_routes(http::Router& router, const std::shared_ptr<http::HostContext>& ctx);

}  // namespace zhaoyin::oidc
