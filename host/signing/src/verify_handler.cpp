// POST /api/v1/signatures/verify (docs/api/signing.md, "Verification").
#include <zhaoyin/http/api_error.h>
#include <zhaoyin/http/auth.h>
#include <zhaoyin/protocol/canonical_json.h>
#include <zhaoyin/trust/bytes.h>
#include <zhaoyin/trust/error.h>

#include "api_handlers.h"
#include "ofd_task.h"
#include "verification_report.h"

namespace zhaoyin::signing {

namespace {

Bytes base64_member(const nlohmann::json& body, const char* name) {
  if (!body[name].is_string()) throw http::ApiError::bad_request(std::string(name) + " must be a base64 string");
  try {
    return trust::base64_decode(body[name].get<std::string>());
  } catch (const trust::TrustError&) {
    throw http::ApiError::bad_request(std::string(name) + " is not base64");
  }
}

}  // namespace

void VerifySignatures::handle(http::Exchange& ex) {
  ex.body();  // read (within the size limit) before any refusal, so a client still sending sees the answer
  const auto client = http::authenticate_bearer(ex, *ctx_);
  http::require_scope(client, "signature");
  if (!ctx_->authority) throw http::ApiError(503, "authority_unavailable", "no authority is configured to verify seals");
  const auto body = ex.json_body();
  if (!body.is_object()) throw http::ApiError::bad_request("the body must be a JSON object");
  for (const auto& [key, v] : body.items())
    if (key != "pdf" && key != "ofd" && key != "data" && key != "json" && key != "signature")
      throw http::ApiError::bad_request("unknown field \"" + key + "\"");
  LongTermContext long_term{tsa_trust_store(ctx_->settings.timestamp),
                            [db = ctx_->db](const Bytes& signature_value, TimePoint) { return load_evidence(*db, signature_value); }};
  nlohmann::json report;
  if (body.contains("ofd")) {  // GB/T 33190 §18 (ofd_task.h)
    if (body.contains("pdf") || body.contains("data") || body.contains("json") || body.contains("signature"))
      throw http::ApiError::bad_request("send either pdf, ofd, or data (or json) with signature");
    try {
      report = verify_ofd(*ctx_->authority, base64_member(body, "ofd"), &long_term);
    } catch (const ofd::OfdError& e) {
      throw http::ApiError(422, e.code(), e.what());
    }
    if (report["signatures"].empty()) throw http::ApiError(422, "no_signature", "the OFD holds no signature");
  } else if (body.contains("pdf")) {
    if (body.contains("data") || body.contains("json") || body.contains("signature"))
      throw http::ApiError::bad_request("send either pdf, or data (or json) with signature");
    const Bytes pdf_bytes = base64_member(body, "pdf");
    try {
      pdf::inspect(pdf_bytes);
      report = verify_pdf(*ctx_->authority, pdf_bytes, &long_term);
    } catch (const pdf::PdfError& e) {
      throw http::ApiError(422, e.code(), e.what());
    }
    if (report["signatures"].empty()) throw http::ApiError(422, "no_signature", "the PDF holds no signature");
  } else {
    if (!body.contains("signature") || (body.contains("data") == body.contains("json")))
      throw http::ApiError::bad_request("send either pdf, or data (or json) with signature");
    Bytes data;
    if (body.contains("data")) {
      data = base64_member(body, "data");
    } else {
      const auto text = protocol::canonical_json(body["json"]);
      data.assign(text.begin(), text.end());
    }
    report = verify_detached(*ctx_->authority, data, base64_member(body, "signature"), &long_term);
  }
  report["verified_at"] = protocol::rfc3339(std::chrono::system_clock::now());
  ex.response().set("Cache-Control", "no-store");
  ex.send_json(200, report);
}

}  // namespace zhaoyin::signing
