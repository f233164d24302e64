#include <zhaoyin/app/host_routes.h>

#include <zhaoyin/admin/routes.h>
#include <zhaoyin/data/routes.h>
#include <zhaoyin/http/routes.h>
#include <zhaoyin/login/routes.h>
#include <zhaoyin/oidc/routes.h>
#include <zhaoyin/plugins/routes.h>
#include <zhaoyin/presentation/routes.h>
#include <zhaoyin/scripting/routes.h>
#include <zhaoyin/signing/routes.h>

namespace zhaoyin::app {

void register_host_routes(http::Router& router, const std::shared_ptr<http::HostContext>& ctx,
                          const oidc::SsoOptions& sso, const std::string& review_stages) {
  http::register_core_routes(router, ctx);
  login::register_login_routes(router, ctx);
  presentation::register_presentation_routes(router, ctx);
  oidc::ProviderOptions oidc_options;
  oidc_options.sso = sso;
  oidc::register_oidc_routes(router, ctx, oidc_options);
  signing::register_signing_routes(router, ctx);
  data::register_data_routes(router, ctx);
  // Extension sources run in registration order: the built-in forms (added by
  // presentation), then department plugins, then integrators' scripts.
  plugins::register_plugin_routes(router, ctx);
  scripting::register_scripting_routes(router, ctx);
  // The staff pages list what the plugins and scripts above registered.
  admin::register_admin_routes(router, ctx, {review_stages});
}

}  // namespace zhaoyin::app
