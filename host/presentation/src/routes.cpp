#include <zhaoyin/presentation/routes.h>

#include "authority_refresher.h"
#include "builtin_forms.h"
#include "display_routes.h"
#include "handlers.h"

namespace zhaoyin::presentation {

void register_presentation_routes(http::Router& router, const std::shared_ptr<http::HostContext>& ctx) {
  ctx->metrics->counter("zhaoyin_presentations_total", "Presentation codes verified, by result.", {"result"});

  ctx->extensions->add_source(builtin_forms());

  router.add<CreatePresentation>("POST", "/api/v1/presentations", ctx);
  router.add<GetArchive>("GET", "/api/v1/archives/{id}", ctx);
  router.add<GetArchivePdf>("GET", "/api/v1/archives/{id}.pdf", ctx);
  router.add<PublishArchive>("POST", "/api/v1/archives/{id}/publish", ctx);
  router.add<UnpublishArchive>("DELETE", "/api/v1/archives/{id}/publish", ctx);
  router.add<ListForms>("GET", "/api/v1/forms", ctx);
  router.add<PrefillForm>("POST", "/api/v1/forms/{form_id}/prefill", ctx);
  router.add<CounterPage>("GET", "/counter", ctx);
  router.add<PublicLicensePage>("GET", "/public/licenses/{token}", ctx);
  register_display_routes(router, ctx);

  // The refresher lives as long as the router: the badge route's factory owns it.
  std::shared_ptr<AuthorityRefresher> refresher;
  if (ctx->authority)
    refresher = std::make_shared<AuthorityRefresher>(ctx->authority, ctx->log,
                                                     ctx->settings.authority_refresh);
  router.add("GET", "/public/licenses/{token}/badge.svg",
             [ctx, refresher]() -> std::unique_ptr<http::Handler> { return std::make_unique<PublicLicenseBadge>(ctx); });
}

}  // namespace zhaoyin::presentation
