// The staff pages: everything under /admin/ runs behind the admin edge
// (admin_edge.h). The application pages (application_pages.h) register into
// the same set.
#include <zhaoyin/admin/routes.h>

#include <zhaoyin/access/review_stages.h>

#include "admin_edge.h"
#include "admin_templates.h"
#include "application_pages.h"
#include "catalogue_pages.h"
#include "operator_pages.h"
#include "sandbox_staff.h"
#include "sign_in_pages.h"
#include "static_scripts.h"

namespace zhaoyin::admin {

void register_admin_routes(http::Router& router, const std::shared_ptr<http::HostContext>& ctx,
                           const AdminOptions& options) {
  // Parse every template now: a broken template stops the host at start
  // rather than failing a request later.
  admin_templates();
  if (!ctx->settings.sandbox_dir.empty() && ctx->db) {
    const int created = import_sandbox_staff(*ctx, ctx->settings.sandbox_dir);
    if (ctx->log) ctx->log->info("sandbox staff accounts", {{"created", created}});
  }
  http::Router pages;
  register_sign_in_pages(pages, ctx);
  register_operator_pages(pages, ctx);
  register_application_pages(pages, ctx, access::parse_review_stages(options.review_stages));
  register_static_scripts(pages);
  add_behind_admin_edge(router, pages, ctx);
  register_catalogue_api(router, ctx);
}

}  // namespace zhaoyin::admin
