#include "display_verdict.h"

#include <zhaoyin/http/api_error.h>
#include <zhaoyin/protocol/canonical_json.h>
#include <zhaoyin/protocol/grant.h>
#include <zhaoyin/trust/error.h>
#include <zhaoyin/verification/subject_verifier.h>
#include "display_revocations.h"

namespace zhaoyin::presentation {

namespace {

std::int64_t unix_seconds(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

std::string rfc3339_of(std::int64_t seconds) {
  return protocol::rfc3339(std::chrono::system_clock::time_point(std::chrono::seconds(seconds)));
}

void set(DisplayVerdict& v, std::string verdict, std::string label, std::string detail) {
  v.verdict = std::move(verdict);
  v.label = std::move(label);
  v.detail = std::move(detail);
}

// verify_subject's refusal codes as display verdicts.
void set_from_refusal(DisplayVerdict& v, const verification::VerificationFailed& e) {
  const std::string& c = e.code();
  if (c == "license_revoked") return set(v, c, "执照证书已吊销", e.what());
  if (c == "license_expired" || c == "license_not_yet_valid") return set(v, "license_expired", "执照证书不在有效期内", e.what());
  if (c == "enterprise_not_active")
    return set(v, c, "登记状态：" + (v.enterprise ? domain::status_label(v.enterprise->status) : std::string("非存续")),
               e.what());
  if (c == "revocation_unavailable") return set(v, c, "暂时无法核实吊销状态", e.what());
  if (c == "untrusted_chain") return set(v, c, "证书链不可信", e.what());
  if (c == "unknown_license") return set(v, c, "发证机关无此执照", e.what());
  // authorisation_missing, bad_grant, authorisation_superseded, authorisation_expired
  return set(v, "grant_withdrawn", "授权已撤回或失效", e.what());
}

nlohmann::json grant_json(const authority::Grant& g) {
  return {{"payload", g.payload}, {"signature", g.signature}, {"signer_cert_serial", g.signer_cert_serial}};
}

}  // namespace

std::string display_page_url(const http::HostContext& ctx, const std::string& code_text) {
  return ctx.settings.public_url + std::string(protocol::kDisplayPagePath) + code_text;
}

DisplayVerdict verify_display_code(const http::HostContext& ctx, const std::string& text,
                                   std::chrono::system_clock::time_point now) {
  DisplayVerdict v;
  try {
    v.code = protocol::decode_display_code(text);
  } catch (const protocol::DisplayCodeError& e) {
    throw http::ApiError(422, "malformed_code", std::string("not a display code: ") + e.what());
  }
  if (!ctx.authority) throw http::ApiError(503, "authority_unavailable", "no issuing authority is configured");
  const auto& authority = *ctx.authority;
  v.checked_at = unix_seconds(now);

  const auto certificate = authority.find_certificate(v.code.serial_hex);
  const auto holder = authority.find_holder(v.code.serial_hex);
  if (!certificate || !holder) {
    set(v, "unknown_license", "发证机关无此执照", "the authority has no license certificate " + v.code.serial_hex);
    return v;
  }
  if (!protocol::verify_display_signature(v.code, certificate->public_key())) {
    set(v, "bad_signature", "签名无效（伪造或被篡改）", "the code is not signed by the key of license " + v.code.serial_hex);
    return v;
  }
  v.enterprise = authority.find_license(holder->uscc);

  // The grant in force now, as the authority holds it (the code names its
  // grant by digest; a withdrawn or re-issued grant no longer matches).
  const nlohmann::json grant = holder->grant ? grant_json(*holder->grant) : nlohmann::json(nullptr);
  verification::RelyingParty anyone;  // the public: national scope, no matter
  verification::SubjectEvidence evidence;
  evidence.certificate = *certificate;
  evidence.grant = grant;
  evidence.at = now;
  try {
    verification::verify_subject(authority, anyone, evidence);
  } catch (const verification::VerificationFailed& e) {
    set_from_refusal(v, e);
    return v;
  }
  trust::Bytes current_digest;
  try {
    current_digest = protocol::grant_digest(grant);
  } catch (const trust::TrustError&) {
  }
  if (current_digest != v.code.grant_digest) {
    set(v, "grant_withdrawn", "授权已撤回或失效",
        "the code was made under an authorisation the authority no longer holds for this holder");
    return v;
  }
  if (const auto r = DisplayRevocations(*ctx.db).find(holder->uscc, v.code.display_id_hex(), v.code.issued_at)) {
    v.revoked_at = r->revoked_at;
    set(v, "revoked_by_enterprise", "已由企业撤销",
        std::string(r->whole_enterprise ? "every code of the enterprise issued before a time was"
                                        : "this code was") +
            " revoked by the enterprise at " + rfc3339_of(r->revoked_at));
    return v;
  }
  set(v, "valid", "有效 · 存续", "signed by a holder of the enterprise, the license is valid and the enterprise is 存续");
  return v;
}

nlohmann::json DisplayVerdict::to_json() const {
  nlohmann::json j = {{"verdict", verdict},
                      {"valid", valid()},
                      {"label", label},
                      {"detail", detail},
                      {"code",
                       {{"display_id", code.display_id_hex()},
                        {"license_serial", code.serial_hex},
                        {"issued_at", rfc3339_of(code.issued_at)},
                        {"label", enterprise ? nlohmann::json(code.label) : nlohmann::json(nullptr)}}},
                      {"enterprise", enterprise ? domain::to_json(*enterprise) : nlohmann::json(nullptr)},
                      {"revoked_at", revoked_at ? nlohmann::json(rfc3339_of(*revoked_at)) : nlohmann::json(nullptr)},
                      {"checked_at", rfc3339_of(checked_at)}};
  return j;
}

}  // namespace zhaoyin::presentation
