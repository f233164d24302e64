#pragma once
// One handler class per route of the presentation feature.
#include <memory>
#include <zhaoyin/http/exchange.h>
#include <zhaoyin/http/host_context.h>

namespace zhaoyin::presentation {

using Ctx = std::shared_ptr<http::HostContext>;

#define ZHAOYIN_PRESENTATION_HANDLER(Name)                        \
  class Name final : public http::Handler {                       \
   public:                                                        \
    explicit Name(Ctx ctx) : ctx_(std::move(ctx)) {}              \
    void handle(http::Exchange& ex) override;                     \
                                                                  \
   private:                                                       \
    Ctx ctx_;                                                     \
  };

// POST /api/v1/presentations {code, matter?}
ZHAOYIN_PRESENTATION_HANDLER(CreatePresentation)
// GET /api/v1/archives/{id}
ZHAOYIN_PRESENTATION_HANDLER(GetArchive)
// GET /api/v1/archives/{id}.pdf
ZHAOYIN_PRESENTATION_HANDLER(GetArchivePdf)
// POST /api/v1/archives/{id}/publish
ZHAOYIN_PRESENTATION_HANDLER(PublishArchive)
// DELETE /api/v1/archives/{id}/publish
ZHAOYIN_PRESENTATION_HANDLER(UnpublishArchive)
// GET /api/v1/forms — the forms this application can prefill
ZHAOYIN_PRESENTATION_HANDLER(ListForms)
// POST /api/v1/forms/{form_id}/prefill {subject_ref}
ZHAOYIN_PRESENTATION_HANDLER(PrefillForm)
// GET /public/licenses/{token}
ZHAOYIN_PRESENTATION_HANDLER(PublicLicensePage)
// GET /public/licenses/{token}/badge.svg
ZHAOYIN_PRESENTATION_HANDLER(PublicLicenseBadge)
// GET /counter
ZHAOYIN_PRESENTATION_HANDLER(CounterPage)

#undef ZHAOYIN_PRESENTATION_HANDLER

}  // namespace zhaoyin::presentation
