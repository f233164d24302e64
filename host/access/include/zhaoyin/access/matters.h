#pragma once
// The 授权事项 tree as the access form uses it: plain matter paths such as
// 电子政务/税务/发票申领 (领域/行业/事项).
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace zhaoyin::access {

// The paths of the tree flow::Extensions::matters() returns
// ([{"path","name","source"}, ...]), sorted, without duplicates. Also accepts
// plain strings and nested {"path", "children": [...]} nodes, so a tree built
// by hand (tests, the sandbox) reads the same. Entries without a path are skipped.
std::vector<std::string> flatten_matters(const nlohmann::json& tree);

// True if `matter` is one of `known` or a whole-segment prefix of one
// ("电子政务/税务" is a prefix of "电子政务/税务/发票申领"; "电子政务/税" is not).
bool matter_offered(const std::string& matter, const std::vector<std::string>& known);

// The 所属领域 key a matter path belongs to, from its first segment:
// 电子政务 → e_government, 电子商务 → e_commerce, anything else → "".
std::string field_of_matter(const std::string& matter);

}  // namespace zhaoyin::access
