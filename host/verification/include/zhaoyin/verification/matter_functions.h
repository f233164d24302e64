#pragma once
// 附件2 电子营业执照应用场景清单 at run time: a request that names a matter
// asks for one function under it (a login session or an OIDC authorization:
// login; a presentation verified online or at the counter: presentation; a
// sign task: signature). The matter's row in the approved register must list
// that function — a matter approved only for 线下出示执照 refuses a login.
//
// The row that decides is the most specific approved matter covering the
// requested one (equal, or its nearest ancestor in the matter tree: rows for
// 电子政务/税务 and 电子政务/税务/发票申领 both cover 电子政务/税务/发票申领/增值税,
// the second decides). A matter without a row allows the application's needs
// (applications approved before the register). A matter the application is
// not approved for at all is allowed here: the caller's own matter_not_approved
// refusal stands for it, unchanged.
#include <optional>
#include <string>
#include <zhaoyin/store/application_repository.h>

namespace zhaoyin::verification {

// The refusal code every flow answers 403 with.
inline constexpr const char* kFunctionNotApprovedCode = "function_not_approved_for_matter";

// nullopt: allowed. Otherwise the refusal's message (English, naming the
// matter, the function and what the row allows).
std::optional<std::string> function_refusal(const store::Application& app, const std::string& matter,
                                            const std::string& function);

}  // namespace zhaoyin::verification
