// The data interface's queries: a license's face info and status, by USCC or
// by exact name, and the enterprise's associated permits (关联证照).
#include "data_handlers.h"

#include <zhaoyin/authority/permit.h>
#include <zhaoyin/http/api_error.h>
#include <zhaoyin/trust/uscc.h>
#include "data_gate.h"

namespace zhaoyin::data {

using nlohmann::json;

namespace {

constexpr std::size_t kMaxName = 300;  // bytes of UTF-8, as the authority's lookup

const authority::AuthorityConnector& authority_of(const http::HostContext& ctx) {
  if (!ctx.authority) throw http::ApiError(503, "authority_unavailable", "no issuing authority is configured");
  return *ctx.authority;
}

std::string checked_uscc(const std::string& uscc) {
  if (!trust::uscc_valid(uscc))
    throw http::ApiError(400, "invalid_uscc", "not a unified social credit code (GB 32100, with its check character)");
  return uscc;
}

// include_permits=true|false (absent: false).
bool include_permits(const http::Exchange& ex) {
  const auto flag = ex.query("include_permits");
  if (!flag || *flag == "false") return false;
  if (*flag == "true") return true;
  throw http::ApiError::bad_request("include_permits is true or false");
}

json permits_json(const std::vector<authority::PermitRecord>& permits) {
  json out = json::array();
  for (const auto& p : permits) {
    json item = authority::to_json(p);
    // The authority's own signed statement, when the driver received one (http).
    if (!p.record.empty())
      item["authority_record"] = {{"record", p.record}, {"signature", p.signature}, {"signer_serial", p.signer_serial}};
    out.push_back(std::move(item));
  }
  return out;
}

// The license document of the answers (docs/api/data.md §License).
json license_json(const http::HostContext& ctx, const std::string& uscc, bool with_permits) {
  const auto& authority = authority_of(ctx);
  const auto face = authority.find_license(uscc);
  if (!face) throw http::ApiError(404, "unknown_enterprise", "the authority has no enterprise " + uscc);
  json body = {{"uscc", uscc},
               {"province", uscc.substr(2, 2)},
               {"face_info", domain::to_json(*face)},
               {"status", domain::to_string(face->status)},
               {"status_label", domain::status_label(face->status)},
               {"current", face->status == domain::LicenseStatus::Active}};
  if (with_permits) body["permits"] = permits_json(authority.permits_of(uscc));
  return body;
}

}  // namespace

void LicenseByUscc::handle(http::Exchange& ex) {
  const DataCall call = admit_data_call(ex, *ctx_);
  const std::string uscc = checked_uscc(ex.param("uscc"));
  require_in_scope(call.client.application, uscc);
  const bool with_permits = include_permits(ex);
  json body;
  try {
    body = license_json(*ctx_, uscc, with_permits);
  } catch (const http::ApiError& e) {
    if (e.code() == "unknown_enterprise") audit_data_call(ex, *ctx_, call, "data.license", uscc, {{"found", false}});
    throw;
  }
  audit_data_call(ex, *ctx_, call, "data.license", uscc, {{"found", true}, {"by", "uscc"}});
  ex.response().set("Cache-Control", "no-store");
  ex.send_json(200, body);
}

void LicenseByName::handle(http::Exchange& ex) {
  const DataCall call = admit_data_call(ex, *ctx_);
  const auto name = ex.query("name");
  if (!name || name->empty() || name->size() > kMaxName)
    throw http::ApiError::bad_request("name is the enterprise's exact registered name (1 to 300 bytes)");
  const bool with_permits = include_permits(ex);
  const auto uscc = authority_of(*ctx_).find_uscc_by_name(*name);
  if (!uscc) {
    audit_data_call(ex, *ctx_, call, "data.license", "name", {{"found", false}, {"by", "name"}, {"name", *name}});
    throw http::ApiError(404, "unknown_enterprise", "the authority has no enterprise registered under exactly this name");
  }
  require_in_scope(call.client.application, *uscc);
  const json body = license_json(*ctx_, *uscc, with_permits);
  audit_data_call(ex, *ctx_, call, "data.license", *uscc, {{"found", true}, {"by", "name"}, {"name", *name}});
  ex.response().set("Cache-Control", "no-store");
  ex.send_json(200, body);
}

void PermitsByUscc::handle(http::Exchange& ex) {
  const DataCall call = admit_data_call(ex, *ctx_);
  const std::string uscc = checked_uscc(ex.param("uscc"));
  require_in_scope(call.client.application, uscc);
  const auto& authority = authority_of(*ctx_);
  if (!authority.find_license(uscc)) {
    audit_data_call(ex, *ctx_, call, "data.permits", uscc, {{"found", false}});
    throw http::ApiError(404, "unknown_enterprise", "the authority has no enterprise " + uscc);
  }
  const json permits = permits_json(authority.permits_of(uscc));
  audit_data_call(ex, *ctx_, call, "data.permits", uscc, {{"found", true}, {"count", permits.size()}});
  ex.response().set("Cache-Control", "no-store");
  ex.send_json(200, {{"uscc", uscc}, {"permits", permits}});
}

}  // namespace zhaoyin::data
