#include <zhaoyin/oidc/routes.h>

#include "handlers.h"

namespace zhaoyin::oidc {

void register_oidc_routes(http::Router& router, const std::shared_ptr<http::HostContext>& ctx,
                          std::shared_ptr<LoginGateway> logins, ProviderOptions options) {
  auto provider = std::make_shared<Provider>();
  provider->host = ctx;
  provider->logins = std::move(logins);
  provider->keys = std::make_shared<KeyRing>(ctx->db, ctx->db->settings().data_dir / "oidc-signing-key.pem");
  provider->options = options;
  id_tokens_metric(*ctx);

  router.add<DiscoveryHandler>("GET", "/.well-known/openid-configuration", provider);
  router.add<JwksHandler>("GET", "/oidc/jwks", provider);
  router.add<AuthorizeHandler>("GET", "/oidc/authorize", provider);
  router.add<AuthorizeHandler>("POST", "/oidc/authorize", provider);
  router.add<ContinueHandler>("GET", "/oidc/continue/{id}", provider);
  router.add<TokenHandler>("POST", "/oidc/token", provider);
  router.add<UserinfoHandler>("GET", "/oidc/userinfo", provider);
  router.add<UserinfoHandler>("POST", "/oidc/userinfo", provider);
  router.add<LogoutHandler>("GET", "/oidc/logout", provider);
  router.add<LogoutHandler>("POST", "/oidc/logout", provider);
}

void register_oidc_routes(http::Router& router, const std::shared_ptr<http::HostContext>& ctx,
                          ProviderOptions options) {
  register_oidc_routes(router, ctx, login_service_gateway(ctx), options);
}

}  // namespace zhaoyin::oidc
