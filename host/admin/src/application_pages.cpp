// PLACEHOLDER: the application-pages helper implements the applications' pages here (and in more files).
#include "application_pages.h"

namespace zhaoyin::admin {

void register_application_pages(http::Router&, const std::shared_ptr<http::HostContext>&) {}

}  // namespace zhaoyin::admin
