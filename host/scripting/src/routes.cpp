#include <zhaoyin/scripting/routes.h>

namespace zhaoyin::scripting {

void register_scripting_routes(http::Router& router, const std::shared_ptr<http::HostContext>& ctx) {
  (void)router;
  (void)ctx;
}

}  // namespace zhaoyin::scripting
