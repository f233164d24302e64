#include <zhaoyin/login/routes.h>

namespace zhaoyin::login {

void register_login_routes(http::Router& /*router*/, const std::shared_ptr<http::HostContext>& /*ctx*/) {}

}  // namespace zhaoyin::login
