// The wallet's answer to a sign request (docs/protocol/signing.md), in two
// steps because the wallet signs the TBS_Sign the host builds, never the
// document:
//   prepare  the holder names a seal (esID); the host checks the holder, the
//            seal and the task, reserves the signature in the document, and
//            returns the DER TBS_Sign (seal, time, data hash, property info);
//   sign     the holder returns its SM2 signature over that TBS_Sign; the host
//            assembles and verifies the SES_Signature, checks the holder and
//            the seal again, runs the signature_made extensions and writes the
//            signature (into the PDF's reserved /Contents, or as a detached
//            signature for business data);
//   reject   the holder declines.
// Every step is itself signed by the holder's license key like a login answer.
#include <algorithm>
#include <zhaoyin/http/api_error.h>
#include <zhaoyin/http/extension_gate.h>
#include <zhaoyin/protocol/canonical_json.h>
#include <zhaoyin/protocol/wallet_messages.h>
#include <zhaoyin/store/application_repository.h>
#include <zhaoyin/trust/bytes.h>
#include <zhaoyin/trust/chain.h>
#include <zhaoyin/trust/error.h>
#include <zhaoyin/trust/license_signature.h>
#include <zhaoyin/trust/seal.h>
#include <zhaoyin/trust/seal_signature.h>
#include <zhaoyin/trust/sm3.h>
#include <zhaoyin/verification/relying_party.h>
#include <zhaoyin/verification/subject_verifier.h>

#include <zhaoyin/trust/timestamp.h>

#include "long_term.h"
#include "pdf_evidence.h"
#include "prepared_pdf.h"
#include "ofd_task.h"
#include "sign_flow.h"
#include "sign_repository.h"
#include "sign_service.h"

namespace zhaoyin::signing {

namespace {

constexpr std::size_t kTimestampReserve = 8192;

TimePoint now_seconds() { return std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now()); }

http::ApiError mismatch(const std::string& what) {
  return http::ApiError(422, "answer_mismatch", "the answer's " + what + " does not match the sign request");
}

const std::string& string_field(const nlohmann::json& obj, const char* name, const char* where) {
  const auto it = obj.find(name);
  if (it == obj.end() || !it->is_string())
    throw http::ApiError::bad_request(std::string(where) + "." + name + " must be a string");
  return it->get_ref<const std::string&>();
}

[[noreturn]] void refuse_closed(const SignTask& t) {
  if (t.status == "expired") throw http::ApiError(410, "task_expired", "the sign task has expired");
  throw http::ApiError(409, "already_answered", "the sign task was already answered (" + t.status + ")");
}

bool contains(const std::vector<std::string>& list, const std::string& v) {
  return std::find(list.begin(), list.end(), v) != list.end();
}

// The holder's checked step: the answer bound to this task and signed by the presented license certificate.
struct CheckedStep {
  std::string step;
  nlohmann::json answer;
  trust::Certificate certificate;
  nlohmann::json grant;
};

// The members of each step's answer (docs/protocol/signing.md): the common
// binding, plus what the step adds.
void require_step_members(const nlohmann::json& a, const std::string& step) {
  if (step == "prepare")
    protocol::require_exact_members(a, {"protocol", "type", "step", "ticket", "nonce", "client_id", "matter", "answer_url",
                                        "license_serial", "answered_at", "es_id"}, "answer");
  else if (step == "sign")
    protocol::require_exact_members(a, {"protocol", "type", "step", "ticket", "nonce", "client_id", "matter", "answer_url",
                                        "license_serial", "answered_at", "preparation", "tbs_sm3", "seal_signature"},
                                    "answer");
  else
    protocol::require_exact_members(a, {"protocol", "type", "step", "ticket", "nonce", "client_id", "matter", "answer_url",
                                        "license_serial", "answered_at"}, "answer");
}

CheckedStep check_step(const SignTask& task, const std::string& answer_url, const nlohmann::json& body) {
  // Shape (400).
  const protocol::AnswerEnvelope envelope = protocol::parse_answer_envelope(body);
  CheckedStep c;
  c.answer = envelope.answer;
  c.grant = envelope.grant;
  const auto& a = c.answer;
  c.step = string_field(a, "step", "answer");
  if (c.step != "prepare" && c.step != "sign" && c.step != "reject")
    throw http::ApiError::bad_request("answer.step must be \"prepare\", \"sign\" or \"reject\"");
  require_step_members(a, c.step);
  const std::string& license_serial = string_field(a, "license_serial", "answer");
  const auto answered_at = protocol::answered_at_of(a);
  if (!a["matter"].is_null() && !a["matter"].is_string()) throw http::ApiError::bad_request("answer.matter must be a string or null");
  try {
    c.certificate = trust::Certificate::from_pem(envelope.certificate_pem);
  } catch (const trust::TrustError&) {
    throw http::ApiError::bad_request("certificate is not a PEM certificate");
  }

  // Binding (422 answer_mismatch), including the answer URL: an answer relayed
  // from another host's request names that host (docs/PROTOCOL.md §2.3).
  if (string_field(a, "protocol", "answer") != protocol::kWalletProtocol) throw mismatch("protocol");
  if (string_field(a, "type", "answer") != "sign") throw mismatch("type");
  if (string_field(a, "ticket", "answer") != task.ticket) throw mismatch("ticket");
  if (string_field(a, "nonce", "answer") != task.nonce) throw mismatch("nonce");
  if (string_field(a, "client_id", "answer") != task.client_id) throw mismatch("client_id");
  const nlohmann::json issued_matter = task.request.matter ? nlohmann::json(*task.request.matter) : nlohmann::json(nullptr);
  if (a["matter"] != issued_matter) throw mismatch("matter");
  if (string_field(a, "answer_url", "answer") != answer_url) throw mismatch("answer_url");
  if (c.certificate.serial_hex() != license_serial) throw mismatch("license_serial");

  // Freshness (422 clock_skew).
  if (!protocol::within_clock_window(answered_at, std::chrono::system_clock::now()))
    throw http::ApiError(422, "clock_skew", "answer.answered_at is more than 5 minutes from the host's clock");

  if (!protocol::verify_message(a, envelope.signature, c.certificate.public_key()))
    throw http::ApiError(422, "bad_signature", "the answer's signature does not verify with the presented certificate");
  return c;
}

}  // namespace

