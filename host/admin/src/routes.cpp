// PLACEHOLDER: the admin helper implements the staff pages here (and in more files).
#include <zhaoyin/admin/routes.h>

namespace zhaoyin::admin {

void register_admin_routes(http::Router&, const std::shared_ptr<http::HostContext>&) {}

}  // namespace zhaoyin::admin
