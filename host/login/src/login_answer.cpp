// The wallet's answer to a login request, checked in the order of
// docs/PROTOCOL.md §3.2: the session (known, open, not expired), the answer's
// strict format, its binding to what was issued (answer_url included), the
// clock window, the holder's signature, then the subject verification
// (certificate, chain, revocation, enterprise, scope, matter, authorisation).
// Only then is the single-use transition attempted, atomically in the store.
#include <zhaoyin/login/login_service.h>

#include <zhaoyin/http/api_error.h>
#include <zhaoyin/http/form.h>
#include <zhaoyin/store/secrets.h>
#include <zhaoyin/trust/bytes.h>
#include <zhaoyin/http/extension_gate.h>
#include <zhaoyin/protocol/canonical_json.h>
#include <zhaoyin/protocol/wallet_messages.h>
#include <zhaoyin/trust/error.h>
#include <zhaoyin/verification/relying_party.h>
#include <zhaoyin/verification/subject_verifier.h>

#include "login_flow.h"
#include "login_repository.h"

namespace zhaoyin::login {

namespace {

using flow::now_seconds;

http::ApiError mismatch(const std::string& what) {
  return http::ApiError(422, "answer_mismatch", "the answer's " + what + " does not match the login request");
}

const std::string& string_field(const nlohmann::json& obj, const char* name, const char* where) {
  const auto it = obj.find(name);
  if (it == obj.end() || !it->is_string())
    throw http::ApiError::bad_request(std::string(where) + "." + name + " must be a string");
  return it->get_ref<const std::string&>();
}

// Refuses an answer to a session that is no longer open.
[[noreturn]] void refuse_closed(const LoginSession& s) {
  if (s.status == "expired") throw http::ApiError(410, "session_expired", "the login session has expired");
  // docs/PROTOCOL.md §3.2: a cancelled session is closed like an answered one.
  if (s.status == "cancelled") throw http::ApiError(409, "already_answered", "the login session was cancelled");
  throw http::ApiError(409, "already_answered", "the login session was already answered (" + s.status + ")");
}

// Same-device flow: the link the wallet opens to send the holder back to the
// relying party's app — the return_url the signed request named, with the
// session, the outcome and a fresh single-use token (256 bits, kept as its
// SM3 hash) that only the relying party's server can redeem, with its own
// credentials (POST /api/v1/login-sessions/{id}/return).
void add_return(LoginRepository& repo, const LoginSession& session, const std::string& outcome, nlohmann::json& reply) {
  if (!session.request.same_device || !session.request.return_url) return;
  const std::string token = trust::base64url_encode(trust::random_bytes(32));
  if (!repo.set_return_token(session.id, store::token_hash(token))) return;  // answered once only: cannot happen twice
  const std::string& base = *session.request.return_url;
  reply["return_url"] = base + (base.find('?') == std::string::npos ? "?" : "&") +
                        "login_session=" + http::form_encode(session.id) + "&result=" + outcome +
                        "&return_token=" + token;
}

}  // namespace

nlohmann::json LoginService::answer(const std::string& ticket, const nlohmann::json& body) {
  auto session = find_by_ticket(ticket);
  if (!session) throw http::ApiError::not_found("no login request for this ticket");
  if (session->final()) refuse_closed(*session);

  // Shape (400): exactly the documented members, strictly typed.
  const protocol::AnswerEnvelope envelope = protocol::parse_answer_envelope(body);
  const nlohmann::json& answer = envelope.answer;
  protocol::require_exact_members(answer,
                                  {"protocol", "type", "ticket", "nonce", "client_id", "matter", "answer_url",
                                   "decision", "license_serial", "answered_at"},
                                  "answer");
  const std::string& decision = string_field(answer, "decision", "answer");
  if (decision != "approve" && decision != "reject")
    throw http::ApiError::bad_request("answer.decision must be \"approve\" or \"reject\"");
  const std::string& license_serial = string_field(answer, "license_serial", "answer");
  const auto answered_at = protocol::answered_at_of(answer);
  if (!answer["matter"].is_null() && !answer["matter"].is_string())
    throw http::ApiError::bad_request("answer.matter must be a string or null");
  trust::Certificate certificate;
  try {
    certificate = trust::Certificate::from_pem(envelope.certificate_pem);
  } catch (const trust::TrustError&) {
    throw http::ApiError::bad_request("certificate is not a PEM certificate");
  }

  // Binding (422 answer_mismatch): the answer repeats exactly what this request
  // issued, including where it was sent — an answer relayed from another host's
  // request names that host's answer_url (docs/PROTOCOL.md §2.3).
  const std::string issued_answer_url =
      ctx_->settings.public_url + std::string(protocol::kWalletRequestPath) + session->ticket + "/answer";
  if (string_field(answer, "protocol", "answer") != protocol::kWalletProtocol) throw mismatch("protocol");
  if (string_field(answer, "type", "answer") != "login") throw mismatch("type");
  if (string_field(answer, "ticket", "answer") != session->ticket) throw mismatch("ticket");
  if (string_field(answer, "nonce", "answer") != session->nonce) throw mismatch("nonce");
  if (string_field(answer, "client_id", "answer") != session->client_id) throw mismatch("client_id");
  const nlohmann::json issued_matter =
      session->request.matter ? nlohmann::json(*session->request.matter) : nlohmann::json(nullptr);
  if (answer["matter"] != issued_matter) throw mismatch("matter");
  if (string_field(answer, "answer_url", "answer") != issued_answer_url) throw mismatch("answer_url");
  if (certificate.serial_hex() != license_serial) throw mismatch("license_serial");

  // Freshness (422 clock_skew): a wallet whose clock is far off, or an answer
  // prepared long ago, is refused.
  if (!protocol::within_clock_window(answered_at, std::chrono::system_clock::now()))
    throw http::ApiError(422, "clock_skew", "answer.answered_at is more than 5 minutes from the host's clock");

  verification::Check signature_check{"signature", true, "ok", "the holder's SM2 signature over the answer verifies"};
  if (!protocol::verify_message(answer, envelope.signature, certificate.public_key()))
    throw http::ApiError(422, "bad_signature", "the answer's signature does not verify with the presented certificate");
  const nlohmann::json& grant = envelope.grant;

  if (!ctx_->authority) throw http::ApiError(503, "authority_unavailable", "no authority is configured to verify licenses");
  store::ApplicationRepository apps(*ctx_->db);
  const auto app = apps.find(session->client_id);
  if (!app) throw http::ApiError::not_found("the relying party of this login no longer exists");

  LoginRepository repo(*ctx_);
  const TimePoint at = now_seconds();
  if (decision == "reject") {
    // A refusal still has to come from a genuine holder: a stranger must not be
    // able to cancel someone's login by scanning its QR code.
    const auto holder = ctx_->authority->find_holder(certificate.serial_hex());
    if (!holder || holder->certificate.der() != certificate.der())
      throw http::ApiError(422, "unknown_license", "the authority issued no license certificate " + certificate.serial_hex());
    if (!login_engine(ctx_).change(session->id, "rejected", at, flow::Deadline::BeforeExpiry)) refuse_closed(*find(session->id));
    nlohmann::json reply = {{"status", "rejected"}, {"ticket", ticket}, {"relying_party", {{"client_id", app->client_id}, {"name", app->name}}}};
    add_return(repo, *session, "rejected", reply);
    return reply;
  }

  verification::SubjectEvidence evidence{certificate, grant, session->request.matter, at, {signature_check}};
  verification::VerifiedSubject subject;
  try {
    subject = verification::verify_subject(*ctx_->authority, verification::relying_party_of(*app), evidence);
  } catch (const verification::VerificationFailed& e) {
    ctx_->log->info("login answer refused", {{"session", session->id}, {"code", e.code()}, {"reason", e.what()}});
    throw http::ApiError(e.status(), e.code(), e.what());
  }
  const nlohmann::json subject_json = subject.to_json();
  http::enforce_extensions(*ctx_, http::flow_event(flow::FlowPoint::login_confirmed, *app, subject_json,
                                                   {{"session_id", session->id},
                                                    {"matter", issued_matter},
                                                    {"channel", session->request.channel ? nlohmann::json(*session->request.channel) : nlohmann::json()}}));
  if (!login_engine(ctx_).change(session->id, "confirmed", at, flow::Deadline::BeforeExpiry,
                                  LoginRepository::store_subject(session->id, subject_json.dump(), at)))
    refuse_closed(*find(session->id));
  nlohmann::json reply = {{"status", "confirmed"},
                          {"ticket", ticket},
                          {"relying_party", {{"client_id", app->client_id}, {"name", app->name}}},
                          {"license_serial", subject.license_serial},
                          {"holder", subject.holder_json()},
                          {"authenticated_at", protocol::rfc3339(at)}};
  add_return(repo, *session, "confirmed", reply);
  return reply;
}

}  // namespace zhaoyin::login