// ---- the pieces both steps run ----

namespace {

struct ResolvedSeal {
  authority::SealRecord record;
  trust::ParsedSeal parsed;
};

// A task bound to one holder (signer.license_serial, or the holder of
// signer.login_session) is signed or refused by that holder alone.
void require_bound_holder(const SignTask& task, const trust::Certificate& holder_cert) {
  if (!task.request.signer_serial) return;
  const std::string serial = holder_cert.serial_hex();  // upper-case hex, like signer_serial
  if (serial != *task.request.signer_serial)
    throw http::ApiError(403, "wrong_holder",
                         "this task is bound to the holder of license certificate " + *task.request.signer_serial +
                             (task.request.signer_login ? " (login session " + *task.request.signer_login + ")" : "") +
                             ", not " + serial);
}

// Multi-party documents (docs/api/signing.md "Parties"): the holder's
// enterprise must be a party, its own holder if one is named, not done yet,
// and — in a sequential task — next in line.
void require_party_turn(const SignTask& task, const std::string& uscc, const trust::Certificate& holder_cert) {
  if (task.request.parties.empty()) return;
  const auto index = task.party_of(uscc);
  if (!index)
    throw http::ApiError(403, "party_not_listed", "enterprise " + uscc + " is not a party to this document");
  const Party& party = task.request.parties[*index];
  if (party.signer_serial && *party.signer_serial != holder_cert.serial_hex())
    throw http::ApiError(403, "wrong_holder", "party " + std::to_string(*index + 1) + " is bound to the holder of license certificate " +
                                                  *party.signer_serial + ", not " + holder_cert.serial_hex());
  if (task.party_done(*index))
    throw http::ApiError(409, "party_already_signed", "enterprise " + uscc + " (party " + std::to_string(*index + 1) +
                                                          ") has already applied everything it was asked for");
  if (!task.party_may_sign(*index)) {
    std::string waiting;
    for (std::size_t i = 0; i < *index; ++i)
      if (!task.party_done(i)) waiting += (waiting.empty() ? "" : ", ") + task.request.parties[i].uscc;
    throw http::ApiError(409, "party_out_of_order", "the parties sign in order: party " + std::to_string(*index + 1) +
                                                        " (" + uscc + ") signs after " + waiting);
  }
}

// Before a further signature on a PDF: every earlier signature still covers
// exactly what it signed and nothing unsigned was added since — an edit
// between two parties' signatures is refused, not sealed over.
void require_document_intact(const SignTask& task, const Bytes& current) {
  if (task.signatures.empty() || task.request.document_kind != "pdf") return;
  std::vector<pdf::EmbeddedSignature> found;
  try {
    found = pdf::find_signatures(current);
  } catch (const pdf::PdfError& e) {
    throw http::ApiError(409, "document_modified", std::string("the signed document no longer parses: ") + e.what());
  }
  // The task's signatures are the last ones (the PDF may have come with earlier ones).
  if (found.size() < task.signatures.size())
    throw http::ApiError(409, "document_modified", "the document holds " + std::to_string(found.size()) +
                                                       " signatures, the task recorded " + std::to_string(task.signatures.size()));
  const std::size_t first_of_task = found.size() - task.signatures.size();
  for (std::size_t i = 0; i < task.signatures.size(); ++i)
    if (trust::hex_encode(found[first_of_task + i].digest) != task.signatures[i].data_hash)
      throw http::ApiError(409, "document_modified",
                           "signature " + found[first_of_task + i].field_name + " no longer covers the bytes it signed");
  const auto changes = pdf::unsigned_revisions_after(current, found, found.front().signed_length);
  if (!changes.empty())
    throw http::ApiError(409, "document_modified", "the document was changed after signature " + found.front().field_name +
                                                       " by an unsigned revision ending at byte " + std::to_string(changes.front()));
}

class StepContext {
 public:
  StepContext(const std::shared_ptr<http::HostContext>& ctx, const SignTask& task) : ctx_(ctx), task_(task) {
    if (!ctx_->authority)
      throw http::ApiError(503, "authority_unavailable", "no authority is configured to verify licenses and seals");
    store::ApplicationRepository apps(*ctx_->db);
    auto app = apps.find(task.client_id);
    if (!app) throw http::ApiError::not_found("the relying party of this task no longer exists");
    app_ = *app;
  }

