#include <zhaoyin/oidc/routes.h>

namespace zhaoyin::oidc {

void register_oidc_routes(http::Router& /*router*/, const std::shared_ptr<http::HostContext>& /*ctx*/) {}

}  // namespace zhaoyin::oidc
