#include "data_gate.h"

#include <algorithm>
#include <zhaoyin/admin/staff_accounts.h>
#include <zhaoyin/http/api_error.h>
#include <zhaoyin/http/usage_check.h>

namespace zhaoyin::data {

namespace {

// Letters, digits and - _ . / : — what case numbers (e.g. 鄂税稽〔2026〕12号
// written as E-SJ/2026/12) are spelt with in a log line without escaping.
bool printable_reference(const std::string& s) {
  return std::all_of(s.begin(), s.end(), [](unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
           c == '.' || c == '/' || c == ':';
  });
}

}  // namespace

DataCall admit_data_call(http::Exchange& ex, const http::HostContext& ctx) {
  DataCall call{http::authenticate_bearer(ex, ctx), {}};
  const auto& needs = call.client.application.needs;
  if (std::find(needs.begin(), needs.end(), kDataNeed) == needs.end())
    throw http::ApiError::forbidden("data_interface_not_declared",
                                    "this application's access application does not declare the need data_interface "
                                    "(数据接口) with its purpose");
  // A token asked for a narrower scope (e.g. presentation only) does not reach the data.
  http::require_scope(call.client, kDataNeed);
  const auto case_ref = ex.query("case_ref");
  if (!case_ref || case_ref->empty())
    throw http::ApiError(400, "case_ref_required",
                         "give the case or business reference this query serves as case_ref (it is audited)");
  if (case_ref->size() > kMaxCaseRef || !printable_reference(*case_ref))
    throw http::ApiError(400, "invalid_case_ref",
                         "case_ref is 1 to " + std::to_string(kMaxCaseRef) +
                             " characters of letters, digits and - _ . / :");
  call.case_ref = *case_ref;
  http::admit_usage(ex, ctx, call.client.application, kDataNeed);
  return call;
}

void require_in_scope(const store::Application& app, const std::string& uscc) {
  if (app.scope == "national") return;
  if (uscc.size() != 18 || uscc.substr(2, 2) != app.province)
    throw http::ApiError::forbidden("outside_verification_scope",
                                    "this application may query enterprises registered in province " + app.province +
                                        " only (验证范围: 本省)");
}

void audit_data_call(const http::Exchange& ex, const http::HostContext& ctx, const DataCall& call,
                     const std::string& action, const std::string& target, nlohmann::json detail) {
  detail["client_id"] = call.client.application.client_id;
  detail["case_ref"] = call.case_ref;
  detail["purpose"] = call.client.application.data_purpose;  // as the access application declared it
  admin::AuditEntry entry;
  entry.actor = "app:" + call.client.application.client_id;
  entry.action = action;
  entry.target = target;
  entry.detail_json = detail.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  entry.request_id = ex.request_id();
  admin::StaffAccounts(*ctx.db).append_audit(entry);
  if (ctx.log)
    ctx.log->info("data interface call", {{"request_id", ex.request_id()},
                                          {"client_id", call.client.application.client_id},
                                          {"action", action},
                                          {"target", target},
                                          {"case_ref", call.case_ref},
                                          {"purpose", call.client.application.data_purpose}});
}

}  // namespace zhaoyin::data
