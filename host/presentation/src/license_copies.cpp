#include <zhaoyin/presentation/license_copies.h>

#include <zhaoyin/http/api_error.h>
#include <zhaoyin/protocol/canonical_json.h>
#include <zhaoyin/protocol/presentation_code.h>
#include <zhaoyin/trust/bytes.h>
#include <zhaoyin/trust/error.h>
#include <zhaoyin/trust/sm3.h>
#include "archive_repository.h"
#include "archive_view.h"

namespace zhaoyin::presentation {

using nlohmann::json;
using Clock = std::chrono::system_clock;

namespace {

std::int64_t unix_seconds(Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

const authority::AuthorityConnector& authority_of(const http::HostContext& ctx) {
  if (!ctx.authority) throw http::ApiError(503, "authority_unavailable", "no issuing authority is configured");
  return *ctx.authority;
}

json verdict(const std::string& kind) {
  return {{"kind", kind},     {"genuine", false}, {"current", false}, {"reason", nullptr},
          {"state", "unknown"}, {"status_label", "状态未知"}, {"detail", ""}};
}

json refused(json v, const std::string& reason, const std::string& detail) {
  v["reason"] = reason;
  v["detail"] = detail;
  return v;
}

// The live status of the license (certificate serial, USCC), as the public
// page shows it; `current` only when valid.
json with_live_status(const http::HostContext& ctx, json v, const std::string& serial, const std::string& uscc) {
  Archive a;
  a.license_serial = serial;
  a.uscc = uscc;
  const LiveStatus live = live_status_from(authority_of(ctx), a);
  v["state"] = live.state;
  v["status_label"] = live.label;
  v["detail"] = live.detail;
  v["current"] = v["genuine"].get<bool>() && live.state == "valid";
  if (v["genuine"].get<bool>() && live.state != "valid") v["reason"] = "license_" + live.state;
  if (const auto face = authority_of(ctx).find_license(uscc)) v["name"] = face->name;
  v["uscc"] = uscc;
  v["license_serial"] = serial;
  return v;
}

}  // namespace

void record_issued_copy(const http::HostContext& ctx, const std::string& archive_id, const std::string& client_id,
                        const std::string& pdf) {
  ArchiveRepository(*ctx.db).record_issued_copy(trust::hex_encode(trust::sm3(std::string_view(pdf))), archive_id,
                                                client_id, unix_seconds(Clock::now()));
}

IssuedCopy issue_authority_copy(const http::HostContext& ctx, const store::Application& app, const std::string& uscc,
                                const std::string& case_ref, Clock::time_point now) {
  const auto& authority = authority_of(ctx);
  const auto face = authority.find_license(uscc);
  const auto holders = authority.holders_of(uscc);
  if (!face || holders.empty())
    throw http::ApiError(404, "unknown_enterprise", "the authority has no enterprise " + uscc);
  // The license's certificate is the legal representative's (holders_of lists
  // that one first); its live status is what the copy's QR page shows.
  const auto& legal = holders.front();
  Archive a;
  a.id = random_id("arc_");
  a.client_id = app.client_id;
  a.license_serial = legal.cert_serial;
  a.uscc = uscc;
  a.subject = {{"face_info", domain::to_json(*face)},
               // No holder presented it: the copy says it was drawn through the
               // data interface, under the license certificate's role.
               {"holder", {{"name", "— 数据接口调取 case " + case_ref},
                           {"role", "legal_representative"},
                           {"role_label", "未出示 drawn through the data interface"}}},
               {"checks", json::array({{{"name", "authority_record"},
                                        {"result", "passed"},
                                        {"code", "ok"},
                                        {"detail", "read from the issuing authority through the data interface"}}})},
               {"verified_at", protocol::rfc3339(now)},
               {"source", "data_interface"},
               {"case_ref", case_ref}};
  a.chain = json::array({legal.certificate.pem()});
  a.verified_at = unix_seconds(now);
  a.public_token = random_id("");
  ArchiveRepository(*ctx.db).record_authority_copy(a);
  IssuedCopy copy;
  copy.archive_id = a.id;
  copy.verification_url = public_page_url(ctx, a.public_token);
  copy.pdf = archive_pdf(ctx, a, app.name);
  record_issued_copy(ctx, a.id, app.client_id, copy.pdf);
  return copy;
}

json verify_archived_pdf(const http::HostContext& ctx, const std::string& pdf) {
  json v = verdict("archive_pdf");
  ArchiveRepository archives(*ctx.db);
  const auto id = archives.archive_of_copy(trust::hex_encode(trust::sm3(std::string_view(pdf))));
  const auto a = id ? archives.find(*id) : std::nullopt;
  if (!a) return refused(v, "not_issued_here", "this host issued no copy with exactly these bytes");
  v["genuine"] = true;
  v["archive_id"] = a->id;
  return with_live_status(ctx, v, a->license_serial, a->uscc);
}

json verify_presentation_code_now(const http::HostContext& ctx, const std::string& code_text, Clock::time_point now) {
  json v = verdict("presentation_code");
  const auto& authority = authority_of(ctx);
  protocol::PresentationCode code;
  try {
    code = protocol::decode_presentation_code(code_text);
  } catch (const protocol::PresentationCodeError& e) {
    return refused(v, "malformed_code", std::string("not a presentation code: ") + e.what());
  }
  const auto certificate = authority.find_certificate(code.serial_hex);
  const auto holder = authority.find_holder(code.serial_hex);
  if (!certificate || !holder)
    return refused(v, "unknown_license", "the authority has no license certificate " + code.serial_hex);
  if (!protocol::verify_presentation_signature(code, certificate->public_key()))
    return refused(v, "bad_signature", "the code is not signed by the key of license " + code.serial_hex);
  const auto chain = authority.trust_store().verify(*certificate, now);
  if (!chain.ok && chain.code != "cert_revoked") return refused(v, chain.code, chain.message);
  v["genuine"] = true;
  v = with_live_status(ctx, v, code.serial_hex, holder->uscc);
  const std::int64_t at = unix_seconds(now);
  if (v["current"].get<bool>() && at > code.issued_at + code.validity) {
    v["current"] = false;
    v["reason"] = "code_expired";
    v["detail"] = "the code was genuine but expired " + std::to_string(at - code.issued_at - code.validity) + " s ago";
  }
  return v;
}

json verify_license_certificate(const http::HostContext& ctx, const std::string& text, Clock::time_point now) {
  json v = verdict("license_certificate");
  const auto& authority = authority_of(ctx);
  trust::Certificate cert;
  try {
    cert = text.find("-----BEGIN") != std::string::npos ? trust::Certificate::from_pem(text)
                                                         : trust::Certificate::from_der(trust::base64_decode(text));
  } catch (const trust::TrustError& e) {
    return refused(v, "malformed_certificate", std::string("not a certificate (PEM or base64 DER): ") + e.what());
  }
  if (!cert.valid()) return refused(v, "malformed_certificate", "not a certificate (PEM or base64 DER)");
  const auto chain = authority.trust_store().verify(cert, now);
  if (!chain.ok && chain.code != "cert_revoked") return refused(v, chain.code, chain.message);
  const auto holder = authority.find_holder(cert.serial_hex());
  const auto issued = authority.find_certificate(cert.serial_hex());
  if (!holder || !issued || issued->der() != cert.der())
    return refused(v, "unknown_license", "the authority knows no license with this certificate");
  v["genuine"] = true;
  return with_live_status(ctx, v, cert.serial_hex(), holder->uscc);
}

}  // namespace zhaoyin::presentation
