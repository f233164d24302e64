// License signatures (电子签名 with the business license, no seal): the
// wallet's prepare and sign steps when the task — or the holder's party —
// asks for `signature: "license"` (docs/api/signing.md, docs/protocol/signing.md).
//
// What is signed is a detached CMS SignedData (trust/license_signature.h):
// the host builds the signed attributes (contentType, signingTime,
// messageDigest = SM3 of the PDF's /ByteRange bytes or of the data), the
// wallet signs their DER with the holder's SM2 license key exactly as it signs
// a TBS_Sign, and the host assembles, verifies, time-stamps and stores it —
// in the PDF as an /adbe.pkcs7.detached signature (ISO 32000-1 §12.8.3.3), in
// an OFD as a Type="Sign" signature over its Signature.xml (GB/T 33190-2016
// §18, GM/T 0099-2020 §7.2.2 b), or as the detached signature of the data. Why CMS rather than an SES_Signature
// without a seal: GB/T 38540 has no seal-less signature (its eseal is
// mandatory), while CMS with SM2/SM3 is GB/T 35275's signed message, PDF
// readers know the container, and `openssl cms` / `openssl pkeyutl` check it.
#include <zhaoyin/http/api_error.h>
#include <zhaoyin/http/extension_gate.h>
#include <zhaoyin/protocol/canonical_json.h>
#include <zhaoyin/protocol/wallet_messages.h>
#include <zhaoyin/trust/bytes.h>
#include <zhaoyin/trust/chain.h>
#include <zhaoyin/trust/error.h>
#include <zhaoyin/trust/license_signature.h>
#include <zhaoyin/trust/sm3.h>

#include "long_term.h"
#include "ofd_task.h"
#include "pdf_evidence.h"
#include "prepared_pdf.h"
#include "sign_flow.h"
#include "sign_repository.h"
#include "sign_service.h"

namespace zhaoyin::signing {

namespace {

constexpr std::size_t kTimestampReserve = 8192;

TimePoint now_seconds() { return std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now()); }

[[noreturn]] void refuse_closed(const SignTask& t) {
  if (t.status == "expired") throw http::ApiError(410, "task_expired", "the sign task has expired");
  throw http::ApiError(409, "already_answered", "the sign task was already answered (" + t.status + ")");
}

std::string byte_range_text(const std::array<std::size_t, 4>& br) {
  return std::to_string(br[0]) + "," + std::to_string(br[1]) + "," + std::to_string(br[2]) + "," + std::to_string(br[3]);
}

}  // namespace

