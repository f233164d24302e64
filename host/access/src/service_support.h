#pragma once
// What the AccessService's files share (access_service.cpp: drafts, submission,
// operator steps; review_steps.cpp: the staged review and provider links;
// amendments.cpp: amendments): the role names, the refusals, and turning an
// approved form into the relying-party application.
#include <chrono>
#include <string>
#include <vector>
#include <zhaoyin/access/access_service.h>
#include <zhaoyin/store/application_repository.h>

namespace zhaoyin::access::detail {

using Clock = std::chrono::system_clock;

inline constexpr const char* kApplicant = "applicant";
inline constexpr const char* kReviewer = "reviewer";
inline constexpr const char* kOperator = "operator";
inline constexpr const char* kProvider = "provider";

std::string trimmed(const std::string& s);
std::string random_hex(std::size_t bytes);
std::int64_t epoch_seconds(TimePoint t);

[[noreturn]] void not_found(const std::string& id);
void require_role(const Actor& actor, const std::vector<std::string>& roles, const std::string& what);
void require_owner(const Actor& actor, const AccessApplication& a);
[[noreturn]] void invalid_transition(const AccessApplication& a, Action action);

// The relying-party application an approved form becomes (or, for an
// amendment, the terms it changes to).
store::Application application_from(const AccessForm& f, const std::string& client_id);

}  // namespace zhaoyin::access::detail
