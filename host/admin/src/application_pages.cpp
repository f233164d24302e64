// Registers the access applications' pages (see application_handlers.h for
// the routes). One AccessService serves them all.
#include "application_pages.h"

#include "application_handlers.h"

namespace zhaoyin::admin {

void register_application_pages(http::Router& router, const std::shared_ptr<http::HostContext>& ctx) {
  auto pages = std::make_shared<ApplicationPagesContext>();
  pages->host = ctx;
  pages->service = std::make_shared<access::AccessService>(ctx->db);
  register_applicant_pages(router, pages);
  register_review_pages(router, pages);
}

}  // namespace zhaoyin::admin
