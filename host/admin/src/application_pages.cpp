// Registers the access applications' pages (see application_handlers.h for
// the routes). One AccessService serves them all.
#include "application_pages.h"

#include "application_handlers.h"
#include "catalogue_pages.h"
#include "provider_pages.h"
#include "scenario_register_pages.h"

namespace zhaoyin::admin {

void register_application_pages(http::Router& router, const std::shared_ptr<http::HostContext>& ctx,
                                const access::ReviewPlan& stages) {
  auto pages = std::make_shared<ApplicationPagesContext>();
  pages->host = ctx;
  pages->service = std::make_shared<access::AccessService>(ctx->db, stages);
  pages->catalogue = std::make_shared<access::MattersCatalogue>(ctx->db);
  // The starter 授权事项目录 where its codes are missing (first start; a later
  // release's additions). A store that is down now is not fatal: the pages
  // answer 503 until it is back, and the next start loads what is missing.
  if (ctx->db) {
    try {
      const int added = pages->catalogue->load_starter();
      if (ctx->log && added > 0) ctx->log->info("starter matters catalogue loaded", {{"added", added}});
    } catch (const std::exception& e) {
      if (ctx->log) ctx->log->warn("starter matters catalogue not loaded", {{"error", e.what()}});
    }
  }
  register_applicant_pages(router, pages);
  register_review_pages(router, pages);
  register_provider_pages(router, pages);
  register_catalogue_pages(router, pages);
  register_scenario_register_pages(router, pages);
}

}  // namespace zhaoyin::admin
