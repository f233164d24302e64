#pragma once
// The associated permits (关联证照) the sandbox authority holds for its demo
// enterprises: licences other departments issued them (食品经营许可证,
// 道路运输经营许可证, 建筑业企业资质证书 ...), listed in registry.json beside
// the license (docs/SANDBOX.md, docs/AUTHORITY.md §Permits).
#include <nlohmann/json.hpp>
#include "model.h"

namespace zhaoyin::sandbox {

// The seeded permits of one enterprise, the same for every `sandbox init`
// (fixed numbers and dates, chosen by the plan's seed): a JSON array of
// {number, kind, issuer, scope, valid_from, valid_to, status, revoked_at}.
nlohmann::json seed_permits(const EnterprisePlan& plan);

}  // namespace zhaoyin::sandbox
