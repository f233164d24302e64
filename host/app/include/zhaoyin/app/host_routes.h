#pragma once
// Every route of the host: the core (health, metrics, OAuth) and each feature's.
#include <memory>
#include <zhaoyin/http/host_context.h>
#include <zhaoyin/http/router.h>
#include <zhaoyin/oidc/provider_sessions.h>

namespace zhaoyin::app {

// `sso`: the OpenID provider's single sign-on settings (oidc.sso.*);
// `review_stages`: the access review's stages (access.review_stages, checked).
void register_host_routes(http::Router& router, const std::shared_ptr<http::HostContext>& ctx,
                          const oidc::SsoOptions& sso = {}, const std::string& review_stages = "");

}  // namespace zhaoyin::app
