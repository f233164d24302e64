#pragma once
// Demo relying-party applications (接入申请, already approved): one per
// department plugin, with fresh OAuth client credentials.
#include <nlohmann/json.hpp>

namespace zhaoyin::sandbox {

// The "applications" array of sandbox.json.
nlohmann::json demo_applications();

}  // namespace zhaoyin::sandbox
