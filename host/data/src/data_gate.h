#pragma once
// What every data-interface call passes before it reads anything, in this
// order: the application's token; its access application declared the need
// `data_interface` (403 data_interface_not_declared)
// (the token's scope must hold it too: 403 insufficient_scope); a case reference
// (案件/业务编号) the caller gives (400 case_ref_required / invalid_case_ref);
// the annual volume and peak rate it was approved for (http::admit_usage,
// counted like presentations). After the lookup: the enterprise lies within
// the application's verification scope (403 outside_verification_scope).
// Each call that reached the authority is written to the audit log.
#include <string>
#include <nlohmann/json.hpp>
#include <zhaoyin/http/auth.h>
#include <zhaoyin/http/exchange.h>
#include <zhaoyin/http/host_context.h>

namespace zhaoyin::data {

inline constexpr const char* kDataNeed = "data_interface";
inline constexpr std::size_t kMaxCaseRef = 64;

struct DataCall {
  http::AuthenticatedClient client;
  std::string case_ref;
};

// Authenticates and admits the call (throws http::ApiError as above).
DataCall admit_data_call(http::Exchange& ex, const http::HostContext& ctx);

// 403 outside_verification_scope when a 本省 (province) application asks about
// an enterprise registered in another province: GB 32100 §4, characters 3 to
// 8 of the USCC are the registering authority's GB/T 2260 division code, whose
// first two digits are the province.
void require_in_scope(const store::Application& app, const std::string& uscc);

// Appends {client_id, case_ref, request_id, ...detail} to the audit log as
// actor "app:<client_id>", action `action` (data.license, data.permits, ...).
void audit_data_call(const http::Exchange& ex, const http::HostContext& ctx, const DataCall& call,
                     const std::string& action, const std::string& target, nlohmann::json detail);

}  // namespace zhaoyin::data