nlohmann::json SignService::prepare_license(const SignTask& task, const trust::Certificate& holder,
                                            const verification::VerifiedSubject& subject, TimePoint at) {
  SignRepository repo(*ctx_);
  Preparation prep;
  prep.id = trust::base64url_encode(trust::random_bytes(12));
  prep.seal_type = kLicenseSignature;
  prep.holder_serial = holder.serial_hex();
  prep.signing_time = protocol::rfc3339(at);
  prep.expires_at = protocol::rfc3339(task.expires_at);

  Bytes digest;
  std::optional<Bytes> prepared_pdf;
  if (task.request.document_kind == "pdf") {
    const Bytes current = repo.current_document(task.id).value_or(repo.original(task.id));
    // Room for the CMS: the signed attributes (~100 bytes), the certificate,
    // the SignerInfo's fixed parts, and a time-stamp token when stamping is on.
    const std::size_t capacity =
        holder.der().size() + 600 + (ctx_->settings.timestamp.url.empty() ? 0 : kTimestampReserve);
    try {
      const auto info = pdf::inspect(current);
      pdf::SignatureMeta meta;
      meta.signer_name = subject.holder_name;
      meta.reason = subject.face_info.name + " · 电子营业执照签名";
      meta.field_name = "ZhaoyinLicenseSignature" + std::to_string(info.signature_fields + 1);
      meta.filter = "/Adobe.PPKLite";
      meta.sub_filter = "/adbe.pkcs7.detached";
      // No impression: an invisible signature field (empty picture).
      auto prepared = pdf::prepare_signature(current, task.placement_for(kLicenseSignature, info.pages, subject.face_info.uscc),
                                             Bytes{}, meta, capacity);
      digest = prepared.digest;
      prep.property_info = "zhaoyin:pdf;task=" + task.id + ";byterange=" + byte_range_text(prepared.byte_range);
      prep.byte_range = prepared.byte_range;
      prep.contents_offset = prepared.contents_offset;
      prep.contents_capacity = prepared.contents_capacity;
      prep.field_name = prepared.field_name;
      prepared_pdf = std::move(prepared.pdf);
    } catch (const pdf::PdfError& e) {
      throw http::ApiError(422, e.code(), e.what());
    }
  } else if (task.request.document_kind == "ofd") {
    // GB/T 33190-2016 §18: a Type="Sign" signature whose SignedValue.dat is
    // the CMS, messageDigest the SM3 of its Signature.xml (ofd_task.h).
    auto prepared = prepare_ofd_signature(task, repo.current_document(task.id).value_or(repo.original(task.id)),
                                          kLicenseSignature, subject.face_info.uscc, subject.holder_name, prep.signing_time);
    digest = prepared.data_hash;
    prep.property_info = prepared.property_info;
    prep.field_name = prepared.signature_path;
    prepared_pdf = std::move(prepared.package);
  } else {
    digest = trust::hex_decode(task.request.document_sm3);
    prep.property_info = trust::data_property_info(task.id, repo.original(task.id).size());
  }
  const Bytes attributes = trust::build_license_signed_attributes(digest, at);
  prep.tbs_sign = trust::base64_encode(attributes);
  prep.data_hash = trust::hex_encode(digest);

  if (!ctx_->identity)
    throw http::ApiError(503, "wallet_unavailable", "this host has no signing identity; wallet requests are unavailable");
  if (!repo.save_preparation(task.id, task.version, prep, prepared_pdf, at)) refuse_closed(*find(task.id));
  // Signed by the host like a seal preparation; "signature": "license" and
  // no seal. `tbs_sign` is the DER of the CMS signed attributes.
  const nlohmann::json prepared = {{"protocol", std::string(protocol::kWalletProtocol)},
                                   {"type", "sign"},
                                   {"step", "prepared"},
                                   {"ticket", task.ticket},
                                   {"nonce", task.nonce},
                                   {"answer_url", answer_url(task)},
                                   {"preparation", prep.id},
                                   {"document_sm3", task.request.document_sm3},
                                   {"signature", kLicenseSignature},
                                   {"format", "CMS SignedData (RFC 5652, SM2/SM3), detached"},
                                   {"seal", nullptr},
                                   {"signing_time", prep.signing_time},
                                   {"data_hash", prep.data_hash},
                                   {"property_info", prep.property_info},
                                   {"tbs_sign", prep.tbs_sign},
                                   {"tbs_sm3", trust::hex_encode(trust::sm3(attributes))},
                                   {"expires_at", prep.expires_at}};
  return ctx_->identity->sign("prepared", prepared);
}