  const store::Application& app() const { return app_; }

  verification::VerifiedSubject verify_holder(const CheckedStep& c, TimePoint at) const {
    verification::Check signature_check{"signature", true, "ok", "the holder's SM2 signature over the answer verifies"};
    verification::SubjectEvidence evidence{c.certificate, c.grant, task_.request.matter, at, {signature_check}};
    verification::VerifiedSubject subject;
    try {
      subject = verification::verify_subject(*ctx_->authority, verification::relying_party_of(app_), evidence);
    } catch (const verification::VerificationFailed& e) {
      ctx_->log->info("sign answer refused", {{"task", task_.id}, {"code", e.code()}, {"reason", e.what()}});
      throw http::ApiError(e.status(), e.code(), e.what());
    }
    require_bound_holder(task_, c.certificate);
    require_party_turn(task_, subject.face_info.uscc, c.certificate);
    if (task_.request.signer_uscc && subject.face_info.uscc != *task_.request.signer_uscc)
      throw http::ApiError(403, "signer_not_allowed",
                           "the task asks for a signer of " + *task_.request.signer_uscc + ", not " + subject.face_info.uscc);
    if (task_.request.signer_role && domain::to_string(subject.role) != *task_.request.signer_role)
      throw http::ApiError(403, "signer_not_allowed", "the task asks for a signer in the role " + *task_.request.signer_role);
    return subject;
  }

