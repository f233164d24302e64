#include <zhaoyin/signing/routes.h>

namespace zhaoyin::signing {

void register_signing_routes(http::Router& router, const std::shared_ptr<http::HostContext>& ctx) {
  (void)router;
  (void)ctx;
}

}  // namespace zhaoyin::signing
