#pragma once
// One handler class per route of the data interface (docs/api/data.md).
#include <memory>
#include <zhaoyin/http/exchange.h>
#include <zhaoyin/http/host_context.h>

namespace zhaoyin::data {

using Ctx = std::shared_ptr<http::HostContext>;

#define ZHAOYIN_DATA_HANDLER(Name)                   \
  class Name final : public http::Handler {          \
   public:                                           \
    explicit Name(Ctx ctx) : ctx_(std::move(ctx)) {} \
    void handle(http::Exchange& ex) override;        \
                                                     \
   private:                                          \
    Ctx ctx_;                                        \
  };

// GET /api/v1/data/licenses/{uscc}?case_ref=&include_permits=
ZHAOYIN_DATA_HANDLER(LicenseByUscc)
// GET /api/v1/data/licenses?name=&case_ref=&include_permits=
ZHAOYIN_DATA_HANDLER(LicenseByName)
// GET /api/v1/data/licenses/{uscc}/permits?case_ref=
ZHAOYIN_DATA_HANDLER(PermitsByUscc)

// GET /api/v1/data/licenses/{uscc}/copy.pdf?case_ref=
ZHAOYIN_DATA_HANDLER(LicenseCopyPdf)
// POST /api/v1/data/verifications?case_ref= {archive_pdf | presentation_code | license_certificate}
ZHAOYIN_DATA_HANDLER(VerifyLicenseEvidence)

#undef ZHAOYIN_DATA_HANDLER

}  // namespace zhaoyin::data