  // The seal as the authority now holds it, checked for this holder, this task and its validity at `at`.
  ResolvedSeal resolve_seal(const std::string& es_id, const verification::VerifiedSubject& subject,
                            const trust::Certificate& holder_cert, TimePoint at) const {
    // The seals the holder may use, as the authority records them (the verified
    // authorisation of a legal representative is "full" and lists no seals).
    const auto holder = ctx_->authority->find_holder(holder_cert.serial_hex());
    const std::vector<std::string> allowed = holder ? holder->authorisation.seals : std::vector<std::string>{};
    std::optional<authority::SealRecord> record;
    for (auto& s : ctx_->authority->seals_of(subject.face_info.uscc))
      if (s.es_id == es_id) record = s;
    if (!record) {
      if (contains(allowed, es_id))
        throw http::ApiError(403, "seal_revoked", "the authority no longer lists seal " + es_id + " of " + subject.face_info.uscc);
      throw http::ApiError(403, "seal_not_authorised", "seal " + es_id + " is not a seal of " + subject.face_info.uscc);
    }
    const auto due = task_.due_for(subject.face_info.uscc);
    if (!contains(due, record->type))
      throw http::ApiError(422, "seal_type_not_accepted",
                           "the task does not accept a " + record->type + " seal (" + seal_type_label(record->type) + ") now");
    if (!task_.request.chosen_seals.empty() && !contains(task_.request.chosen_seals, es_id))
      throw http::ApiError(422, "seal_not_chosen", "the relying party chose other seals for this task (seals.es_ids)");
    if (const auto party = task_.party_of(subject.face_info.uscc)) {
      const auto& chosen = task_.request.parties[*party].chosen_seals;
      if (!chosen.empty() && !contains(chosen, es_id))
        throw http::ApiError(422, "seal_not_chosen", "the relying party chose other seals for party " + std::to_string(*party + 1) +
                                                         " (parties[" + std::to_string(*party) + "].seals.es_ids)");
    }
    ResolvedSeal r{*record, {}};
    try {
      r.parsed = trust::parse_seal(record->seal_der);
    } catch (const trust::TrustError& e) {
      throw http::ApiError(422, "seal_malformed", std::string("seal " + es_id + " does not parse: ") + e.what());
    }
    if (!contains(allowed, es_id) || !trust::seal_allows_signer(r.parsed, holder_cert))
      throw http::ApiError(403, "seal_not_authorised", subject.holder_name + " is not authorised to use seal " + es_id);
    const auto check = trust::verify_seal(r.parsed, ctx_->authority->trust_store(), at);
    if (!check.ok) {
      const std::string code = check.code.rfind("seal_", 0) == 0 ? check.code : "seal_" + check.code;
      throw http::ApiError(422, code, "seal " + es_id + ": " + check.message);
    }
    return r;
  }

 private:
  std::shared_ptr<http::HostContext> ctx_;
  const SignTask& task_;
  store::Application app_;
};

// Does this signature finish the enterprise's part of a multi-party task?
bool party_completes(const SignTask& task, const std::string& uscc, const std::string& type) {
  const auto index = task.party_of(uscc);
  if (!index) return false;
  SignTask next = task;
  SignatureMade s;
  s.uscc = uscc;
  s.seal_type = type;
  next.signatures.push_back(s);
  return next.party_done(*index);
}

Bytes seal_picture(const ResolvedSeal& seal) {
  if (!seal.record.image_png.empty()) return seal.record.image_png;
  if (seal.parsed.info.picture.type == "PNG") return seal.parsed.info.picture.data;
  throw http::ApiError(422, "seal_picture_unusable", "seal " + seal.record.es_id + " has no PNG impression");
}

}  // namespace

nlohmann::json SignService::answer(const std::string& ticket, const nlohmann::json& body) {
  auto task = find_by_ticket(ticket);
  if (!task) throw http::ApiError::not_found("no sign request for this ticket");
  if (task->final()) refuse_closed(*task);
  const auto step = body.is_object() && body.contains("answer") && body["answer"].is_object() &&
                            body["answer"].contains("step") && body["answer"]["step"].is_string()
                        ? body["answer"]["step"].get<std::string>()
                        : std::string();
  if (step == "prepare") return prepare(*task, body);
  if (step == "sign") return sign(*task, body);
  if (step == "reject") return reject(*task, body);
  throw http::ApiError::bad_request("answer.step must be \"prepare\", \"sign\" or \"reject\"");
}

