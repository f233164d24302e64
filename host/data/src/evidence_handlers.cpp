// The data interface's download (the license copy, 核验件) and verify
// (genuine and current?) — both through the presentation feature's archive,
// PDF and verifiers (zhaoyin/presentation/license_copies.h).
#include <zhaoyin/http/api_error.h>
#include <zhaoyin/presentation/license_copies.h>
#include <zhaoyin/trust/bytes.h>
#include <zhaoyin/trust/error.h>
#include <zhaoyin/trust/uscc.h>
#include "data_gate.h"
#include "data_handlers.h"

namespace zhaoyin::data {

using nlohmann::json;

void LicenseCopyPdf::handle(http::Exchange& ex) {
  const DataCall call = admit_data_call(ex, *ctx_);
  const std::string uscc = ex.param("uscc");
  if (!trust::uscc_valid(uscc))
    throw http::ApiError(400, "invalid_uscc", "not a unified social credit code (GB 32100, with its check character)");
  require_in_scope(call.client.application, uscc);
  const auto copy = presentation::issue_authority_copy(*ctx_, call.client.application, uscc, call.case_ref,
                                                       std::chrono::system_clock::now());
  audit_data_call(ex, *ctx_, call, "data.copy", uscc, {{"archive_id", copy.archive_id}});
  ex.response().set("Cache-Control", "no-store");
  ex.response().set("Content-Disposition", "attachment; filename=\"" + uscc + "-" + copy.archive_id + ".pdf\"");
  ex.response().set("Zhaoyin-Archive-Id", copy.archive_id);
  ex.send_text(200, "application/pdf", copy.pdf);
}

void VerifyLicenseEvidence::handle(http::Exchange& ex) {
  const DataCall call = admit_data_call(ex, *ctx_);
  const json body = ex.json_body();
  if (!body.is_object()) throw http::ApiError::bad_request("the body must be a JSON object");
  static const char* const kinds[] = {"archive_pdf", "presentation_code", "license_certificate"};
  std::string kind;
  for (const char* k : kinds) {
    if (!body.contains(k)) continue;
    if (!kind.empty())
      throw http::ApiError::bad_request("give exactly one of archive_pdf, presentation_code, license_certificate");
    if (!body.at(k).is_string() || body.at(k).get<std::string>().empty())
      throw http::ApiError::bad_request(std::string(k) + " must be a non-empty string");
    kind = k;
  }
  if (kind.empty())
    throw http::ApiError::bad_request("give one of archive_pdf (base64), presentation_code, license_certificate");
  const std::string value = body.at(kind).get<std::string>();
  const auto now = std::chrono::system_clock::now();
  json verdict;
  if (kind == "archive_pdf") {
    trust::Bytes pdf;
    try {
      pdf = trust::base64_decode(value);
    } catch (const trust::TrustError&) {
      throw http::ApiError::bad_request("archive_pdf is the PDF's bytes in base64");
    }
    verdict = presentation::verify_archived_pdf(*ctx_, std::string(pdf.begin(), pdf.end()));
  } else if (kind == "presentation_code") {
    verdict = presentation::verify_presentation_code_now(*ctx_, value, now);
  } else {
    verdict = presentation::verify_license_certificate(*ctx_, value, now);
  }
  // A 本省 application learns nothing about another province's licenses.
  if (verdict.contains("uscc") && verdict["uscc"].is_string())
    require_in_scope(call.client.application, verdict["uscc"].get<std::string>());
  audit_data_call(ex, *ctx_, call, "data.verify", verdict.value("uscc", std::string("-")),
                  {{"kind", kind}, {"genuine", verdict["genuine"]}, {"current", verdict["current"]},
                   {"reason", verdict["reason"]}});
  ex.response().set("Cache-Control", "no-store");
  ex.send_json(200, verdict);
}

}  // namespace zhaoyin::data
