#pragma once
// What the license data interface (host/data, docs/api/data.md) takes from
// the presentation feature: the printable copy (核验件) of a license made from
// the authority's records, and "is this genuine and current?" for the three
// things a department may hold — an archived copy's PDF, a presentation code,
// a license certificate — answered with the verifiers presentations use
// (protocol's code signature, the trust store's chain and CRL check, the
// archive's live status), never consuming a code.
#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <zhaoyin/http/host_context.h>
#include <zhaoyin/store/application_repository.h>

namespace zhaoyin::presentation {

struct IssuedCopy {
  std::string archive_id;
  std::string verification_url;  // the QR's target: the public page with the live status
  std::string pdf;
};

// Archives the authority's current record of `uscc` for `app` (no holder is
// present: the copy says it was drawn through the data interface for
// `case_ref`) and returns its PDF, recorded as issued (issued_copies).
// Throws http::ApiError 404 unknown_enterprise; AuthorityUnavailable.
IssuedCopy issue_authority_copy(const http::HostContext& ctx, const store::Application& app, const std::string& uscc,
                                const std::string& case_ref, std::chrono::system_clock::time_point now);

// Records the SM3 digest of a PDF handed out for an archive.
void record_issued_copy(const http::HostContext& ctx, const std::string& archive_id, const std::string& client_id,
                        const std::string& pdf);

// {kind, genuine, current, reason (null or a code), state, status_label,
//  detail, uscc, name, license_serial, archive_id?}
//   archive_pdf:          genuine when the bytes are exactly a copy this host
//                         issued (SM3 in issued_copies); current when its
//                         license is valid now (live status).
//   presentation_code:    genuine when it decodes and is signed by a license
//                         certificate the authority issued whose chain verifies;
//                         current when also within its validity and the license
//                         is valid now. The code is not used up.
//   license_certificate:  PEM or base64 DER; genuine when its chain verifies
//                         to the authority's root (a revoked one is genuine, not
//                         current) and the authority knows its holder.
nlohmann::json verify_archived_pdf(const http::HostContext& ctx, const std::string& pdf);
nlohmann::json verify_presentation_code_now(const http::HostContext& ctx, const std::string& code,
                                            std::chrono::system_clock::time_point now);
nlohmann::json verify_license_certificate(const http::HostContext& ctx, const std::string& certificate,
                                          std::chrono::system_clock::time_point now);

}  // namespace zhaoyin::presentation
