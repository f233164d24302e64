#pragma once
// The associated permits (关联证照) of an enterprise, and the lookup of an
// enterprise by its exact registered name (docs/AUTHORITY.md §Permits, the
// data interface's name query). Signed and fresh like the other answers;
// each permit also carries its own record signed by the status signer, so a
// relying party can keep one permit's statement apart from the list.
#include <string>
#include "status_documents.h"

namespace zhaoyin::authority_service {

// Longest name the lookup accepts (bytes of UTF-8).
inline constexpr std::size_t kMaxEnterpriseName = 300;

StatusAnswer enterprise_permits(const Snapshot& s, const std::string& uscc, TimePoint now);
StatusAnswer enterprise_by_name(const Snapshot& s, const std::string& name, TimePoint now);

}  // namespace zhaoyin::authority_service
