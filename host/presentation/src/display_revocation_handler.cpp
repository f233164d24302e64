// Who may revoke what (docs/PROTOCOL.md §6.3):
//  - one code ("scope":"code"): any holder of the code's enterprise whom the
//    authority vouches for now (certificate, chain, CRL, 存续, grant in
//    force). Revoking only takes trust away, so a 证照管理员 may retire a
//    code a departed colleague printed.
//  - every code issued before a time ("scope":"all"): the legal
//    representative only, since it takes down every holder's codes at once.
// The signer's message is a wallet answer envelope (docs/PROTOCOL.md §3.2)
// bound to this host's endpoint and to a time within ±5 minutes; a replay
// finds the revocation already on record and is refused 409 already_revoked.
#include "display_revocation_handler.h"

#include <zhaoyin/authority/connector.h>
#include <zhaoyin/http/api_error.h>
#include <zhaoyin/http/holder_signed_request.h>
#include <zhaoyin/protocol/canonical_json.h>
#include <zhaoyin/protocol/display_code.h>
#include <zhaoyin/protocol/wallet_messages.h>
#include <zhaoyin/trust/x509.h>
#include <zhaoyin/verification/subject_verifier.h>
#include "display_revocations.h"

namespace zhaoyin::presentation {

namespace {

constexpr std::string_view kRevocationPath = "/wallet/v1/display-codes/revocations";

std::int64_t unix_seconds(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

using http::answer_text;

}  // namespace

void DisplayRevocationHandler::handle(http::Exchange& ex) {
  admit_public_request(ex, *ctx_, *window_);
  const protocol::AnswerEnvelope envelope = protocol::parse_answer_envelope(ex.json_body());  // 400 invalid_request
  const nlohmann::json& a = envelope.answer;
  if (!a.is_object()) throw http::ApiError::bad_request("answer must be an object");
  const std::string scope = answer_text(a, "scope");
  if (scope == "code")
    protocol::require_exact_members(a, {"protocol", "type", "answer_url", "license_serial", "answered_at", "scope", "code"},
                                    "answer");
  else if (scope == "all")
    protocol::require_exact_members(
        a, {"protocol", "type", "answer_url", "license_serial", "answered_at", "scope", "issued_before"}, "answer");
  else
    throw http::ApiError::bad_request("answer.scope must be \"code\" or \"all\"");
  const auto answered_at = protocol::answered_at_of(a);
  const trust::Certificate cert = http::verify_holder_signed_request(
      envelope, "display_code_revocation", ctx_->settings.public_url + std::string(kRevocationPath),
      "a display code revocation at this host");
  const auto now = std::chrono::system_clock::now();
  if (!ctx_->authority) throw http::ApiError(503, "authority_unavailable", "no issuing authority is configured");
  const auto& authority = *ctx_->authority;

  // The signer as the authority knows them now, with the grant they presented.
  verification::SubjectEvidence evidence;
  evidence.certificate = cert;
  evidence.grant = envelope.grant;
  evidence.at = now;
  verification::VerifiedSubject signer;
  try {
    signer = verification::verify_subject(authority, verification::RelyingParty{}, evidence);
  } catch (const verification::VerificationFailed& e) {
    throw http::ApiError(e.status(), e.code(), std::string("the signer: ") + e.what());
  }
  const std::string uscc = signer.face_info.uscc;
  const std::string signer_serial = cert.serial_hex();
  const std::int64_t at = unix_seconds(now);
  DisplayRevocations revocations(*ctx_->db);
  nlohmann::json result = {{"scope", scope}, {"uscc", uscc}, {"revoked_by", signer_serial}};

  if (scope == "code") {
    protocol::DisplayCode code;
    try {
      code = protocol::decode_display_code(answer_text(a, "code"));
    } catch (const protocol::DisplayCodeError& e) {
      throw http::ApiError(422, "malformed_code", std::string("answer.code is not a display code: ") + e.what());
    }
    const auto code_cert = authority.find_certificate(code.serial_hex);
    const auto code_holder = authority.find_holder(code.serial_hex);
    if (!code_cert || !code_holder)
      throw http::ApiError(422, "unknown_license", "the authority has no license certificate " + code.serial_hex);
    if (!protocol::verify_display_signature(code, code_cert->public_key()))
      throw http::ApiError(422, "bad_signature", "answer.code is not signed by the key of license " + code.serial_hex);
    if (code_holder->uscc != uscc)
      throw http::ApiError(403, "not_same_enterprise",
                           "the code belongs to another enterprise; only its own holders may revoke it");
    try {
      revocations.revoke_code(uscc, code.display_id_hex(), code.serial_hex, signer_serial, at);
    } catch (const AlreadyRevoked& e) {
      throw http::ApiError(409, "already_revoked", e.what());
    }
    result["display_id"] = code.display_id_hex();
  } else {
    if (signer.role != domain::HolderRole::LegalRepresentative)
      throw http::ApiError(403, "legal_representative_only",
                           "only the legal representative may revoke every display code of the enterprise");
    const auto before = protocol::parse_wallet_time(answer_text(a, "issued_before"));
    if (!before) throw http::ApiError::bad_request("answer.issued_before must be YYYY-MM-DDTHH:MM:SSZ");
    // A cutoff in the future would also take down codes not yet made.
    if (*before > answered_at)
      throw http::ApiError(422, "invalid_cutoff", "answer.issued_before must not be later than answer.answered_at");
    try {
      revocations.revoke_before(uscc, unix_seconds(*before), signer_serial, at);
    } catch (const AlreadyRevoked& e) {
      throw http::ApiError(409, "already_revoked", e.what());
    }
    result["issued_before"] = protocol::rfc3339(*before);
  }
  result["revoked_at"] = protocol::rfc3339(std::chrono::system_clock::time_point(std::chrono::seconds(at)));
  ctx_->log->info("display code revoked", {{"request_id", ex.request_id()}, {"uscc", uscc}, {"scope", scope},
                                           {"signer", signer_serial}});
  ex.send_json(201, result);
}

}  // namespace zhaoyin::presentation