nlohmann::json SignService::prepare(const SignTask& task, const nlohmann::json& body) {
  const auto c = check_step(task, answer_url(task), body);
  // es_id null: a license signature (docs/protocol/signing.md); a string: the seal chosen.
  const auto& es_field = c.answer["es_id"];
  if (!es_field.is_null() && !es_field.is_string()) throw http::ApiError::bad_request("answer.es_id must be a string or null");
  const TimePoint at = now_seconds();
  StepContext step(ctx_, task);
  const auto subject = step.verify_holder(c, at);
  const auto due = task.due_for(subject.face_info.uscc);
  const bool license_due = contains(due, kLicenseSignature);
  if (es_field.is_null() && !license_due)
    throw http::ApiError(422, "signature_kind_mismatch",
                         "the task asks this holder for a seal signature, not a license signature (es_id null)");
  if (es_field.is_string() && license_due)
    throw http::ApiError(422, "signature_kind_mismatch",
                         "the task asks this holder for a license signature (es_id null), not a seal");
  SignRepository repo(*ctx_);
  if (task.request.document_kind == "pdf")
    require_document_intact(task, repo.current_document(task.id).value_or(repo.original(task.id)));
  else if (task.request.document_kind == "ofd")  // GB/T 33190 §18 (ofd_task.h)
    require_ofd_intact(task, repo.current_document(task.id).value_or(repo.original(task.id)));
  if (es_field.is_null()) return prepare_license(task, c.certificate, subject, at);
  const std::string& es_id = es_field.get_ref<const std::string&>();
  const auto seal = step.resolve_seal(es_id, subject, c.certificate, at);

  Preparation prep;
  prep.id = trust::base64url_encode(trust::random_bytes(12));
  prep.es_id = es_id;
  prep.seal_type = seal.record.type;
  prep.holder_serial = c.certificate.serial_hex();
  prep.signing_time = protocol::rfc3339(at);
  prep.expires_at = protocol::rfc3339(task.expires_at);

  trust::SignatureRequest request;
  request.seal_der = seal.record.seal_der;
  request.time = at;
  std::optional<Bytes> prepared_pdf;
  if (task.request.document_kind == "pdf") {
    // The TBS_Sign's size does not depend on the digest's value: measure it
    // with a placeholder to reserve room for the whole SES_Signature.
    request.data_hash = Bytes(32, 0);
    request.property_info = "zhaoyin:pdf;task=" + task.id + ";byterange=0000000000,0000000000,0000000000,0000000000";
    // With time-stamps on, room for the RFC 3161 token the host adds after the
    // wallet signs (GB/T 38540-2020 §7.1 timeStamp): a few kilobytes with its certificates.
    const std::size_t capacity = trust::build_tbs_sign_v4(request).size() + c.certificate.der().size() + 160 +
                                 (ctx_->settings.timestamp.url.empty() ? 0 : kTimestampReserve);
    const Bytes current = repo.current_document(task.id).value_or(repo.original(task.id));
    pdf::PreparedSignature prepared;
    try {
      const auto info = pdf::inspect(current);
      pdf::SignatureMeta meta;
      meta.signer_name = subject.holder_name;
      meta.reason = seal.record.name + " · " + seal_type_label(seal.record.type);
      meta.field_name = "ZhaoyinSeal" + std::to_string(info.signature_fields + 1);
      prepared = pdf::prepare_signature(current, task.placement_for(seal.record.type, info.pages, subject.face_info.uscc,
                                                                   pdf::occupied_areas(current)),
                                        seal_picture(seal), meta, capacity);
    } catch (const pdf::PdfError& e) {
      throw http::ApiError(422, e.code(), e.what());
    }
    request.data_hash = prepared.digest;
    const auto& br = prepared.byte_range;
    request.property_info = "zhaoyin:pdf;task=" + task.id + ";byterange=" + std::to_string(br[0]) + "," +
                            std::to_string(br[1]) + "," + std::to_string(br[2]) + "," + std::to_string(br[3]);
    prep.byte_range = prepared.byte_range;
    prep.contents_offset = prepared.contents_offset;
    prep.contents_capacity = prepared.contents_capacity;
    prep.field_name = prepared.field_name;
    prepared_pdf = std::move(prepared.pdf);
  } else if (task.request.document_kind == "ofd") {  // GB/T 33190 §18 (ofd_task.h)
    auto prepared = prepare_ofd_signature(task, repo.current_document(task.id).value_or(repo.original(task.id)),
                                          seal.record.type, subject.face_info.uscc, subject.holder_name, prep.signing_time);
    request.data_hash = prepared.data_hash;
    request.property_info = prepared.property_info;
    prep.field_name = prepared.signature_path;
    prepared_pdf = std::move(prepared.package);
  } else {
    request.data_hash = trust::hex_decode(task.request.document_sm3);
    // GB/T 38540-2020 §7.1: state the protection range — the whole data.
    request.property_info = trust::data_property_info(task.id, repo.original(task.id).size());
  }
  const Bytes tbs = trust::build_tbs_sign_v4(request);
  prep.tbs_sign = trust::base64_encode(tbs);
  prep.data_hash = trust::hex_encode(request.data_hash);
  prep.property_info = request.property_info;

  if (!ctx_->identity)
    throw http::ApiError(503, "wallet_unavailable", "this host has no signing identity; wallet requests are unavailable");
  if (!repo.save_preparation(task.id, task.version, prep, prepared_pdf, at)) refuse_closed(*find(task.id));
  // Signed by the host like the request (docs/protocol/signing.md, "prepared"):
  // the wallet checks that what it is about to seal — the TBS_Sign, its data
  // hash and protection range — comes from the host it scanned, for this
  // ticket, this document and the seal it chose.
  const nlohmann::json prepared = {
      {"protocol", std::string(protocol::kWalletProtocol)},
      {"type", "sign"},
      {"step", "prepared"},
      {"ticket", task.ticket},
      {"nonce", task.nonce},
      {"answer_url", answer_url(task)},
      {"preparation", prep.id},
      {"document_sm3", task.request.document_sm3},
      {"seal",
       {{"es_id", es_id},
        {"type", seal.record.type},
        {"type_label", seal_type_label(seal.record.type)},
        {"name", seal.record.name},
        {"sm3", trust::hex_encode(trust::sm3(seal.record.seal_der))}}},
      {"signing_time", prep.signing_time},
      {"data_hash", prep.data_hash},
      {"property_info", prep.property_info},
      {"tbs_sign", prep.tbs_sign},
      {"tbs_sm3", trust::hex_encode(trust::sm3(tbs))},
      {"expires_at", prep.expires_at}};
  return ctx_->identity->sign("prepared", prepared);
}

