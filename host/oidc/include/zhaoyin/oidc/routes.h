#pragma once
// The OpenID Connect provider (docs/api/oidc.md):
//   GET  /.well-known/openid-configuration   discovery
//   GET  /oidc/jwks                          the ES256 public key
//   GET|POST /oidc/authorize                 authorization code flow with PKCE S256 → the hosted QR page
//   GET  /oidc/continue/{id}                 back from the QR page: code (or error) to the redirect URI
//   POST /oidc/token                         code → ID token + access token
//   GET|POST /oidc/userinfo                  claims for the access token
//   GET|POST /oidc/logout                    RP-initiated logout of the single sign-on session
#include <chrono>
#include <memory>
#include <zhaoyin/http/host_context.h>
#include <zhaoyin/http/router.h>
#include <zhaoyin/oidc/login_gateway.h>
#include <zhaoyin/oidc/provider_sessions.h>

namespace zhaoyin::oidc {

struct ProviderOptions {
  std::chrono::seconds code_ttl{60};        // authorization codes
  std::chrono::seconds id_token_ttl{600};   // ID token "exp" - "iat"
  std::chrono::seconds login_ttl{120};      // the QR login behind /oidc/authorize
  std::chrono::seconds authorization_ttl{900};  // a pending authorization (QR login plus the way back)
  SsoOptions sso;                               // oidc.sso.*: the provider session (provider_sessions.h)
};

// With the host's LoginService.
void register_oidc_routes(http::Router& router, const std::shared_ptr<http::HostContext>& ctx,
                          ProviderOptions options = {});

// With another login gateway (tests); a null gateway makes /oidc/authorize answer 503.
void register_oidc_routes(http::Router& router, const std::shared_ptr<http::HostContext>& ctx,
                          std::shared_ptr<LoginGateway> logins, ProviderOptions options = {});

}  // namespace zhaoyin::oidc
