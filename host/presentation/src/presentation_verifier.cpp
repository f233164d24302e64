#include "presentation_verifier.h"

#include <zhaoyin/verification/matter_functions.h>
#include <zhaoyin/verification/relying_party.h>
#include <zhaoyin/http/api_error.h>
#include <zhaoyin/http/extension_gate.h>
#include <zhaoyin/protocol/canonical_json.h>
#include <zhaoyin/protocol/grant.h>
#include <zhaoyin/protocol/presentation_code.h>
#include <zhaoyin/trust/error.h>

namespace zhaoyin::presentation {

namespace {

using verification::Check;

std::int64_t unix_seconds(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

nlohmann::json grant_json(const authority::Grant& g) {
  return {{"payload", g.payload}, {"signature", g.signature}, {"signer_cert_serial", g.signer_cert_serial}};
}

// A refusal of the code itself, before verify_subject runs.
[[noreturn]] void refuse(int status, const std::string& code, const std::string& message) {
  throw http::ApiError(status, code, message);
}

}  // namespace

PresentationResult verify_and_archive(const http::HostContext& ctx, const store::Application& app,
                                      const std::string& code_text, const std::optional<std::string>& matter,
                                      std::chrono::system_clock::time_point now) {
  if (!ctx.authority) refuse(503, "authority_unavailable", "no issuing authority is configured");
  // 附件2: the matter's row must list 线下出示执照, before the code is looked
  // at (a refusal of the application's own approval, whoever presents).
  if (matter)
    if (const auto refusal = verification::function_refusal(app, *matter, "presentation"))
      refuse(403, verification::kFunctionNotApprovedCode, *refusal);
  const auto& authority = *ctx.authority;

  protocol::PresentationCode code;
  try {
    code = protocol::decode_presentation_code(code_text);
  } catch (const protocol::PresentationCodeError& e) {
    refuse(422, "malformed_code", std::string("not a presentation code: ") + e.what());
  }

  const auto certificate = authority.find_certificate(code.serial_hex);
  const auto holder = authority.find_holder(code.serial_hex);
  if (!certificate || !holder)
    refuse(422, "unknown_license", "the authority has no license certificate with serial " + code.serial_hex);

  std::vector<Check> checks;
  if (!protocol::verify_presentation_signature(code, certificate->public_key()))
    refuse(422, "bad_signature", "the code is not signed by the key of license " + code.serial_hex);
  checks.push_back({"signature", true, "ok", "signed by license certificate " + code.serial_hex});

  const std::int64_t at = unix_seconds(now);
  if (code.issued_at > at + kClockSkewSeconds)
    refuse(422, "code_not_yet_valid", "the code was issued in the future (" + std::to_string(code.issued_at - at) +
                                          " s ahead of this host's clock)");
  if (at > code.issued_at + code.validity)
    refuse(422, "code_expired", "the code expired " + std::to_string(at - code.issued_at - code.validity) +
                                    " s ago; ask for a fresh one");
  checks.push_back({"freshness", true, "ok",
                    "issued " + protocol::rfc3339(std::chrono::system_clock::time_point(
                                    std::chrono::seconds(code.issued_at))) +
                        ", valid " + std::to_string(code.validity) + " s"});

  // The code names the grant it was made under by digest; it must be the one
  // the authority holds now (a re-issued or withdrawn grant supersedes it).
  nlohmann::json grant = holder->grant ? grant_json(*holder->grant) : nlohmann::json(nullptr);
  trust::Bytes current_digest;
  try {
    current_digest = protocol::grant_digest(grant);
  } catch (const trust::TrustError&) {
    refuse(422, "bad_grant", "the authority's grant for this holder cannot be read");
  }
  if (current_digest != code.grant_digest)
    refuse(403, "authorisation_superseded",
           "the code was made under an authorisation the authority no longer holds for this holder");

  verification::SubjectEvidence evidence;
  evidence.certificate = *certificate;
  evidence.grant = grant;
  evidence.matter = matter;
  evidence.at = now;
  evidence.prior_checks = checks;

  PresentationResult result;
  try {
    result.subject = verification::verify_subject(authority, verification::relying_party_of(app), evidence);
  } catch (const verification::VerificationFailed& e) {
    refuse(e.status(), e.code(), e.what());
  }
  // Department plugins and the application's scripts may refuse (e.g. a tax
  // plugin refusing an enterprise that is not 存续 for its matters). The
  // subject is turned into JSON once: the event lends it to the extensions and
  // hands it back for the archive (with the replay check the store adds).
  auto event = http::flow_event(flow::FlowPoint::presentation_verified, app, result.subject.to_json(),
                                {{"matter", matter ? nlohmann::json(*matter) : nlohmann::json()}});
  http::enforce_extensions(ctx, event);
  const Check replay{"replay", true, "ok", "first use of this code"};
  result.subject.checks.push_back(replay);
  nlohmann::json subject_json = std::move(event.subject);
  subject_json["checks"].push_back(verification::to_json(replay));

  Archive& a = result.archive;
  a.id = random_id("arc_");
  a.client_id = app.client_id;
  a.license_serial = result.subject.license_serial.empty() ? code.serial_hex : result.subject.license_serial;
  a.uscc = result.subject.face_info.uscc;
  a.matter = matter;
  a.code = code_text;
  a.subject = std::move(subject_json);
  a.chain = nlohmann::json::array();
  for (const auto& c : result.subject.chain) a.chain.push_back(c.pem());
  a.verified_at = at;
  a.public_token = random_id("");

  try {
    ArchiveRepository(*ctx.db).record(code.nonce_hex(), a);
  } catch (const CodeAlreadyUsed&) {
    refuse(409, "code_already_used", "this presentation code was already accepted; ask for a fresh one");
  }
  return result;
}

}  // namespace zhaoyin::presentation
