#pragma once
// Verifies a presentation code scanned at the counter (线下出示执照) and
// archives it: the code's own checks (form, certificate, signature,
// freshness, authorisation digest), then verification::verify_subject for the
// chain, revocation, enterprise status, scope, matter and authorisation, and
// finally the single-use record written together with the archive.
#include <chrono>
#include <optional>
#include <string>
#include <zhaoyin/http/host_context.h>
#include <zhaoyin/store/application_repository.h>
#include <zhaoyin/verification/subject_verifier.h>
#include "archive_repository.h"

namespace zhaoyin::presentation {

// How far in the future issued_at may lie (a phone's clock running ahead).
inline constexpr std::int64_t kClockSkewSeconds = 30;

struct PresentationResult {
  Archive archive;
  verification::VerifiedSubject subject;
};

// Throws http::ApiError with the refusal's status and code:
//   422 malformed_code, unknown_license, bad_signature, code_not_yet_valid, code_expired
//   403 authorisation_superseded (the code names another grant than the authority's)
//   409 code_already_used
//   503 authority_unavailable
//   and every verify_subject refusal with its own status and code.
PresentationResult verify_and_archive(const http::HostContext& ctx, const store::Application& app,
                                      const std::string& code_text, const std::optional<std::string>& matter,
                                      std::chrono::system_clock::time_point now);

}  // namespace zhaoyin::presentation
