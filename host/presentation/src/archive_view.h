#pragma once
// How an archive is shown: its JSON for the owning application, the face rows
// with their kind-specific Chinese labels, the live status the public page
// reads from the authority each time, and the printable PDF.
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>
#include <zhaoyin/http/host_context.h>
#include "archive_repository.h"

namespace zhaoyin::presentation {

using Rows = std::vector<std::pair<std::string, std::string>>;

bool sandbox_authority(const http::HostContext& ctx);

// <public_url>/public/licenses/<token>
std::string public_page_url(const http::HostContext& ctx, const std::string& token);

// Face info JSON (domain::to_json) as label/value rows in license order.
// `public_only` leaves out nothing today (face info is public by law, 公示),
// but keeps the holder out: the holder is never on a public page.
Rows face_rows(const nlohmann::json& face_info);

// GET /api/v1/archives/{id}
nlohmann::json archive_json(const http::HostContext& ctx, const Archive& a);

// The license's live state, read from the authority now:
//   valid | revoked (the certificate is on its CA's CRL) | not_active (吊销/注销) | unknown
struct LiveStatus {
  std::string state;
  std::string label;   // Chinese, for pages and the badge
  std::string detail;  // one sentence
};
LiveStatus live_status(const http::HostContext& ctx, const Archive& a);
// The same from a connector; throws AuthorityUnavailable when it cannot answer.
LiveStatus live_status_from(const authority::AuthorityConnector& source, const Archive& a);

// The A4 copy (电子营业执照核验件) for `relying_party_name`.
std::string archive_pdf(const http::HostContext& ctx, const Archive& a, const std::string& relying_party_name);

}  // namespace zhaoyin::presentation