nlohmann::json SignService::sign_license(const SignTask& task, const store::Application& app, const trust::Certificate& holder,
                                         const verification::VerifiedSubject& subject, const Bytes& signed_attributes,
                                         const Bytes& signature, TimePoint at) {
  const auto& prep = *task.preparation;
  // The CMS as it will be stored, verified like any relying party would.
  Bytes cms;
  trust::ParsedLicenseSignature parsed;
  try {
    cms = trust::assemble_license_signature(signed_attributes, holder, signature);
    parsed = trust::parse_license_signature(cms);
  } catch (const trust::TrustError&) {
    throw http::ApiError(422, "bad_signature", "the license signature is not a DER SM2 signature");
  }
  const auto check =
      trust::verify_license_signature(parsed, ctx_->authority->trust_store(), trust::hex_decode(prep.data_hash), at);
  if (!check.ok) {
    const std::string code = check.code == "data_hash_mismatch" ? "bad_signature" : check.code;
    throw http::ApiError(422, code, "the license signature does not verify: " + check.message);
  }

  http::enforce_extensions(*ctx_, http::flow_event(flow::FlowPoint::signature_made, app, subject.to_json(),
                                                   {{"task_id", task.id},
                                                    {"matter", task.request.matter ? nlohmann::json(*task.request.matter) : nlohmann::json()},
                                                    // No seal: extensions written for seals still find a type.
                                                    {"seal", {{"esid", ""}, {"type", kLicenseSignature}, {"name", "电子营业执照签名"}}},
                                                    {"signature", kLicenseSignature},
                                                    {"document_sm3", task.request.document_sm3}}));

  // Long-term validation as for seals: the holder's path and CRLs now, and an
  // RFC 3161 time-stamp over the signature value (RFC 3161 Appendix A).
  const SignatureEvidence evidence = collect_evidence(ctx_->authority->trust_store(), {&parsed.signer_cert}, at);
  const auto& timestamping = ctx_->settings.timestamp;
  std::optional<Bytes> token;
  if (!timestamping.url.empty()) {
    try {
      token = obtain_timestamp(timestamping, parsed.signature, now_seconds());
      cms = trust::license_signature_with_timestamp(cms, *token);
    } catch (const http::ApiError& e) {
      ctx_->log->warn("time-stamp failed", {{"task", task.id}, {"code", e.code()}, {"reason", e.what()}});
      if (timestamping.required) throw;
    }
  }

  SignRepository repo(*ctx_);
  Bytes result = cms;
  if (task.request.document_kind == "pdf") {
    // The evidence goes into the file as well (pdf_evidence.h): one more
    // update after the signature, which the signature does not cover.
    result = with_validation_data(complete_prepared_pdf(repo, task, prep, cms), prep.field_name, evidence, token);
  } else if (task.request.document_kind == "ofd") {
    result = complete_ofd_signature(repo.prepared_document(task.id).value_or(Bytes{}), prep.field_name, cms);
  }

  SignTask next = task;
  SignatureMade made;
  made.seal_type = kLicenseSignature;
  made.uscc = subject.face_info.uscc;
  made.holder_serial = subject.license_serial;
  made.holder_name = subject.holder_name;
  made.field_name = prep.field_name;
  made.signed_at = protocol::rfc3339(at);
  made.data_hash = prep.data_hash;
  made.ses_signature = trust::base64_encode(cms);
  next.signatures.push_back(made);
  const std::string status = task.complete_after(kLicenseSignature, made.uscc) ? "signed" : "partially_signed";
  bool party_completed = false;
  if (const auto index = task.party_of(made.uscc)) party_completed = next.party_done(*index);
  SealUsage usage{"", kLicenseSignature, made.uscc, made.holder_serial, made.holder_name,
                  task.client_id, task.id, task.request.document_name, task.request.document_sm3, at};
  const SignatureEvidenceRecord evidence_record{parsed.signature, &evidence};
  if (!repo.record_signature(next, status, result, usage, at, &evidence_record, party_completed)) refuse_closed(*find(task.id));
  const auto stored = *repo.find(task.id);
  if (stored.status != task.status || party_completed) announce(stored, repo.held_callback());
  else ctx_->events->publish(sign_flow().topic(task.id));
  return {{"step", "sign"},
          {"status", stored.status},
          {"ticket", task.ticket},
          {"signature",
           {{"kind", kLicenseSignature}, {"es_id", nullptr}, {"seal_type", kLicenseSignature}, {"seal_name", nullptr},
            {"field_name", made.field_name}, {"signed_at", made.signed_at}}},
          {"document_sm3", trust::hex_encode(trust::sm3(result))},
          {"seals_due", stored.final() ? nlohmann::json::array() : nlohmann::json(stored.types_due())}};
}

}  // namespace zhaoyin::signing
