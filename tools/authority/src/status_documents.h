#pragma once
// The JSON status answers (docs/AUTHORITY.md §Status endpoints): enterprise,
// license, seal, grant and the seal-change feed. Each carries produced_at,
// fresh_until (produced_at + kStatusValidity: how long a relying party may
// cache it) and the authority's generation; the service signs the body bytes.
#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include "snapshot.h"

namespace zhaoyin::authority_service {

inline constexpr std::chrono::seconds kStatusValidity{300};
inline constexpr std::int64_t kMaxFeedPage = 500;

struct StatusAnswer {
  int http_status = 200;
  nlohmann::json body;  // the document, or {"error":{"code","message"}}
};

using TimePoint = std::chrono::system_clock::time_point;

StatusAnswer enterprise_status(const Snapshot& s, const std::string& uscc, TimePoint now);
StatusAnswer license_status(const Snapshot& s, const std::string& serial, TimePoint now);
StatusAnswer seal_status(const Snapshot& s, const std::string& es_id, TimePoint now);
StatusAnswer grant_status(const Snapshot& s, const std::string& holder_serial, TimePoint now);
// Events with seq > since, at most `limit` of them, oldest first.
StatusAnswer seal_changes(const Snapshot& s, std::int64_t since, std::int64_t limit, TimePoint now);

nlohmann::json error_body(const std::string& code, const std::string& message);

// A 200 answer: the body with produced_at, fresh_until and generation added.
StatusAnswer fresh_document(const Snapshot& s, nlohmann::json body, TimePoint now);
// A 404 answer with this error code.
StatusAnswer not_found_answer(const std::string& code, const std::string& message);

}  // namespace zhaoyin::authority_service
