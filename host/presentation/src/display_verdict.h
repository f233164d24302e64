#pragma once
// What a display code (亮照码) says right now: read from the authority
// connector and the store at every call, never cached, so a revocation at the
// authority or by the enterprise shows at the next view.
//
// Verdicts, in the order they are decided (the first that applies):
//   unknown_license         the authority issued no certificate with the code's serial
//   bad_signature           not signed by that certificate's key (the enterprise is not shown)
//   license_revoked         the holder's certificate is on its CA's CRL
//   license_expired         outside the validity of a certificate in the chain
//   untrusted_chain         no path to a trust root
//   revocation_unavailable  the CRL is missing or stale (cannot tell)
//   enterprise_not_active   the enterprise is 吊销 or 注销
//   grant_withdrawn         the holder's grant was withdrawn, replaced or has expired
//   revoked_by_enterprise   revoked by a holder of the enterprise at this host
//   valid
// A code that cannot be read at all is not a verdict but a 422 malformed_code.
#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <zhaoyin/domain/license.h>
#include <zhaoyin/http/host_context.h>
#include <zhaoyin/protocol/display_code.h>

namespace zhaoyin::presentation {

struct DisplayVerdict {
  protocol::DisplayCode code;
  std::string verdict;                        // see above
  std::string label;                          // Chinese, for the page
  std::string detail;                         // one English sentence
  std::optional<domain::FaceInfo> enterprise;  // only when the signature verifies
  std::optional<std::int64_t> revoked_at;     // revoked_by_enterprise: when the host recorded it
  std::int64_t checked_at = 0;

  bool valid() const { return verdict == "valid"; }
  // GET /api/v1/display-codes/{code}
  nlohmann::json to_json() const;
};

// Throws http::ApiError 422 malformed_code for unreadable text, 503
// authority_unavailable without an authority.
DisplayVerdict verify_display_code(const http::HostContext& ctx, const std::string& text,
                                   std::chrono::system_clock::time_point now);

// <public_url>/v/<code text>
std::string display_page_url(const http::HostContext& ctx, const std::string& code_text);

}  // namespace zhaoyin::presentation
