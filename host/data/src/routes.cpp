#include <zhaoyin/data/routes.h>

#include "data_handlers.h"

namespace zhaoyin::data {

void register_data_routes(http::Router& router, const std::shared_ptr<http::HostContext>& ctx) {
  router.add<LicenseByName>("GET", "/api/v1/data/licenses", ctx);
  router.add<LicenseByUscc>("GET", "/api/v1/data/licenses/{uscc}", ctx);
  router.add<PermitsByUscc>("GET", "/api/v1/data/licenses/{uscc}/permits", ctx);
  router.add<LicenseCopyPdf>("GET", "/api/v1/data/licenses/{uscc}/copy.pdf", ctx);
  router.add<VerifyLicenseEvidence>("POST", "/api/v1/data/verifications", ctx);
}

}  // namespace zhaoyin::data
