#pragma once
// Private to zhaoyin_oidc: one handler per route (routes.cpp wires them).
#include <memory>
#include <zhaoyin/http/exchange.h>
#include "provider.h"

namespace zhaoyin::oidc {

#define ZHAOYIN_OIDC_HANDLER(Name)                                                  \
  class Name final : public http::Handler {                                         \
   public:                                                                          \
    explicit Name(std::shared_ptr<Provider> provider) : p_(std::move(provider)) {}  \
    void handle(http::Exchange& ex) override;                                       \
                                                                                    \
   private:                                                                         \
    std::shared_ptr<Provider> p_;                                                   \
  };

ZHAOYIN_OIDC_HANDLER(DiscoveryHandler)  // GET /.well-known/openid-configuration
ZHAOYIN_OIDC_HANDLER(JwksHandler)       // GET /oidc/jwks
ZHAOYIN_OIDC_HANDLER(AuthorizeHandler)  // GET|POST /oidc/authorize
ZHAOYIN_OIDC_HANDLER(ContinueHandler)   // GET /oidc/continue/{id}
ZHAOYIN_OIDC_HANDLER(TokenHandler)      // POST /oidc/token
ZHAOYIN_OIDC_HANDLER(UserinfoHandler)   // GET|POST /oidc/userinfo
ZHAOYIN_OIDC_HANDLER(LogoutHandler)     // GET|POST /oidc/logout

#undef ZHAOYIN_OIDC_HANDLER

// ID tokens issued (counted by TokenHandler, registered with the routes).
http::Counter& id_tokens_metric(http::HostContext& host);

}  // namespace zhaoyin::oidc
