#pragma once
// The one JSON serialisation that is ever signed: keys sorted (nlohmann's
// object is ordered by key), no whitespace, UTF-8 kept as is (no \u escapes).
// Both sides of every signature (grants, wallet requests and answers) sign and
// verify these exact bytes; see docs/PROTOCOL.md, "Canonical JSON".
#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <zhaoyin/trust/bytes.h>

namespace zhaoyin::protocol {

std::string canonical_json(const nlohmann::json& value);
trust::Bytes canonical_bytes(const nlohmann::json& value);

using TimePoint = std::chrono::system_clock::time_point;

// RFC 3339 UTC with seconds, e.g. 2026-11-23T09:58:00Z.
std::string rfc3339(TimePoint t);
// Reads YYYY-MM-DDTHH:MM:SSZ (fractions of a second allowed and dropped);
// nullopt for anything else.
std::optional<TimePoint> parse_rfc3339(std::string_view text);

}  // namespace zhaoyin::protocol
