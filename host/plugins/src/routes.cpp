#include <zhaoyin/plugins/routes.h>

namespace zhaoyin::plugins {

void register_plugin_routes(http::Router& router, const std::shared_ptr<http::HostContext>& ctx) {
  (void)router;
  (void)ctx;
}

}  // namespace zhaoyin::plugins
