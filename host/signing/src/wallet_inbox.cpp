// The holder's inbox (待签章, docs/protocol/signing.md "Inbox"): a holder who
// has already logged in signs what the relying party prepared for them
// without scanning a second code. POST /wallet/v1/inbox carries an answer
// envelope signed with the holder's license key; the host answers the open
// tasks bound to that license (signer.license_serial or signer.login_session),
// each with the wallet request URL the wallet then fetches and answers like a
// scanned one.
//
// Public like every wallet endpoint; what it costs a stranger is one SM2
// verification, and it reveals nothing without the holder's key. A captured
// request replayed within the clock window lists the same tasks again to
// whoever captured it (over TLS: nobody else); signing still needs the key.
#include <zhaoyin/authority/connector.h>
#include <zhaoyin/http/api_error.h>
#include <zhaoyin/http/holder_signed_request.h>
#include <zhaoyin/protocol/canonical_json.h>
#include <zhaoyin/protocol/wallet_messages.h>
#include <zhaoyin/store/application_repository.h>
#include <zhaoyin/trust/x509.h>

#include "api_handlers.h"
#include "sign_repository.h"
#include "sign_service.h"

namespace zhaoyin::signing {

namespace {

constexpr std::size_t kInboxLimit = 50;

// The license certificate of a genuine holder, from a checked inbox request.
trust::Certificate checked_holder(const http::HostContext& ctx, const nlohmann::json& body) {
  const protocol::AnswerEnvelope envelope = protocol::parse_answer_envelope(body);  // 400 invalid_request
  const auto& a = envelope.answer;
  protocol::require_exact_members(a, {"protocol", "type", "answer_url", "license_serial", "answered_at"}, "answer");
  const trust::Certificate cert = http::verify_holder_signed_request(envelope, "inbox", ctx.settings.public_url + "/wallet/v1/inbox",
                                                                     "this inbox request");
  if (!ctx.authority) throw http::ApiError(503, "authority_unavailable", "no authority is configured");
  const auto holder = ctx.authority->find_holder(cert.serial_hex());
  if (!holder || holder->certificate.der() != cert.der())
    throw http::ApiError(422, "unknown_license", "the authority issued no license certificate " + cert.serial_hex());
  return cert;
}

}  // namespace

void WalletInbox::handle(http::Exchange& ex) {
  const trust::Certificate cert = checked_holder(*ctx_, ex.json_body());
  const std::string serial = cert.serial_hex();  // upper-case hex, as sign_tasks.signer_serial is stored
  SignService service(ctx_);
  store::ApplicationRepository apps(*ctx_->db);
  nlohmann::json tasks = nlohmann::json::array();
  for (const auto& id : SignRepository(*ctx_).open_for_holder(serial, std::chrono::system_clock::now(), kInboxLimit)) {
    const auto t = service.find(id);  // records an expiry that came due meanwhile
    if (!t || t->final()) continue;
    const auto app = apps.find(t->client_id);
    nlohmann::json due = nlohmann::json::array();
    for (const auto& type : t->types_due()) due.push_back({{"type", type}, {"label", seal_type_label(type)}});
    tasks.push_back({{"request_url", t->qr_text},
                     {"relying_party", {{"client_id", t->client_id}, {"name", app ? app->name : ""}}},
                     {"document", {{"kind", t->request.document_kind}, {"name", t->request.document_name},
                                   {"sm3", t->request.document_sm3}}},
                     {"seals_due", due},
                     {"matter", t->request.matter ? nlohmann::json(*t->request.matter) : nlohmann::json(nullptr)},
                     {"status", t->status},
                     {"expires_at", protocol::rfc3339(t->expires_at)}});
  }
  ex.response().set("Cache-Control", "no-store");
  ex.send_json(200, {{"license_serial", serial}, {"tasks", tasks}});
}

}  // namespace zhaoyin::signing
