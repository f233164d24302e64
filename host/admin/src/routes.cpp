// PLACEHOLDER: the admin helper implements the staff pages here (and in more files).
#include <zhaoyin/admin/routes.h>
#include "application_pages.h"

namespace zhaoyin::admin {

void register_admin_routes(http::Router& router, const std::shared_ptr<http::HostContext>& ctx) {
  register_application_pages(router, ctx);
}

}  // namespace zhaoyin::admin
