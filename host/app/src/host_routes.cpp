#include <zhaoyin/app/host_routes.h>

#include <zhaoyin/http/routes.h>
#include <zhaoyin/login/routes.h>
#include <zhaoyin/oidc/routes.h>
#include <zhaoyin/presentation/routes.h>

namespace zhaoyin::app {

void register_host_routes(http::Router& router, const std::shared_ptr<http::HostContext>& ctx) {
  http::register_core_routes(router, ctx);
  login::register_login_routes(router, ctx);
  presentation::register_presentation_routes(router, ctx);
  oidc::register_oidc_routes(router, ctx);
}

}  // namespace zhaoyin::app
