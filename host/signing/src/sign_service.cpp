#include "sign_service.h"

#include <algorithm>
#include <zhaoyin/http/api_error.h>
#include <zhaoyin/http/extension_gate.h>
#include <zhaoyin/login/login_service.h>
#include <zhaoyin/redirect/declared_hosts.h>
#include <zhaoyin/redirect/redirect_target.h>
#include <zhaoyin/protocol/canonical_json.h>
#include <zhaoyin/protocol/wallet_messages.h>
#include <zhaoyin/trust/bytes.h>
#include <zhaoyin/trust/error.h>
#include <zhaoyin/trust/seal.h>
#include <zhaoyin/trust/sm3.h>
#include <zhaoyin/verification/matter_functions.h>
#include <zhaoyin/verification/subject_verifier.h>

#include <zhaoyin/http/callback_dispatcher.h>
#include "ofd_task.h"
#include "sign_flow.h"
#include "sign_repository.h"

namespace zhaoyin::signing {

namespace {

using flow::now_seconds;
nlohmann::json optional_json(const std::optional<std::string>& v) { return v ? nlohmann::json(*v) : nlohmann::json(nullptr); }

bool contains(const std::vector<std::string>& list, const std::string& v) {
  return std::find(list.begin(), list.end(), v) != list.end();
}

void check_placement(const pdf::Placement& p, const std::vector<pdf::PageSize>& pages, const std::string& what) {
  if (p.width_mm <= 0 || p.height_mm <= 0)
    throw http::ApiError::bad_request(what + ": width_mm and height_mm must be positive");
  if (p.page < 1 || p.page > static_cast<int>(pages.size()))
    throw http::ApiError(422, "placement_off_page",
                         what + ": page " + std::to_string(p.page) + " does not exist (the document has " +
                             std::to_string(pages.size()) + ")");
  const auto& size = pages[static_cast<std::size_t>(p.page - 1)];
  if (p.x_mm < 0 || p.y_mm < 0 || p.x_mm + p.width_mm > size.width_mm + 0.01 || p.y_mm + p.height_mm > size.height_mm + 0.01)
    throw http::ApiError(422, "placement_off_page", what + ": the seal would leave page " + std::to_string(p.page));
}

}  // namespace

SignService::SignService(std::shared_ptr<http::HostContext> ctx) : ctx_(std::move(ctx)) {}

SignService::LoginHolder SignService::confirmed_login_holder(const std::string& client_id,
                                                            const std::string& session_id) const {
  // Only this application's own logins: another relying party's sessions are not found.
  const auto session = login::LoginService(ctx_).find_for(client_id, session_id);
  if (!session) throw http::ApiError(422, "unknown_login_session", "this application has no login session " + session_id);
  if (session->status != "confirmed")
    throw http::ApiError(409, "login_not_confirmed",
                         "login session " + session->id + " is " + session->status + ", not confirmed");
  LoginHolder h{session->id, session->subject.value("license_serial", std::string()), std::string(), client_id};
  if (session->subject.contains("face_info")) h.uscc = session->subject["face_info"].value("uscc", std::string());
  if (h.license_serial.empty() || h.uscc.empty())
    throw http::ApiError(409, "login_not_confirmed", "login session " + session->id + " records no verified holder");
  return h;
}

void SignService::bind_to_login(const store::Application& app, SignTaskRequest& r) const {
  if (!r.signer_login) return;
  const LoginHolder h = confirmed_login_holder(app.client_id, *r.signer_login);
  if (r.signer_serial && *r.signer_serial != h.license_serial)
    throw http::ApiError(422, "signer_mismatch", "signer.license_serial is not the holder of login session " + h.session_id);
  if (r.signer_uscc && *r.signer_uscc != h.uscc)
    throw http::ApiError(422, "signer_mismatch", "signer.uscc is not the enterprise of login session " + h.session_id);
  r.signer_serial = h.license_serial;
  r.signer_uscc = h.uscc;
}

namespace {

// The esIDs a relying party chose (seals.es_ids, or parties[i].seals.es_ids)
// must be seals the authority lists for that enterprise and usable now: a seal
// that does not parse, is not yet valid or has expired could never sign, so
// the task is refused before it exists. Their types are checked once the
// extensions have added theirs (chosen_seal_types below).
void require_chosen_seals(const authority::AuthorityConnector& authority, const std::string& uscc,
                          const std::vector<std::string>& chosen, const std::string& where) {
  const auto held = authority.seals_of(uscc);
  const auto now = std::chrono::system_clock::now();
  for (const auto& es_id : chosen) {
    const auto it = std::find_if(held.begin(), held.end(), [&](const auto& s) { return s.es_id == es_id; });
    if (it == held.end())
      throw http::ApiError(422, "unknown_seal", where + ": the enterprise " + uscc + " has no seal " + es_id);
    trust::ParsedSeal parsed;
    try {
      parsed = trust::parse_seal(it->seal_der);
    } catch (const trust::TrustError& e) {
      throw http::ApiError(422, "seal_unusable", where + ": seal " + es_id + " does not parse: " + e.what());
    }
    if (now < parsed.info.valid_start || now > parsed.info.valid_end)
      throw http::ApiError(422, "seal_unusable", where + ": seal " + es_id + " is valid from " +
                                                     protocol::rfc3339(parsed.info.valid_start) + " to " +
                                                     protocol::rfc3339(parsed.info.valid_end) + ", not now");
  }
}

// After the extensions at sign_task_created: every chosen seal is of a type
// the task asks (seals.types) or an extension requires (seals.required_types),
// and every type an extension requires is the type of a chosen seal — else
// the task would wait for a seal nobody may use (docs/api/signing.md, "Seal
// types an extension requires").
void chosen_seal_types(const authority::AuthorityConnector& authority, const std::string& uscc, const std::string& mode,
                       const std::vector<std::string>& chosen, const std::vector<std::string>& types,
                       const std::vector<std::string>& required, const std::string& where) {
  std::vector<std::string> chosen_types;
  for (const auto& seal : authority.seals_of(uscc)) {
    if (!contains(chosen, seal.es_id)) continue;
    if (!contains(types, seal.type) && !contains(required, seal.type))
      throw http::ApiError::bad_request(where + ": seal " + seal.es_id + " is a " + seal.type + " seal, not one of the types asked");
    chosen_types.push_back(seal.type);
  }
  for (const auto& type : required)
    if (!contains(chosen_types, type))
      throw http::ApiError(422, "required_seal_not_chosen",
                           where + ": an extension of this application requires a " + type + " seal (" + seal_type_label(type) +
                               ") and none of the chosen seals is one; choose one of that type too, or choose no seals");
  // The relying party's own types, likewise: all of them (all_of), or one (any_of).
  const bool any_chosen = std::any_of(types.begin(), types.end(), [&](const auto& t) { return contains(chosen_types, t); });
  for (const auto& type : types)
    if (mode == "all_of" && !contains(chosen_types, type))
      throw http::ApiError::bad_request(where + ": seals.mode all_of asks a " + type + " seal and none of the chosen seals is one");
  if (mode != "all_of" && !types.empty() && !any_chosen)
    throw http::ApiError::bad_request(where + ": none of the chosen seals is of a type asked (seals.types)");
}

}  // namespace

void SignService::check_chosen_seals(const SignTaskRequest& r) const {
  const bool any_party_chose =
      std::any_of(r.parties.begin(), r.parties.end(), [](const Party& p) { return !p.chosen_seals.empty(); });
  if (r.chosen_seals.empty() && !any_party_chose) return;
  if (!r.chosen_seals.empty() && !r.signer_uscc)
    throw http::ApiError::bad_request("seals.es_ids needs the enterprise: signer.uscc or signer.login_session");
  if (!ctx_->authority) throw http::ApiError(503, "authority_unavailable", "no authority is configured");
  if (!r.chosen_seals.empty()) require_chosen_seals(*ctx_->authority, *r.signer_uscc, r.chosen_seals, "seals.es_ids");
  for (std::size_t i = 0; i < r.parties.size(); ++i)
    if (!r.parties[i].chosen_seals.empty())
      require_chosen_seals(*ctx_->authority, r.parties[i].uscc, r.parties[i].chosen_seals,
                           "parties[" + std::to_string(i) + "].seals.es_ids");
}

void SignService::check_chosen_seal_types(const SignTaskRequest& r) const {
  if (!r.chosen_seals.empty())
    chosen_seal_types(*ctx_->authority, *r.signer_uscc, r.seal_mode, r.chosen_seals, r.seal_types, r.required_types,
                      "seals.es_ids");
  for (std::size_t i = 0; i < r.parties.size(); ++i) {
    const Party& p = r.parties[i];
    if (p.chosen_seals.empty()) continue;
    // Extension-required types apply to every party that seals (SignTask::party_due).
    chosen_seal_types(*ctx_->authority, p.uscc, p.seal_mode, p.chosen_seals, p.seal_types,
                      p.signature == "seal" ? r.required_types : std::vector<std::string>{},
                      "parties[" + std::to_string(i) + "].seals.es_ids");
  }
}

namespace {

// The enterprise must hold the seal types asked of it (a license signature needs no seal).
void require_types_held(const authority::AuthorityConnector& authority, const std::string& uscc, const std::string& mode,
                        const std::vector<std::string>& types) {
  if (types.size() == 1 && types.front() == kLicenseSignature) return;
  std::vector<std::string> held;
  for (const auto& seal : authority.seals_of(uscc)) held.push_back(seal.type);
  std::vector<std::string> missing;
  for (const auto& type : types)
    if (!contains(held, type)) missing.push_back(type);
  const bool enough = mode == "all_of" ? missing.empty() : missing.size() < types.size();
  if (enough) return;
  std::string list;
  for (const auto& type : missing) list += (list.empty() ? "" : ", ") + type + " (" + seal_type_label(type) + ")";
  throw http::ApiError(422, "seal_type_unavailable",
                       "the enterprise " + uscc + " holds no " + list + " seal: the task could never be signed");
}

}  // namespace

void SignService::require_seal_types_held(const SignTaskRequest& r) const {
  if (!ctx_->authority) return;
  for (const auto& party : r.parties) require_types_held(*ctx_->authority, party.uscc, party.seal_mode, party.seal_types);
  if (!r.signer_uscc) return;
  require_types_held(*ctx_->authority, *r.signer_uscc, r.seal_mode, r.seal_types);
}

SignTask SignService::create(const store::Application& app, SignTaskRequest r, const Bytes& document) {
  if (app.status != store::ApplicationStatus::Active)
    throw http::ApiError(403, "client_suspended", "application " + app.client_id + " is not active");
  if (!contains(app.needs, "signature"))
    throw http::ApiError(403, "insufficient_scope", "application " + app.client_id + " is not approved for e-signature");
  if (r.ttl < std::chrono::seconds(30) || r.ttl > std::chrono::seconds(86400))
    throw http::ApiError::bad_request("ttl must be 30 to 86400 seconds");
  if (r.matter && !verification::matter_approved(app.matters, *r.matter))
    throw http::ApiError::forbidden("matter_not_approved",
                                    "application " + app.client_id + " is not approved for the matter " + *r.matter);
  if (r.matter)
    if (const auto refusal = verification::function_refusal(app, *r.matter, "signature"))
      throw http::ApiError::forbidden(verification::kFunctionNotApprovedCode, *refusal);
  // On one of the application's declared 办事系统 too (附件1, declared_hosts.h).
  if (r.callback_url) http::require_callback_url(*r.callback_url, ctx_->settings.callbacks, app.declared_systems);
  if (r.return_url) {
    // The hosted page sends the browser there: never an open redirect (redirect_target.h).
    if (const auto refusal = redirect::check_return_url(app.redirect_uris, *r.return_url))
      throw http::ApiError(400, "invalid_return_url", "return_url refused (" + refusal->reason + "): " + refusal->message);
    if (const auto refusal = redirect::check_declared(app.declared_systems, *r.return_url))
      throw http::ApiError(400, "return_url_not_declared", "return_url refused (" + refusal->reason + "): " + refusal->message);
  }
  if (document.empty()) throw http::ApiError::bad_request("the document is empty");
  bind_to_login(app, r);
  require_seal_types_held(r);
  check_chosen_seals(r);

  if (r.document_kind == "ofd") {
    check_ofd_for_task(r, document);
  } else if (r.document_kind == "pdf") {
    pdf::DocumentInfo info;
    try {
      info = pdf::inspect(document);
    } catch (const pdf::PdfError& e) {
      throw http::ApiError(422, e.code(), e.what());
    }
    r.pages = static_cast<int>(info.pages.size());
    // A PDF that already carries signatures (e.g. the first party's, signed
    // elsewhere) must not have been changed after them: signing over an edit
    // would seal what the earlier signer never saw.
    if (info.signature_fields > 0) {
      const auto found = pdf::find_signatures(document);
      if (!found.empty()) {
        const auto changes = pdf::unsigned_revisions_after(document, found, found.front().signed_length);
        if (!changes.empty())
          throw http::ApiError(422, "document_modified",
                               "the PDF was changed after its signature " + found.front().field_name +
                                   " by an unsigned revision ending at byte " + std::to_string(changes.front()));
      }
    }
    if (r.placement) check_placement(*r.placement, info.pages, "placement");
    for (const auto& [type, p] : r.placements) check_placement(p, info.pages, "placements." + type);
    for (std::size_t i = 0; i < r.parties.size(); ++i)
      if (r.parties[i].placement) check_placement(*r.parties[i].placement, info.pages, "parties[" + std::to_string(i) + "].placement");
  } else if (r.placement || !r.placements.empty() ||
             std::any_of(r.parties.begin(), r.parties.end(), [](const Party& p) { return p.placement.has_value(); })) {
    throw http::ApiError::bad_request("placements apply to PDF and OFD documents only");
  }
  r.document_sm3 = trust::hex_encode(trust::sm3(document));

  SignTask t;
  t.id = trust::base64url_encode(trust::random_bytes(16));
  t.client_id = app.client_id;
  t.status = "pending";
  t.ticket = protocol::new_ticket();
  t.nonce = protocol::new_nonce();
  t.qr_text = ctx_->settings.public_url + std::string(protocol::kWalletRequestPath) + t.ticket;
  t.created_at = now_seconds();
  t.expires_at = t.created_at + r.ttl;
  t.events.push_back({"pending", t.created_at});

  // Extensions see the task before it exists; they may refuse it or require more seals.
  const nlohmann::json signer = r.signer_json();
  const nlohmann::json detail = {
      {"task_id", t.id},
      {"matter", optional_json(r.matter)},
      {"document",
       {{"kind", r.document_kind}, {"name", r.document_name}, {"sm3", r.document_sm3},
        {"pages", r.document_kind != "data" ? nlohmann::json(r.pages) : nlohmann::json(nullptr)}}},
      {"seals", {{"mode", r.seal_mode}, {"types", r.seal_types}}},
      {"signer", signer}};
  const auto requirements =
      http::enforce_extensions(*ctx_, http::flow_event(flow::FlowPoint::sign_task_created, app, nullptr, detail));
  if (requirements.is_object() && requirements.contains("seal_types") && requirements["seal_types"].is_array()) {
    for (const auto& v : requirements["seal_types"]) {
      if (!v.is_string()) continue;
      const auto type = normalise_seal_type(v.get<std::string>());
      if (!type) {
        ctx_->log->warn("an extension required an unknown seal type", {{"type", v}});
        continue;
      }
      if (!contains(r.required_types, *type)) r.required_types.push_back(*type);
    }
  }
  check_chosen_seal_types(r);
  t.request = std::move(r);
  SignRepository(*ctx_).insert(t, document);
  sign_engine(ctx_).count_created();
  return *SignRepository(*ctx_).find(t.id);
}

std::optional<SignTask> SignService::find(const std::string& id) const { return sign_engine(ctx_).find(id); }

std::optional<SignTask> SignService::find_for(const std::string& client_id, const std::string& id) const {
  return sign_engine(ctx_).find_for(client_id, id);
}

std::optional<SignTask> SignService::find_by_ticket(const std::string& ticket) const {
  auto t = SignRepository(*ctx_).find_by_ticket(ticket);
  if (!t) return t;
  return find(t->id);
}

std::optional<SignTask> SignService::wait_for_change(const std::string& id, const std::string& last,
                                                     std::chrono::steady_clock::time_point deadline) const {
  return sign_engine(ctx_).wait_for_change(id, last, deadline);
}

SignTask SignService::cancel(const SignTask& task) { return sign_engine(ctx_).cancel(task); }

SignTask SignService::mark_scanned(const SignTask& task) { return sign_engine(ctx_).mark_scanned(task); }

std::string SignService::answer_url(const SignTask& t) const {
  return ctx_->settings.public_url + std::string(protocol::kWalletRequestPath) + t.ticket + "/answer";
}

namespace {

// Each party, what it is due and whether it is done / may sign now (null for one-party tasks).
nlohmann::json parties_json(const SignTask& t) {
  if (t.request.parties.empty()) return nullptr;
  nlohmann::json list = nlohmann::json::array();
  for (std::size_t i = 0; i < t.request.parties.size(); ++i) {
    const Party& p = t.request.parties[i];
    nlohmann::json signed_types = nlohmann::json::array();
    for (const auto& s : t.signatures)
      if (s.uscc == p.uscc) signed_types.push_back(s.seal_type);
    const bool done = t.party_done(i);
    list.push_back({{"uscc", p.uscc},
                    {"name", optional_json(p.name)},
                    {"signature", p.signature},
                    {"seals", p.signature == "license"
                                  ? nlohmann::json(nullptr)
                                  : nlohmann::json{{"mode", p.seal_mode}, {"types", p.seal_types}, {"es_ids", p.chosen_seals}}},
                    {"license_serial", optional_json(p.signer_serial)},
                    {"status", done ? "signed" : (t.final() || !t.party_may_sign(i) ? "waiting" : "due")},
                    {"due", done || t.final() ? nlohmann::json::array() : nlohmann::json(t.party_due(i))},
                    {"signed", signed_types}});
  }
  return list;
}

}  // namespace

nlohmann::json SignService::wallet_request(const SignTask& t) const {
  store::ApplicationRepository apps(*ctx_->db);
  const auto app = apps.find(t.client_id);
  nlohmann::json due = nlohmann::json::array();
  for (const auto& type : t.types_due()) due.push_back({{"type", type}, {"label", seal_type_label(type)}});
  const nlohmann::json signer = t.request.signer_json();
  return {{"protocol", std::string(protocol::kWalletProtocol)},
          {"type", "sign"},
          {"ticket", t.ticket},
          {"nonce", t.nonce},
          {"relying_party",
           {{"client_id", t.client_id}, {"name", app ? app->name : ""}, {"department", app ? app->department : ""}}},
          {"document",
           {{"kind", t.request.document_kind},
            {"name", t.request.document_name},
            {"pages", t.request.document_kind != "data" ? nlohmann::json(t.request.pages) : nlohmann::json(nullptr)},
            {"sm3", t.request.document_sm3}}},
          {"seals",
           {{"mode", t.request.seal_mode}, {"accepted", due}, {"signed", t.signed_types()}, {"es_ids", t.request.chosen_seals}}},
          {"signature", t.request.parties.empty() ? nlohmann::json(t.request.signature) : nlohmann::json(nullptr)},
          {"parties", parties_json(t)},
          {"order", t.request.parties.empty() ? nlohmann::json(nullptr) : nlohmann::json(t.request.party_order)},
          {"signer", signer},
          {"matter", optional_json(t.request.matter)},
          {"status", t.status},
          {"issued_at", protocol::rfc3339(t.created_at)},
          {"expires_at", protocol::rfc3339(t.expires_at)},
          {"answer_url", answer_url(t)}};
}

nlohmann::json SignService::to_json(const SignTask& t) const {
  const std::string api = ctx_->settings.public_url + "/api/v1/sign-tasks/" + t.id;
  nlohmann::json events = nlohmann::json::array();
  for (const auto& e : t.events) events.push_back({{"status", e.status}, {"at", protocol::rfc3339(e.at)}});
  nlohmann::json signatures = nlohmann::json::array();
  for (const auto& s : t.signatures) {
    auto j = s.to_json();
    j.erase("ses_signature");
    j["seal_type_label"] = seal_type_label(s.seal_type);
    const bool license = s.seal_type == kLicenseSignature;
    j["kind"] = license ? "license" : "seal";
    if (license) j["es_id"] = j["seal_name"] = nullptr;
    signatures.push_back(j);
  }
  const nlohmann::json signer = t.request.signer_json();
  return {{"id", t.id},
          {"status", t.status},
          {"qr_text", t.qr_text},
          {"qr_png_url", api + "/qr.png"},
          {"qr_svg_url", api + "/qr.svg"},
          {"document_url", api + "/document"},
          {"document",
           {{"kind", t.request.document_kind},
            {"name", t.request.document_name},
            {"pages", t.request.document_kind != "data" ? nlohmann::json(t.request.pages) : nlohmann::json(nullptr)},
            {"sm3", t.request.document_sm3}}},
          {"seals",
           {{"mode", t.request.seal_mode},
            {"types", t.request.seal_types},
            {"required_types", t.request.required_types},
            {"due", t.final() ? nlohmann::json::array() : nlohmann::json(t.types_due())},
            {"signed", t.signed_types()},
            {"es_ids", t.request.chosen_seals}}},
          {"signature", t.request.parties.empty() ? nlohmann::json(t.request.signature) : nlohmann::json(nullptr)},
          {"parties", parties_json(t)},
          {"order", t.request.parties.empty() ? nlohmann::json(nullptr) : nlohmann::json(t.request.party_order)},
          {"signer", signer},
          {"matter", optional_json(t.request.matter)},
          {"correlation_id", optional_json(t.request.correlation_id)},
          {"page_url", ctx_->settings.public_url + "/sign/" + t.id},
          {"return_url", optional_json(t.request.return_url)},
          {"signatures", signatures},
          {"created_at", protocol::rfc3339(t.created_at)},
          {"expires_at", protocol::rfc3339(t.expires_at)},
          {"events", events}};
}

SignService::Download SignService::document(const SignTask& t, std::optional<std::size_t> index) const {
  if (t.signatures.empty()) throw http::ApiError(409, "not_signed", "the task has no signature yet (" + t.status + ")");
  Download d;
  if (t.request.document_kind != "data" && !index) {
    const std::string extension = "." + t.request.document_kind;  // .pdf | .ofd
    d.content_type = t.request.document_kind == "ofd" ? kOfdContentType : "application/pdf";
    d.file_name = t.request.document_name;
    if (d.file_name.size() < 4 || d.file_name.substr(d.file_name.size() - 4) != extension) d.file_name += extension;
    d.bytes = SignRepository(*ctx_).current_document(t.id).value_or(Bytes{});
    return d;
  }
  const std::size_t i = index.value_or(t.signatures.size() - 1);
  if (i >= t.signatures.size()) throw http::ApiError::not_found("no signature " + std::to_string(i) + " on this task");
  // A license signature is a detached CMS SignedData: RFC 5751 §3.2.1 names
  // it application/pkcs7-signature with the extension .p7s, which CMS tools
  // open. A seal signature (GB/T 38540 SES_Signature) has no registered type.
  const bool license = t.signatures[i].seal_type == kLicenseSignature;
  d.content_type = license ? "application/pkcs7-signature" : "application/octet-stream";
  d.file_name = t.request.document_name + "." + std::to_string(i + 1) + (license ? ".p7s" : ".ses");
  d.bytes = trust::base64_decode(t.signatures[i].ses_signature);
  return d;
}

http::Counter& SignService::changes_metric(http::HostContext& ctx) {
  return flow::FlowAnnouncer::changes_metric(ctx, sign_flow());
}

http::Histogram& SignService::duration_metric(http::HostContext& ctx) {
  return flow::FlowAnnouncer::duration_metric(ctx, sign_flow());
}

void SignService::announce(const SignTask& t, const std::optional<std::string>& held) const {
  sign_engine(ctx_).announce(t, held);
}

std::string SignService::callback_body(const SignTask& t) const {
  return nlohmann::json{{"event", "sign_task.status"}, {"task", to_json(t)}}.dump();
}

}  // namespace zhaoyin::signing
