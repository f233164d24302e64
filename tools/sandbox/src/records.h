#pragma once
// The JSON the generator writes about its enterprises: the authority's
// registry.json and one wallet file per holder (formats in docs/SANDBOX.md).
#include <nlohmann/json.hpp>
#include <vector>
#include "ca_hierarchy.h"
#include "model.h"

namespace zhaoyin::sandbox {

nlohmann::json registry_json(const std::vector<Enterprise>& enterprises);
nlohmann::json wallet_json(const Enterprise& enterprise, const Holder& holder, const CaHierarchy& ca);

// RFC 5280 CRLReason names: keyCompromise, affiliationChanged, ...
std::string crl_reason_name(int reason);

}  // namespace zhaoyin::sandbox