nlohmann::json SignService::sign(const SignTask& task, const nlohmann::json& body) {
  const auto c = check_step(task, answer_url(task), body);
  if (!task.preparation) throw http::ApiError(409, "not_prepared", "no seal was chosen for this task yet (step \"prepare\")");
  const auto& prep = *task.preparation;
  if (string_field(c.answer, "preparation", "answer") != prep.id) throw mismatch("preparation");
  if (c.certificate.serial_hex() != prep.holder_serial) throw mismatch("license_serial (another holder prepared this signature)");
  const Bytes tbs = trust::base64_decode(prep.tbs_sign);
  if (string_field(c.answer, "tbs_sm3", "answer") != trust::hex_encode(trust::sm3(tbs))) throw mismatch("tbs_sm3");
  Bytes signature;
  try {
    signature = trust::base64_decode(string_field(c.answer, "seal_signature", "answer"));
  } catch (const trust::TrustError&) {
    throw http::ApiError::bad_request("answer.seal_signature must be base64");
  }

  const TimePoint at = now_seconds();
  if (prep.seal_type == kLicenseSignature) {
    StepContext step(ctx_, task);
    const auto subject = step.verify_holder(c, at);
    return sign_license(task, step.app(), c.certificate, subject, tbs, signature, at);
  }
  StepContext step(ctx_, task);
  // The SES_Signature as it will be stored, verified like any relying party would.
  Bytes ses;
  trust::ParsedSealSignature parsed;
  try {
    ses = trust::assemble_seal_signature_v4(tbs, c.certificate, signature);
    parsed = trust::parse_seal_signature(ses);
  } catch (const trust::TrustError&) {
    throw http::ApiError(422, "bad_signature", "the seal signature is not a DER SM2 signature");
  }
  const auto check = trust::verify_seal_signature(parsed, ctx_->authority->trust_store(), trust::hex_decode(prep.data_hash));
  if (!check.ok) {
    const std::string code = check.code == "data_hash_mismatch" ? "bad_signature" : check.code;
    throw http::ApiError(422, code, "the seal signature does not verify: " + check.message);
  }
  const auto subject = step.verify_holder(c, at);
  const auto seal = step.resolve_seal(prep.es_id, subject, c.certificate, at);

  http::enforce_extensions(*ctx_, http::flow_event(flow::FlowPoint::signature_made, step.app(), subject.to_json(),
                                                   {{"task_id", task.id},
                                                    {"matter", task.request.matter ? nlohmann::json(*task.request.matter) : nlohmann::json()},
                                                    {"seal", {{"esid", prep.es_id}, {"type", seal.record.type}, {"name", seal.record.name}}},
                                                    {"document_sm3", task.request.document_sm3}}));

  // Long-term validation (long_term.h): the evidence that proves the chains
  // good now, and an RFC 3161 time-stamp over the signature value (§7.1).
  // A TSA that fails refuses the answer before anything is stored: the task
  // stays prepared and the wallet may answer again.
  const SignatureEvidence evidence = collect_evidence(ctx_->authority->trust_store(), parsed, at);
  const auto& timestamping = ctx_->settings.timestamp;
  std::optional<Bytes> token;
  if (!timestamping.url.empty()) {
    try {
      token = obtain_timestamp(timestamping, parsed.signature, now_seconds());
      ses = trust::with_timestamp(ses, *token);
    } catch (const http::ApiError& e) {
      ctx_->log->warn("time-stamp failed", {{"task", task.id}, {"code", e.code()}, {"reason", e.what()}});
      if (timestamping.required) throw;
    }
  }

  SignRepository repo(*ctx_);
  Bytes result;
  if (task.request.document_kind == "pdf") {
    // The evidence goes into the file as well (pdf_evidence.h): one more
    // update after the signature, which the signature does not cover.
    result = with_validation_data(complete_prepared_pdf(repo, task, prep, ses), prep.field_name, evidence, token);
  } else if (task.request.document_kind == "ofd") {
    result = complete_ofd_signature(repo.prepared_document(task.id).value_or(Bytes{}), prep.field_name, ses);
  } else {
    result = ses;
  }

  SignTask next = task;
  SignatureMade made;
  made.es_id = prep.es_id;
  made.seal_type = seal.record.type;
  made.seal_name = seal.record.name;
  made.uscc = subject.face_info.uscc;
  made.holder_serial = subject.license_serial;
  made.holder_name = subject.holder_name;
  made.field_name = prep.field_name;
  made.signed_at = protocol::rfc3339(at);
  made.data_hash = prep.data_hash;
  made.ses_signature = trust::base64_encode(ses);
  next.signatures.push_back(made);
  const std::string status = task.complete_after(seal.record.type, subject.face_info.uscc) ? "signed" : "partially_signed";
  const bool party_completed = party_completes(task, subject.face_info.uscc, seal.record.type);
  SealUsage usage{prep.es_id, seal.record.type, subject.face_info.uscc, subject.license_serial, subject.holder_name,
                  task.client_id, task.id, task.request.document_name, task.request.document_sm3, at};
  const SignatureEvidenceRecord evidence_record{parsed.signature, &evidence};
  if (!repo.record_signature(next, status, result, usage, at, &evidence_record, party_completed)) refuse_closed(*find(task.id));
  const auto stored = *repo.find(task.id);
  if (stored.status != task.status || party_completed) announce(stored, repo.held_callback());
  else ctx_->events->publish(sign_flow().topic(task.id));  // a further seal, same status: waiters re-read
  return {{"step", "sign"},
          {"status", stored.status},
          {"ticket", task.ticket},
          {"signature",
           {{"es_id", made.es_id}, {"seal_type", made.seal_type}, {"seal_name", made.seal_name},
            {"field_name", made.field_name}, {"signed_at", made.signed_at}}},
          {"document_sm3", trust::hex_encode(trust::sm3(result))},
          {"seals_due", stored.final() ? nlohmann::json::array() : nlohmann::json(stored.types_due())}};
}

nlohmann::json SignService::reject(const SignTask& task, const nlohmann::json& body) {
  const auto c = check_step(task, answer_url(task), body);
  if (!ctx_->authority) throw http::ApiError(503, "authority_unavailable", "no authority is configured");
  // A refusal must come from a genuine holder: a stranger must not cancel someone's task by scanning its QR code.
  const auto holder = ctx_->authority->find_holder(c.certificate.serial_hex());
  if (!holder || holder->certificate.der() != c.certificate.der())
    throw http::ApiError(422, "unknown_license", "the authority issued no license certificate " + c.certificate.serial_hex());
  require_bound_holder(task, c.certificate);  // another holder may not refuse it either
  if (!task.request.parties.empty() && !task.party_of(holder->uscc))
    throw http::ApiError(403, "party_not_listed", "enterprise " + holder->uscc + " is not a party to this document");
  if (!sign_engine(ctx_).change(task.id, "rejected", now_seconds(), flow::Deadline::BeforeExpiry))
    refuse_closed(*find(task.id));
  return {{"step", "reject"}, {"status", "rejected"}, {"ticket", task.ticket}};
}

}  // namespace zhaoyin::signing
